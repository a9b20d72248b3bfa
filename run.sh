#!/usr/bin/env bash
# The main job: train the default model (VGG configuration A at half width, 32x32 input) on the
# embedded default data set (Fashion-MNIST from Debian's dataset-fashion-mnist), evaluate it on the
# 10,000 test images, then predict a few of them from PNG files. Installs what it needs when
# missing; safe to run twice (a second run resumes the finished run and only re-evaluates).
# Extra arguments go to `vgg4j train` (e.g. --epochs 14).
set -euo pipefail
cd "$(dirname "$0")"
. scripts/env.sh
vgg4j_apt_ensure "${VGG4J_PACKAGES[@]}"
vgg4j_find_jdk
out=runs/default
./vgg4j train --out "$out" --resume "$@"
./vgg4j eval --model "$out/model.safetensors" --data fashion-mnist
./vgg4j samples --data fashion-mnist --count 8 --out "$out/samples"
./vgg4j predict --model "$out/model.safetensors" --top 3 "$out/samples"
