#!/usr/bin/env python3
"""Writes the committed seed corpus of the fuzz targets (docs/fuzzing.md).

    python3 Tests/Fuzz/make-corpus.py [CSV_SPECTRUM_DIR]

Tests/Fuzz/corpus/<Target>/ gets the edge cases below, the first lines of a few sample-data
service files (each header spelling and delimiter; for both CSV targets), the pipelines/ YAML files and, when
CSV_SPECTRUM_DIR (csv-spectrum's csvs/ folder) is given, csv-spectrum's files as
spectrum-<name>. Files already there are rewritten; others (such as a committed crash-<name>
reproducer) are left alone. The seeds stay small so libFuzzer's default input length stays small.
"""
import glob
import os
import shutil
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "Tests", "Fuzz", "corpus")
HEADER = b"record_id,visit_date,person_id,birth_date,sex,village_code,rw,rt,facility_type,facility_id,service_code,result,provider"
ROW = b"R1,14/10/2024,3201010304210001,3/4/2021,L,32.01.01.2004,01,001,posyandu,PSY-01,TIMBANG,15.4,kader"

# Dialect edge cases of spec §2.1, for the CSV reader and the row checker alike.
CSV_CASES = {
    # every line closes and reopens a quoted field (issue 19 point 1; kept short: the reader is
    # quadratic on this today and the fuzzer should not start from a slow input)
    "quote-reopen": b'x","y\n' * 200,
    "quote-reopen-crlf": b'"a","b"\r\n' + b'x","y\r\n' * 100,
    "nul-bytes": b"a,b,c\n1,\x00,3\n\x00\x00\x00\n4,5,\x006\n",
    "cr-only": b"a,b,c\r1,2,3\r4,\"5\r5\",6\r\r7,8,9\r",
    "crlf-quoted": b'a,b\r\n"line1\r\nline2",x\r\n"",""\r\n',
    "mixed-line-ends": b"a,b\n1,2\r\n3,4\r5,6\n\r\n7,8",
    "huge-field": b"a,b\n1," + b"y" * 70000 + b"\n2,3\n",
    "huge-quoted-record": b'a,b\n1,"' + b"z," * 20000 + b'"\n2,3\n',
    "bom-utf8": b"\xef\xbb\xbfa;b;c\n1;2;3\n",
    "bom-twice": b"\xef\xbb\xbf\xef\xbb\xbfa,b\n\xef\xbb\xbf1,2\n",
    "bom-utf16le": b"\xff\xfea\x00,\x00b\x00\n\x001\x00,\x002\x00\n\x00",
    "invalid-utf8": b"nama,desa\nSiti,Sukamaju\xe9\nBudi,\xc3(\xa0\xa1\n\xf0\x28\x8c\xbc,x\n",
    "windows-1252": b"nama;desa\r\nJos\xe9;Cibeur\xeem\r\n\x93kutip\x94;\x80\r\n",
    "overlong-utf8": b"a,b\n\xc0\xaf,\xe0\x80\xaf\n\xed\xa0\x80,\xf4\x90\x80\x80\n",
    "header-semicolon": b"id;tanggal;nik\n1;01/02/2025;3201010304210001\n",
    "header-comma": b"id,tanggal,nik\n1,01/02/2025,3201010304210001\n",
    "header-tab": b"id\ttanggal\tnik\n1\t01/02/2025\t3201010304210001\n",
    "header-pipe": b"id|tanggal|nik\n1|01/02/2025|3201010304210001\n",
    "header-tie": b"a,b;c\tI|e\n1,2;3\t4|5\n",
    "unclosed-quote": b'a,b\n1,"never closed\n2,3\n4,5\n',
    "text-after-quote": b'a,b\n"x"y,1\n2,3\n',
    "quote-in-unquoted": b'a,b\n37.8"N,1\nab""c,2\n',
    "blank-rows": b"a,b\n\n   \n,\n-,.\n;;;;\n1,2\n\t\n",
    "field-count": b"a,b,c\n1,2\n1,2,3,4\n1,2,3\n",
    "apostrophe-dash": b"a,b,c\n'0012,-,.\n' x ,'',\"-\"\n",
    "empty": b"",
    "only-newlines": b"\n\r\n\r\r\n",
    "only-quote": b'"',
    "header-only": HEADER + b"\n",
    "layanan-canonical": HEADER + b"\n" + ROW + b"\n" + ROW.replace(b"R1", b"R2") + b"\n",
    "layanan-nik-in-wrong-row": HEADER + b"\n" + ROW.replace(b",", b";") + b"\n" + ROW + b"\n",
    "layanan-stray-quote": HEADER + b"\n" + ROW.replace(b"kader", b'"kader') + b"\n" + ROW + b"\n",
}


def rows(*changes):
    """The header and ROW once per change, each change a (field, value) list applied to ROW."""
    fields = HEADER.split(b",")
    out = [HEADER]
    for change in changes:
        row = ROW.split(b",")
        for field, value in change:
            row[fields.index(field)] = value
        out.append(b",".join(row))
    return b"\n".join(out) + b"\n"


# Rows for the §3 rules, on top of the dialect cases (scripts/fuzz.sh gives the row checker the
# CSV reader's corpus too).
ROW_CASES = {
    "rows-duplicates": rows([], [], [(b"result", b"16")], [(b"record_id", b"R2")]),
    "rows-dates": rows([(b"visit_date", b"31/02/2025")], [(b"visit_date", b"2030-01-01")],
                       [(b"birth_date", b"15/10/2024")], [(b"visit_date", b"1/1/1899")],
                       [(b"visit_date", b"2024-13-01")], [(b"visit_date", b"45000")]),
    "rows-person-ids": rows([(b"person_id", b"320101030421000")], [(b"person_id", b"32.0101.0304.210001")],
                            [(b"person_id", b"0000000000000000")], [(b"person_id", b"99999999999999999999")]),
    "rows-areas": rows([(b"village_code", b"3201012004")], [(b"village_code", b"99.99.99.9999")],
                       [(b"rw", b"RW 99")], [(b"rt", b"RT.")], [(b"rt", b"rt 001 / rw 01")]),
    "rows-enums": rows([(b"sex", b"Perempuan")], [(b"sex", b"X")], [(b"facility_type", b"Pustu")],
                       [(b"service_code", b"timbang-bb")], [(b"provider", b"dokter")], [(b"service_code", b"")]),
    "rows-results": rows([(b"result", b"9223372036854775807")], [(b"result", b"-1")], [(b"result", b"1e308")],
                         [(b"result", b"15,4 kg")], [(b"service_code", b"TENSI"), (b"result", b"120/80")],
                         [(b"service_code", b"TENSI"), (b"result", b"999/0")]),
    # 16-digit numbers outside person_id: they must come out masked (FUZZ_CHECK_NIK=1)
    "rows-nik-in-values": rows([(b"visit_date", b"3201010304210002")], [(b"result", b"3201010304210003")],
                               [(b"birth_date", b"3201010304210004")], [(b"record_id", b"3201010304210005")]),
    "rows-pregnancy": (HEADER + b",lmp,gestation_weeks\n"
                       + ROW.replace(b"TIMBANG,15.4", b"ANC,").replace(b",L,", b",P,").replace(b"3/4/2021", b"1/1/1995")
                       + b",1/5/2024,23\n"
                       + ROW.replace(b"TIMBANG,15.4", b"ANC,").replace(b",L,", b",P,").replace(b"3/4/2021", b"1/1/1995")
                       + b",1/5/2025,60\n"),
}

YAML_CASES = {
    "service-one.yaml": b"version: 1\nservices:\n  - code: ANC\n    name: antenatal visit\n    cluster: ibu_anak\n"
                        b"    sex: P\n    age: {unit: years, min: 10, max: 55}\n",
    "service-result.yaml": b"version: 1\nservices:\n  - code: TIMBANG\n    name: weight\n    cluster: ibu_anak\n"
                           b"    result: {kind: number, unit: kg, min: 0.5, max: 200}\n",
    "indicator-one.yaml": b"version: 1\nindicators:\n  - id: K1\n    subject: pregnancy\n    scope: lifetime\n"
                          b"    rule: first\n    services: [ANC]\n    denominator: bumil\n    target: 100\n",
    "pipeline-min.yaml": b"version: 1\nservices: services.yaml\nindicators: indicators.yaml\n",
    "pipeline-csv.yaml": b"services: services.yaml\nindicators: indicators.yaml\ncsv: {delimiter: tab}\n"
                         b"column_aliases: {layanan: {visit_date: [tgl]}}\nvalue_aliases: {sex: {pria: L}}\n",
    "anchors.yaml": b"a: &x {b: [1, 2]}\nc: *x\nd: [*x, *x]\n",
    "flow-nested.yaml": b"services: [[[[{code: [x]}]]]]\n",
    "tags-and-types.yaml": b"version: !!str 1\nservices: !!map {}\nx: 0x1F\ny: .inf\nz: ~\n",
    "duplicate-keys.yaml": b"version: 1\nversion: 2\n",
    "multi-doc.yaml": b"version: 1\n---\nversion: 2\n...\n",
    "block-scalars.yaml": b"name: |\n  line\n  line\nother: >-\n  folded\n",
    "bad-indent.yaml": b"services:\n  - code: A\n   name: b\n",
    "empty.yaml": b"",
}


def write(target, name, data):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def sample_heads(lines=12):
    """The first lines of one sample file per header spelling and delimiter."""
    seen, heads = set(), {}
    for path in sorted(glob.glob(os.path.join(ROOT, "sample-data", "layanan", "*.csv"))):
        with open(path, "rb") as f:
            data = f.read()
        key = data.split(b"\n", 1)[0][:40]
        if key in seen:
            continue
        seen.add(key)
        heads["sample-" + os.path.basename(path)] = b"".join(data.splitlines(keepends=True)[:lines])
    return heads


def main():
    for name, data in CSV_CASES.items():
        write("FuzzCSVReader", name, data)
    for name, data in ROW_CASES.items():
        write("FuzzServiceRows", name, data)
    for name, data in sample_heads().items():
        write("FuzzCSVReader", name, data)
        write("FuzzServiceRows", name, data)
    if len(sys.argv) > 1:
        for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.csv"))):
            with open(path, "rb") as f:
                write("FuzzCSVReader", "spectrum-" + os.path.basename(path), f.read())
    for name, data in YAML_CASES.items():
        write("FuzzCatalogues", name, data)
    for path in sorted(glob.glob(os.path.join(ROOT, "pipelines", "*.yaml"))):
        with open(path, "rb") as f:
            write("FuzzCatalogues", "pipelines-" + os.path.basename(path), f.read())


if __name__ == "__main__":
    main()
