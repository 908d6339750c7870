#!/usr/bin/env python3
"""Makes a data folder of N one-row service files, to measure pws's cost per file.

    python3 bench/cold/one_row_files.py SOURCE_DIR OUT_DIR N

Copies wilayah.csv and sasaran.csv of SOURCE_DIR (a `pws generate` folder) and writes
layanan/f000000.csv … each holding the header and the first data row of SOURCE_DIR's first
service file, with the record id made unique per file (so no row is a duplicate).
"""
import csv
import io
import os
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import duckdb_numerators  # noqa: E402  (file listing, header sniffing, alias mapping)


def main():
    source, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    os.makedirs(os.path.join(out, "layanan"), exist_ok=True)
    for name in ("wilayah.csv", "sasaran.csv"):
        if os.path.exists(os.path.join(source, name)):
            shutil.copy(os.path.join(source, name), os.path.join(out, name))
    first = os.path.join(source, duckdb_numerators.service_files(source)[0])
    delim, newline, names = duckdb_numerators.header_of(first)
    record_id = duckdb_numerators.mapping(names)["record_id"]
    with open(first, encoding="utf-8-sig", newline="") as f:
        rows = csv.reader(f, delimiter=delim)
        header, row = next(rows), next(rows)
    for k in range(n):
        row[record_id] = f"ONE-{k:07d}"
        text = io.StringIO()
        w = csv.writer(text, delimiter=delim, lineterminator="\r\n")
        w.writerow(header)
        w.writerow(row)
        with open(os.path.join(out, "layanan", f"f{k:07d}.csv"), "w", encoding="utf-8", newline="") as f:
            f.write(text.getvalue())


if __name__ == "__main__":
    main()
