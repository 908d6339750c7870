#!/usr/bin/env bash
# Builds the libFuzzer targets (Tests/Fuzz/, docs/fuzzing.md) into .build-fuzz/ and runs each for
# a bounded time from the committed seed corpus. Fails (exit 1) on a crash or trap, a hang (an
# input taking over FUZZ_TIMEOUT seconds), a leak, or an input needing over FUZZ_RSS_MB of memory;
# the input that did it is kept under FUZZ_ARTIFACTS and the command to replay it is printed.
#
#   scripts/fuzz.sh [TARGET...]      # default: every target below (`all_targets`)
#
# Environment (defaults): FUZZ_SECONDS=25 per target, FUZZ_TIMEOUT=10, FUZZ_RSS_MB=2048,
# FUZZ_ARTIFACTS=.build-fuzz/artifacts. Run by .ci/test after the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-25}
timeout=${FUZZ_TIMEOUT:-10}
rss_mb=${FUZZ_RSS_MB:-2048}
scratch=.build-fuzz
artifacts=${FUZZ_ARTIFACTS:-$scratch/artifacts}
all_targets=(FuzzCSVReader FuzzServiceRows FuzzCatalogues FuzzFHIR FuzzWorkbook FuzzDHIS2Mapping FuzzShardFile)
if [ $# -gt 0 ]; then targets=("$@"); else targets=("${all_targets[@]}"); fi

# The compiler's resource folder holds clang's runtimes (libFuzzer, the sanitizers); asking
# swiftc works whether it is on PATH directly, through a symlink, or through a toolchain manager.
resources=$(swiftc -print-target-info | sed -n 's/.*"runtimeResourcePath": *"\(.*\)".*/\1/p')
if ! ls "$resources"/clang/lib/linux/libclang_rt.fuzzer-*.a >/dev/null 2>&1; then
  echo "fuzz: this Swift toolchain ($resources) has no libFuzzer (libclang_rt.fuzzer); use a swift.org Linux toolchain" >&2
  exit 69
fi
toolchain=$(dirname "$(dirname "$resources")")

# PWS_FUZZ=1 adds the targets to the package (Package.swift). `--sanitize fuzzer` makes SwiftPM
# link libFuzzer's main instead of the target's; the -Xswiftc flag is what instruments the Swift
# code (SwiftPM passes `-sanitize=fuzzer -sanitize=address` as two flags, and swiftc keeps only
# the last, so without it nothing gets coverage). -Xcc instruments the C targets (libyaml in Yams).
# -O (after SwiftPM's -Onone, so it wins): at -Onone the standard library's raw loads
# (`UnsafeRawPointer.load`, `UnsafeRawBufferPointer` subscripts) run as uninlined library code,
# which ASan does not instrument, so a read past a buffer through them went unreported; inlined
# into optimised code they are checked (docs/fuzzing.md).
build=(swift build --scratch-path "$scratch" --sanitize fuzzer
       -Xswiftc -sanitize=fuzzer,address -Xswiftc -O -Xcc -fsanitize=fuzzer-no-link,address)
echo "== fuzz: building ${targets[*]} into $scratch"
# With AddressSanitizer, gold warns about every local symbol it cannot export: thousands of
# lines that say nothing, so they are dropped.
for t in "${targets[@]}"; do
  PWS_FUZZ=1 "${build[@]}" --product "$t" 2>&1 | { grep -v "Cannot export local symbol" || true; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/tmp" "$artifacts"
# The targets write their scratch files under TMPDIR; removed with $work.
export TMPDIR=$work/tmp
# On a crash, ASan and libFuzzer print the stack; the Swift runtime's own backtracer would
# instead start swift-backtrace, which can keep the run waiting.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:symbolize=1}
# Leaks that are not pws's, each with its reason in the file.
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/Tests/Fuzz/lsan-suppressions.txt:print_suppressions=0}
if [ -x "$toolchain/bin/llvm-symbolizer" ]; then export ASAN_SYMBOLIZER_PATH="$toolchain/bin/llvm-symbolizer"; fi

failed=0
for t in "${targets[@]}"; do
  seeds=("Tests/Fuzz/corpus/$t")
  # The row checker reads CSV first: it starts from the reader's dialect cases too.
  if [ "$t" = FuzzServiceRows ]; then seeds+=(Tests/Fuzz/corpus/FuzzCSVReader); fi
  # New inputs go to the first folder (a scratch one), so the committed corpus stays as it is.
  mkdir -p "$work/$t"
  log=$artifacts/$t.log
  status=0
  "$scratch/debug/$t" -max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb="$rss_mb" \
    -malloc_limit_mb="$rss_mb" -print_final_stats=1 -artifact_prefix="$artifacts/$t-" \
    "$work/$t" "${seeds[@]}" >"$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -E '^#[0-9]+' "$log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9a-zA-Z]+' || true)
  if [ "$status" -eq 0 ]; then
    echo "fuzz: $t: ok, ${runs:-?} executions in ${seconds} s (${cov:-no stats})"
  else
    failed=1
    echo "fuzz: $t: FAILED (exit $status) after ${runs:-?} executions; log $log" >&2
    grep -E 'ERROR: |SUMMARY: |Fatal error' "$log" | head -10 >&2 || true
    artifact=$(sed -n 's/.*Test unit written to //p' "$log" | tail -1)
    if [ -n "$artifact" ]; then
      echo "fuzz: the input is $artifact; replay it with:" >&2
      echo "  SWIFT_BACKTRACE=enable=no LSAN_OPTIONS=$LSAN_OPTIONS $scratch/debug/$t $artifact" >&2
    fi
  fi
done
exit $failed
