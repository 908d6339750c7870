"""Writes the .xlsx fixtures made with openpyxl and XlsxWriter (see README.md).

Run from this folder with a virtual environment holding openpyxl, XlsxWriter and
msoffcrypto-tool:  python make_python_fixtures.py
"""
import datetime
import io
import zipfile

from msoffcrypto.format.ooxml import OOXMLFile
import openpyxl
from openpyxl.utils.datetime import CALENDAR_MAC_1904
import xlsxwriter

HEADER = ["record_id", "visit_date", "person_id", "birth_date", "sex", "village_code", "rw", "rt",
          "facility_type", "facility_id", "service_code", "result"]


def patch_sheet(source, target, replacements):
    """`source` copied to `target` with each (old, new) of `replacements` made once in its first
    sheet (each old text must be there): the fixtures that differ from another by a few cells."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                for old, new in replacements:
                    assert old in data
                    data = data.replace(old, new)
            dst.writestr(item, data)


def openpyxl_cells():
    """Shared strings, numbers, a NIK stored as a number, a boolean, date cells, a date as
    text, an error cell and a formula saved without a value (openpyxl never calculates)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Kunjungan"
    ws.append(HEADER)
    ws.append(["A-1", datetime.date(2025, 3, 14), "3201010304210001", datetime.date(2021, 4, 3), "L",
               "3201012001", "01", "001", "posyandu", "PSY-1", "TIMBANG", 15.4])
    ws.append(["A-2", "14/03/2025", 3201010304210002, "2021-04-03", "P",
               3201012001, 1, 1, "posyandu", "PSY-1", "TIMBANG", 12])
    ws.append(["A-3", datetime.date(2025, 3, 14), "3201010304210003", datetime.date(2021, 4, 3), "L",
               "3201012001", "01", "001", "posyandu", "PSY-1", "TIMBANG", "#N/A"])
    ws.append(["A-4", datetime.date(2025, 3, 14), "3201010304210004", datetime.date(2021, 4, 3), "L",
               "3201012001", "01", "001", "posyandu", "PSY-1", "TIMBANG", "=1+1"])
    ws.append(["A-5", datetime.date(2025, 3, 14), "3201010304210005", datetime.date(2021, 4, 3), "L",
               "3201012001", "01", "001", "posyandu", True, "TIMBANG", "  7,5 "])
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, datetime.date):
                cell.number_format = "dd/mm/yyyy"
    wb.save("openpyxl-cells.xlsx")


def openpyxl_1904():
    wb = openpyxl.Workbook()
    wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    ws.title = "Mac"
    ws.append(HEADER)
    ws.append(["M-1", datetime.date(2025, 3, 14), "3201010304210001", datetime.date(2021, 4, 3), "L",
               "3201012001", "01", "001", "posyandu", "PSY-1", "TIMBANG", 15.4])
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, datetime.date):
                cell.number_format = "yyyy-mm-dd"
    wb.save("openpyxl-1904.xlsx")


def openpyxl_sheets():
    """A title block above the header, a hidden sheet with records, a notes sheet that maps to
    nothing, and a header with a merged cell over a column with values."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Maret"
    ws.append(["LAPORAN POSYANDU MAWAR"])
    ws.append(["Bulan: Maret 2025"])
    ws.append([])
    ws.append(HEADER + ["", "catatan"])
    ws.append(["S-1", "2025-03-14", "3201010304210001", "2021-04-03", "L", "3201012001", "01", "001",
               "posyandu", "PSY-1", "TIMBANG", "15.4", "lihat", "ok"])
    ws.merge_cells("L4:M4")
    hidden = wb.create_sheet("Arsip")
    hidden.sheet_state = "hidden"
    hidden.append(HEADER)
    hidden.append(["S-2", "2025-03-15", "3201010304210002", "2021-04-03", "P", "3201012001", "01", "001",
                   "posyandu", "PSY-1", "TIMBANG", "12"])
    notes = wb.create_sheet("Catatan")
    notes.append(["Catatan kader"])
    notes.append(["Timbangan dikalibrasi 1 Maret"])
    wb.save("openpyxl-sheets.xlsx")

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(["S-9", "2025-03-14", "3201010304210001", "2021-04-03", "L", "3201012001", "01", "001",
               "posyandu", "PSY-1", "TIMBANG", "15.4"])
    ws.append(["S-10", "2025-03-14", "3201010304210002", "2021-04-03", "L", "3201012001", "01", "001",
               "posyandu", "PSY-1", "TIMBANG", "15.4"])
    wb.save("openpyxl-no-header.xlsx")


def xlsxwriter_cells():
    """Inline strings (constant_memory mode), custom and built-in date formats, serials around
    Excel's 29 February 1900, booleans, formulas with cached values (a number, a string, an
    error), and one record in the sheet's last row, 1,048,576."""
    wb = xlsxwriter.Workbook("xlsxwriter-cells.xlsx", {"constant_memory": True})
    ws = wb.add_worksheet("Layanan")
    long_date = wb.add_format({"num_format": "d mmmm yyyy"})
    builtin = wb.add_format({"num_format": 14})
    for c, name in enumerate(HEADER):
        ws.write_string(0, c, name)
    rows = [
        ("X-1", 45730, "3201010304210001", 44289, "L", "15.4"),     # 45730 = 2025-03-14, 44289 = 2021-04-03
        ("X-2", 59, "3201010304210002", 1, "P", "1"),               # 1900-02-28, 1900-01-01
        ("X-3", 60, "3201010304210003", 1, "P", "1"),               # Excel's 1900-02-29
        ("X-4", 61.75, "3201010304210004", 1, "P", "1"),            # 1900-03-01 18:00
    ]
    for r, (rid, visit, nik, birth, sex, result) in enumerate(rows, start=1):
        ws.write_string(r, 0, rid)
        ws.write_number(r, 1, visit, long_date)
        ws.write_string(r, 2, nik)
        ws.write_number(r, 3, birth, builtin)
        ws.write_string(r, 4, sex)
        ws.write_string(r, 5, "3201012001")
        ws.write_string(r, 6, "01")
        ws.write_string(r, 7, "001")
        ws.write_string(r, 8, "posyandu")
        ws.write_boolean(r, 9, r % 2 == 0)
        ws.write_string(r, 10, "TIMBANG")
        ws.write_string(r, 11, result)
    ws.write_string(5, 0, "X-5")
    ws.write_formula(5, 1, "=DATE(2025,3,14)", long_date, 45730)
    ws.write_string(5, 2, "3201010304210005")
    ws.write_formula(5, 3, "=DATE(2021,4,3)", builtin, 44289)
    ws.write_formula(5, 4, '="L"', None, "L")
    for c, text in [(5, "3201012001"), (6, "01"), (7, "001"), (8, "posyandu"), (9, "PSY-1"), (10, "TIMBANG")]:
        ws.write_string(5, c, text)
    ws.write_formula(5, 11, "=1/0", None, "#DIV/0!")
    last = 1048575
    ws.write_string(last, 0, "X-LAST")
    ws.write_number(last, 1, 45730, long_date)
    ws.write_string(last, 2, "3201010304210009")
    ws.write_number(last, 3, 44289, builtin)
    for c, text in [(4, "L"), (5, "3201012001"), (6, "01"), (7, "001"), (8, "posyandu"), (9, "PSY-1"),
                    (10, "TIMBANG"), (11, "9")]:
        ws.write_string(last, c, text)
    wb.close()


def encrypted():
    plain = io.BytesIO()
    wb = openpyxl.Workbook()
    wb.active.append(HEADER)
    wb.save(plain)
    plain.seek(0)
    office = OOXMLFile(plain)
    with open("encrypted.xlsx", "wb") as out:
        office.encrypt("rahasia", out)


def damaged():
    """A workbook cut off in the middle (its central directory lost), and a zip bomb: a sheet
    of 200 MiB of ignorable elements stored in a few hundred kilobytes."""
    data = open("openpyxl-cells.xlsx", "rb").read()
    open("truncated.xlsx", "wb").write(data[: len(data) // 2])
    with zipfile.ZipFile("openpyxl-cells.xlsx") as src, zipfile.ZipFile("bomb.xlsx", "w", zipfile.ZIP_DEFLATED,
                                                                         compresslevel=9) as dst:
        for item in src.infolist():
            if item.filename == "xl/worksheets/sheet1.xml":
                head = b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                body = b"<x/>" * (50 << 20)
                dst.writestr(item.filename, head + body + b"</sheetData></worksheet>")
            else:
                dst.writestr(item, src.read(item.filename))


openpyxl_cells()
openpyxl_1904()
openpyxl_sheets()
xlsxwriter_cells()
encrypted()
damaged()


def register_workbooks():
    """The sample register and targets as workbooks (the sample-data CSV files, cells as text
    except populations and counts, which are numbers), for wilayah.xlsx / sasaran.xlsx runs."""
    import csv as csvmodule
    for name, numeric in [("wilayah", {"jumlah_penduduk"}), ("sasaran", {"jumlah", "tahun"})]:
        raw = open(f"../../../../sample-data/{name}.csv", encoding="utf-8-sig").read().splitlines()
        delim = max([",", ";"], key=raw[0].count)
        rows = list(csvmodule.reader(raw, delimiter=delim))
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = name.capitalize()
        ws.append(rows[0])
        for row in rows[1:]:
            ws.append([float(v) if h in numeric and v and v.replace(".", "", 1).isdigit() and "." in v
                       else int(v) if h in numeric and v.isdigit() else v for h, v in zip(rows[0], row)])
        wb.save(f"sample-{name}.xlsx")


def deep():
    """A sheet nested 100 elements deep inside a cell: refused, not recursed into."""
    with zipfile.ZipFile("openpyxl-cells.xlsx") as src, zipfile.ZipFile("deep.xlsx", "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if item.filename == "xl/worksheets/sheet1.xml":
                head = b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1">'
                dst.writestr(item.filename, head + b"<x>" * 100 + b"</x>" * 100 + b"</c></row></sheetData></worksheet>")
            else:
                dst.writestr(item, src.read(item.filename))


register_workbooks()
deep()


def corrupt_inside():
    """The sheet's compressed bytes changed in the middle (the zip directory intact): inflating
    fails or the checksum does not match."""
    data = bytearray(open("openpyxl-cells.xlsx", "rb").read())
    with zipfile.ZipFile("openpyxl-cells.xlsx") as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    middle = start + info.compress_size // 2
    for i in range(middle, middle + 8):
        data[i] ^= 0x5A
    open("corrupt-sheet.xlsx", "wb").write(bytes(data))


corrupt_inside()


def doctype():
    """openpyxl-cells.xlsx with a DOCTYPE declaring entities before its sheet's root: read as
    before (libxml2 keeps the declarations in a document of its own, which the reader frees)."""
    with zipfile.ZipFile("openpyxl-cells.xlsx") as src, zipfile.ZipFile("doctype.xlsx", "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                root = data.index(b"<worksheet")
                data = data[:root] + b'<!DOCTYPE worksheet [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]>' + data[root:]
            dst.writestr(item, data)


doctype()


def shared_part():
    """openpyxl-cells.xlsx listing three sheets, two through another relationship id, all on its
    one sheet part: refused (read once per sheet, thousands of such sheets on one large part
    would be a zip bomb the inflate ratio cannot see)."""
    with zipfile.ZipFile("openpyxl-cells.xlsx") as src, zipfile.ZipFile("shared-part.xlsx", "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = data.replace(b'<sheet name="Kunjungan" sheetId="1" state="visible" r:id="rId1" />',
                                    b'<sheet name="Kunjungan" sheetId="1" state="visible" r:id="rId1" />'
                                    b'<sheet name="Salinan" sheetId="2" state="visible" r:id="rId9" />'
                                    b'<sheet name="Lagi" sheetId="3" state="visible" r:id="rId1" />')
            elif item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>",
                                    b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"'
                                    b' Target="worksheets/sheet1.xml" Id="rId9" /></Relationships>')
            dst.writestr(item, data)


shared_part()


def many_parts():
    """openpyxl-cells.xlsx with two more sheets, each its own part: the sheet's rows followed by
    10 MiB of spaces (deflated to ~10 KB). No part inflates the 16 MiB after which its own ratio
    is checked, but together they pass 16 MiB at ~1000 times their stored size: refused."""
    with zipfile.ZipFile("openpyxl-cells.xlsx") as src, zipfile.ZipFile("many-parts.xlsx", "w", zipfile.ZIP_DEFLATED) as dst:
        sheet = src.read("xl/worksheets/sheet1.xml")
        padded = sheet.replace(b"</sheetData>", b" " * (10 << 20) + b"</sheetData>")
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = padded
            elif item.filename == "xl/workbook.xml":
                data = data.replace(b'r:id="rId1" />', b'r:id="rId1" /><sheet name="Dua" sheetId="2" state="visible" r:id="rId8" />'
                                    b'<sheet name="Tiga" sheetId="3" state="visible" r:id="rId9" />')
            elif item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>",
                                    b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"'
                                    b' Target="worksheets/sheet2.xml" Id="rId8" />'
                                    b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"'
                                    b' Target="worksheets/sheet3.xml" Id="rId9" /></Relationships>')
            dst.writestr(item, data)
        dst.writestr("xl/worksheets/sheet2.xml", padded)
        dst.writestr("xl/worksheets/sheet3.xml", padded)


many_parts()


def repeated_styles():
    """openpyxl-cells.xlsx whose workbook relationships name its styles part five times, the
    part padded to 10 MiB of text that deflates about 70 times: each read alone is within the
    ratio, but the stored bytes count once however often the part is read, so five reads (50 MiB
    from ~100 KB) are refused."""
    import random
    rng = random.Random(7)
    # Comments of 1 KiB each (libxml2 refuses a single text node over 10,000,000 bytes).
    text = "".join(rng.choice("ab") if rng.random() < 0.004 else " " for _ in range(10 << 20))
    pad = "--><!--".join(text[k:k + 1024] for k in range(0, len(text), 1024)).encode()
    with zipfile.ZipFile("openpyxl-cells.xlsx") as src, zipfile.ZipFile("repeated-styles.xlsx", "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/styles.xml":
                data = data.replace(b"</styleSheet>", b"<!--" + pad + b"--></styleSheet>")
            elif item.filename == "xl/_rels/workbook.xml.rels":
                extra = b"".join(b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"'
                                 b' Target="styles.xml" Id="rIdS%d" />' % k for k in range(4))
                data = data.replace(b"</Relationships>", extra + b"</Relationships>")
            dst.writestr(item, data)


def many_strings():
    """libreoffice-typed.xlsx with 300,000 empty strings (`<si/>`) added after its own in the
    shared-string table: no text, but 4 bytes of memory each (1.2 MB), so a table of hundreds of
    millions of them, from a 20 MB file, cannot pass the limit on the table's memory."""
    with zipfile.ZipFile("libreoffice-typed.xlsx") as src, zipfile.ZipFile("many-strings.xlsx", "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/sharedStrings.xml":
                data = data.replace(b"</sst>", b"<si/>" * 300_000 + b"</sst>")
            dst.writestr(item, data)


def many_sheets():
    """openpyxl-cells.xlsx with 1,999 empty sheets before its own, each on its own part: the
    record sheet's part is found after 2,000 others (looking each part up from the start of
    the zip's directory made 16,000 sheets take minutes)."""
    n = 1999
    with zipfile.ZipFile("openpyxl-cells.xlsx") as src, zipfile.ZipFile("many-sheets.xlsx", "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/workbook.xml":
                extra = b"".join(b'<sheet name="Kosong%d" sheetId="%d" state="visible" r:id="rIdE%d" />' % (k, k + 10, k)
                                 for k in range(n))
                data = data.replace(b"<sheets>", b"<sheets>" + extra)
            elif item.filename == "xl/_rels/workbook.xml.rels":
                extra = b"".join(b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"'
                                 b' Target="/xl/worksheets/empty%d.xml" Id="rIdE%d" />' % (k, k) for k in range(n))
                data = data.replace(b"</Relationships>", extra + b"</Relationships>")
            dst.writestr(item, data)
        for k in range(n):
            dst.writestr("xl/worksheets/empty%d.xml" % k,
                         b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData /></worksheet>')


def row_numbers():
    """openpyxl-cells.xlsx with its sheet's row 5 numbered 3 (out of order: after row 4), and
    with its row 4 numbered r="4x" (not a number)."""
    for target, old, new in [("rows-out-of-order.xlsx", b'<row r="5"', b'<row r="3"'),
                             ("row-number-bad.xlsx", b'<row r="4"', b'<row r="4x"')]:
        patch_sheet("openpyxl-cells.xlsx", target, [(old, new)])


def odd_parts():
    """openpyxl-cells.xlsx with every entry compressed with bzip2 (zip method 12), and with
    20 MiB of spaces in xl/workbook.xml (one text node over libxml2's 10 MB limit)."""
    with zipfile.ZipFile("openpyxl-cells.xlsx") as src:
        parts = [(item, src.read(item.filename)) for item in src.infolist()]
    with zipfile.ZipFile("bzip2.xlsx", "w", zipfile.ZIP_BZIP2) as dst:
        for item, data in parts:
            dst.writestr(item.filename, data)
    with zipfile.ZipFile("huge-text-node.xlsx", "w", zipfile.ZIP_DEFLATED) as dst:
        for item, data in parts:
            if item.filename == "xl/workbook.xml":
                data = data.replace(b"<sheets>", b" " * (20 << 20) + b"<sheets>")
            dst.writestr(item, data)


def string_formulas():
    """openpyxl-cells.xlsx with row 2's result a string formula saved without its result
    (`<c t="str"><f>…</f></c>`, no `<v>`) and row 3's one whose result is the empty text
    (`<v></v>`)."""
    patch_sheet("openpyxl-cells.xlsx", "string-formulas.xlsx",
                [(b'<c r="L2" t="n"><v>15.4</v></c>', b'<c r="L2" t="str"><f>K2&amp;""</f></c>'),
                 (b'<c r="L3" t="n"><v>12</v></c>', b'<c r="L3" t="str"><f>""</f><v></v></c>')])


def excel_numbers():
    """sample-sasaran.xlsx with two counts as Excel stores what is typed (spec §A1 decimals):
    Jatiwangi's bumil 28.1 with 17 significant digits (`28.100000000000001`) and its bulin
    30.25 in the exponent form (`3.025E1`); both are those numbers, not 15-decimal texts."""
    patch_sheet("sample-sasaran.xlsx", "excel-numbers-sasaran.xlsx",
                [(b'<c r="F2" t="n"><v>28</v></c>', b'<c r="F2" t="n"><v>28.100000000000001</v></c>'),
                 (b'<c r="F3" t="n"><v>30</v></c>', b'<c r="F3" t="n"><v>3.025E1</v></c>')])


odd_parts()
string_formulas()
excel_numbers()


def excel_three_decimals():
    """sample-sasaran.xlsx with Jatiwangi's bumil a number of three decimals, 28.125 (in a CSV
    field `28.125` is ambiguous, spec §A1; a number cell holds no thousands group), and its
    bulin 30.25."""
    patch_sheet("sample-sasaran.xlsx", "excel-three-decimals-sasaran.xlsx",
                [(b'<c r="F2" t="n"><v>28</v></c>', b'<c r="F2" t="n"><v>28.125</v></c>'),
                 (b'<c r="F3" t="n"><v>30</v></c>', b'<c r="F3" t="n"><v>30.25</v></c>')])


def checksum_and_sheet_data():
    """openpyxl-cells.xlsx with its sheet stored (not deflated) and one digit of row 2's visit
    date changed in the stored bytes (serial 45730 → 45731, 2025-03-14 → 15: the XML still
    well-formed, the part's CRC-32 no longer matching); and with a second, empty `<sheetData>` after the first
    (a worksheet has one)."""
    with zipfile.ZipFile("openpyxl-cells.xlsx") as src:
        parts = [(item, src.read(item.filename)) for item in src.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as dst:
        for item, data in parts:
            # The source's dates: the same bytes each time the script runs.
            dst.writestr(zipfile.ZipInfo(item.filename, item.date_time), data)
    data = bytearray(buffer.getvalue())
    at = data.index(b'<c r="B2" s="1" t="n"><v>45730</v>')
    data[at + len(b'<c r="B2" s="1" t="n"><v>4573')] = ord("1")
    open("checksum-sheet.xlsx", "wb").write(bytes(data))
    with zipfile.ZipFile("two-sheetdata.xlsx", "w", zipfile.ZIP_DEFLATED) as dst:
        for item, data in parts:
            if item.filename == "xl/worksheets/sheet1.xml":
                assert data.count(b"</sheetData>") == 1
                data = data.replace(b"</sheetData>", b"</sheetData><sheetData></sheetData>")
            dst.writestr(item, data)


excel_three_decimals()
checksum_and_sheet_data()


def missing_shared_string():
    """libreoffice-typed.xlsx with row 2's sex (E2) naming shared string 99999, which the
    workbook does not hold."""
    patch_sheet("libreoffice-typed.xlsx", "missing-shared-string.xlsx",
                [(b'<c r="E2" s="0" t="s"><v>14</v>', b'<c r="E2" s="0" t="s"><v>99999</v>')])


missing_shared_string()


def cell_out_of_order():
    """openpyxl-cells.xlsx with row 2's visit date referenced `A2`, the column its record id
    already took: a cell out of order."""
    patch_sheet("openpyxl-cells.xlsx", "cell-out-of-order.xlsx",
                [(b'<c r="B2" s="1" t="n"><v>45730</v>', b'<c r="A2" s="1" t="n"><v>45730</v>')])


cell_out_of_order()


def register_on_two_sheets():
    """sample-wilayah.xlsx with a second sheet, `Salinan`, a copy of the first: every RT of it
    repeats one of sheet `Wilayah` (a register split over two sheets, one RT pasted twice)."""
    with zipfile.ZipFile("sample-wilayah.xlsx") as src, zipfile.ZipFile("wilayah-two-sheets.xlsx", "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = data.replace(b'r:id="rId1" /></sheets>', b'r:id="rId1" /><sheet name="Salinan" sheetId="2" state="visible" r:id="rId9" /></sheets>')
            elif item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/sheet2.xml" Id="rId9" /></Relationships>')
            elif item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml" /></Types>')
            dst.writestr(item, data)
            if item.filename == "xl/worksheets/sheet1.xml":
                copy = zipfile.ZipInfo("xl/worksheets/sheet2.xml", item.date_time)
                copy.compress_type = zipfile.ZIP_DEFLATED
                dst.writestr(copy, data)


def sip_format2():
    """A register as SIP format 2 prints it: a two-row header with `HASIL PENIMBANGAN (KG)`
    merged over the twelve months and `IMUNISASI` over the vaccines, every other name merged
    down both rows, a row numbering the columns under it, and two children."""
    months = ["JAN", "FEB", "MAR", "APR", "MEI", "JUN", "JUL", "AGS", "SEP", "OKT", "NOV", "DES"]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Register"
    ws.append(["REGISTER BAYI DAN BALITA (FORMAT 2)"])
    ws.append(["Posyandu Mawar, Desa Sumbermurni"])
    ws.append(["Tahun 2025"])
    ws.append([])
    ws.append(["NO", "NAMA", "NIK", "TGL LAHIR", "JK", "KODE DESA", "RW", "RT", "HASIL PENIMBANGAN (KG)"]
              + [None] * 11 + ["IMUNISASI", None])
    ws.append([None] * 8 + months + ["HB0", "BCG"])
    for c in range(1, 9):
        ws.merge_cells(start_row=5, start_column=c, end_row=6, end_column=c)
    ws.merge_cells("I5:T5")
    ws.merge_cells("U5:V5")
    ws.append(list(range(1, 23)))
    ws.append([1, "Adi", "3201011503240001", datetime.date(2024, 3, 15), "L", "3201012002", "01", "001",
               7.5, None, 8.1] + [None] * 9 + [None, datetime.date(2024, 5, 1)])
    ws.append([2, "Citra", "3201015504240003", datetime.date(2024, 4, 15), "P", None, None, "002"]
              + [None] * 11 + [9.1, None, None])
    for row in ws.iter_rows(min_row=8, min_col=4, max_col=4):
        row[0].number_format = "dd/mm/yyyy"
    ws["V8"].number_format = "dd/mm/yyyy"
    # A signature under the table, in a month column.
    ws["Q10"] = "Mengetahui,"
    # A child on two rows, weights (BB) and lengths (TB), its NIK … RT merged down both.
    ws.append([3, "Dewi", "3201016506240004", datetime.date(2024, 6, 25), "P", "3201012002", "02", "001", 6.1, 6.5])
    ws.append([None] * 8 + [60, 61])
    ws["D11"].number_format = "dd/mm/yyyy"
    for c in "ABCDEFGH":
        ws.merge_cells(f"{c}11:{c}12")
    # The village code and the RW merged down the first children's rows and the signature's.
    ws.merge_cells("F8:F10")
    ws.merge_cells("G8:G10")
    wb.save("sip-format2.xlsx")


def merged_cells():
    """A long-form sheet with cells merged down rows: the visit date over rows 2–4 (one
    posyandu day) and the village code over rows 2–5 (row 5 has nothing else); row 3's result
    merged with the unnamed column right of it (a range within a row); row 6 a visit whose
    village code cell is merged with rows 7–8 and holds `#N/A`."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Kunjungan"
    ws.append(HEADER)
    ws.append(["M-1", datetime.date(2025, 3, 14), "3201010304210001", "2021-04-03", "L", "3201012001", "01", "001",
               "posyandu", "PSY-1", "TIMBANG", 15.4])
    ws.append(["M-2", None, "3201010304210002", "2021-04-03", "P", None, "01", "001",
               "posyandu", "PSY-1", "TIMBANG", 12])
    ws.append(["M-3", None, "3201010304210003", "2021-04-03", "P", None, "01", "002",
               "posyandu", "PSY-1", "TIMBANG", 13])
    ws.append([])
    ws.append(["M-4", datetime.date(2025, 3, 15), "3201010304210004", "2021-04-03", "L", "#N/A", "01", "003",
               "posyandu", "PSY-1", "TIMBANG", 14])
    ws.append(["M-5", datetime.date(2025, 3, 15), "3201010304210005", "2021-04-03", "L", None, "01", "003",
               "posyandu", "PSY-1", "TIMBANG", 14.5])
    ws["B2"].number_format = "dd/mm/yyyy"
    ws["F6"].data_type = "e"
    ws.merge_cells("B2:B4")
    ws.merge_cells("F2:F5")
    ws.merge_cells("L3:M3")
    ws.merge_cells("F6:F8")
    wb.save("merged-cells.xlsx")


def sasaran_wide():
    """A sasaran table with a column per target group, as provinces keep them: sheet `2025`
    (no year column), a title, the header on row 3, two villages (decimal projections as
    number cells), a JUMLAH row."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2025"
    ws.append(["PROYEKSI SASARAN PROGRAM KESEHATAN"])
    ws.append([])
    ws.append(["NO", "NAMA DESA", "KODE DESA", "IBU HAMIL", "IBU BERSALIN/NIFAS", "BAYI", "BALITA"])
    ws.append([1, "Sumbermurni", "3201012001", 101.2, 96.6, 88, None])
    ws.append([2, "Cikaso", "3201012002", 45, 43, 40, 180])
    ws.append([None, "JUMLAH", None, 146.2, 139.6, 128, 180])
    wb.save("sasaran-wide.xlsx")


sip_format2()
merged_cells()
sasaran_wide()
