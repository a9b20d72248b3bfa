#!/usr/bin/env bash
# Our model files in PyTorch: writes a VGG file of ours (random weights, batch-norm statistics moved
# off their initial values) and our probabilities for a random input, loads the file into torchvision
# with load_state_dict(strict=True), and compares PyTorch's probabilities with ours (1e-5).
# Usage: benchmarks/torch-interop.sh [vgg11|vgg11_bn|vgg16_bn|resnet18|resnet50|alexnet|googlenet ...]
# (default: vgg11 vgg11_bn resnet18 resnet50 alexnet googlenet)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
. "$root/scripts/env.sh"
vgg4j_find_jdk
vgg4j_apt_ensure python3-torch python3-torchvision python3-numpy
jar="$here/target/benchmarks.jar"
[ -f "$jar" ] || (cd "$root" && mvn -B -ntp -q -pl benchmarks -am -DskipTests package >&2)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for arch in "${@:-vgg11 vgg11_bn resnet18 resnet50 alexnet googlenet}"; do
  for a in $arch; do
    "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp "$jar" org.vgg4j.bench.TorchInterop "$tmp/$a" "$a" 2>/dev/null
    /usr/bin/python3 "$here/torch-interop.py" "$tmp/$a" "$a"
  done
done
