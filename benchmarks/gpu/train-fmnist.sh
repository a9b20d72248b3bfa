#!/usr/bin/env bash
# Trains the small ResNet-18 on Fashion-MNIST on a lent GPU within one device call (at most 10
# minutes a call; about 2,000 img/s on an H200 at batch 128, so about 27 s an epoch), and brings
# back the log, the metrics, the test result and the chosen model in pieces under 16 MiB.
# Here, from the project root, once:
#   ../shared/gpu/pack.sh && rm -f .gpu/benchmarks.jar && cp benchmarks/gpu/* .gpu/ \
#     && mkdir -p .gpu/fm && cp /usr/share/datasets/fashion-mnist/* .gpu/fm/     # about 61 MiB in all
# then a device run of:  bash .gpu/train-fmnist.sh --epochs 16 --lr 0.1 --erase 0.25
# (carry [".gpu"], timeout_s 590). Extra arguments go to `vgg4j train`. The run is stopped with
# SIGINT after LIMIT_S seconds (default 540), which the trainer answers with a checkpoint, so a
# long run still brings back what it had. Back here: cat best.safetensors.part* > best.safetensors
set -uo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-/tmp/train-fmnist}
mkdir -p "$out"
D=$(bash .gpu/on-device.sh vgg4j devices 2>/dev/null | grep -oE '^cl:[0-9]+:[0-9]+' | head -1)
[ -z "$D" ] && { echo "no OpenCL device" | tee "$out/train.log"; exit 1; }
# OUT unset for on-device.sh: its own tee would die of the SIGINT and take the trainer's last lines with it
OUT= timeout --signal=INT --kill-after=30 "${LIMIT_S:-540}" bash .gpu/on-device.sh vgg4j train --device "$D" \
  --data .gpu/fm --arch resnet18-cifar --dropout 0 --seed 1 --split-seed 1 --out /tmp/run --overwrite "$@" 2>&1 \
  | tr '\r' '\n' | grep -v -E '^epoch [0-9]+/[0-9]+ \[' | tee "$out/train.log"
for f in metrics.csv test.csv; do [ -f "/tmp/run/$f" ] && cp "/tmp/run/$f" "$out/"; done
[ -f /tmp/run/best.safetensors ] && split -b 15m -d /tmp/run/best.safetensors "$out/best.safetensors.part"
ls -la "$out"
