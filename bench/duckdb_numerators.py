#!/usr/bin/env python3
"""DuckDB baseline for bench/run.sh: the numerators of K1, D_S and IDL per village and month,
computed from the same service-record CSV files pws reads, and compared with pws's indicators.csv.

    python3 bench/duckdb_numerators.py DATA_DIR [--today YYYY-MM-DD] [--threads 2]
        [--services pipelines/services.yaml] [--compare OUT/YYYY-MM/indicators.csv]
        [--numerators FILE.csv] [--json FILE.json]

What it does, all in DuckDB SQL except the file listing and one header read per file:

1. Files: `layanan.csv` and `layanan/*.csv` (extension case-insensitive), in byte order of their
   paths. The header line of each file is read in Python to sniff the delimiter (the candidate
   among , ; TAB | occurring most often outside quotes, as spec §2.1) and the line end; files with
   the same header line form a group, read by ONE `read_csv` call over the group's file list with
   explicit options (no auto-detection): that delimiter, quote and escape `"`, header, every column
   VARCHAR, `ignore_errors` + `store_rejects` (so a record that breaks the dialect — E-PARSE or
   E-FIELDS — is skipped and the rest of the file still read; without store_rejects DuckDB 2.0
   loses the rest of a file after an unescaped quote). DuckDB's reader accepts a record with one
   field too many when that field is empty, so the schema has one column more than the header,
   padded with NULL (`null_padding`, no NULL string): a record that fills it or leaves the last
   header column NULL has the wrong field count (E-FIELDS) and is dropped. A file missing a
   required column (E-COLUMNS) is not read.
2. Header aliases: each header name is normalised (trim, lower case, spaces and `-` to `_`) and
   mapped to its canonical field by the alias table of spec §2.4 (+ the default pipeline's
   `tgl_layanan`); the SQL projection renames the columns (`c3 AS person_id`, ...). Canonical
   name wins, then the leftmost column.
3. Cleaning (SQL macros): trim, one leading `'` removed, `-`/`.`-only = empty; dates
   `YYYY-M-D` / `D-M-YYYY` with `-` or `/`, optional ` time` or `Ttime`, impossible dates null;
   village codes with dots/spaces removed and 10 digits; NIKs with spaces/dots/dashes removed
   when all digits (then 16 digits, not all one digit), other ids kept; sex, facility type and
   service code spellings of spec §2.4.
4. Validation (the error rules of spec §3 that can change these numerators): a row is dropped
   when a required field is empty (E-REQUIRED), a date is invalid (E-DATE), the visit is after
   --today (E-FUTURE) or before birth (E-BEFORE-BIRTH), sex/person/village/facility/service are
   not recognised (E-SEX, E-PERSON, E-AREA: village not in wilayah.csv, E-FACILITY, E-SERVICE), or
   sex/age is outside the catalogue's eligibility (E-ELIGIBILITY, read from services.yaml). Of the
   rows left, only the first per record_id in file order (path, then row order) is kept: later ones
   are E-DUPLICATE-ID or W-DUPLICATE with the same id. NOT done: W-DUPLICATE under a new id (does
   not change a distinct count; can only move an area on a tie), W-AREA/W-NIK/W-RESULT (warnings,
   rows kept). The as-of month is the month of the latest kept visit; later rows are dropped.
5. Numerators (per village of the attaining record, year, month):
   - D_S: distinct persons with a TIMBANG at 0-59 completed months of age in the month; the
     village of the person's latest such record in the month (visit_date, then record_id).
   - IDL: persons with each of HB0 BCG POLIO1-4 DPTHBHIB1-3 IPV1 MR1 at age < 365 days (age from
     that record's birth_date); attains on the max over items of each item's earliest date; the
     village of the earliest record of the item met last (on equal dates the smallest record_id).
   - K1: ANC records grouped into pregnancies, then each pregnancy's first visit (date; the
     village of its first record by visit_date, record_id). The episode rule of spec §4.2 is
     approximated so:
       a. records with pregnancy_id: episode (person, pregnancy_id);
       b. records without it but with an LMP (lmp_date when it gives 0-45 completed weeks at the
          visit, else visit - 7 x gestational_weeks when that is an integer 0-45) join the step-a
          episode of the person whose anchor (earliest LMP) is within 42 days of theirs, the
          latest such anchor; the rest are sorted by (LMP, visit, record_id) and a new episode
          opens when the LMP is more than 42 days after the PREVIOUS record's LMP (spec: after
          the episode's FIRST record's LMP — the gap rule differs only for chains of LMPs that
          span more than 42 days in steps of at most 42);
       c. records with neither join the episode of steps a-b with the latest reference r <=
          visit_date (ASOF join; r = anchor, else the episode's first visit) when visit_date <=
          r + 300; the rest open a new episode when their visit is more than 300 days after the
          previous such record's visit (same gap approximation).
   The numerators cover every month of the reporting year up to the as-of month; lifetime rules
   (K1, IDL) use every kept record up to the end of the as-of month.

Agreement (with --compare, after the timing): per indicator, the village-months whose numerators
differ, and how many of them hold a row of the indicator's services that DuckDB kept and pws
rejected (matched through pws's rejects.csv by file and record_id); the kept-but-rejected rows are
counted per rule.

Timing: from the file listing to the three numerator tables, in one process with DuckDB's
threads set to --threads; CPU time (user+sys of this process, all DuckDB threads) beside wall.
"""

import argparse
import csv
import json
import os
import re
import resource
import sys
import time

ALIASES = {
    "record_id": ["id_kunjungan", "id"],
    "visit_date": ["tanggal_kunjungan", "tanggal", "tgl_kunjungan", "tgl_layanan"],
    "person_id": ["nik", "id_pasien", "no_identitas"],
    "birth_date": ["tanggal_lahir", "tgl_lahir"],
    "sex": ["jenis_kelamin", "jk"],
    "village_code": ["kode_desa", "kode_kelurahan"],
    "rw": [],
    "rt": [],
    "facility_type": ["jenis_fasilitas", "tempat_layanan"],
    "facility_id": ["kode_fasilitas", "kode_posyandu"],
    "service_code": ["kode_layanan", "layanan"],
    "result": ["hasil", "nilai"],
    "provider": ["nakes", "pemberi_layanan"],
    "pregnancy_id": ["id_kehamilan"],
    "lmp_date": ["hpht"],
    "gestational_weeks": ["usia_kehamilan"],
}
REQUIRED = ["record_id", "visit_date", "person_id", "birth_date", "sex", "village_code", "rw", "rt",
            "facility_type", "service_code"]
KEPT = REQUIRED + ["pregnancy_id", "lmp_date", "gestational_weeks"]
IDL_ITEMS = ["HB0", "BCG", "POLIO1", "POLIO2", "POLIO3", "POLIO4", "DPTHBHIB1", "DPTHBHIB2",
             "DPTHBHIB3", "IPV1", "MR1"]


def norm_header(name):
    return re.sub(r"[ \-]", "_", name.strip().lower())


def service_files(data):
    files = []
    if os.path.isfile(os.path.join(data, "layanan.csv")):
        files.append("layanan.csv")
    folder = os.path.join(data, "layanan")
    if os.path.isdir(folder):
        for name in os.listdir(folder):
            if name.lower().endswith(".csv") and os.path.isfile(os.path.join(folder, name)):
                files.append("layanan/" + name)
    files.sort(key=lambda p: p.encode())
    return files


def header_of(path):
    with open(path, "rb") as f:
        head = f.read(65536)
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    end = len(head)
    for i, b in enumerate(head):
        if b in (0x0A, 0x0D):
            end = i
            break
    line = head[:end].decode("utf-8", "replace")
    newline = "\\r\\n" if head[end:end + 2] == b"\r\n" else ("\\r" if head[end:end + 1] == b"\r" else "\\n")
    counts = {}
    quoted = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in ",;\t|":
            counts[ch] = counts.get(ch, 0) + 1
    delim = max(",;\t|", key=lambda c: (counts.get(c, 0), -",;\t|".index(c)))
    names = next(csv.reader([line], delimiter=delim))
    return delim, newline, tuple(names)


def mapping(names):
    """canonical field -> column index, canonical name first, then leftmost alias."""
    normal = [norm_header(n) for n in names]
    out = {}
    for field, aliases in ALIASES.items():
        if field in normal:
            out[field] = normal.index(field)
            continue
        for i, n in enumerate(normal):
            if n in aliases:
                out[field] = i
                break
    return out


def eligibility(services_yaml):
    """(code, sex, unit, min, max) from the service catalogue (a simple reader of its format)."""
    rows = []
    current = None
    for line in open(services_yaml, encoding="utf-8"):
        m = re.match(r"\s*-\s*code:\s*(\S+)", line)
        if m:
            current = {"code": m.group(1).upper(), "sex": None, "unit": None, "min": None, "max": None}
            rows.append(current)
            continue
        if current is None:
            continue
        m = re.match(r"\s+sex:\s*(\S+)", line)
        if m:
            current["sex"] = m.group(1)
        m = re.match(r"\s+age:\s*\{(.*)\}", line)
        if m:
            for part in m.group(1).split(","):
                k, v = [x.strip() for x in part.split(":")]
                current[k] = v if k == "unit" else int(v)
    return rows


def sql_str(s):
    return "'" + s.replace("'", "''") + "'"


# The field cleaning of spec §2.1, spelled out inline (DuckDB macros with subqueries are slow).
def c(col):
    v = f"trim({col})"
    v = f"CASE WHEN starts_with({v}, '''') THEN trim(substr({v}, 2)) ELSE {v} END"
    return f"nullif(nullif(nullif({v}, ''), '-'), '.')"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("--today", default="2026-01-15")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--services", default=os.path.join(os.path.dirname(__file__), "..", "pipelines", "services.yaml"))
    ap.add_argument("--compare")
    ap.add_argument("--numerators")
    ap.add_argument("--json")
    args = ap.parse_args()

    import duckdb

    wall0 = time.perf_counter()
    ru0 = resource.getrusage(resource.RUSAGE_SELF)
    con = duckdb.connect()
    con.execute(f"SET threads = {args.threads}")
    con.execute("SET preserve_insertion_order = true")

    data = args.data
    files = service_files(data)
    groups = {}
    for rel in files:
        key = header_of(os.path.join(data, rel))
        groups.setdefault(key, []).append(rel)

    con.execute("CREATE TABLE raw (path VARCHAR, fields_ok BOOLEAN, " + ", ".join(f"{f} VARCHAR" for f in KEPT) + ")")
    skipped_files = []
    for (delim, newline, names), rels in groups.items():
        m = mapping(names)
        missing = [f for f in REQUIRED if f not in m]
        if missing:
            skipped_files += rels  # E-COLUMNS: pws rejects every row of such a file
            continue
        # One column more than the header, padded with NULL, and no NULL string: a record with a
        # field too many fills `cx`, one with a field too few leaves the last column NULL (an
        # empty field reads as ''): both are pws's E-FIELDS, flagged here and dropped below.
        cols = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(names))) + ", 'cx': 'VARCHAR'}"
        paths = "[" + ", ".join(sql_str(os.path.join(data, r)) for r in rels) + "]"
        proj = ", ".join((f"c{m[f]}" if f in m else "NULL") + f" AS {f}" for f in KEPT)
        d = "\\t" if delim == "\t" else delim
        con.execute(
            f"INSERT INTO raw SELECT filename AS path, cx IS NULL AND c{len(names) - 1} IS NOT NULL, {proj} "
            f"FROM read_csv({paths}, auto_detect = false, "
            f"delim = E'{d}', quote = '\"', escape = '\"', new_line = '{newline}', header = true, "
            f"columns = {cols}, ignore_errors = true, store_rejects = true, filename = true, "
            f"null_padding = true, nullstr = '\u0001')")
    t_read = time.perf_counter() - wall0
    raw_rows = con.execute("SELECT count(*) FROM raw").fetchone()[0]
    reader_rejects = con.execute("SELECT count(*) FROM reject_errors").fetchone()[0]
    field_count_rejects = con.execute("SELECT count(*) FROM raw WHERE NOT fields_ok").fetchone()[0]

    elig = eligibility(args.services)
    values = ", ".join(
        f"({sql_str(e['code'])}, {sql_str(e['sex']) if e['sex'] else 'NULL'}, "
        f"{sql_str(e['unit']) if e['unit'] else 'NULL'}, {e['min'] if e['min'] is not None else 'NULL'}, "
        f"{e['max'] if e['max'] is not None else 'NULL'})" for e in elig)
    con.execute(f"CREATE TABLE catalogue AS SELECT * FROM (VALUES {values}) t(code, sex, unit, amin, amax)")

    # Register: village codes of wilayah.csv (any dialect; auto-detected, it is one small file).
    con.execute(f"""
        CREATE TABLE register AS
        SELECT DISTINCT regexp_replace(trim(CAST(COLUMNS(lambda c: lower(c) IN ('village_code', 'kode_desa', 'kode_kelurahan')) AS VARCHAR)), '[. ]', '', 'g') AS village
        FROM read_csv({sql_str(os.path.join(data, 'wilayah.csv'))}, all_varchar = true, header = true)""")

    date_re_ymd = r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})([ T].*)?$"
    date_re_dmy = r"^(\d{1,2})[-/](\d{1,2})[-/](\d{4})([ T].*)?$"

    def pdate(col):
        v = c(col)
        return (f"(CASE WHEN regexp_matches({v}, '{date_re_ymd}') THEN "
                f"try_strptime(regexp_replace({v}, '{date_re_ymd}', '\\1-\\2-\\3'), '%Y-%m-%d')::DATE "
                f"WHEN regexp_matches({v}, '{date_re_dmy}') THEN "
                f"try_strptime(regexp_replace({v}, '{date_re_dmy}', '\\3-\\2-\\1'), '%Y-%m-%d')::DATE END)")

    def upcode(col):
        return f"upper(regexp_replace({c(col)}, '[ \\-]', '_', 'g'))"

    def label(col):
        v = f"regexp_replace({c(col)}, '^(?i)(rw|rt)', '')"
        return f"nullif(regexp_replace({v}, '^[[:space:][:punct:]]+|[[:space:][:punct:]]+$', '', 'g'), '')"

    con.execute(f"""
        CREATE TABLE cleaned AS
        WITH r AS (
          SELECT rowid AS seq, path,
            {c('record_id')} AS record_id,
            {pdate('visit_date')} AS visit,
            {pdate('birth_date')} AS birth,
            {c('visit_date')} AS visit_raw, {c('birth_date')} AS birth_raw,
            {c('person_id')} AS pid_raw,
            {upcode('sex')} AS sex_raw,
            regexp_replace({c('village_code')}, '[. ]', '', 'g') AS village,
            {label('rw')} AS rw, {label('rt')} AS rt,
            lower(regexp_replace({c('facility_type')}, '[ \\-]', '_', 'g')) AS facility,
            {upcode('service_code')} AS service,
            {c('pregnancy_id')} AS pregnancy_id,
            {pdate('lmp_date')} AS lmp_date,
            {c('gestational_weeks')} AS gw_raw
          FROM raw WHERE fields_ok),
        p AS (
          SELECT *,
            regexp_replace(pid_raw, '[ .\\-]', '', 'g') AS pid_digits,
            CASE WHEN sex_raw IN ('L', 'M', '1', 'LAKI_LAKI', 'PRIA') THEN 'L'
                 WHEN sex_raw IN ('P', 'F', '2', 'PEREMPUAN', 'WANITA') THEN 'P' END AS sex
          FROM r)
        SELECT seq, path, record_id, visit, birth, sex, village, service, pregnancy_id, lmp_date, gw_raw,
          facility IN ('posyandu', 'pustu', 'puskesmas', 'rumah_sakit', 'klinik', 'rumah', 'lainnya',
                       'polindes', 'poskesdes') AS facility_ok,
          CASE WHEN regexp_matches(pid_digits, '^[0-9]+$') THEN
                 CASE WHEN length(pid_digits) = 16 AND pid_digits <> repeat(left(pid_digits, 1), 16) THEN pid_digits END
               WHEN regexp_matches(pid_raw, '[[:alnum:]]') THEN pid_raw END AS person
        FROM p
        WHERE record_id IS NOT NULL AND visit_raw IS NOT NULL AND pid_raw IS NOT NULL AND birth_raw IS NOT NULL
          AND sex_raw IS NOT NULL AND village IS NOT NULL AND rw IS NOT NULL AND rt IS NOT NULL
          AND facility IS NOT NULL AND service IS NOT NULL""")

    # Error rules, then the first row per record_id in file order, then the as-of month.
    con.execute(f"""
        CREATE TABLE accepted AS
        WITH ok AS (
          SELECT x.*,
            date_diff('day', x.birth, x.visit) AS age_days,
            (year(x.visit) - year(x.birth)) * 12 + month(x.visit) - month(x.birth)
              - CASE WHEN day(x.visit) < day(x.birth) THEN 1 ELSE 0 END AS age_months,
            year(x.visit) - year(x.birth)
              - CASE WHEN month(x.visit) < month(x.birth)
                       OR (month(x.visit) = month(x.birth) AND day(x.visit) < day(x.birth)) THEN 1 ELSE 0 END AS age_years,
            k.sex AS k_sex, k.unit, k.amin, k.amax
          FROM cleaned x
          JOIN catalogue k ON k.code = x.service
          JOIN register g ON g.village = x.village
          WHERE x.visit IS NOT NULL AND x.birth IS NOT NULL AND x.visit <= DATE {sql_str(args.today)}
            AND x.visit >= x.birth AND x.sex IS NOT NULL AND x.person IS NOT NULL
            AND x.facility_ok),
        elig AS (
          SELECT * FROM ok
          WHERE (k_sex IS NULL OR k_sex = sex)
            AND (unit IS NULL OR (
                  (CASE unit WHEN 'days' THEN age_days WHEN 'months' THEN age_months ELSE age_years END)
                    BETWEEN coalesce(amin, 0) AND coalesce(amax, 1000000))))
        SELECT path, record_id, visit, person, village, service, pregnancy_id, lmp_date, gw_raw, age_days, age_months
        FROM elig
        QUALIFY row_number() OVER (PARTITION BY record_id ORDER BY path, seq) = 1""")
    asof = con.execute("SELECT max(visit) FROM accepted").fetchone()[0]
    asof_year, asof_month = asof.year, asof.month
    con.execute(f"DELETE FROM accepted WHERE visit >= DATE '{asof_year}-{asof_month:02d}-01' + INTERVAL 1 MONTH")
    t_clean = time.perf_counter() - wall0

    # D_S
    con.execute("""
        CREATE TABLE n_ds AS
        WITH last AS (
          SELECT person, year(visit) AS y, month(visit) AS m, arg_max(village, (visit, record_id)) AS village
          FROM accepted WHERE service = 'TIMBANG' AND age_months BETWEEN 0 AND 59
          GROUP BY ALL)
        SELECT 'D_S' AS indicator, village, y, m, count(*) AS n FROM last GROUP BY ALL""")

    # IDL
    items = ", ".join(sql_str(i) for i in IDL_ITEMS)
    con.execute(f"""
        CREATE TABLE n_idl AS
        WITH first_item AS (
          SELECT person, service, arg_min((visit, record_id, village), (visit, record_id)) AS f
          FROM accepted WHERE service IN ({items}) AND age_days < 365
          GROUP BY ALL),
        per_person AS (
          SELECT person, count(*) AS n_items, max(f[1]) AS attained,
                 list(f) AS fs
          FROM first_item GROUP BY person HAVING count(*) = {len(IDL_ITEMS)}),
        att AS (
          SELECT person, attained,
            list_sort(list_filter(fs, lambda x: x[1] = attained), 'ASC')[1][3] AS village
          FROM per_person)
        SELECT 'IDL' AS indicator, village, year(attained) AS y, month(attained) AS m, count(*) AS n
        FROM att GROUP BY ALL""")

    # K1: pregnancy episodes (see the docstring for the approximation), then first visits.
    con.execute("""
        CREATE TABLE anc AS
        SELECT record_id, visit, person, village, pregnancy_id,
          CASE WHEN lmp_date IS NOT NULL AND date_diff('day', lmp_date, visit) BETWEEN 0 AND 45 * 7 + 6 THEN lmp_date
               WHEN regexp_matches(gw_raw, '^[0-9]+$') AND CAST(gw_raw AS BIGINT) BETWEEN 0 AND 45
                 THEN visit - CAST(7 * CAST(gw_raw AS BIGINT) AS INTEGER) END AS lmp
        FROM accepted WHERE service = 'ANC'""")
    con.execute("""
        CREATE TABLE ep1 AS
        SELECT person, 'P:' || pregnancy_id AS episode, min(lmp) AS anchor
        FROM anc WHERE pregnancy_id IS NOT NULL GROUP BY ALL""")
    con.execute("""
        CREATE TABLE s2 AS
        WITH cand AS (
          SELECT a.record_id, a.person, a.visit, a.lmp, arg_max(e.episode, (e.anchor, e.episode)) AS episode
          FROM anc a LEFT JOIN ep1 e
            ON e.person = a.person AND e.anchor IS NOT NULL AND abs(date_diff('day', e.anchor, a.lmp)) <= 42
          WHERE a.pregnancy_id IS NULL AND a.lmp IS NOT NULL
          GROUP BY ALL),
        rest AS (
          SELECT *, CASE WHEN date_diff('day', lag(lmp) OVER w, lmp) <= 42 THEN 0 ELSE 1 END AS opens
          FROM cand WHERE episode IS NULL
          WINDOW w AS (PARTITION BY person ORDER BY lmp, visit, record_id)),
        numbered AS (
          SELECT record_id, person,
            'L:' || sum(opens) OVER (PARTITION BY person ORDER BY lmp, visit, record_id) AS episode
          FROM rest)
        SELECT record_id, episode FROM cand WHERE episode IS NOT NULL
        UNION ALL SELECT record_id, episode FROM numbered""")
    con.execute("""
        CREATE TABLE ep12 AS
        WITH members AS (
          SELECT a.person, 'P:' || a.pregnancy_id AS episode, a.visit, a.lmp FROM anc a WHERE a.pregnancy_id IS NOT NULL
          UNION ALL
          SELECT a.person, s.episode, a.visit, a.lmp FROM anc a JOIN s2 s USING (record_id))
        SELECT person, episode, coalesce(min(lmp), min(visit)) AS r FROM members GROUP BY ALL""")
    con.execute("""
        CREATE TABLE s3 AS
        WITH cand AS (
          SELECT a.record_id, a.person, a.visit,
            CASE WHEN e.r IS NOT NULL AND a.visit <= e.r + 300 THEN e.episode END AS episode
          FROM (SELECT * FROM anc WHERE pregnancy_id IS NULL AND lmp IS NULL) a
          ASOF LEFT JOIN ep12 e ON e.person = a.person AND a.visit >= e.r),
        rest AS (
          SELECT *, CASE WHEN date_diff('day', lag(visit) OVER w, visit) <= 300 THEN 0 ELSE 1 END AS opens
          FROM cand WHERE episode IS NULL
          WINDOW w AS (PARTITION BY person ORDER BY visit, record_id))
        SELECT record_id, episode FROM cand WHERE episode IS NOT NULL
        UNION ALL
        SELECT record_id, 'V:' || sum(opens) OVER (PARTITION BY person ORDER BY visit, record_id) FROM rest""")
    con.execute("""
        CREATE TABLE n_k1 AS
        WITH ep AS (
          SELECT a.person, coalesce('P:' || a.pregnancy_id, s2.episode, s3.episode) AS episode,
                 a.visit, a.record_id, a.village
          FROM anc a LEFT JOIN s2 USING (record_id) LEFT JOIN s3 USING (record_id)),
        firsts AS (
          SELECT person, episode, arg_min((visit, village), (visit, record_id)) AS f FROM ep GROUP BY ALL)
        SELECT 'K1' AS indicator, f[2] AS village, year(f[1]) AS y, month(f[1]) AS m, count(*) AS n
        FROM firsts GROUP BY ALL""")
    con.execute(f"""
        CREATE TABLE numerators AS
        SELECT * FROM (SELECT * FROM n_k1 UNION ALL SELECT * FROM n_ds UNION ALL SELECT * FROM n_idl)
        WHERE y = {asof_year} AND m <= {asof_month}""")
    rows = con.execute("SELECT indicator, village, y, m, n FROM numerators ORDER BY 1, 2, 3, 4").fetchall()
    t_total = time.perf_counter() - wall0
    ru1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    accepted = con.execute("SELECT count(*) FROM accepted").fetchone()[0]

    result = {
        "duckdb_version": duckdb.__version__,
        "threads": args.threads,
        "files": len(files),
        "file_groups": len(groups),
        "files_skipped_columns": len(skipped_files),
        "rows_read": raw_rows,
        "reader_rejects": reader_rejects,
        "field_count_rejects": field_count_rejects,
        "rows_kept": accepted,
        "as_of": f"{asof_year}-{asof_month:02d}",
        "seconds_read": round(t_read, 3),
        "seconds_read_clean_validate": round(t_clean, 3),
        "seconds_total": round(t_total, 3),
        "cpu_seconds": round(cpu, 3),
        "peak_rss_mib": round(ru1.ru_maxrss / 1024, 1),
        "numerator_rows": len(rows),
    }

    if args.numerators:
        with open(args.numerators, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["indicator", "village", "year", "month", "n"])
            w.writerows(rows)

    if args.compare:
        result["agreement"] = compare(rows, args.compare, asof_year, asof_month)
        result["kept_by_duckdb_rejected_by_pws"] = explain(con, result["agreement"], args.compare, data,
                                                           asof_year, asof_month)

    out = json.dumps(result, indent=2)
    if args.json:
        with open(args.json, "w") as f:
            f.write(out + "\n")
    print(out)


def explain(con, agreement, indicators_csv, data, year, month):
    """Rows DuckDB kept that pws rejected (by source file and record_id, after the timing), and
    how many differing village-months hold such a row of the indicator's services."""
    rejects = os.path.join(os.path.dirname(indicators_csv), "rejects.csv")
    if not os.path.exists(rejects):
        for a in agreement.values():
            a.pop("_keys")
        return {}
    prefix = sql_str(data.rstrip("/") + "/")
    con.execute(f"""
        CREATE TABLE pws_rej AS
        SELECT {prefix} || source AS path, record_id, first(rule ORDER BY line, rule) AS rule
        FROM read_csv({sql_str(rejects)}, all_varchar = true, header = true)
        WHERE record_id IS NOT NULL AND rule <> 'E-DUPLICATE-ID'
        GROUP BY ALL""")
    con.execute("""
        CREATE TABLE kept_rejected AS
        SELECT a.service, a.village, year(a.visit) AS y, month(a.visit) AS m, r.rule
        FROM accepted a JOIN pws_rej r ON r.path = a.path AND r.record_id = a.record_id""")
    by_rule = dict(con.execute("SELECT rule, count(*) FROM kept_rejected GROUP BY rule ORDER BY 2 DESC").fetchall())
    services = {"K1": ["ANC"], "D_S": ["TIMBANG"], "IDL": IDL_ITEMS}
    hits = set()
    for ind, svc in services.items():
        q = ", ".join(sql_str(x) for x in svc)
        for village, y, m in con.execute(
                f"SELECT DISTINCT village, y, m FROM kept_rejected WHERE service IN ({q})").fetchall():
            hits.add((ind, village, y, m))
    for ind, a in agreement.items():
        diffs = a.pop("_keys")
        a["differ_with_row_pws_rejected"] = sum(1 for k in diffs if k in hits)
    return by_rule


def compare(rows, indicators_csv, year, month):
    """Village-month numerators of DuckDB against pws's level-desa rows."""
    duck = {}
    for ind, village, y, m, n in rows:
        duck[(ind, village, y, m)] = n
    pws = {}
    with open(indicators_csv, newline="", encoding="utf-8-sig") as f:
        for r in csv.DictReader(f):
            if r["level"] != "desa" or r["indicator"] not in ("K1", "D_S", "IDL"):
                continue
            y, m = int(r["year"]), int(r["month"])
            if y != year or m > month:
                continue
            n = int(r["numerator_month"] or 0)
            pws[(r["indicator"], r["area_code"], y, m)] = n
    out = {}
    for ind in ("K1", "D_S", "IDL"):
        keys = {k for k in set(duck) | set(pws) if k[0] == ind}
        diffs = []
        for k in sorted(keys):
            a, b = pws.get(k, 0), duck.get(k, 0)
            if a != b:
                diffs.append((k, a, b))
        total_pws = sum(v for k, v in pws.items() if k[0] == ind)
        total_duck = sum(v for k, v in duck.items() if k[0] == ind)
        out[ind] = {
            "village_months": len(keys),
            "differ": len(diffs),
            "sum_pws": total_pws,
            "sum_duckdb": total_duck,
            "abs_diff_sum": sum(abs(a - b) for _, a, b in diffs),
            "examples": [f"{k[1]} {k[2]}-{k[3]:02d}: pws {a}, duckdb {b}" for k, a, b in diffs[:5]],
            "_keys": [k for k, _, _ in diffs],
        }
    return out


if __name__ == "__main__":
    main()
