#!/usr/bin/env bash
# The main job: train the default model on the embedded default data set (Fashion-MNIST),
# then predict on test images. Installs what it needs when missing. Safe to run twice.
set -euo pipefail
cd "$(dirname "$0")"
. scripts/env.sh
vgg4j_apt_ensure "${VGG4J_PACKAGES[@]}"
vgg4j_find_jdk
if [ ! -x ./vgg4j ]; then
  echo "vgg4j: the command line is not built yet (issue 6: cli); the build and tests run with ./test.sh" >&2
  mvn -B -ntp -q -DskipTests package
  exit 0
fi
./vgg4j train "$@"
./vgg4j predict --model runs/default/model.safetensors --top 3 /usr/share/datasets/fashion-mnist
