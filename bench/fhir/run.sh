#!/usr/bin/env bash
# FHIR ingest against the CSV path on the same population (issue #14 point 5):
#
#   bench/fhir/run.sh [RECORDS]          default 300000
#
# Generates one population (seed 1, no planted problems) twice: as CSV (`layanan/*.csv`) and as
# a FHIR R4 NDJSON export (`pws generate --format fhir`, `fhir/*.ndjson`); then also writes the
# NDJSON export as ONE Bundle file (`fhir/all.json`, type collection) to show that a Bundle is
# streamed entry by entry. Each folder is validated (`pws validate`, the whole Validate stage:
# listing, FHIR context pass, reading, rules) under /usr/bin/time: wall seconds, peak RSS, and
# rows read per second (rows = service records; FHIR context resources are not rows).
# PWS defaults to .build/release/pws (PWS=.build/debug/pws for a quick look; debug figures are
# several times slower). Data goes to BENCH_ROOT (default /tmp/pws-bench-fhir), never the repo.
set -euo pipefail
cd "$(dirname "$0")/../.."
RECORDS=${1:-300000}
PWS=${PWS:-.build/release/pws}
ROOT=${BENCH_ROOT:-/tmp/pws-bench-fhir}
TODAY=${TODAY:-2026-01-15}
mkdir -p "$ROOT"
if [ ! -d "$ROOT/$RECORDS/bundle/fhir" ]; then
  rm -rf "$ROOT/$RECORDS"
  "$PWS" generate --out "$ROOT/$RECORDS/csv" --seed 1 --records "$RECORDS" --year 2025 --problem-rate 0 --quiet
  "$PWS" generate --out "$ROOT/$RECORDS/ndjson" --seed 1 --records "$RECORDS" --year 2025 --problem-rate 0 --format fhir --quiet
  mkdir -p "$ROOT/$RECORDS/bundle/fhir"
  cp "$ROOT/$RECORDS/ndjson/wilayah.csv" "$ROOT/$RECORDS/ndjson/sasaran.csv" "$ROOT/$RECORDS/bundle/"
  {
    printf '{"resourceType":"Bundle","type":"collection","entry":['
    first=1
    for f in "$ROOT/$RECORDS/ndjson/fhir/"*.ndjson; do
      while IFS= read -r line; do
        [ -n "$line" ] || continue
        if [ $first = 1 ]; then first=0; else printf ','; fi
        printf '{"resource":%s}' "$line"
      done < "$f"
    done
    printf ']}\n'
  } > "$ROOT/$RECORDS/bundle/fhir/all.json"
fi
printf '%-8s %12s %10s %10s %14s %10s\n' input bytes rows wall_s rows_per_s peak_rss
for kind in csv ndjson bundle; do
  dir="$ROOT/$RECORDS/$kind"
  bytes=$( (cat "$dir"/layanan/* "$dir"/fhir/* 2>/dev/null || true) | wc -c)
  /usr/bin/time -f '%e %M' -o "$ROOT/time" "$PWS" validate --data "$dir" --out "$ROOT/v-$kind" --today "$TODAY" --quiet >/dev/null 2>&1 || true
  read -r wall rss < <(tail -1 "$ROOT/time")
  rows=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["counts"]["rows_read"])' "$ROOT/v-$kind/run.json")
  printf '%-8s %12s %10s %10.2f %14.0f %6.0f MiB\n' "$kind" "$bytes" "$rows" "$wall" \
    "$(echo "$rows / $wall" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
done
