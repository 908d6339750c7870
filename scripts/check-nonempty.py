#!/usr/bin/env python3
"""Whether every indicator of the catalogue has a non-zero kabupaten numerator in some month
of a published run, and every SPM service serves someone in the year to date (exit 1 if not).

Usage: python3 scripts/check-nonempty.py OUT/2025-12 pipelines"""
import csv, sys, yaml, collections
run, pipes = sys.argv[1], sys.argv[2]
ids = [d['id'] for d in yaml.safe_load(open(pipes + '/indicators.yaml'))['indicators']]
spm = [d['id'] for d in yaml.safe_load(open(pipes + '/spm.yaml'))['indicators']]
best = collections.defaultdict(int)
with open(run + '/indicators.csv', newline='') as f:
    r = csv.reader(f); h = next(r)
    ii, im, ic = h.index('indicator'), h.index('numerator_month'), h.index('numerator_cumulative')
    for row in r:
        if row[h.index('level')] != 'kabkota':
            continue
        for k in (im, ic):
            if row[k] not in ('', '0'):
                best[row[ii]] = max(best[row[ii]], abs(int(row[k])))
bad = [i for i in ids if best[i] == 0]
print('indicators: %d in catalogue, %d with a non-zero kabkota numerator in some month' % (len(ids), len(ids) - len(bad)))
for i in ids:
    print('  %-22s max |numerator| %d' % (i, best[i]))
served = {}
with open(run + '/spm.csv', newline='') as f:
    r = csv.reader(f); h = next(r)
    for row in r:
        if row[1] == 'YTD' and row[2] == 'kabkota':
            served[row[5]] = (row[6], row[7], row[9])
badspm = [s for s in spm if int(served.get(s, ('', '0', ''))[1]) == 0]
print('SPM services (YTD kabkota: sasaran, served, capaian %):')
for s in spm:
    print('  %-30s %s' % (s, served.get(s)))
print('EMPTY indicators:', bad, 'EMPTY SPM:', badspm)
sys.exit(1 if bad or badspm else 0)
