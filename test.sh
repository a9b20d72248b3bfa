#!/usr/bin/env bash
# Runs the whole test suite: installs what it needs (PoCL, Fashion-MNIST) when missing, finds a
# JDK >= 21, then builds every module and runs every test. Safe to run twice.
set -euo pipefail
cd "$(dirname "$0")"
. scripts/env.sh
vgg4j_apt_ensure "${VGG4J_PACKAGES[@]}"
vgg4j_find_jdk
# OpenCL tests fail (instead of skipping) when the driver installed above does not come up.
export VGG4J_REQUIRE_OPENCL="${VGG4J_REQUIRE_OPENCL:-1}"
exec mvn -B -ntp -e verify "$@"
