#!/usr/bin/env python3
"""Reads a published run's pws.xlsx with openpyxl and checks it against the run's CSVs.

Usage: check_workbook.py RUN_FOLDER [--rows-per-sheet N]

Every number of the workbook must equal the CSV's (percentages as numeric cells with a
2-decimal format, never text), every text cell the CSV's text, in the same order:
  - each indicator sheet against pws/<ID>.csv (from row 3; rows 1-2 are the title and header);
  - Indikator, Indikator (2), ... against the rows of indicators.csv at desa level and above;
  - Ringkasan against the as-of month's puskesmas and kabupaten statuses in indicators.csv;
  - Kualitas data against the accounting in run.json.
Exits 1 with the differences listed, 0 when all match. The CSVs may be plain or --excel
(`;`, decimal comma): the workbook is the same either way.
"""
import csv
import json
import os
import sys
from decimal import ROUND_HALF_UP, Decimal

import openpyxl

problems = []


def fail(message):
    problems.append(message)
    if len(problems) > 50:
        report()


def report():
    for p in problems[:50]:
        print("check_workbook: " + p, file=sys.stderr)
    if problems:
        print(f"check_workbook: {len(problems)} problem(s)", file=sys.stderr)
        sys.exit(1)


def read_csv(path):
    """A CSV of the run, plain (`,`) or written with --excel (`;`, decimal comma)."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        first = f.readline()
        f.seek(0)
        rows = list(csv.reader(f, delimiter=";" if ";" in first and "," not in first else ","))
    return rows[0], rows[1:]


def same(where, cell, text, numeric):
    """A workbook cell against a CSV cell: numbers numeric and equal, text equal, empty empty."""
    value = cell.value
    if text == "":
        if value not in (None, ""):
            fail(f"{where}: expected an empty cell, found {value!r}")
        return
    if numeric:
        count = where.endswith("(sasaran)") or where.endswith("(denominator)")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            fail(f"{where}: expected the number {text}, found {type(value).__name__} {value!r}")
        elif count:
            # A sasaran or denominator (spec §A1) keeps its exact value (up to 4 decimals); the
            # CSV prints it rounded half away from zero to at most 2 decimals, and the cell shows
            # it so: `#,##0` when that is a whole number (17.0001 shows 17, never `17.`, which
            # `#,##0.##` would show), `#,##0.##` otherwise.
            printed = Decimal(repr(float(value))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            if printed != Decimal(text.replace(",", ".")):
                fail(f"{where}: {value!r} prints as {printed}, the CSV has {text}")
            expected = "#,##0" if printed == printed.to_integral_value() else "#,##0.##"
            if cell.number_format != expected:
                fail(f"{where}: number format {cell.number_format!r} for {value!r}, expected {expected!r}")
        elif float(value) != float(text.replace(",", ".")):
            fail(f"{where}: {value!r} != {text}")
        elif ("." in text or "," in text) and cell.number_format != "0.00":
            # Any other decimal is a percentage.
            fail(f"{where}: number format {cell.number_format!r}, expected '0.00'")
        return
    if value != text:
        fail(f"{where}: {value!r} != {text!r}")


def rows_of(sheet, first_row):
    return list(sheet.iter_rows(min_row=first_row))


def main():
    folder = sys.argv[1]
    book = openpyxl.load_workbook(os.path.join(folder, "pws.xlsx"))
    names = book.sheetnames
    if names[0] != "Ringkasan" or names[-1] != "Kualitas data":
        fail(f"sheet order {names}")

    # Indicator sheets = pws/<ID>.csv, same columns.
    pws_numeric = {4, 5, 6, 7, 8, 9, 10, 11, 12, 15}
    ids = sorted(n[:-4] for n in os.listdir(os.path.join(folder, "pws")))
    for ident in ids:
        if ident not in names:
            fail(f"no sheet for pws/{ident}.csv")
            continue
        sheet = book[ident]
        if sheet.freeze_panes != "E3":
            fail(f"{ident}: frozen panes at {sheet.freeze_panes}, expected E3")
        header, rows = read_csv(os.path.join(folder, "pws", ident + ".csv"))
        cells = rows_of(sheet, 3)
        if len(cells) != len(rows):
            fail(f"{ident}: {len(cells)} rows, pws/{ident}.csv has {len(rows)}")
        for i, (row, csv_row) in enumerate(zip(cells, rows)):
            for c, text in enumerate(csv_row):
                same(f"{ident}!{row[c].coordinate} ({header[c]})", row[c], text, c in pws_numeric)

    # Indikator sheets = indicators.csv at desa level and above.
    header, rows = read_csv(os.path.join(folder, "indicators.csv"))
    level = header.index("level")
    wanted = [r for r in rows if r[level] in ("kabkota", "kecamatan", "puskesmas", "desa")]
    numeric = {header.index(h) for h in ("year", "month", "numerator_month", "numerator_cumulative", "denominator",
                                          "coverage_month_pct", "coverage_cumulative_pct", "coverage_prev_month_pct",
                                          "target_annual_pct", "target_pct", "gap_pct")}
    long_sheets = [n for n in names if n == "Indikator" or n.startswith("Indikator (")]
    cells = []
    for n in long_sheets:
        if book[n].freeze_panes != "A2":
            fail(f"{n}: frozen panes at {book[n].freeze_panes}, expected A2")
        cells += [(n, row) for row in rows_of(book[n], 2)]
    if len(sys.argv) > 3 and sys.argv[2] == "--rows-per-sheet":
        limit = int(sys.argv[3])
        expected_sheets = max(1, -(-len(wanted) // limit))
        if len(long_sheets) != expected_sheets:
            fail(f"{len(long_sheets)} Indikator sheets, expected {expected_sheets} of at most {limit} rows")
    if len(cells) != len(wanted):
        fail(f"Indikator: {len(cells)} rows, indicators.csv has {len(wanted)} at desa level and above")
    # After indicators.csv's columns, the puskesmas of a desa row (as the PWS tables give it)
    # or of a puskesmas row (itself); empty for kecamatan and kabupaten rows.
    puskesmas = {}
    if ids:
        pws_header, pws_rows = read_csv(os.path.join(folder, "pws", ids[0] + ".csv"))
        at = {name: pws_header.index(name) for name in ("puskesmas_code", "puskesmas_name", "area_code")}
        for r in pws_rows:
            pkm = (r[at["puskesmas_code"]], r[at["puskesmas_name"]])
            puskesmas[pkm[0]] = pkm  # a puskesmas row: itself
            if r[at["area_code"]]:
                puskesmas[r[at["area_code"]]] = pkm  # a village: its puskesmas (TOTAL rows have none)
    code_column = header.index("area_code")
    for (n, row), csv_row in zip(cells, wanted):
        for c, text in enumerate(csv_row):
            same(f"{n}!{row[c].coordinate} ({header[c]})", row[c], text, c in numeric)
        if puskesmas:
            level_of = csv_row[level]
            expected = puskesmas.get(csv_row[code_column], ("<missing>", "<missing>")) \
                if level_of in ("desa", "puskesmas") else ("", "")
            got = tuple("" if len(row) <= c or row[c].value is None else str(row[c].value) for c in (20, 21))
            if got != expected:
                fail(f"{n}!row {row[0].row}: puskesmas {got}, expected {expected} ({level_of} {csv_row[code_column]})")

    # Ringkasan = the as-of month's statuses of puskesmas and kabupaten rows.
    month = max(int(r[header.index("month")]) for r in rows)
    status = {}
    for r in rows:
        if int(r[1]) == month and r[level] in ("puskesmas", "kabkota"):
            status[(r[header.index("area_code")], r[header.index("indicator")])] = r[header.index("status")]
    sheet = book["Ringkasan"]
    head = [c.value for c in next(sheet.iter_rows(min_row=2, max_row=2))]
    checked = 0
    for row in rows_of(sheet, 3):
        code = row[0].value
        for c in range(2, len(head)):
            same(f"Ringkasan!{row[c].coordinate}", row[c], status.get((code, head[c]), "<missing>"), False)
            checked += 1
    if checked == 0:
        fail("Ringkasan: no status cells")

    # Kualitas data = run.json's accounting.
    manifest = json.load(open(os.path.join(folder, "run.json"), encoding="utf-8"))
    counts = manifest["counts"]
    sheet = book["Kualitas data"]
    total = None
    for row in sheet.iter_rows(min_row=3):
        if row[0].value == "TOTAL":
            total = [c.value for c in row[1:8]]
            break
    keys = ["rows_read", "rows_rejected", "rows_accepted", "rows_used", "rows_duplicate", "rows_out_of_period",
            "blank_rows"]
    if total != [counts[k] for k in keys]:
        fail(f"Kualitas data: TOTAL {total} != run.json {[counts[k] for k in keys]}")
    rules = {}
    section = None
    for row in sheet.iter_rows():
        a, b = row[0].value, row[1].value if len(row) > 1 else None
        if a == "Aturan":
            section = b
        elif section and a and isinstance(b, (int, float)):
            rules[(section, a)] = b
    for k, v in counts["rejects_by_rule"].items():
        if rules.get(("Ditolak", k)) != v:
            fail(f"Kualitas data: rejects {k} = {rules.get(('Ditolak', k))}, run.json {v}")
    for k, v in counts["warnings_by_rule"].items():
        if rules.get(("Peringatan", k)) != v:
            fail(f"Kualitas data: warnings {k} = {rules.get(('Peringatan', k))}, run.json {v}")

    report()
    print(f"check_workbook: {folder}/pws.xlsx matches its CSVs ({len(ids)} indicator sheets, "
          f"{len(cells)} Indikator rows in {len(long_sheets)} sheet(s))")


if __name__ == "__main__":
    main()
