#!/usr/bin/env bash
# Our CPU SGEMM against OpenBLAS (through Debian's numpy) on the same shapes, in one run, two
# threads each. Prints one line per shape:
#   sgemm <name> M=<m> K=<k> N=<n> threads=<t> ours=<GFLOP/s> openblas=<GFLOP/s> ratio=<r>
# Ours runs before and after OpenBLAS (the better median counts) so machine noise hits both.
# OpenBLAS: OPENBLAS_CORETYPE=SkylakeX when the CPU has AVX-512 (its auto-detection picks the
# old SSE3 Prescott kernels there), else its own choice (Haswell kernels on AVX2 machines;
# forcing SkylakeX without AVX-512 dies with SIGILL).
# Needs: python3-numpy python3-threadpoolctl libopenblas0-pthread (installed when missing).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
. "$root/scripts/env.sh"
vgg4j_find_jdk
vgg4j_apt_ensure python3-numpy python3-threadpoolctl libopenblas0-pthread
peer="${VGG4J_SHARED:-$root/../shared}/bench/src/sgemm_numpy.py"
[ -f "$peer" ] || { echo "compare-sgemm: $peer not found (set VGG4J_SHARED to the shared/ folder)" >&2; exit 1; }
threads=${THREADS:-2}
samples=${SAMPLES:-5}
jar="$here/target/benchmarks.jar"
[ -f "$jar" ] || (cd "$root" && mvn -B -ntp -q -pl benchmarks -am -DskipTests package >&2)

coretype=""
if grep -qw avx512f /proc/cpuinfo; then coretype=SkylakeX; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ours() {
  "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -XX:+UseParallelGC -Dvgg4j.threads="$threads" \
    -cp "$jar" org.vgg4j.bench.SgemmRatio "$samples" 2>/dev/null
}
ours > "$tmp/ours1"
OPENBLAS_CORETYPE=$coretype /usr/bin/python3 "$peer" "$threads" > "$tmp/openblas" 2>&1
ours > "$tmp/ours2"

grep '^#' "$tmp/ours1" | head -1
kernel=$(OPENBLAS_CORETYPE=$coretype /usr/bin/python3 -c \
  'import numpy, threadpoolctl; print([i["version"] + " " + str(i["architecture"]) for i in threadpoolctl.threadpool_info() if i.get("internal_api") == "openblas"])')
echo "# openblas: $kernel OPENBLAS_CORETYPE=${coretype:-<auto>} cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs) avx512=$([ -n "$coretype" ] && echo yes || echo no)"
awk -v t="$threads" '
  FILENAME ~ /ours/ && /^ours_sgemm/ { split($7, g, "="); v = g[2] + 0; if (v > ours[$2]) ours[$2] = v; dims[$2] = $3 " " $4 " " $5; order[++n] = $2 }
  FILENAME ~ /openblas/ && /^numpy_openblas_sgemm/ { for (i = 1; i <= NF; i++) if ($i ~ /^median=/) { split($i, g, "="); ob[$2] = g[2] + 0 } }
  END { for (i = 1; i <= n; i++) { s = order[i]; if (seen[s]++) continue;
          r = ob[s] > 0 ? ours[s] / ob[s] : 0;
          printf "sgemm %s %s threads=%d ours=%.1f openblas=%.1f ratio=%.2f\n", s, dims[s], t, ours[s], ob[s], r } }
' "$tmp/ours1" "$tmp/ours2" "$tmp/openblas"
