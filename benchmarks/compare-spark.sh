#!/usr/bin/env bash
# Data-parallel training, ours against PyTorch DistributedDataParallel (gloo, CPU) on this machine,
# in one run: W worker processes of T threads each (JVMs joined by vgg4j's ring all-reduce, the
# transport of vgg4j-spark's tasks; Python processes for DDP, ../shared/bench/src/torch_ddp.py).
# One line per case:
#   train fmnist_vgg11 global_batch=128 workers=<w> threads=1 ours=<img/s> ddp=<img/s> ratio=<r>
#   scaling fmnist_vgg11 ours=<2w/1w> ddp=<2w/1w>
#   allreduce mb=<m> workers=2 ours=<GB/s> gloo=<GB/s> ratio=<r>
# MB=553 (VGG-16's gradients) by default; STEPS=10 training steps a case.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
. "$root/scripts/env.sh"
vgg4j_find_jdk
vgg4j_apt_ensure python3-torch python3-torchvision
peer="${VGG4J_SHARED:-$root/../shared}/bench/src/torch_ddp.py"
[ -f "$peer" ] || { echo "compare-spark: $peer not found (set VGG4J_SHARED)" >&2; exit 1; }
jar="$root/spark/target/vgg4j-spark.jar"
[ -f "$jar" ] || (cd "$root" && mvn -B -ntp -q -pl spark -am -DskipTests install >&2)
mb=${MB:-553}
steps=${STEPS:-10}
ours() { "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp "$jar" org.vgg4j.spark.RingBench "$@" 2>/dev/null; }
field() { grep -o "$1=[0-9.]*" | head -1 | cut -d= -f2; }
echo "# java=$("$JAVA_HOME/bin/java" -version 2>&1 | head -1) torch=$(/usr/bin/python3 -c 'import torch; print(torch.__version__)') cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs) cores=$(nproc)"
declare -A o t
for w in 1 2; do
  o[$w]=$(ours train fmnist_vgg11 128 "$w" 1 "$steps" | field img_s)
  t[$w]=$(/usr/bin/python3 "$peer" fmnist_vgg11 128 "$w" 1 "$steps" 2>/dev/null | field img_s)
  echo "train fmnist_vgg11 global_batch=128 workers=$w threads=1 ours=${o[$w]} ddp=${t[$w]} ratio=$(awk -v a="${o[$w]}" -v b="${t[$w]}" 'BEGIN { printf "%.2f", a / b }')"
done
echo "scaling fmnist_vgg11 ours=$(awk -v a="${o[2]}" -v b="${o[1]}" 'BEGIN { printf "%.2f", a / b }') ddp=$(awk -v a="${t[2]}" -v b="${t[1]}" 'BEGIN { printf "%.2f", a / b }')"
a=$(ours allreduce "$mb" 2 | field gb_s)
g=$(/usr/bin/python3 "$peer" allreduce "$mb" 2 2>/dev/null | field gb_s)
echo "allreduce mb=$mb workers=2 ours=$a gloo=$g ratio=$(awk -v a="$a" -v b="$g" 'BEGIN { printf "%.2f", a / b }')"
