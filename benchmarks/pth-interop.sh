#!/usr/bin/env bash
# PyTorch's .pth files in vgg4j: PyTorch saves a torchvision model with random weights
# (torch.save(model.state_dict())) and its probabilities for a random input; vgg4j loads the .pth
# as `predict` does (by content, the safe pickle reader) and compares its probabilities (1e-5).
# Usage: benchmarks/pth-interop.sh [vgg11|vgg16|vgg11_bn|vgg16_bn|resnet18|resnet50|alexnet|googlenet ...]
# (default: vgg11 vgg16 vgg11_bn resnet18 googlenet)
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
status=0
for a in ${@:-vgg11 vgg16 vgg11_bn resnet18 googlenet}; do
  mkdir -p "$tmp/$a"
  /usr/bin/python3 "$here/pth-interop.py" "$tmp/$a" "$a"
  "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp "$jar" org.vgg4j.bench.PthInterop "$tmp/$a" "$a" \
    2>/dev/null || status=1
  rm -rf "${tmp:?}/$a"
done
exit $status
