#!/usr/bin/env bash
# Ingest throughput against bare libcsv, in the same run.
#
#   bash bench/ingest/run.sh            # ~220 MB layanan-like file, best of 3 runs each
#   SIZE_MB=500 RUNS=5 bash bench/ingest/run.sh
#
# Builds pws in release, generates bench/data/layanan-<SIZE_MB>mb.csv once (git-ignored), builds
# bench/bare-libcsv.c, then times `bare-libcsv` (libcsv alone, counting records and fields) and
# `pws bench ingest` (reader + header mapping + every field cleaned) alternately, and prints
# MB/s, records/s and the ratio of the best times. Goal: ratio ≤ 1.5.
set -euo pipefail
cd "$(dirname "$0")/../.."
SIZE_MB=${SIZE_MB:-220}
RUNS=${RUNS:-3}
DATA=bench/data/layanan-${SIZE_MB}mb.csv
mkdir -p bench/data bench/work

if [ ! -f "$DATA" ]; then
  echo "generating $DATA (${SIZE_MB} MB)..." >&2
  python3 - "$DATA" "$SIZE_MB" <<'PY'
import random, sys
path, size_mb = sys.argv[1], int(sys.argv[2])
target = size_mb * 1_000_000
rng = random.Random(20250301)
services = ["ANC", "TIMBANG", "UKUR_TB", "TENSI", "GDS", "IMT", "BCG", "MR1", "KN", "VITA", "SKILAS", "HB"]
results = {"TIMBANG": lambda: f"{rng.randint(30, 900) / 10:.1f}".replace(".", ","), "UKUR_TB": lambda: f"{rng.randint(45, 190)} cm",
           "TENSI": lambda: f"{rng.randint(100, 180)}/{rng.randint(60, 100)}", "GDS": lambda: str(rng.randint(70, 300)),
           "IMT": lambda: f"{rng.randint(150, 350) / 10:.1f}", "HB": lambda: f"{rng.randint(80, 160) / 10:.1f} g/dL"}
facilities = ["posyandu", "pustu", "puskesmas", "klinik", "rumah"]
providers = ["bidan", "kader", "perawat", "dokter", "gizi", ""]
villages = [f"82720{k:02d}{v:03d}" for k in range(1, 9) for v in range(1, 20)]
header = ("record_id;visit_date;person_id;birth_date;sex;village_code;rw;rt;facility_type;facility_id;"
          "service_code;result;provider;pregnancy_id;lmp_date;gestational_weeks\r\n")
written = 0
n = 0
with open(path, "w", encoding="utf-8", newline="") as out:
    out.write(header)
    written += len(header)
    while written < target:
        lines = []
        for _ in range(10000):
            n += 1
            service = rng.choice(services)
            village = rng.choice(villages)
            year = rng.randint(1940, 2024)
            maternal = service == "ANC"
            line = ";".join([
                f"PKM{n % 97:02d}-2025-{n:08d}",
                f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2025",
                f"{village[:6]}{rng.randint(10**9, 10**10 - 1)}",
                f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                rng.choice("LP"),
                village,
                f"{rng.randint(1, 12):03d}",
                f"{rng.randint(1, 15):03d}",
                rng.choice(facilities),
                f"PSY-{village[-4:]}-{rng.randint(1, 9)}",
                service,
                results[service]() if service in results else "",
                rng.choice(providers),
                f"HML-{n:07d}" if maternal else "",
                f"2024-{rng.randint(6, 12):02d}-{rng.randint(1, 28):02d}" if maternal else "",
                str(rng.randint(4, 40)) if maternal else "",
            ])
            if n % 50 == 0:
                line = line.replace(rng.choice(facilities), '"Posyandu Mawar; RW 01"', 1)
            lines.append(line)
        chunk = "\r\n".join(lines) + "\r\n"
        out.write(chunk)
        written += len(chunk.encode())
PY
fi

gcc -O2 -o bench/work/bare-libcsv bench/bare-libcsv.c -lcsv
swift build -c release --product pws >&2
BIN="$(swift build -c release --show-bin-path)/pws"
cat "$DATA" > /dev/null # warm the page cache for both

# Best (minimum) wall time and CPU time (user + sys) of each over $RUNS alternating runs: the CPU
# time is the fairer figure on a machine shared with other work.
TIMEFORMAT='%U %S'
best() { if [ -z "$1" ] || awk "BEGIN{exit !($2 < $1)}"; then echo "$2"; else echo "$1"; fi; }
bare_wall=""; bare_cpu=""; ingest_wall=""; ingest_cpu=""
for run in $(seq "$RUNS"); do
  { time bench/work/bare-libcsv -d ';' "$DATA" > bench/work/bare.out; } 2> bench/work/bare.time
  read -r bytes bare_records fields seconds < bench/work/bare.out
  cpu=$(awk '{print $1 + $2}' bench/work/bare.time)
  echo "run $run bare-libcsv:       wall ${seconds}s cpu ${cpu}s ($bare_records records, $fields fields)" >&2
  bare_wall=$(best "$bare_wall" "$seconds"); bare_cpu=$(best "$bare_cpu" "$cpu")

  { time "$BIN" bench ingest --machine "$DATA" > bench/work/ingest.out; } 2> bench/work/ingest.time
  read -r ibytes irecords iseconds < bench/work/ingest.out
  cpu=$(awk '{print $1 + $2}' bench/work/ingest.time)
  echo "run $run pws bench ingest:  wall ${iseconds}s cpu ${cpu}s ($irecords data records)" >&2
  ingest_wall=$(best "$ingest_wall" "$iseconds"); ingest_cpu=$(best "$ingest_cpu" "$cpu")
done

awk -v bytes="$bytes" -v brec="$bare_records" -v irec="$irecords" -v bw="$bare_wall" -v iw="$ingest_wall" \
    -v bc="$bare_cpu" -v ic="$ingest_cpu" 'BEGIN {
  printf "file: %.1f MB, %d records (bare libcsv counts the header too); best of runs\n", bytes / 1e6, brec
  printf "%-18s wall %7.3f s %7.1f MB/s %10.0f records/s   cpu %7.3f s\n", "bare libcsv", bw, bytes / 1e6 / bw, brec / bw, bc
  printf "%-18s wall %7.3f s %7.1f MB/s %10.0f records/s   cpu %7.3f s\n", "pws bench ingest", iw, bytes / 1e6 / iw, irec / iw, ic
  printf "ratio ingest / bare: wall %.2f, cpu %.2f (goal <= 1.5)\n", iw / bw, ic / bc
}'
