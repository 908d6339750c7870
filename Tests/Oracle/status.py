#!/usr/bin/env python3
"""Oracle for the coverage, target, gap, trend and status columns of all indicators in indicators.csv.

Re-implements, independently of pws, spec §6 and amendments-2 §A4 (lower is better, mirrored) on
each published row, starting from the row's own numerators and denominator with exact fractions:
coverages, previous-month coverage, target_pct (pro-rated by month for year/lifetime scopes with a
group denominator, not for monthly, rate and area-count indicators), gap, trend (numerators for a
fixed denominator, coverages for a denominator of its own each month: N_D/T/2T/BGM over D_S, the
growth `measured` denominators) and status. It checks internal consistency only; the numerators
and denominators themselves are recomputed by maternal.py, child.py and adult.py.

Rows whose printed denominator has 2 decimals are skipped (the printed value may be rounded).

Sources: pws-spec.md §6, amendments-2.md §A4/§A5, pipelines/indicators.yaml, docs/indicators.md.
It must never be derived from Sources/ (it is an independent second reading).

usage: status.py PWS_MONTH_DIR
"""
import argparse
import os
from fractions import Fraction as F

import yaml

from compare import PIPELINES, Comparison, exit_with, pct, read_rows


def status(cov, tgt, tr, lower):
    ok = cov <= tgt if lower else cov >= tgt
    good = tr in (('turun', 'tetap') if lower else ('naik', 'tetap'))
    return {(True, True): 'baik', (True, False): 'kurang', (False, True): 'cukup', (False, False): 'jelek'}[(ok, good)]


def trend(c, p):
    return 'naik' if c > p else 'turun' if c < p else 'tetap'


def expected_row(e, r, rows, key):
    """The §6 columns row r should have, or None when they cannot be checked from the table alone."""
    ind, lvl, code, m = key
    lower = e.get('direction') == 'lower_is_better'
    d = e.get('denominator')
    tgt_ann = F(str(e['target'])) if 'target' in e else None
    nm = int(r['numerator_month']) if r['numerator_month'] else None
    cum = int(r['numerator_cumulative']) if r['numerator_cumulative'] else None
    den = F(r['denominator']) if r['denominator'] else None
    exp = {}
    if isinstance(d, str) or (isinstance(d, dict) and 'group' in d):
        if '.' in r['denominator'] and len(r['denominator'].split('.')[1]) == 2:
            return None  # the printed denominator may be rounded
        monthly = e['scope'] == 'monthly'
        tgt = tgt_ann if monthly else tgt_ann * m / 12
        cov = (F(nm if monthly else cum) * 100 / den) if den else None
        exp['target_pct'] = pct(tgt)
        if m > 1:
            pn = int(rows[(ind, lvl, code, m - 1)]['numerator_month'])
        elif not den:
            return None
        elif r['coverage_prev_month_pct']:
            # December of the year before: back out its numerator from the printed coverage
            pn = round(F(r['coverage_prev_month_pct']) * den / 100)
        else:
            pn = None
        if pn is not None:
            exp['trend'] = trend(nm, pn)
            if den:
                exp['coverage_prev_month_pct'] = pct(F(pn) * 100 / den)
        if den:
            exp['coverage_month_pct'] = pct(F(nm) * 100 / den)
            if not monthly:
                exp['coverage_cumulative_pct'] = pct(F(cum) * 100 / den)
            exp['gap_pct'] = pct(cov - tgt)
            if 'trend' in exp:
                exp['status'] = status(cov, tgt, exp['trend'], lower)
        else:
            exp.update(coverage_month_pct='', gap_pct='', status='')
    elif (isinstance(d, dict) and 'indicator' in d) or e['rule'] == 'growth_zscore':
        # monthly, over a denominator of its own each month (D_S's numerator, or the measured children)
        def cov_of(mm):
            n = rows.get((ind, lvl, code, mm))
            if not n:
                return 'NA'
            if d is not None:
                b = rows[(d['indicator'], lvl, code, mm)]
                bd = F(int(b['numerator_month']))
            else:
                bd = F(n['denominator']) if n['denominator'] else F(0)
            return F(int(n['numerator_month'])) * 100 / bd if bd else None
        c, p = cov_of(m), (cov_of(m - 1) if m > 1 else 'NA')
        exp['target_pct'] = pct(tgt_ann)
        if d is not None:
            ds = rows[(d['indicator'], lvl, code, m)]['numerator_month']
            exp['denominator'] = ds if ds != '0' else r['denominator']
        else:
            exp['denominator_source'] = 'measured' if den else r['denominator_source']
        if c is None:
            exp.update(trend='', status='', gap_pct='', coverage_month_pct='')
        elif p != 'NA':
            tr = trend(c, p if p is not None else F(0))
            exp.update(trend=tr, gap_pct=pct(c - tgt_ann), coverage_month_pct=pct(c),
                       status=status(c, tgt_ann, tr, lower), coverage_prev_month_pct=pct(p))
        elif d is None:
            exp.update(coverage_month_pct=pct(c), gap_pct=pct(c - tgt_ann))
            if r['trend']:
                exp['status'] = status(c, tgt_ann, r['trend'], lower)
        else:
            return None  # January over D_S: December's D_S is not in the table
    elif e['rule'] in ('rate', 'area_count') or isinstance(d, dict):
        # rates, UCI and the measured ANEMIA/KEK: target not pro-rated; status from the printed
        # trend and the exact cumulative coverage
        if not r['trend'] or not den:
            exp['status'] = ''
        else:
            cov = F(cum) * 100 / den
            exp.update(target_pct=pct(tgt_ann), gap_pct=pct(cov - tgt_ann), coverage_cumulative_pct=pct(cov),
                       status=status(cov, tgt_ann, r['trend'], lower))
    else:  # count only
        if m > 1:
            exp['trend'] = trend(nm, int(rows[(ind, lvl, code, m - 1)]['numerator_month']))
        exp.update(status='', gap_pct='', coverage_cumulative_pct='', target_pct='')
    return exp


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('month_dir')
    a = ap.parse_args()
    cat = {e['id']: e for e in yaml.safe_load(open(PIPELINES / 'indicators.yaml', encoding='utf-8'))['indicators']}
    rows = {(r['indicator'], r['level'], r['area_code'], int(r['month'])): r
            for r in read_rows(os.path.join(a.month_dir, 'indicators.csv'))}
    expected, published = {}, {}
    for key, r in rows.items():
        exp = expected_row(cat[key[0]], r, rows, key)
        if exp is not None:
            expected[key] = exp
            published[key] = {c: r[c] for c in exp}
    c = Comparison('status', '%d indicators' % len(cat))
    c.compare('indicators.csv', expected, published)
    exit_with(c)


if __name__ == '__main__':
    main()
