#!/bin/sh
# Times `pws generate` at a given size (release build) and prints records/s.
#   bench/generate.sh [RECORDS] [OUT]
# Writes to a fresh folder (default under /dev/shm when it exists, so the disk is not what is
# measured) and removes it afterwards.
set -eu
records=${1:-1000000}
base=/tmp
[ -d /dev/shm ] && base=/dev/shm
out=${2:-$base/pws-generate-bench-$$}
cd "$(dirname "$0")/.."
swift build -c release --product pws >/dev/null
rm -rf "$out"
/usr/bin/time -f "%e s wall, %U s user, %S s sys, %M KB max RSS" \
    .build/release/pws generate --out "$out" --year 2025 --seed 1 --records "$records"
du -sh "$out"
rm -rf "$out"
