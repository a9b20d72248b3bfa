#!/usr/bin/env bash
# Inference throughput, ours through the embedding API (Classifier.probabilities: preprocessed
# tensors in, probabilities out) against PyTorch's eval-mode forward under no_grad (Debian's
# python3-torch, through ../shared/bench/src/torch_vgg.py <model> fwd), in one run, two threads each.
# One line per case:
#   infer <model> batch=<b> input=<hxw> device=<d> ours=<img/s> torch=<img/s> ratio=<r> ours_rss_mb=<m> torch_rss_mb=<m>
# CASES="vgg16:1 vgg16:8" by default; DEVICE=cpu (cl runs ours on OpenCL; torch stays on the CPU).
# ROUNDS=3: each case runs ours and torch alternately that many times and reports the medians (on a
# shared machine one run of either side moved by 25 % from one minute to the next).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
. "$root/scripts/env.sh"
vgg4j_find_jdk
vgg4j_apt_ensure python3-torch python3-torchvision python3-threadpoolctl time
peer="${VGG4J_SHARED:-$root/../shared}/bench/src/torch_vgg.py"
[ -f "$peer" ] || { echo "compare-infer: $peer not found (set VGG4J_SHARED)" >&2; exit 1; }
jar="$here/target/benchmarks.jar"
[ -f "$jar" ] || (cd "$root" && mvn -B -ntp -q -pl benchmarks -am -DskipTests package >&2)
device=${DEVICE:-cpu}
cases=${CASES:-"vgg16:1 vgg16:8"}
read -r -a ours_jvm <<< "${OURS_JVM:--XX:+UseParallelGC -Xmn64m}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "# java=$("$JAVA_HOME/bin/java" -version 2>&1 | head -1) torch=$(/usr/bin/python3 -c 'import torch; print(torch.__version__)') cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs) threads=2"
rounds=${ROUNDS:-3}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
for c in $cases; do
  model=${c%%:*}; batch=${c##*:}
  : > "$tmp/ours_all"; : > "$tmp/torch_all"; : > "$tmp/ours_rss"; : > "$tmp/torch_rss"
  for ((r = 1; r <= rounds; r++)); do
    /usr/bin/time -v "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector "${ours_jvm[@]}" \
      -Dvgg4j.threads=2 -cp "$jar" org.vgg4j.bench.InferRatio "$model" "$batch" "$device" 5 \
      > "$tmp/ours" 2> "$tmp/ours.time" || { echo "compare-infer: ours failed on $model" >&2; cat "$tmp/ours.time" >&2; exit 1; }
    /usr/bin/time -v /usr/bin/python3 "$peer" "$model" fwd "$batch" 2 > "$tmp/torch" 2> "$tmp/torch.time" \
      || { echo "compare-infer: torch failed on $model" >&2; tail -3 "$tmp/torch.time" >&2; exit 1; }
    grep -o 'img_s=[0-9.]*' "$tmp/ours" | cut -d= -f2 >> "$tmp/ours_all"
    grep -o 'median=[0-9.]*' "$tmp/torch" | head -1 | cut -d= -f2 >> "$tmp/torch_all"
    awk -F: '/Maximum resident/ {printf "%d\n", $2 / 1024}' "$tmp/ours.time" >> "$tmp/ours_rss"
    awk -F: '/Maximum resident/ {printf "%d\n", $2 / 1024}' "$tmp/torch.time" >> "$tmp/torch_rss"
  done
  input=$(grep -o 'input=[0-9x]*' "$tmp/ours" | cut -d= -f2)
  ours=$(median < "$tmp/ours_all")
  torch=$(median < "$tmp/torch_all")
  ours_rss=$(median < "$tmp/ours_rss")
  torch_rss=$(median < "$tmp/torch_rss")
  ratio=$(awk -v a="$ours" -v b="$torch" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
  echo "infer $model batch=$batch input=$input device=$device ours=$ours torch=$torch ratio=$ratio ours_rss_mb=$ours_rss torch_rss_mb=$torch_rss rounds=$rounds ours_all=$(paste -sd/ "$tmp/ours_all") torch_all=$(paste -sd/ "$tmp/torch_all")"
done
