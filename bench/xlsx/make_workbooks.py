"""Writes the same service records as one CSV and two .xlsx workbooks (bench/xlsx/run.sh).

    python make_workbooks.py GENERATED_DIR OUT_DIR ROWS

Reads every layanan/*.csv of a `pws generate` folder (any of its dialects and encodings), keeps
the records whose width matches their header, and writes the first ROWS of them (header once):
  OUT_DIR/csv/layanan/all.csv          plain comma CSV, UTF-8
  OUT_DIR/inline/layanan/all.xlsx      XlsxWriter, constant_memory (inline strings)
  OUT_DIR/shared/layanan/all.xlsx      every text cell a shared string, all distinct values in
                                       sharedStrings.xml (Excel's and LibreOffice's layout);
                                       written by zipfile from this script (the XML is a plain
                                       sheet: <row><c t="s"><v>i</v></c>…)
plus the register of the generated folder beside each.
"""
import csv
import glob
import os
import shutil
import sys
import zipfile
from xml.sax.saxutils import escape

import xlsxwriter

src, out, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
HEADER = ["record_id", "visit_date", "person_id", "birth_date", "sex", "village_code", "rw", "rt",
          "facility_type", "facility_id", "service_code", "result", "provider", "pregnancy_id",
          "lmp_date", "gestational_weeks"]


def records():
    from_names = {"id": "record_id", "tanggal": "visit_date", "no_identitas": "person_id", "nik": "person_id",
                  "tgl_lahir": "birth_date", "jk": "sex", "kode_kelurahan": "village_code", "kode_desa": "village_code",
                  "jenis_fasilitas": "facility_type", "kode_fasilitas": "facility_id", "layanan": "service_code",
                  "nilai": "result", "pemberi_layanan": "provider", "hpht": "lmp_date", "usia_kehamilan": "gestational_weeks"}
    for path in sorted(glob.glob(os.path.join(src, "layanan", "*.csv"))):
        raw = open(path, "rb").read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252")
        lines = text.splitlines()
        delim = max([",", ";", "\t", "|"], key=lines[0].count)
        rows = csv.reader(lines, delimiter=delim)
        header = [h.strip().lower().replace(" ", "_") for h in next(rows)]
        index = {from_names.get(h, h): i for i, h in enumerate(header)}
        for row in rows:
            if len(row) != len(header):
                continue
            yield [row[index[name]].strip() if name in index else "" for name in HEADER]


def main():
    chosen = []
    for r in records():
        chosen.append(r)
        if len(chosen) == limit:
            break
    for kind in ["csv", "inline", "shared"]:
        os.makedirs(os.path.join(out, kind, "layanan"), exist_ok=True)
        shutil.copy(os.path.join(src, "wilayah.csv"), os.path.join(out, kind, "wilayah.csv"))
    with open(os.path.join(out, "csv", "layanan", "all.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        w.writerows(chosen)
    wb = xlsxwriter.Workbook(os.path.join(out, "inline", "layanan", "all.xlsx"), {"constant_memory": True})
    ws = wb.add_worksheet("Layanan")
    ws.write_row(0, 0, HEADER)
    for i, r in enumerate(chosen, start=1):
        for c, v in enumerate(r):
            if v:
                ws.write_string(i, c, v)
    wb.close()

    strings = {}
    def sst(v):
        if v not in strings:
            strings[v] = len(strings)
        return strings[v]
    path = os.path.join(out, "shared", "layanan", "all.xlsx")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Layanan" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            for i, r in enumerate([HEADER] + chosen, start=1):
                cells = "".join(f'<c t="s"><v>{sst(v)}</v></c>' if v else "<c/>" for v in r)
                sheet.write(f'<row r="{i}">{cells}</row>'.encode())
            sheet.write(b"</sheetData></worksheet>")
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as s:
            s.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" uniqueCount="{len(strings)}">'.encode())
            for v in strings:
                s.write(f"<si><t>{escape(v)}</t></si>".encode())
            s.write(b"</sst>")
    print(f"{len(chosen)} records, {len(strings)} distinct strings")


main()
