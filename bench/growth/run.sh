#!/usr/bin/env bash
# The cost of the growth pass (issue #15: W-GROWTH warnings and tindak-lanjut.csv) in `pws run`:
#
#   BASE=/path/to/pws-before bench/growth/run.sh [RECORDS] [RUNS]     default 1000000, 3
#
# Generates one population (`pws generate --seed 1 --records N --year 2025`, the bench/run.sh
# data) into BENCH_ROOT (default /dev/shm/pws-bench-growth, a RAM disk), then runs `pws run` RUNS
# times with PWS (default .build/release/pws) and, when BASE is set, with that binary (a release
# build of the commit before), alternating them. Prints each run's wall and CPU seconds
# (/usr/bin/time), and from run.json the `aggregate` stage and, for PWS, its `aggregate_growth`
# share (the growth pass: a sort by person, every child's measurement of every month, the flags
# and the follow-up list). Then compares every output of the last two runs but run.json
# (`cmp`): all equal but warnings.csv (W-GROWTH rows), report.html and pws.xlsx (which count
# the warnings) and the new tindak-lanjut.csv.
set -euo pipefail
cd "$(dirname "$0")/../.."
RECORDS=${1:-1000000}
RUNS=${2:-3}
PWS=${PWS:-.build/release/pws}
ROOT=${BENCH_ROOT:-/dev/shm/pws-bench-growth}
TODAY=${TODAY:-2026-01-15}
DATA="$ROOT/$RECORDS/data"
if [ ! -f "$ROOT/$RECORDS.complete" ]; then
  rm -rf "$ROOT/$RECORDS"
  "$PWS" generate --out "$DATA" --seed 1 --records "$RECORDS" --year 2025 --quiet
  touch "$ROOT/$RECORDS.complete"
fi
timing() {  # run.json key
  python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["timings_seconds"]; print("%.3f" % t.get(sys.argv[2], float("nan")))' "$1" "$2"
}
one() {  # label binary
  local out="$ROOT/$RECORDS/out-$1"
  rm -rf "$out"
  /usr/bin/time -f '%e %U %S' -o "$ROOT/$RECORDS/time-$1" "$2" run --data "$DATA" --out "$out" --today "$TODAY" --quiet
  read -r wall user sys < "$ROOT/$RECORDS/time-$1"
  printf '%-6s wall %7.2f s  cpu %7.2f s  aggregate %7s s  aggregate_growth %7s s\n' "$1" "$wall" \
    "$(awk "BEGIN{print $user + $sys}")" "$(timing "$out/2025-12/run.json" aggregate)" "$(timing "$out/2025-12/run.json" aggregate_growth)"
}
for k in $(seq "$RUNS"); do
  [ -n "${BASE:-}" ] && one base "$BASE"
  one new "$PWS"
done
if [ -n "${BASE:-}" ]; then
  for f in $(cd "$ROOT/$RECORDS/out-new/2025-12" && find . -type f ! -name run.json | sort); do
    if [ ! -f "$ROOT/$RECORDS/out-base/2025-12/$f" ]; then echo "new file: $f"
    elif ! cmp -s "$ROOT/$RECORDS/out-base/2025-12/$f" "$ROOT/$RECORDS/out-new/2025-12/$f"; then echo "differs: $f"; fi
  done
  echo "W-GROWTH rows: $(grep -c ',W-GROWTH,' "$ROOT/$RECORDS/out-new/2025-12/warnings.csv" || true)"
  echo "warnings.csv without W-GROWTH rows equal: $(cmp -s <(grep -v ',W-GROWTH,' "$ROOT/$RECORDS/out-new/2025-12/warnings.csv") "$ROOT/$RECORDS/out-base/2025-12/warnings.csv" && echo yes || echo NO)"
fi
