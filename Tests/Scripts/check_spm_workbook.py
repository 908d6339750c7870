#!/usr/bin/env python3
"""Reads a published run's spm.xlsx with openpyxl and checks it against the run's spm.csv.

Usage: check_spm_workbook.py RUN_FOLDER

spm.xlsx has one sheet per period of spm.csv (`Triwulan 1` ... `Triwulan 4`, `Kumulatif` for
YTD), in that order; from row 5 (rows 1-4: title, kabupaten, blank, header) each row is one row
of spm.csv of that period, in the same order: level, area code and name as text, the service's
position in the catalogue, its name, then sasaran, served, not served and capaian as numeric
cells (capaian with a 2-decimal format), empty where the CSV is empty. Exits 1 with the
differences listed, 0 when all match.
"""
import csv
import os
import sys

import openpyxl

HEADER = ["Tingkat", "Kode Wilayah", "Nama Wilayah", "No", "Jenis Pelayanan Dasar", "Jumlah Sasaran",
          "Mendapat Pelayanan Sesuai Standar", "Tidak Mendapat Pelayanan Sesuai Standar", "Capaian (%)"]
LEVELS = {"kabkota": "Kabupaten/Kota", "puskesmas": "Puskesmas"}
problems = []


def fail(message):
    problems.append(message)


def number(text):
    return None if text == "" else float(text.replace(",", "."))


def main():
    folder = sys.argv[1]
    with open(os.path.join(folder, "spm.csv"), newline="", encoding="utf-8-sig") as f:
        sample = f.readline()
        f.seek(0)
        rows = list(csv.reader(f, delimiter=";" if ";" in sample else ","))
    header, rows = rows[0], rows[1:]
    if header != ["year", "quarter", "level", "area_code", "area_name", "service", "sasaran",
                  "served_to_standard", "not_served", "capaian_pct"]:
        fail(f"spm.csv header {header}")
    periods = []
    for r in rows:
        if r[1] not in periods:
            periods.append(r[1])
    book = openpyxl.load_workbook(os.path.join(folder, "spm.xlsx"))
    names = ["Kumulatif" if p == "YTD" else f"Triwulan {p}" for p in periods]
    if book.sheetnames != names:
        fail(f"sheets {book.sheetnames}, expected {names}")
    services = []
    for r in rows:
        if r[5] not in services:
            services.append(r[5])
    checked = 0
    for period, name in zip(periods, names):
        if name not in book.sheetnames:
            continue
        sheet = book[name]
        expected = [r for r in rows if r[1] == period]
        got = [list(c) for c in sheet.iter_rows(min_row=1, values_only=True)]
        if [c for c in got[3]] != HEADER:
            fail(f"{name}: header {got[3]}")
        data = got[4:]
        if len(data) != len(expected):
            fail(f"{name}: {len(data)} rows, spm.csv has {len(expected)}")
        for k, (cells, r) in enumerate(zip(data, expected)):
            at = f"{name} row {k + 5}"
            if cells[0] != LEVELS[r[2]] or cells[1] != r[3] or cells[2] != r[4]:
                fail(f"{at}: area {cells[:3]} != {r[2:5]}")
            if cells[3] != services.index(r[5]) + 1:
                fail(f"{at}: No {cells[3]} for {r[5]}")
            for column, text, decimals in [(5, r[6], 2), (6, r[7], 0), (7, r[8], 2), (8, r[9], 2)]:
                want = number(text)
                have = cells[column]
                if want is None:
                    if have is not None:
                        fail(f"{at}: column {column + 1} is {have!r}, spm.csv is empty")
                elif not isinstance(have, (int, float)) or round(have, decimals) != want:
                    fail(f"{at}: column {column + 1} is {have!r}, spm.csv {text}")
                elif column in (5, 7):
                    # Sasaran and not served keep their exact value; shown as spm.csv prints them
                    # (a whole number with `#,##0`: 17.0001 shows 17, never `17.`).
                    fmt = sheet.cell(row=k + 5, column=column + 1).number_format
                    expected = "#,##0" if want == int(want) else "#,##0.##"
                    if fmt != expected:
                        fail(f"{at}: column {column + 1} ({have!r}) has format {fmt!r}, expected {expected!r}")
            fmt = sheet.cell(row=k + 5, column=9).number_format
            if r[9] != "" and fmt != "0.00":
                fail(f"{at}: capaian format {fmt}")
            checked += 1
    for p in problems[:50]:
        print("check_spm_workbook: " + p, file=sys.stderr)
    if problems:
        print(f"check_spm_workbook: {len(problems)} problem(s)", file=sys.stderr)
        sys.exit(1)
    print(f"spm.xlsx matches spm.csv ({len(names)} sheets, {checked} rows)")


main()
