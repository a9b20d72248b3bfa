#!/usr/bin/env bash
# Our OpenCL SGEMM against CLBlast on the same device, same shapes, in one run. Prints one line per
# shape:
#   clgemm <name> M=<m> K=<k> N=<n> device=<name> ours=<GFLOP/s> clblast=<GFLOP/s> ratio=<r>
# CLBlast runs through ../shared/bench/src/clblast_sgemm.c, built into a temporary copy of
# shared/bench (Debian's libclblast-dev, ocl-icd-opencl-dev, opencl-headers; installed when missing).
# Both see the same device: PoCL's thread count comes from POCL_MAX_PTHREAD_COUNT (default 2).
# SHAPES=sq256,sq512 limits the shapes; SAMPLES sets samples per shape (default 3).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
. "$root/scripts/env.sh"
vgg4j_find_jdk
vgg4j_apt_ensure libclblast-dev ocl-icd-opencl-dev opencl-headers pocl-opencl-icd build-essential
bench="${VGG4J_SHARED:-$root/../shared}/bench"
[ -f "$bench/src/clblast_sgemm.c" ] || { echo "compare-clgemm: $bench/src/clblast_sgemm.c not found (set VGG4J_SHARED)" >&2; exit 1; }
export POCL_MAX_PTHREAD_COUNT=${POCL_MAX_PTHREAD_COUNT:-2}
shapes=${SHAPES:-all}
samples=${SAMPLES:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r "$bench/src" "$tmp/src"
gcc -O2 "$tmp/src/clblast_sgemm.c" -o "$tmp/clblast_sgemm" -lclblast -lOpenCL -lm
jar="$here/target/benchmarks.jar"
[ -f "$jar" ] || (cd "$root" && mvn -B -ntp -q -pl benchmarks -am -DskipTests package >&2)
# Shape by shape, ours and CLBlast alternate twice and each keeps its better median: on a shared
# machine a noisy minute then hits both sides alike.
all_shapes=sq256,sq512,sq1024,sq2048,vgg_c1_1,vgg_c1_2,vgg_c2_2,vgg_c3_x,vgg_c4_x,vgg_c5_x
[ "$shapes" = all ] && shapes=$all_shapes
: > "$tmp/ours"
: > "$tmp/clblast"
for s in ${shapes//,/ }; do
  for round in 1 2; do
    "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp "$jar" org.vgg4j.bench.ClGemmRatio "$samples" "$s" \
      >> "$tmp/ours" 2>/dev/null
    "$tmp/clblast_sgemm" clblast "$samples" "$s" >> "$tmp/clblast" 2>&1 || true
  done
done
grep '^#' "$tmp/ours" | head -1
awk '
  FILENAME ~ /ours/ && /^ours_clgemm/ { for (i = 1; i <= NF; i++) { if ($i ~ /^gflops=/) { split($i, g, "="); if (g[2] + 0 > ours[$2]) ours[$2] = g[2] + 0 }
      if ($i ~ /^device=/) dev[$2] = substr($i, 8) }
    dims[$2] = $3 " " $4 " " $5; order[++n] = $2 }
  FILENAME ~ /clblast/ { name = ""; for (i = 1; i <= NF; i++) { if ($i ~ /^(sq|vgg_)/) name = $i; if ($i ~ /^median=/) { split($i, g, "="); med = g[2] + 0 } }
    if (name != "" && med > cb[name]) cb[name] = med }
  END { for (i = 1; i <= n; i++) { s = order[i]; if (seen[s]++) continue; r = cb[s] > 0 ? ours[s] / cb[s] : 0;
    printf "clgemm %s %s device=%s ours=%.2f clblast=%.2f ratio=%.2f\n", s, dims[s], dev[s], ours[s], cb[s], r } }
' "$tmp/ours" "$tmp/clblast"
