#!/usr/bin/env bash
# Runs the whole test suite: installs what it needs (PoCL, Fashion-MNIST) when missing, finds a
# JDK >= 21, then builds every module and runs every test. Safe to run twice.
set -euo pipefail
cd "$(dirname "$0")"
. scripts/env.sh
vgg4j_apt_ensure "${VGG4J_PACKAGES[@]}"
vgg4j_find_jdk
exec mvn -B -ntp -e verify "$@"
