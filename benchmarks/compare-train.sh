#!/usr/bin/env bash
# Training-step throughput and peak memory, ours against PyTorch (Debian's python3-torch, through
# ../shared/bench/src/torch_vgg.py) on the same networks and batches, in one run, two threads each.
# One line per case:
#   train <model> batch=<b> input=<hxw> device=<d> ours=<img/s> torch=<img/s> ratio=<r> ours_rss_mb=<m> torch_rss_mb=<m>
#     ours_discarded=<n> torch_discarded=<n>
# Both sides time samples of at least a second and retake those during which other processes used
# more than PEERS_CLEAN cores (0.15); ours warms up for two steps and three seconds (the JIT).
# CASES="fmnist_vgg11:128 vgg16:8 vgg16_bn:8" by default; DEVICE=cpu (cl runs ours on OpenCL; torch stays on the CPU).
# With a DEVICE other than cpu, our CPU backend runs the same case too and the line ends with
#   ours_cpu=<img/s> device_vs_cpu=<r>
# (on PoCL, a CPU device, that measures the OpenCL path's overheads, not a GPU).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
. "$root/scripts/env.sh"
vgg4j_find_jdk
vgg4j_apt_ensure python3-torch python3-torchvision python3-threadpoolctl time
peer="${VGG4J_SHARED:-$root/../shared}/bench/src/torch_vgg.py"
[ -f "$peer" ] || { echo "compare-train: $peer not found (set VGG4J_SHARED)" >&2; exit 1; }
jar="$here/target/benchmarks.jar"
[ -f "$jar" ] || (cd "$root" && mvn -B -ntp -q -pl benchmarks -am -DskipTests package >&2)
device=${DEVICE:-cpu}
cases=${CASES:-"fmnist_vgg11:128 vgg16:8 vgg16_bn:8"}
# JVM options of our side (the launcher's by default); e.g. OURS_JVM="-XX:+UseParallelGC -Xmn256m"
read -r -a ours_jvm <<< "${OURS_JVM:--XX:+UseParallelGC -Xmn64m}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "# java=$("$JAVA_HOME/bin/java" -version 2>&1 | head -1) torch=$(/usr/bin/python3 -c 'import torch; print(torch.__version__)') cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs) threads=2"
for c in $cases; do
  model=${c%%:*}; batch=${c##*:}
  /usr/bin/time -v "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector "${ours_jvm[@]}" \
    -Dvgg4j.threads=2 -cp "$jar" org.vgg4j.bench.TrainStepRatio "$model" "$batch" "$device" 5 \
    > "$tmp/ours" 2> "$tmp/ours.time" || { echo "compare-train: ours failed on $model" >&2; cat "$tmp/ours.time" >&2; exit 1; }
  /usr/bin/time -v /usr/bin/python3 "$peer" "$model" train "$batch" 2 > "$tmp/torch" 2> "$tmp/torch.time" \
    || { echo "compare-train: torch failed on $model" >&2; tail -3 "$tmp/torch.time" >&2; exit 1; }
  ours=$(grep -o 'img_s=[0-9.]*' "$tmp/ours" | cut -d= -f2)
  input=$(grep -o 'input=[0-9x]*' "$tmp/ours" | cut -d= -f2)
  torch=$(grep -o 'median=[0-9.]*' "$tmp/torch" | head -1 | cut -d= -f2)
  ours_rss=$(awk -F: '/Maximum resident/ {printf "%d", $2 / 1024}' "$tmp/ours.time")
  torch_rss=$(awk -F: '/Maximum resident/ {printf "%d", $2 / 1024}' "$tmp/torch.time")
  ratio=$(awk -v a="$ours" -v b="$torch" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
  extra=""
  if [ "$device" != cpu ]; then
    "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector "${ours_jvm[@]}" -Dvgg4j.threads=2 -cp "$jar" \
      org.vgg4j.bench.TrainStepRatio "$model" "$batch" cpu 5 > "$tmp/cpu" 2> /dev/null \
      || { echo "compare-train: ours on the CPU failed on $model" >&2; exit 1; }
    cpu=$(grep -o 'img_s=[0-9.]*' "$tmp/cpu" | cut -d= -f2)
    extra=" ours_cpu=$cpu device_vs_cpu=$(awk -v a="$ours" -v b="$cpu" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')"
  fi
  # samples taken under foreign load (over PEERS_CLEAN cores) are retaken on both sides
  noisy="ours_discarded=$(grep -o 'discarded=[0-9]*' "$tmp/ours" | cut -d= -f2) torch_discarded=$(grep -o 'discarded=[0-9]*' "$tmp/torch" | head -1 | cut -d= -f2)"
  echo "train $model batch=$batch input=$input device=$device ours=$ours torch=$torch ratio=$ratio ours_rss_mb=$ours_rss torch_rss_mb=$torch_rss $noisy$extra"
done
