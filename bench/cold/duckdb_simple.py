#!/usr/bin/env python3
"""The least DuckDB can do over a data folder's service files: one D_S-like numerator.

    python3 bench/cold/duckdb_simple.py DATA_DIR [--threads 2]

Files and dialects as bench/duckdb_numerators.py finds them (one header read per file in Python,
files with the same header line read by ONE `read_csv` with explicit options, no auto-detection),
but only three columns are projected and one query is computed: the distinct persons with a
`TIMBANG` service per village code, over all rows (no cleaning, no validation, no dates). Prints
`seconds groups rows` on one line (its own clock from the file listing to the result).
"""
import argparse
import importlib.util
import os
import time

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("numerators", os.path.join(here, "..", "duckdb_numerators.py"))
numerators = importlib.util.module_from_spec(spec)
spec.loader.exec_module(numerators)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    import duckdb

    start = time.perf_counter()
    con = duckdb.connect()
    con.execute(f"SET threads = {args.threads}")
    groups = {}
    for rel in numerators.service_files(args.data):
        groups.setdefault(numerators.header_of(os.path.join(args.data, rel)), []).append(rel)
    selects = []
    for (delim, newline, names), rels in groups.items():
        m = numerators.mapping(names)
        if any(f not in m for f in ("person_id", "village_code", "service_code")):
            continue
        cols = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(names))) + "}"
        paths = "[" + ", ".join(numerators.sql_str(os.path.join(args.data, r)) for r in rels) + "]"
        d = "\\t" if delim == "\t" else delim
        selects.append(
            f"SELECT c{m['person_id']} AS person_id, c{m['village_code']} AS village_code, "
            f"c{m['service_code']} AS service_code "
            f"FROM read_csv({paths}, auto_detect = false, delim = E'{d}', quote = '\"', escape = '\"', "
            f"new_line = '{newline}', header = true, columns = {cols}, ignore_errors = true, "
            f"store_rejects = true, null_padding = true)")
    union = " UNION ALL ".join(selects)
    rows = con.execute(
        f"SELECT village_code, count(DISTINCT person_id) FROM ({union}) "
        f"WHERE upper(trim(service_code)) = 'TIMBANG' GROUP BY ALL").fetchall()
    seconds = time.perf_counter() - start
    print(f"{seconds:.3f} {len(rows)} {sum(n for _, n in rows)}")


if __name__ == "__main__":
    main()
