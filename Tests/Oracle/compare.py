"""Row-by-row comparison and reporting shared by the oracles in Tests/Oracle.

This module holds no PWS rule: it reads pws's published CSVs, compares them with the rows an
oracle expects and prints the differences. The oracles themselves re-implement the spec
(pws-spec.md, amendments-2.md), the catalogues (pipelines/*.yaml) and docs/; none of this code
may ever be derived from Sources/.
"""
import csv
import datetime as dt
import json
import os
import sys
from fractions import Fraction
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PIPELINES = REPO / 'pipelines'

# How many differing cells each oracle prints before it only counts.
SHOW = int(os.environ.get('ORACLE_SHOW', '15'))


def run_info(month_dir):
    """(today, year, as-of month) of the pws run whose as-of folder is month_dir, from run.json."""
    info = json.load(open(os.path.join(month_dir, 'run.json'), encoding='utf-8'))
    year, month = (int(x) for x in info['as_of'].split('-'))
    return dt.date.fromisoformat(info['today']), year, month


def read_rows(path):
    with open(path, newline='', encoding='utf-8') as fh:
        return list(csv.DictReader(fh))


def pct(x):
    """An exact Fraction printed with 2 decimals, half away from zero; None prints empty."""
    if x is None:
        return ''
    q = int(abs(x) * 100 + Fraction(1, 2))
    return '%s%d.%02d' % ('-' if x < 0 and q else '', q // 100, q % 100)


def fmt_den(x):
    """A denominator as printed: at most 2 decimals, trailing zeros dropped."""
    if x is None:
        return ''
    return pct(x).rstrip('0').rstrip('.')


class Comparison:
    """Expected rows of one pws file, keyed, compared cell by cell with the published rows."""

    def __init__(self, name, what):
        self.name = name          # e.g. 'maternal'
        self.what = what          # e.g. '22 indicators'
        self.rows = 0
        self.differ = 0
        self.cells = []           # (file, key, column, pws, oracle)

    def compare(self, file, expected, published):
        """expected, published: {key: {column: value}}; a key on one side only is a difference."""
        for key in sorted(expected):
            exp = expected[key]
            self.rows += 1
            got = published.get(key)
            if got is None:
                self.differ += 1
                self.cells.append((file, key, '(row)', 'missing', 'present'))
                continue
            bad = [(c, got.get(c, '?'), v) for c, v in exp.items() if got.get(c) != v]
            if bad:
                self.differ += 1
                self.cells.extend((file, key, c, p, o) for c, p, o in bad)
        for key in sorted(published.keys() - expected.keys()):
            self.rows += 1
            self.differ += 1
            self.cells.append((file, key, '(row)', 'present', 'missing'))

    def report(self):
        """Print the summary line and the first differing cells; return the exit status."""
        print('oracle %s: %s, %d rows, %d differ' % (self.name, self.what, self.rows, self.differ))
        if self.cells:
            print('  %-16s %-52s %-24s %-12s %s' % ('file', 'key', 'column', 'pws', 'oracle'))
            for file, key, col, p, o in self.cells[:SHOW]:
                k = ' '.join(str(x) for x in key) if isinstance(key, tuple) else str(key)
                print('  %-16s %-52s %-24s %-12s %s' % (file, k, col, p if p != '' else '""', o if o != '' else '""'))
            if len(self.cells) > SHOW:
                print('  … and %d more differing cells' % (len(self.cells) - SHOW))
        return 1 if self.differ else 0


def exit_with(*comparisons):
    sys.exit(max(c.report() for c in comparisons))
