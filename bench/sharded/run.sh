#!/usr/bin/env bash
# The sharded run against `pws run` (issue 18, docs/scale.md): wall time and peak RSS of
#   pws run, pws run --partitions P, and each stage of map (M tasks) / dedup / reduce / merge
# run one after the other on this machine, and whether every output is byte-identical.
#   bench/sharded/run.sh [RECORDS] [M] [P]        (defaults 1000000 4 8; release build)
# Data goes to /dev/shm/pws-bench-sharded/<RECORDS> (kept for reruns; KEEP_DATA=0 removes it).
set -euo pipefail
records=${1:-1000000} m=${2:-4} p=${3:-8}
cd "$(dirname "$0")/../.."
swift build -c release --product pws >/dev/null
pws=$PWD/.build/release/pws
base=${BENCH_ROOT:-/dev/shm/pws-bench-sharded}
data=$base/$records work=$base/work-$records
today=2026-01-15
if [ ! -f "$data.complete" ]; then
  rm -rf "$data"
  "$pws" generate --out "$data" --year 2025 --seed 1 --records "$records" --quiet
  touch "$data.complete"
fi
rm -rf "$work"; mkdir -p "$work"
measure() { # LABEL COMMAND... -> "LABEL: wall s, max RSS MiB"
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" > /dev/null 2>&1
  read -r wall kb < "$work/time"
  printf '| %s | %s | %d |\n' "$label" "$wall" $((kb / 1024))
}
echo "| step ($records records, M = $m, P = $p) | wall s | peak RSS MiB |"
echo "|---|---|---|"
measure "pws run" "$pws" run --data "$data" --out "$work/run" --today "$today" --quiet
measure "pws run --partitions $p" "$pws" run --data "$data" --out "$work/partitioned" --today "$today" --quiet --partitions "$p"
for ((i = 0; i < m; i++)); do
  measure "map $i" "$pws" map --task "$i" --tasks "$m" --partitions "$p" --data "$data" --shared "$work/shared" --today "$today" --quiet
done
for stage in dedup reduce; do
  for ((j = 0; j < p; j++)); do
    measure "$stage $j" "$pws" "$stage" --task "$j" --tasks "$p" --shared "$work/shared" --today "$today" --quiet
  done
done
measure "merge" "$pws" merge --shared "$work/shared" --out "$work/sharded" --today "$today" --quiet
echo
echo "intermediate files: $(du -sh "$work/shared/pws" | cut -f1) (service files: $(du -sh "$data/layanan" | cut -f1))"
for out in partitioned sharded; do
  if diff -r -x run.json -x '.*' "$work/run" "$work/$out" > /dev/null; then
    echo "$out: every published file byte-identical to pws run's (run.json aside)"
  else
    echo "$out: DIFFERS from pws run"; exit 1
  fi
done
rm -rf "$work"
[ "${KEEP_DATA:-1}" = 1 ] || rm -rf "$data" "$data.complete"
