#!/usr/bin/env bash
# Bounded memory on one machine (issue 18 point 5, docs/scale.md "Memory model"):
# peak RSS and wall time of `pws run --partitions P` over a large generated folder, whether its
# published files are byte-identical to `pws run`'s, and (STAGES=1) the peak RSS of each stage
# run as its own process (map, dedup and reduce of every partition, merge), from which the
# bytes per record of each stage are read.
#   bench/sharded/membound.sh [RECORDS] [P]          (defaults 30000000 8; release build)
# Variables:
#   BENCH_ROOT  where the data and scratch go (default /work/pws-bench-membound: on disk, a
#               30 M folder is ~4.4 GB and its intermediate files ~7 GB more)
#   REFERENCE   1 (default): also run the one-process `pws run` and compare; 0 skips it
#   STAGES      1: also run map / dedup / reduce / merge one by one (M = 1) for per-stage RSS
#   PWS         a pws binary to use instead of building .build/release/pws
#   KEEP_DATA   0 (default) removes the generated folder at the end; 1 keeps it for reruns
# Prints a Markdown table; the raw `/usr/bin/time` lines go to $BENCH_ROOT/work-N/times.
set -euo pipefail
records=${1:-30000000} p=${2:-8}
cd "$(dirname "$0")/../.."
if [ -z "${PWS:-}" ]; then
  swift build -c release --product pws >/dev/null
fi
pws=${PWS:-$PWD/.build/release/pws}
base=${BENCH_ROOT:-/work/pws-bench-membound}
data=$base/$records work=$base/work-$records
today=2026-01-15
mkdir -p "$base"
if [ ! -f "$data.complete" ]; then
  rm -rf "$data"
  /usr/bin/time -f "%e" -o "$base/generate-time" \
    "$pws" generate --out "$data" --year 2025 --seed 7 --records "$records" --quiet
  touch "$data.complete"
  echo "generated $records records in $(cat "$base/generate-time") s: $(du -sh "$data/layanan" | cut -f1) of service files"
fi
rm -rf "$work"; mkdir -p "$work"
measure() { # LABEL COMMAND... -> a table row: wall s, peak RSS MiB (wait4 via /usr/bin/time)
  local label=$1; shift
  local status=0
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" > "$work/last.log" 2>&1 || status=$?
  read -r wall kb < "$work/time"
  echo "$label $wall s $kb KiB (exit $status)" >> "$work/times"
  printf '| %s | %s | %d |\n' "$label" "$wall" $((kb / 1024))
  [ "$status" = 0 ] || { cat "$work/last.log" >&2; return 1; }
}
echo "| step ($records records, P = $p) | wall s | peak RSS MiB |"
echo "|---|---|---|"
measure "pws run --partitions $p" "$pws" run --data "$data" --out "$work/partitioned" --today "$today" --quiet --partitions "$p"
if [ "${STAGES:-0}" = 1 ]; then
  measure "map (1 task)" "$pws" map --task 0 --tasks 1 --partitions "$p" --data "$data" --shared "$work/shared" --today "$today" --quiet
  echo "intermediate files: $(du -sh "$work/shared/pws/map" | cut -f1)" >> "$work/times"
  for stage in dedup reduce; do
    for ((j = 0; j < p; j++)); do
      measure "$stage $j" "$pws" "$stage" --task "$j" --tasks "$p" --shared "$work/shared" --today "$today" --quiet
    done
  done
  measure "merge" "$pws" merge --shared "$work/shared" --out "$work/sharded" --today "$today" --quiet
fi
if [ "${REFERENCE:-1}" = 1 ]; then
  measure "pws run" "$pws" run --data "$data" --out "$work/run" --today "$today" --quiet
fi
echo
echo "rows read: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["counts"]["rows_read"])' "$work"/partitioned/20*/run.json 2>/dev/null || echo '?')"
grep -h '"peak_rss_mib"' "$work"/partitioned/20*/run.json | sed 's/^ */pws run --partitions run.json: /'
outs=()
[ "${REFERENCE:-1}" = 1 ] && outs+=(partitioned)
[ "${STAGES:-0}" = 1 ] && [ "${REFERENCE:-1}" = 1 ] && outs+=(sharded)
for out in "${outs[@]}"; do
  if diff -r -x run.json -x '.*' "$work/run" "$work/$out" > /dev/null; then
    echo "$out: every published file byte-identical to pws run's (run.json aside)"
  else
    echo "$out: DIFFERS from pws run"; exit 1
  fi
done
cp "$work/times" "$base/times-$records-$p"
rm -rf "$work"
[ "${KEEP_DATA:-0}" = 1 ] || rm -rf "$data" "$data.complete"
