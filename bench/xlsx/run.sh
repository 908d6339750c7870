#!/usr/bin/env bash
# xlsx ingest against the CSV path on the same rows (issue #13 point 6):
#
#   bench/xlsx/run.sh [ROWS]            default 1000000 (the most a sheet holds is 1,048,575 + header)
#
# Generates a folder (seed 1), writes its first ROWS records as one CSV, one XlsxWriter workbook
# (inline strings) and one workbook with every text in the shared-string table
# (make_workbooks.py; needs a Python with xlsxwriter: PYTHON=/path/to/venv/bin/python), then
# per file: `pws bench ingest` under /usr/bin/time (records/s and peak RSS of the Ingest stage:
# the reader's own memory) and `pws validate` (peak RSS of the whole Validate stage, which also
# holds every accepted event). PWS defaults to .build/release/pws.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS=${1:-1000000}
PWS=${PWS:-.build/release/pws}
PYTHON=${PYTHON:-python3}
ROOT=${BENCH_ROOT:-/tmp/pws-bench-xlsx}
TODAY=${TODAY:-2026-01-15}
mkdir -p "$ROOT"
if [ ! -f "$ROOT/$ROWS/csv/layanan/all.csv" ]; then
  rm -rf "$ROOT/gen-$ROWS"
  "$PWS" generate --out "$ROOT/gen-$ROWS" --seed 1 --records $((ROWS + ROWS / 10)) --year 2025 --problem-rate 0 --quiet
  "$PYTHON" bench/xlsx/make_workbooks.py "$ROOT/gen-$ROWS" "$ROOT/$ROWS" "$ROWS"
  rm -rf "$ROOT/gen-$ROWS"
fi
printf '%-8s %12s %10s %10s %14s %12s %14s\n' input bytes records ingest_s records_per_s ingest_rss validate_rss
for kind in csv inline shared; do
  file=$(ls "$ROOT/$ROWS/$kind/layanan/"*)
  /usr/bin/time -f '%M' -o "$ROOT/rss" "$PWS" bench ingest --machine "$file" > "$ROOT/ingest"
  read -r bytes records seconds < "$ROOT/ingest"
  ingest_rss=$(tail -1 "$ROOT/rss")
  /usr/bin/time -f '%M' -o "$ROOT/rss" "$PWS" validate --data "$ROOT/$ROWS/$kind" --today "$TODAY" --quiet >/dev/null 2>&1 || true
  rss=$(tail -1 "$ROOT/rss")
  printf '%-8s %12s %10s %10.2f %14.0f %8.0f MiB %10.0f MiB\n' "$kind" "$bytes" "$records" "$seconds" \
    "$(echo "$records / $seconds" | bc -l)" "$(echo "$ingest_rss / 1024" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
done
