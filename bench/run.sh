#!/usr/bin/env bash
# The one benchmark command (see bench/README.md):
#
#   bench/run.sh [SIZES...]          default: 1000000 10000000; try `bench/run.sh 100000` first
#
# Builds pws (release) and bench/bare-libcsv.c, installs DuckDB with pip if it is missing,
# generates each size once (seed 1, reporting year 2025) into $BENCH_ROOT/<N>/ (a RAM disk by
# default, so file creation and disk reads are not what is measured), then measures in the same
# run, per size: the bare libcsv pass, `pws bench ingest`, `pws validate`, `pws run` (RUNS times,
# best kept) and the DuckDB baseline; prints the table and appends it to bench/RESULTS.md.
#
# Environment: RUNS (1), THREADS for DuckDB (2), TODAY (2026-01-15), BENCH_ROOT
# (/dev/shm/pws-bench), KEEP_DATA=0 to delete each generated folder after its size is measured,
# NO_APPEND=1 to print without appending to RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=("$@")
[ ${#SIZES[@]} -eq 0 ] && SIZES=(1000000 10000000)
RUNS=${RUNS:-1}
THREADS=${THREADS:-2}
TODAY=${TODAY:-2026-01-15}
SEED=1
YEAR=2025
if [ -z "${BENCH_ROOT:-}" ]; then
  if [ -d /dev/shm ]; then BENCH_ROOT=/dev/shm/pws-bench; else BENCH_ROOT=/tmp/pws-bench; fi
fi
mkdir -p bench/work "$BENCH_ROOT"

echo "building pws (release)..." >&2
swift build -c release --product pws >&2
BIN="$(swift build -c release --show-bin-path)/pws"
if [ ! -f /usr/include/csv.h ]; then
  echo "libcsv-dev is missing: apt-get install libcsv-dev" >&2; exit 1
fi
gcc -O2 -Wall -o bench/work/bare-libcsv bench/bare-libcsv.c -lcsv
if ! python3 -c 'import duckdb' 2>/dev/null; then
  echo "installing duckdb (pip)..." >&2
  python3 -m pip install --quiet duckdb >&2
fi

for n in "${SIZES[@]}"; do
  dir="$BENCH_ROOT/$n"
  if [ ! -f "$BENCH_ROOT/$n.complete" ]; then
    echo "generating $n records into $dir..." >&2
    rm -rf "$dir"
    "$BIN" generate --out "$dir" --seed "$SEED" --records "$n" --year "$YEAR" --quiet >&2
    touch "$BENCH_ROOT/$n.complete"
  fi
done

args=(--bin "$BIN" --bare bench/work/bare-libcsv --root "$BENCH_ROOT" --runs "$RUNS" --threads "$THREADS"
      --today "$TODAY")
[ "${NO_APPEND:-0}" = 1 ] && args+=(--no-append)
python3 bench/bench.py "${args[@]}" "${SIZES[@]}"

if [ "${KEEP_DATA:-1}" = 0 ]; then
  for n in "${SIZES[@]}"; do rm -rf "${BENCH_ROOT:?}/$n" "$BENCH_ROOT/$n.complete"; done
fi
