#!/usr/bin/env python3
"""Writes the committed seed corpus of the fuzz targets (docs/fuzzing.md).

    python3 Tests/Fuzz/make-corpus.py [CSV_SPECTRUM_DIR]

Tests/Fuzz/corpus/<Target>/ gets the edge cases below, the first lines of a few sample-data
service files (each header spelling and delimiter; for both CSV targets), the pipelines/ YAML files and, when
CSV_SPECTRUM_DIR (csv-spectrum's csvs/ folder) is given, csv-spectrum's files as
spectrum-<name>; FHIR exports, worksheet XML parts and small fixture workbooks, DHIS2 mapping
files, and intermediate shard files and payloads for the four later targets. Files already there are rewritten; others (such as a committed crash-<name>
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
    # Wide registers (FuzzServiceRows also reads the input as layanan/register-fuzz-2025.csv):
    # a title, the header, the column-number row, children with absent marks, growth codes and
    # dates, a JUMLAH row, a signature; and a near miss (TGL LAHIR misnamed).
    "register": b"REGISTER POSYANDU MAWAR\n"
    b"NO,NAMA,NIK,TGL LAHIR,JK,KODE DESA,RW,RT,JAN,FEB,MAR,APR,MEI,JUN,JUL,AGS,SEP,OKT,NOV,DES,HB0,BCG\n"
    + b",".join(str(k).encode() for k in range(1, 23)) + b"\n"
    b"1,Adi,3201011503250001,20/03/2025,L,3201012001,01,001,,,x,\"4,1 N\",A,0,\xe2\x80\x94,5.2 T,,,,,2025-03-20,\n"
    b"2,Budi,,,,3201012001,01,002,7.5,,,,,,,,,,,,,2025-04-01\n"
    b",Jumlah,,,,,,,1,0,1,1,,,,,,,,,,\n,,,,,,,,,,,,,,Mengetahui,,,,,,,\n",
    "register-near-miss": b"NO,NAMA,NIK,TANGGAL LAHIR,JK,KODE DESA,RW,RT,JAN,FEB,MAR,APR,MEI,JUN,JUL,AGS,SEP,OKT,NOV,DES,HB0,BCG\n"
    b"1,Adi,3201011503250001,15/03/2024,L,3201012001,01,001,7.5,,,,,,,,,,,,,\n",
    # Sasaran tables (FuzzServiceRows also reads the input as sasaran.csv): long, and with a
    # column per target group — a title, a two-row header, a group twice, decimals, a NIK in a
    # cell, an unknown village, JUMLAH and a signature.
    "sasaran-long": b"tahun;kode_desa;rw;rt;kelompok_sasaran;jumlah\n2025;3201012001;;;bumil;28\n2025;3201012001;01;;bayi;12,5\n",
    "sasaran-wide": b"SASARAN 2025;;;;;;\nTAHUN;KODE DESA;RW;SASARAN;;;\n;;;IBU HAMIL;BAYI;BUMIL;BALITA\n"
    b"2025;3201012001;01;28;1.234;3;3201011503250001\n2025;3201019999;;5;;;\n;JUMLAH;;33;;;\n;;;;Mengetahui;;\n",
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
    # Stop 48's keys: sasaran.group_columns, a service's joins, growth_zscore's age_months.
    "pipeline-group-columns.yaml": b"services: services.yaml\nindicators: indicators.yaml\nsasaran:\n"
                                   b"  group_columns:\n    bumil: [SASARAN BUMIL, \"IBU HAMIL (BUMIL)\"]\n    bayi_lahir_hidup: [BAYI]\n"
                                   b"column_aliases: {sasaran: {village_code: [desa]}}\n",
    "services-joins.yaml": b"version: 1\nservices:\n  - {code: ANC, name: a, cluster: ibu_anak, sex: P}\n"
                           b"  - {code: HB2, name: b, cluster: ibu_anak, joins: pregnancy, result: {kind: number, unit: g/dL, min: 2, max: 25}}\n"
                           b"  - {code: KB_PASCA, name: c, cluster: ibu_anak, sex: P, age: {unit: years, min: 10}, joins: delivery}\n"
                           b"  - {code: HB, name: d, cluster: ibu_anak, joins: none}\n",
    "indicators-age-months.yaml": b"version: 1\nindicators:\n"
                                  b"  - {id: D_S, subject: person, scope: monthly, rule: monthly_presence, services: [TIMBANG], age_months: [0, 23], denominator: balita, target: 80}\n"
                                  b"  - {id: SB, subject: person, scope: monthly, rule: growth_zscore, measure: length_height_for_age, below: -2, age_months: [0, 23], denominator: {indicator: D_S}, target: 14}\n"
                                  b"  - {id: A2, subject: pregnancy, scope: lifetime, rule: first, services: [HB], result_any: [{result: \"< 11\"}]}\n",
}


# FHIR R4 exports (docs/fhir.md): each seed is read as fhir/export.json and fhir/export.ndjson.
NIK_SYSTEM = "https://fhir.kemkes.go.id/id/nik"
ADDRESS = "https://fhir.kemkes.go.id/r4/StructureDefinition/administrativeCode"
LAYANAN = "https://pws.dinkes.local/CodeSystem/layanan"


def fhir_patient(pid, nik, birth="2024-03-15", gender="male", village="3201012001"):
    return {"resourceType": "Patient", "id": pid, "birthDate": birth, "gender": gender,
            "identifier": [{"system": NIK_SYSTEM, "value": nik}],
            "address": [{"extension": [{"url": ADDRESS, "extension": [
                {"url": "village", "valueCode": village}, {"url": "rw", "valueCode": "01"},
                {"url": "rt", "valueCode": "001"}]}]}]}


def fhir_observation(oid, loinc, value, subject="Patient/p1", encounter=None, unit="kg"):
    r = {"resourceType": "Observation", "id": oid, "status": "final",
         "code": {"coding": [{"system": "http://loinc.org", "code": loinc}]},
         "subject": {"reference": subject}, "effectiveDateTime": "2025-10-14",
         "valueQuantity": {"value": value, "unit": unit, "code": unit}}
    if encounter:
        r["encounter"] = {"reference": encounter}
    return r


def fhir_cases():
    import json
    def line(*resources):
        return b"".join(json.dumps(r, separators=(",", ":")).encode() + b"\n" for r in resources)
    def bundle(*resources, kind="collection"):
        return json.dumps({"resourceType": "Bundle", "type": kind, "entry": [
            {"fullUrl": "urn:uuid:%d" % i, "resource": r} for i, r in enumerate(resources)]}, indent=1).encode()
    p1 = fhir_patient("p1", "3201010304210001")
    org = {"resourceType": "Organization", "id": "o1", "identifier": [{"value": "PSY-3201012001-01"}],
           "type": [{"coding": [{"system": "https://pws.dinkes.local/CodeSystem/fasilitas", "code": "posyandu"}]}]}
    episode = {"resourceType": "EpisodeOfCare", "id": "e1", "type": [{"coding": [{"code": "ANC"}]}],
               "patient": {"reference": "Patient/p2"}}
    enc = {"resourceType": "Encounter", "id": "v1", "status": "finished", "class": {"code": "AMB"},
           "subject": {"reference": "Patient/p2"}, "period": {"start": "2025-10-02"},
           "serviceProvider": {"reference": "Organization/o1"}, "episodeOfCare": [{"reference": "EpisodeOfCare/e1"}],
           "participant": [{"type": [{"coding": [{"system": "http://snomed.info/sct", "code": "309453006"}]}]}]}
    weight = fhir_observation("w1", "29463-7", 15.4)
    systolic = fhir_observation("s1", "8480-6", 120, subject="Patient/p2", encounter="Encounter/v1", unit="mm[Hg]")
    diastolic = fhir_observation("d1", "8462-4", 80, subject="Patient/p2", encounter="Encounter/v1", unit="mm[Hg]")
    lmp = {"resourceType": "Observation", "id": "l1", "code": {"coding": [{"system": "http://loinc.org", "code": "8665-2"}]},
           "encounter": {"reference": "Encounter/v1"}, "valueDateTime": "2025-06-01"}
    gest = fhir_observation("g1", "18185-9", 120, encounter="Encounter/v1", unit="d")
    imm = {"resourceType": "Immunization", "id": "i1", "status": "completed",
           "vaccineCode": {"coding": [{"system": LAYANAN, "code": "BCG"}]}, "patient": {"reference": "Patient/p1"},
           "occurrenceDateTime": "2024-04-01", "performer": [{"actor": {"reference": "Organization/o1"}}]}
    imm_unmapped = dict(imm, id="i2", vaccineCode={"coding": [{"system": "http://sys-ids.kemkes.go.id/kfa", "code": "3201019999990001"}]})
    proc = {"resourceType": "Procedure", "id": "pr1", "status": "completed",
            "code": {"coding": [{"system": "http://snomed.info/sct", "code": "236973005"}]},
            "subject": {"reference": "Patient/p2"}, "performedPeriod": {"start": "2025-10-20"}}
    p2 = fhir_patient("p2", "3201014105950002", birth="1995-05-01", gender="female")
    everything = (p1, p2, org, episode, enc, weight, systolic, diastolic, lmp, gest, imm, imm_unmapped, proc)
    return {
        "ndjson-everything": line(*everything),
        "bundle-everything": bundle(*everything),
        "bundle-transaction-delete": bundle(p1, weight, kind="transaction")[:-3] + b',{"request":{"method":"DELETE","url":"Observation/x"}}]}',
        "bundle-odd-type": bundle(p1, kind="history"),
        "single-resource": json.dumps(weight).encode(),
        "single-line-patient-weight": line(p1).rstrip(b"\n"),
        "unknown-patient": line(fhir_observation("w2", "29463-7", 9.1, subject="Patient/nobody")),
        "no-id-no-subject": b'{"resourceType":"Observation","code":{"coding":[{"system":"http://loinc.org","code":"29463-7"}]}}\n'
                            b'{"resourceType":"Immunization","id":"x","vaccineCode":{"coding":[{"system":"' + LAYANAN.encode() + b'","code":"BCG"}]}}\n',
        "nik-everywhere": b'{"resourceType":"3201010304210001","id":"3201010304210002"}\n'
                          b'{"resourceType":"Observation","id":"3201010304210003","code":{"coding":[{"system":"http://loinc.org","code":"29463-7"}]},"subject":{"reference":"Patient/3201010304210004"}}\n'
                          b'{"resourceType":"Bundle","type":"3201010304210005"}\n',
        "bundle-type-nik": b'{"resourceType":"Bundle","type":"3201010304210006","entry":[]}',
        "entry-not-array": b'{"resourceType":"Bundle","type":"collection","entry":5}',
        "entry-objects-odd": b'{"resourceType":"Bundle","entry":[1,[],{"resource":7},{"resource":{"a":{"b":[1,2]}}},{"fullUrl":3,"resource":{}}]}',
        "entry-before-type": b'{"entry":[{"resource":{"resourceType":"Patient","id":"p9"}}],"resourceType":"Bundle","type":"batch"}',
        "deep-nesting": b'{"resourceType":"Observation","id":"d","x":' + b"[" * 70 + b"]" * 70 + b"}\n",
        "deep-in-entry": b'{"resourceType":"Bundle","entry":[{"resource":' + b'{"a":' * 66 + b"1" + b"}" * 66 + b"}]}",
        "truncated-bundle": bundle(p1, weight)[:200],
        "not-json": b"resourceType: Patient\nid: p1\n",
        "json-scalars": b'null\n[]\n"text"\n1e999\n-0\ntrue\n{}\n',
        "numbers": b'{"resourceType":"Observation","id":"n","code":{"coding":[{"system":"http://loinc.org","code":"29463-7"}]},"subject":{"reference":"Patient/p1"},"valueQuantity":{"value":-1.5e+308}}\n',
        "escapes-utf8": '{"resourceType":"Pat\\u0069ent","id":"\\ud83d\\ude00","gender":"fem\\u0061le","birthDate":"2020-01-0\\u0031","x":"\xe9\u00e9"}\n'.encode("utf-8"),
        "invalid-utf8": b'{"resourceType":"Patient","id":"\xc3(\xff"}\n',
        "bom": b"\xef\xbb\xbf" + line(p1),
        "blank-lines-crlf": b"\r\n  \n\t\r\n" + line(p1).replace(b"\n", b"\r\n") + b"\n\n",
        "two-documents": line(p1).rstrip(b"\n") + line(weight).rstrip(b"\n"),
        "duplicate-keys": b'{"resourceType":"Patient","id":"a","id":"b","resourceType":"Observation"}\n',
        "empty": b"",
        # Contained resources (#id references, # for the container), and odd contained lists.
        "contained": line(dict(weight, id="c1", subject={"reference": "#p"}, encounter={"reference": "#v"},
                               contained=[dict(p1, id="p"), dict(enc, id="v", subject={"reference": "#p"},
                                                                 serviceProvider={"reference": "#o"}), dict(org, id="o"),
                                          dict(weight, id="w", encounter={"reference": "#"})]))
        + b'{"resourceType":"Observation","id":"c2","subject":{"reference":"#"},"contained":[1,[],{"id":"x"},{"resourceType":"Patient"},{"resourceType":"Patient","id":"p","contained":[{"resourceType":"Patient","id":"q"}]}]}\n'
        + b'{"resourceType":"Observation","id":"c3","subject":{"reference":"#p"},"contained":{"resourceType":"Patient","id":"p"}}\n',
        # SATUSEHAT's shapes: UTC instants in several spellings, units, statuses, dataAbsentReason,
        # a Practitioner performer, an id-less transaction Bundle named by fullUrls.
        "satusehat": line(p1, org,
                          dict(weight, id="z1", effectiveDateTime="2025-12-31T18:00:00Z", valueQuantity={"value": 15400, "code": "g"}),
                          dict(weight, id="z2", effectiveDateTime="2025-03-01 00:30:00 +0900", valueQuantity={"value": 34, "code": "", "unit": "[lb_av]"}),
                          dict(weight, id="z3", status="registered"), dict(weight, id="z4", dataAbsentReason={"text": "not-performed"}),
                          dict(weight, id="z5", performer=[{"reference": "Practitioner/n1"}, {"reference": "Organization/o1"}]),
                          dict(systolic, id="z6", effectiveDateTime="2025-10-02T01:00:00z"),
                          dict(diastolic, id="z7", status="entered-in-error")),
        # Practitioners and roles giving the provider (qualification, role code), odd shapes.
        "practitioners": line(p1, dict(enc, participant=[{"type": [{"coding": [{"code": "ATND"}]}], "individual": {"reference": "Practitioner/n1"}},
                                                          {"individual": {"reference": "PractitionerRole/r1"}}, {"individual": 5}]),
                              dict(weight, id="pw", encounter={"reference": "Encounter/v1"}, performer=[{"reference": "PractitionerRole/r1"}]),
                              dict(proc, performer=[{"actor": {"reference": "Practitioner/n1"}}, {"actor": {"reference": "Practitioner/n9"}}]),
                              {"resourceType": "Practitioner", "id": "n1", "qualification": [{"code": {"coding": [{"system": "http://snomed.info/sct", "code": "309453006"}]}}, 3]},
                              {"resourceType": "PractitionerRole", "id": "r1", "practitioner": {"reference": "Practitioner/n1"},
                               "code": [{"coding": [{"code": "dokter"}]}, {"coding": "x"}]},
                              {"resourceType": "PractitionerRole", "id": "r2", "practitioner": {"reference": "Practitioner/n1"}, "code": {"coding": [{"code": "bidan"}]}},
                              {"resourceType": "Practitioner", "qualification": {"code": 7}}),
        "transaction-fullurls": json.dumps({"resourceType": "Bundle", "type": "transaction", "entry": [
            {"fullUrl": "urn:uuid:p", "resource": {k: v for k, v in p1.items() if k != "id"}},
            {"fullUrl": "https://srv/fhir/Encounter/e", "resource": {k: v for k, v in enc.items() if k != "id"}},
            {"fullUrl": "urn:uuid:w", "resource": dict({k: v for k, v in weight.items() if k not in ("id", "subject")},
                                                       encounter={"reference": "https://srv/fhir/Encounter/e"})}]}).encode(),
    }


# Worksheets for FuzzWorkbook: XML parts separated by NUL (sheet, shared strings, styles,
# workbook.xml), packed by the target into an .xlsx; or an .xlsx itself (starts with PK).
MAIN_NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
XLSX_FIELDS = [b"record_id", b"visit_date", b"person_id", b"birth_date", b"sex", b"village_code", b"rw", b"rt",
               b"facility_type", b"facility_id", b"service_code", b"result", b"provider"]
XLSX_ROW = [b"R1", 45579, b"3201010304210001", b"3/4/2021", b"L", b"32.01.01.2001", b"01", b"001", b"posyandu",
            b"PSY-01", b"TIMBANG", 15.4, b"kader"]


def col(i):
    return bytes([0x41 + i]) if i < 26 else b"A" + bytes([0x41 + i - 26])


def cell(ref, value, style=None, shared=None):
    s = b' s="%d"' % style if style is not None else b""
    if shared is not None:
        return b'<c r="%s" t="s"%s><v>%d</v></c>' % (ref, s, shared)
    if isinstance(value, (int, float)):
        return b'<c r="%s"%s><v>%s</v></c>' % (ref, s, str(value).encode())
    return b'<c r="%s" t="inlineStr"%s><is><t>%s</t></is></c>' % (ref, s, value)


def sheet(rows, extra=b""):
    out = [b'<?xml version="1.0" encoding="UTF-8"?><worksheet ' + MAIN_NS + b"><sheetData>"]
    for r, cells in enumerate(rows, 1):
        out.append(b'<row r="%d">' % r + b"".join(cells(r)) + b"</row>")
    return b"".join(out) + b"</sheetData>" + extra + b"</worksheet>"


def workbook_cases():
    header = lambda r: [cell(col(i) + b"%d" % r, f) for i, f in enumerate(XLSX_FIELDS)]
    data = lambda r: [cell(col(i) + b"%d" % r, v, style=1 if i == 1 else None) for i, v in enumerate(XLSX_ROW)]
    canonical = sheet([header, data, data])
    sst = (b"<sst " + MAIN_NS + b' count="3" uniqueCount="3"><si><t>record_id</t></si>'
           b"<si><r><t>person</t></r><r><t>_id</t></r><rPh><t>x</t></rPh></si><si><t xml:space=\"preserve\"> 3201010304210001 </t></si></sst>")
    shared_sheet = sheet([lambda r: [cell(b"A1", None, shared=0), cell(b"B1", None, shared=1)],
                          lambda r: [cell(b"A2", None, shared=2), cell(b"B2", None, shared=9)]])
    laughs = (b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">'
              b'<!ENTITY c "&b;&b;&b;&b;&b;">]><worksheet ' + MAIN_NS + b'><sheetData><row r="1">'
              b'<c r="A1" t="inlineStr"><is><t>&c;</t></is></c></row></sheetData></worksheet>')
    return {
        "sheet-canonical": canonical,
        "sheet-shared-strings": shared_sheet + b"\x00" + sst,
        "sheet-1904-dates": canonical + b"\x00\x00\x00<workbook " + MAIN_NS + b' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><workbookPr date1904="1"/><sheets><sheet name="L" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "sheet-formula-bool-error": sheet([header, lambda r: [b'<c r="A2"><f>1+1</f><v>2</v></c><c r="B2" t="b"><v>1</v></c>'
                                                             b'<c r="C2" t="e"><v>#N/A</v></c><c r="D2" t="str"><f>X</f><v>3201010304210001</v></c>'
                                                             b'<c r="E2"><v>3.2010103042100E+15</v></c>']]),
        "sheet-rows-out-of-order": sheet([header]).replace(b"</sheetData>", b'<row r="5"><c r="A5"><v>1</v></c></row><row r="3"/><row r="0"/><row r="99999999999"/></sheetData>'),
        "sheet-no-refs": sheet([lambda r: [b"<c><v>1</v></c><c><v>2</v></c>"], lambda r: [b'<c r="XFD2"><v>1</v></c><c r="A"><v>2</v></c><c r="1A"><v>2</v></c>']]),
        "sheet-deep": b"<worksheet " + MAIN_NS + b"><sheetData>" + b"<x>" * 70 + b"</x>" * 70 + b"</sheetData></worksheet>",
        "sheet-entities": laughs,
        "sheet-cdata-phonetic": sheet([lambda r: [b'<c r="A1" t="inlineStr"><is><t><![CDATA[record_id]]></t><rPh><t>p</t></rPh></is></c>']]),
        "sheet-malformed": canonical[: len(canonical) // 2],
        "sheet-not-xml": b"record_id,visit_date\nR1,2025-01-01\n",
        "sheet-empty-parts": b"\x00\x00\x00",
        "styles-odd": canonical + b"\x00\x00<styleSheet " + MAIN_NS + b'><numFmts><numFmt numFmtId="x" formatCode="yyyy"/><numFmt numFmtId="200" formatCode="[h]:mm"/></numFmts><cellXfs><xf numFmtId="200"/><xf numFmtId="-1"/><xf/></cellXfs></styleSheet>',
        # Merged ranges spanning rows (filled into the rows below), within a row, reversed,
        # over the header, past the rows, odd references.
        "sheet-merged-cells": sheet([header, data, lambda r: [cell(b"A%d" % r, b"R2")], data]).replace(
            b"</sheetData>", b'</sheetData><mergeCells count="6"><mergeCell ref="F2:F9"/><mergeCell ref="B2:C3"/>'
            b'<mergeCell ref="L1:M1"/><mergeCell ref="D4:D2"/><mergeCell ref="A1:A2"/><mergeCell ref="E:E"/></mergeCells>'),
        "workbook-no-sheets": canonical + b"\x00\x00\x00<workbook/>",
        "workbook-two-sheet-entries": canonical + b"\x00\x00\x00<workbook " + MAIN_NS + b' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="A" r:id="rId1"/><sheet name="B" r:id="rId1" state="hidden"/><sheet name="C" r:id="rId3"/></sheets></workbook>',
    }


DHIS2_CASES = {
    "minimal.yaml": b"dataElements:\n  K1:\n    numerator: { dataElement: Jtf34kNZhzP }\norgUnits:\n  areas:\n    P3201010101: DiszpKrYNg8\n",
    "code-scheme.yaml": b"periodType: Quarterly\nidScheme: CODE\nstoredBy: pws\nattributeOptionCombo: X\ndataElements:\n  K1:\n    numerator: { dataElement: K1_NUM, categoryOptionCombo: ALL }\n    denominator: { dataElement: K1_DEN }\norgUnits:\n  idScheme: UID\n  areas:\n    \"3201012001\": DiszpKrYNg8\n",
    "duplicate-target.yaml": b"dataElements:\n  K1: { numerator: { dataElement: Jtf34kNZhzP } }\n  K4: { numerator: { dataElement: Jtf34kNZhzP } }\norgUnits: { areas: {} }\n",
    "duplicate-org-unit.yaml": b"dataElements: {}\norgUnits:\n  areas:\n    A: DiszpKrYNg8\n    B: DiszpKrYNg8\n",
    "duplicate-key.yaml": b"dataElements:\n  K1: { numerator: { dataElement: Jtf34kNZhzP } }\n  K1: { denominator: { dataElement: Xk4vJ8eGk2a } }\norgUnits: { areas: {} }\n",
    "bad-uid.yaml": b"dataElements:\n  K1: { numerator: { dataElement: 1tf34kNZhzP } }\norgUnits: { areas: { A: 'Dis zpKrYNg' } }\n",
    "unknown-keys.yaml": b"periodType: Weekly\ndataElements:\n  K1: { numerator: { dataElement: Jtf34kNZhzP, extra: 1 }, other: {} }\norgUnits: { areas: {}, level: 3 }\n",
    "wrong-types.yaml": b"dataElements: [K1, K4]\norgUnits: 5\n",
    "empty-parts.yaml": b"dataElements:\n  K1: {}\n  ? [a, b]\n  : { numerator: { dataElement: Jtf34kNZhzP } }\norgUnits: { areas: { ? {x: 1} : y } }\n",
    "anchors.yaml": b"dataElements:\n  K1: &n { numerator: { dataElement: Jtf34kNZhzP } }\n  K4: *n\norgUnits: { areas: { A: &u DiszpKrYNg8, B: *u } }\n",
    "tags-nulls.yaml": b"dataSet: !!int 12\nstoredBy: ~\ndataElements:\n  !!null : { numerator: { dataElement: !!str Jtf34kNZhzP } }\norgUnits: { areas: { A: null } }\n",
    "not-a-mapping.yaml": b"- 1\n- 2\n",
    "empty.yaml": b"",
}



# Intermediate files of the sharded run for FuzzShardFile (docs/scale.md): payloads (the target
# writes them into a valid file) and whole files (starting with PWSSHARD).
def varint(v):
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def zigzag(v):
    return varint((v << 1) ^ (v >> 63) if v < 0 else v << 1)


def raw(b):
    return varint(len(b)) + b


def shard_content(person=b"3201010304210001", visit=20000, village=5):
    return (raw(person) + zigzag(visit) + zigzag(visit - 1500) + zigzag(0) + zigzag(0) + varint(3)
            + varint(1) + varint(1) + varint(1) + b"\x66\x66\x76\x41" + b"\x00\x00\xc0\x7f"
            + b"\x00" + varint(village) + raw(b"01") + raw(b"001") + raw(b"") + raw(b"PSY-01"))


def shard_row(file, ordinal, label, line, record, content, pending=b"\x00", name=b""):
    return (varint(file) + varint(ordinal) + (b"\x01" + raw(label) if label is not None else b"\x00")
            + varint(line) + raw(record) + raw(content) + zigzag(-7) + pending + raw(name))


SHARD_FORMAT = 4  # ShardFile.formatVersion (Sources/Pipeline/Sharded/ShardFile.swift)


def shard_file(payload, blocks=None, kind="map-partition"):
    import json, struct, zlib
    key = {"asOf": None, "dataDirectory": "/data", "files": "f", "indicators": "i", "keepIdentifiers": False,
           "mapTasks": 1, "partitions": 1, "pipeline": "p", "register": "r", "sasaran": "", "services": "s",
           "skipUnreadable": False, "today": "2026-01-15"}
    header = json.dumps({"format": SHARD_FORMAT, "kind": kind, "key": key, "task": 0}, separators=(",", ":"), sort_keys=True).encode()
    out = b"PWSSHARD" + struct.pack("<III", SHARD_FORMAT, len(header), zlib.crc32(header)) + header
    pieces = blocks if blocks is not None else [payload]
    for piece in pieces:
        out += struct.pack("<II", len(piece), zlib.crc32(piece)) + piece
    trailer = b"PWSEND\0\0" + struct.pack("<Q", len(pieces))
    return out + trailer + struct.pack("<I", zlib.crc32(trailer))


def shard_cases():
    diag = raw(b"layanan.csv") + zigzag(3) + raw(b"R1") + raw(b"W-RESULT") + raw(b"result") + raw(b"99") + raw(b"odd")
    rows = (shard_row(0, 0, b"layanan.csv", 2, b"R1", shard_content())
            + shard_row(0, 1, None, 3, b"R2", shard_content(visit=20010), pending=varint(1) + diag, name=b"Siti"))
    ids = (raw(b"R1") + varint(0) + varint(0) + b"\x01" + raw(b"layanan.csv") + varint(2) + varint(0)
           + raw(shard_content()) + zigzag(20000)
           + raw(b"R2") + varint(0) + varint(1) + b"\x00" + varint(3) + varint(0) + raw(shard_content(visit=20010))
           + zigzag(20010))
    return {
        "payload-rows": rows,
        "payload-ids": ids,
        "payload-huge-varints": varint(2 ** 63) + varint(2 ** 64 - 1) + b"\x01" + raw(b"x") + b"\xff" * 10 + b"\x01",
        "payload-long-count": varint(0) + varint(0) + b"\x00" + varint(1) + raw(b"R") + raw(b"") + zigzag(0) + varint(2 ** 40),
        "payload-empty": b"",
        # A map task's file digests (ShardedRun.decodeDigests): 2 files, sha256 as text and size.
        "payload-digests": varint(2) + raw(b"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") + varint(0)
        + raw(b"16d6fdd58bfe2810d8eb4c342725f38da70d37a1eab265e6a7eebf631e333763") + varint(90),
        "file-digests": shard_file(varint(1) + raw(b"E3B0" + b"0" * 60) + varint(5), kind="map-digests"),
        "file-rows": shard_file(rows),
        "file-two-blocks": shard_file(None, blocks=[rows[:20], rows[20:]]),
        "file-empty-payload": shard_file(b"", blocks=[]),
        "file-other-kind": shard_file(ids, kind="map-ids"),
        "file-truncated": shard_file(rows)[:-5],
        "file-bad-block-crc": shard_file(rows).replace(b"R1", b"R9", 1),
        "file-magic-only": b"PWSSHARD",
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
    for name, data in fhir_cases().items():
        write("FuzzFHIR", name, data)
    for path in sorted(glob.glob(os.path.join(ROOT, "Tests", "IngestTests", "Fixtures", "fhir", "*.*json"))):
        with open(path, "rb") as f:
            write("FuzzFHIR", "fixture-" + os.path.basename(path), f.read())
    for name, data in workbook_cases().items():
        write("FuzzWorkbook", name, data)
    # Whole workbooks, for the zip layer (the small fixtures only: no zip bomb as a seed).
    for name in ["openpyxl-cells", "libreoffice-typed", "deep", "truncated", "corrupt-sheet", "encrypted",
                 "merged-cells", "sip-format2"]:
        with open(os.path.join(ROOT, "Tests", "IngestTests", "Fixtures", "xlsx", name + ".xlsx"), "rb") as f:
            write("FuzzWorkbook", "fixture-" + name + ".xlsx", f.read())
    for name, data in DHIS2_CASES.items():
        write("FuzzDHIS2Mapping", name, data)
    with open(os.path.join(ROOT, "docs", "examples", "dhis2-mapping.yaml"), "rb") as f:
        write("FuzzDHIS2Mapping", "docs-example.yaml", f.read())
    for name, data in shard_cases().items():
        write("FuzzShardFile", name, data)


if __name__ == "__main__":
    main()
