#!/usr/bin/env bash
# Coverage-guided fuzzing (Jazzer) of the parsers of untrusted files: safetensors, model files,
# PyTorch .pth (pickle and views), Caffe .caffemodel, IDX, CIFAR-10, images. Each target runs in
# its own JVM for DURATION (default 10m) on the
# committed seed corpus (vgg/src/test/resources/org/vgg4j/vgg/fuzz/<Target>Inputs/fuzz) plus
# what earlier runs found (target/fuzz/corpus, not committed), and prints its executions/s.
#
#   scripts/fuzz.sh                     # every target, 10 minutes each
#   scripts/fuzz.sh 30s Image Idx       # two targets, 30 seconds each
#   scripts/fuzz.sh --seeds             # rewrite the seed corpus (after a format change)
#
# A finding stops its target and leaves the input in target/fuzz/crash-*; copy it into the
# target's Inputs/fuzz folder so that the normal test suite (regression mode) keeps it fixed.
# The test suite runs this for a few seconds a target (test.sh); needs a build (mvn install).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
vgg4j_find_jdk
out=target/fuzz
mkdir -p "$out"
# The test classpath (the project's modules from the local repository: installed when missing).
classpath() {
  mvn -q -B -ntp -Dstyle.color=never -pl vgg dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$PWD/$out/classpath" >"$out/mvn.log" 2>&1
}
if [ ! -d vgg/target/test-classes/org/vgg4j/vgg/fuzz ] || ! classpath; then
  echo "fuzz: building and installing the modules first (mvn install -DskipTests)" >&2
  mvn -q -B -ntp -Dstyle.color=never install -DskipTests >"$out/mvn.log" 2>&1 || { cat "$out/mvn.log" >&2; exit 1; }
  classpath || { cat "$out/mvn.log" >&2; exit 1; }
fi
# The modules' own classes first, so that an edit needs no install.
cp="vgg/target/test-classes:vgg/target/classes:nn/target/classes:tensor/target/classes:kernels-cl/target/classes:$(cat "$out/classpath")"
# Small limits on untrusted input (nn.io.Limits), so that an input within them is also fast.
java=("$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -XX:+UseParallelGC -Xmx2g
  -Dvgg4j.limit.imagePixels=$((1 << 20)) -Dvgg4j.limit.decompressedBytes=$((16 << 20))
  -Dvgg4j.limit.modelBytes=$((16 << 20)))
seeds=vgg/src/test/resources/org/vgg4j/vgg/fuzz
if [ "${1:-}" = "--seeds" ]; then
  exec "${java[@]}" -cp "$cp" org.vgg4j.vgg.fuzz.SeedCorpus "$seeds"
fi
duration="${1:-10m}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(SafeTensors ModelFile PyTorch Caffe Idx Cifar Image)
case "$duration" in
  *h) secs=$(( ${duration%h} * 3600 )) ;; *m) secs=$(( ${duration%m} * 60 )) ;;
  *s) secs=${duration%s} ;; *) secs=$duration ;;
esac
failed=0
for t in "${targets[@]}"; do
  cls="org.vgg4j.vgg.fuzz.${t}FuzzTest"
  [ -f "vgg/target/test-classes/org/vgg4j/vgg/fuzz/${t}FuzzTest.class" ] \
    || { echo "fuzz: no target $t (SafeTensors, ModelFile, PyTorch, Caffe, Idx, Cifar, Image)" >&2; exit 2; }
  corpus="$out/corpus/$t"
  # The image target is guided by coverage of the JDK's decoders too (they parse the bytes).
  includes='org.vgg4j.**'
  [ "$t" != Image ] || includes='org.vgg4j.**:com.sun.imageio.**:javax.imageio.**:sun.awt.image.**'
  mkdir -p "$corpus"
  log="$out/$t.log"
  # -rss_limit_mb: a JVM with a 2 GB heap; an input that needs more is a finding (OutOfMemoryError).
  if "${java[@]}" -cp "$cp" com.code_intelligence.jazzer.Jazzer --target_class="$cls" --target_method=fuzz \
      --instrumentation_includes="$includes" --custom_hook_includes='org.vgg4j.**' \
      -max_total_time="$secs" -rss_limit_mb=4096 -timeout=20 -artifact_prefix="$out/$t-" \
      "$corpus" "$seeds/${t}FuzzTestInputs/fuzz" >"$log" 2>&1; then
    done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1)
    runs=$(sed -E 's/^#([0-9]+).*/\1/' <<<"$done_line")
    rate=$(sed -E 's/.*exec\/s: ([0-9]+).*/\1/' <<<"$done_line")
    cov=$(sed -E 's/.*cov: ([0-9]+).*/\1/' <<<"$done_line")
    printf 'fuzz %-12s %10s runs in %ss, %6s exec/s, coverage %s: no finding\n' "$t" "$runs" "$secs" "$rate" "$cov"
  else
    failed=1
    echo "fuzz $t: FINDING (log $log):" >&2
    grep -E '^== Java Exception|^Caused by|^	at org\.vgg4j|crash-|Test unit written' "$log" | head -12 >&2
  fi
done
exit $failed
