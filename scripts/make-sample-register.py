"""Writes sample-data/layanan/register-posyandu-mawar-sumbermurni-2025.xlsx: a synthetic wide
posyandu register (SIP format 2 style: one row per child, a weight column per month, a date
column per vaccine) that the default pipeline's reshape rule reads (docs/pipeline.md, "Wide
registers"). Needs openpyxl:  python scripts/make-sample-register.py
The children, NIKs and weights are invented; the NIKs embed the birth date and sex (+40 on the
day for girls) of kecamatan 32.01.01, with serials 9001… that no other sample file uses."""
import datetime
import random

import openpyxl

MONTHS = ["JAN", "FEB", "MAR", "APR", "MEI", "JUN", "JUL", "AGS", "SEP", "OKT", "NOV", "DES"]
NAMES = ["Aditya", "Bunga", "Citra", "Dimas", "Eka", "Fajar", "Gita", "Hana", "Ilham", "Jihan", "Kevin", "Lestari"]

rng = random.Random(13)
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "Register"
ws.append(["REGISTER BAYI DAN BALITA (FORMAT 2)"])
ws.append(["Posyandu Mawar, Desa Sumbermurni, Kecamatan Jatiwangi"])
ws.append(["Tahun 2025"])
ws.append([])
ws.append(["NO", "NAMA", "NIK", "TGL LAHIR", "JK", "KODE DESA", "RW", "RT"] + MONTHS + ["HB0", "BCG", "POLIO1"])
for i, name in enumerate(NAMES):
    female = i % 2 == 1
    born = datetime.date(2024, 3, 1) + datetime.timedelta(days=rng.randrange(0, 600))
    day = born.day + (40 if female else 0)
    nik = f"320101{day:02d}{born.month:02d}{born.year % 100:02d}{9001 + i}"
    row = [i + 1, name, nik, born, "P" if female else "L", "3201012002", "01", f"00{1 + i % 3}"]
    weight = 3.1 + rng.random()
    for m in range(1, 13):
        month_start = datetime.date(2025, m, 1)
        if month_start < datetime.date(born.year, born.month, 1) or rng.random() < 0.15:
            row.append(None)
            continue
        age = max(0, (2025 - born.year) * 12 + m - born.month)
        row.append(round(3.2 + 0.55 * min(age, 12) + 0.18 * max(0, age - 12) + rng.random() * 0.4, 1))
    for days in (0, 20, 35):
        given = born + datetime.timedelta(days=days)
        row.append(given if datetime.date(2025, 1, 1) <= given <= datetime.date(2025, 12, 31) else None)
    ws.append(row)
for row in ws.iter_rows(min_row=6):
    for cell in row:
        if isinstance(cell.value, datetime.date):
            cell.number_format = "dd/mm/yyyy"
wb.properties.created = datetime.datetime(2025, 12, 31)
wb.properties.modified = datetime.datetime(2025, 12, 31)
wb.save("sample-data/layanan/register-posyandu-mawar-sumbermurni-2025.xlsx")
