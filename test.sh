#!/usr/bin/env bash
# Runs the whole test suite: installs what it needs (PoCL, Fashion-MNIST, python3-onnx) when missing, finds a
# JDK >= 21, then builds every module, runs every test, and fuzzes each parser for a few seconds
# (VGG4J_FUZZ_TIME, default 5s). Safe to run twice.
set -euo pipefail
cd "$(dirname "$0")"
. scripts/env.sh
vgg4j_apt_ensure "${VGG4J_PACKAGES[@]}" "${VGG4J_TEST_PACKAGES[@]}"
vgg4j_find_jdk
# OpenCL tests fail (instead of skipping) when the driver installed above does not come up.
export VGG4J_REQUIRE_OPENCL="${VGG4J_REQUIRE_OPENCL:-1}"
# install (verify, then the jars into ~/.m2) so that scripts/fuzz.sh finds the modules.
mvn -B -ntp -e install "$@"
# Each fuzz target for a few seconds (the regression mode on the seed corpus ran above).
scripts/fuzz.sh "${VGG4J_FUZZ_TIME:-5s}"
