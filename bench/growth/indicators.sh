#!/usr/bin/env bash
# What the growth indicators (issue #15, amendments §A4: T, 2T, BGM, UNDERWEIGHT, STUNTING,
# WASTING, GIZI_BURUK, OVERWEIGHT and their measured denominators) and the growth pass cost the
# Aggregate stage of `pws run`, with one binary:
#
#   bench/growth/indicators.sh [RECORDS] [RUNS]          default 10000000, 3
#
# Generates one population (`pws generate --seed 7 --records N --year 2025`) into BENCH_ROOT
# (default /work/pws-bench-growth; a RAM disk such as /dev/shm if it has room), and a copy of
# pipelines/ whose catalogue has no growth_change / growth_zscore indicator. Then runs `pws run`
# RUNS times with each pipeline, alternating, and prints from run.json:
#   without: `aggregate` − `aggregate_growth` (the stage with no growth work at all: the growth
#            pass — W-GROWTH flags and the follow-up list — runs in every run, so it is taken out)
#   with:    `aggregate` (the default catalogue: growth indicators and the growth pass)
# and the ratio of the medians (the issue's goal: ≤ 1.20). Also checks that every indicator of
# the smaller catalogue has the same indicators.csv rows in both runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
RECORDS=${1:-10000000}
RUNS=${2:-3}
PWS=${PWS:-.build/release/pws}
ROOT=${BENCH_ROOT:-/work/pws-bench-growth}
TODAY=${TODAY:-2026-01-15}
DATA="$ROOT/$RECORDS/data"
mkdir -p "$ROOT"
if [ ! -f "$ROOT/$RECORDS.complete" ]; then
  rm -rf "$ROOT/$RECORDS"
  "$PWS" generate --out "$DATA" --seed 7 --records "$RECORDS" --year 2025 --quiet
  touch "$ROOT/$RECORDS.complete"
fi
# The catalogue without the growth kinds: entries are the blocks starting at "  - id:".
rm -rf "$ROOT/pipelines-nogrowth"
cp -r pipelines "$ROOT/pipelines-nogrowth"
python3 - "$ROOT/pipelines-nogrowth/indicators.yaml" <<'PY'
import re, sys
path = sys.argv[1]
text = open(path).read()
parts = re.split(r'(?m)^(?=  - id: )', text)
kept = [p for p in parts if not re.search(r'(?m)^    rule: growth_(change|zscore)\s*$', p)]
open(path, 'w').write(''.join(kept))
print(f"catalogue without growth: {len(parts) - len(kept)} indicators removed", file=sys.stderr)
PY
timing() {  # run.json key
  python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["timings_seconds"]; print("%.3f" % t.get(sys.argv[2], 0))' "$1" "$2"
}
declare -a WITHOUT WITH
one() {  # label pipeline
  local out="$ROOT/$RECORDS/out-$1"
  rm -rf "$out"
  /usr/bin/time -f '%e %U %S %M' -o "$ROOT/$RECORDS/time-$1" "$PWS" run --pipeline "$2" --data "$DATA" --out "$out" \
    --today "$TODAY" --quiet || true   # exit 1 (indicators below target) is a normal run
  read -r wall user sys rss < "$ROOT/$RECORDS/time-$1"
  local json
  json=$(ls "$out"/*/run.json)
  local agg growth
  agg=$(timing "$json" aggregate)
  growth=$(timing "$json" aggregate_growth)
  printf '%-8s wall %7.2f s  cpu %7.2f s  peak %6d MiB  aggregate %7s s  of it growth pass %7s s\n' "$1" "$wall" \
    "$(awk "BEGIN{print $user + $sys}")" $((rss / 1024)) "$agg" "$growth"
  if [ "$1" = without ]; then WITHOUT+=("$(awk "BEGIN{print $agg - $growth}")"); else WITH+=("$agg"); fi
}
for _ in $(seq "$RUNS"); do
  one without "$ROOT/pipelines-nogrowth/default.yaml"
  one with pipelines/default.yaml
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
mw=$(median "${WITHOUT[@]}"); mg=$(median "${WITH[@]}")
echo "aggregate without growth work (median): $mw s; with growth indicators and pass (median): $mg s; ratio $(awk "BEGIN{printf \"%.3f\", $mg / $mw}")"
# Same rows for every indicator the smaller catalogue has.
csv_with=$(ls "$ROOT/$RECORDS"/out-with/*/indicators.csv); csv_without=$(ls "$ROOT/$RECORDS"/out-without/*/indicators.csv)
python3 - "$csv_with" "$csv_without" <<'PY'
# Streams both files: 13 M rows at 10 M records do not fit in lists.
import csv, itertools, sys
with open(sys.argv[1], newline='') as fa, open(sys.argv[2], newline='') as fb:
    ra, rb = csv.reader(fa), csv.reader(fb)
    head_a, head_b = next(ra), next(rb)
    k = head_b.index("indicator")
    ids = set()
    same = head_a == head_b
    # The smaller catalogue's ids, read from its own file first.
    with open(sys.argv[2], newline='') as f:
        r = csv.reader(f); next(r)
        for row in r: ids.add(row[k])
    kept = (row for row in ra if row[k] in ids)
    rows = 0
    for x, y in itertools.zip_longest(kept, rb):
        rows += 1
        if x != y:
            same = False
            break
print(f"rows of the {len(ids)} indicators without growth identical in both runs: {'yes' if same else 'NO'} ({rows} rows)")
PY
