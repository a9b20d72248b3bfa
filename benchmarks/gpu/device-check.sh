#!/usr/bin/env bash
# One call's worth of checks on a lent GPU machine, after ../shared/gpu/pack.sh has filled .gpu/:
# every op against the CPU backend, GEMM throughput on every benchmark shape, training steps of
# the networks we compare (ResNet-18/50 at batch 8, the small ResNet-18 on 28x28x1 at batch 128,
# VGG-16 at batch 32, the Fashion-MNIST VGG-11 at batch 128), then PyTorch with CUDA on the same
# GPU (TF32 off) for the ResNets. Copy it next to on-device.sh and run, from the project root:
#   cp benchmarks/gpu/*.sh benchmarks/gpu/*.py .gpu/   # here
#   run: bash .gpu/device-check.sh   (carry [".gpu"], timeout_s 300)
# Each step has its own time limit, so one that hangs costs only its share; everything printed
# also goes to $OUT/device-check.log. VGG4J_JAVA_OPTS passes JVM options (e.g. -Dvgg4j.cl.gemm=...).
set -uo pipefail
cd "$(dirname "$0")/.."
G=.gpu
L=${OUT:-/tmp}/device-check.log
export PYTHONUNBUFFERED=1
t() {
  local s=$1; shift
  echo "### $* (limit ${s}s) ${VGG4J_JAVA_OPTS:-}" | tee -a "$L"
  local t0; t0=$(date +%s)
  timeout "$s" "$@" 2>&1 | grep -v -E '^WARNING|^# NVIDIA OpenCL|^# java' | tee -a "$L"
  echo "### took $(( $(date +%s) - t0 ))s rc=${PIPESTATUS[0]}" | tee -a "$L"
}
t 20 nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
D=$(bash $G/on-device.sh vgg4j devices 2>/dev/null | grep -oE '^cl:[0-9]+:[0-9]+' | head -1)
[ -z "$D" ] && { echo "no OpenCL device" | tee -a "$L"; exit 1; }
t 40 bash $G/on-device.sh vgg4j devices --check
t 40 bash $G/on-device.sh main org.vgg4j.bench.ClGemmRatio 3 all "$D"
for c in "resnet18 8" "resnet50 8" "resnet18-cifar 128" "resnet18-cifar 256" "vgg16 32" "fmnist_vgg11 128"; do
  t 40 bash $G/on-device.sh main org.vgg4j.bench.TrainStepRatio $c "$D" 3
done
[ -f $G/torch_cuda_resnet.py ] && t 80 python3 $G/torch_cuda_resnet.py
