#!/usr/bin/env bash
# Cold-run speed on many small files (issue 21), see bench/README.md ("Cold runs on many small files"):
#
#   bench/cold/run.sh                 the 3 M-record / 10 k-file set and the 10 M set, 3 runs each
#   RUNS=5 bench/cold/run.sh 3m       one set, five runs
#   BEFORE=/path/to/old/pws bench/cold/run.sh    also run an older build, interleaved
#
# Builds pws (release) and bench/bare-libcsv.c, installs DuckDB with pip if missing, generates
# the sets once under $COLD_ROOT (default /tmp/pws-cold; never in the repository):
#   3m  = pws generate --seed 3 --records 3000000 --year 2025   (10 242 files, 423 MB)
#   10m = pws generate --seed 1 --records 10000000 --year 2025  (11 094 files, 1.4 GB; bench/run.sh's)
#   onerow = 100 000 one-row files made from the 3m set (bench/cold/one_row_files.py), for the
#            cost per file (`pws validate` only; ONEROW=0 skips it)
# then runs bench/cold/cold.py: bare libcsv, pws run (and $BEFORE), DuckDB's one-numerator query
# and (FULL_RUNS times, default 1) bench/duckdb_numerators.py, interleaved, medians printed.
set -euo pipefail
cd "$(dirname "$0")/../.."
SETS=("$@")
[ ${#SETS[@]} -eq 0 ] && SETS=(3m 10m)
RUNS=${RUNS:-3}
FULL_RUNS=${FULL_RUNS:-1}
ROOT=${COLD_ROOT:-/tmp/pws-cold}
mkdir -p "$ROOT" bench/work

swift build -c release --product pws >&2
BIN="$(swift build -c release --show-bin-path)/pws"
gcc -O2 -Wall -o bench/work/bare-libcsv bench/bare-libcsv.c -lcsv
python3 -c 'import duckdb' 2>/dev/null || python3 -m pip install --quiet duckdb >&2

dirs=()
for s in "${SETS[@]}"; do
  case "$s" in
    3m) seed=3; n=3000000 ;;
    10m) seed=1; n=10000000 ;;
    *) echo "unknown set $s (3m or 10m)" >&2; exit 1 ;;
  esac
  if [ ! -f "$ROOT/$s.complete" ]; then
    rm -rf "${ROOT:?}/$s"
    "$BIN" generate --out "$ROOT/$s" --seed "$seed" --records "$n" --year 2025 --quiet >&2
    touch "$ROOT/$s.complete"
  fi
  dirs+=("$ROOT/$s")
done

args=(--bin "$BIN" --bare bench/work/bare-libcsv --runs "$RUNS" --full-runs "$FULL_RUNS" --work bench/work/cold)
[ -n "${BEFORE:-}" ] && args+=(--before "$BEFORE")
python3 bench/cold/cold.py "${args[@]}" "${dirs[@]}"

if [ "${ONEROW:-1}" = 1 ] && [ -f "$ROOT/3m.complete" ]; then
  if [ ! -f "$ROOT/onerow.complete" ]; then
    rm -rf "${ROOT:?}/onerow"
    python3 bench/cold/one_row_files.py "$ROOT/3m" "$ROOT/onerow" 100000
    touch "$ROOT/onerow.complete"
  fi
  echo "### 100 000 one-row files: pws validate (cost per file)"
  for b in ${BEFORE:-} "$BIN"; do
    rm -rf bench/work/cold/onerow-out
    /usr/bin/time -f "$b: %e s wall, %U s user + %S s sys, %M KB peak" \
      "$b" validate --data "$ROOT/onerow" --out bench/work/cold/onerow-out --today 2026-01-15 --quiet || true
    python3 -c "import json,sys; t=json.load(open(sys.argv[1]))['timings_seconds']; print('   ', t)" \
      bench/work/cold/onerow-out/run.json
  done
fi
