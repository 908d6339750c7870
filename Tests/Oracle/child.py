#!/usr/bin/env python3
"""Oracle for the 20 child, growth and immunisation indicators, recomputed from the raw inputs.

Re-implements, independently of pws:
- reading of wilayah.csv, sasaran.csv and layanan/*.csv (§2.1 dialect, aliases, cleaning, dates,
  RW/RT labels, NIK normalisation, results with units and decimal commas, the range checks);
  the rows pws rejected are taken from its rejects.csv (validation is NOT re-implemented here),
  W-DUPLICATE is recomputed;
- the subjects and attainments of IBL, IBADUTA, IDL, IMM_DPT1, IMM_DPT3, IMM_MR1, VITA_BALITA
  (each_of/first with ties by record_id bytes), the monthly growth indicators D_S, N_D, T, 2T, BGM,
  UNDERWEIGHT, STUNTING, WASTING, GIZI_BURUK, OVERWEIGHT (the measurement of the month, §A4), WHO
  2006 z-scores by LMS from pipelines/growth/who2006 (restricted tails for WAZ/WHZ, WHZ
  interpolated by 0.1 cm, the WHO flags), drop-out rates and UCI_DESA (docs/indicators.md);
- §5.1 denominators as amended by §A1, and the §6 columns at every level.

Sources: pws-spec.md §2, §4.4, §5, §6; amendments-2.md §A1, §A4, §A5; pipelines/*.yaml;
docs/indicators.md, docs/growth.md (results kept as 32-bit floats, scored to 3 decimals),
docs/guidance.md. It must never be derived from Sources/ (it is an independent second reading).

usage: child.py DATA PWS_MONTH_DIR     (PWS_MONTH_DIR: pws's OUT/YYYY-MM of a run on DATA)
"""
import argparse
import collections
import csv
import math
import os
import re
import struct
import datetime as dt
from decimal import Decimal, ROUND_HALF_EVEN
from fractions import Fraction

from compare import PIPELINES, Comparison, exit_with, fmt_den, pct, read_rows, run_info
from inputs import clean, decode, norm_header, sniff

GROWTH_DIR = PIPELINES / 'growth' / 'who2006'


# ---------------------------------------------------------------- CSV reading (§2.1)


def read_csv(path, skip_lines=frozenset()):
    """(header, [(line number, fields)]) of the non-blank records; skip_lines: E-PARSE lines."""
    lines = re.split(r'\r\n|\n|\r', decode(open(path, 'rb').read()))
    i = 0
    while i < len(lines) and lines[i].strip() == '':
        i += 1
    if i >= len(lines):
        return [], []
    delim = sniff(lines[i])
    header = next(csv.reader([lines[i]], delimiter=delim))
    i += 1
    recs = []
    while i < len(lines):
        ln = i + 1
        if lines[i].strip() == '' or ln in skip_lines:
            i += 1
            continue
        buf, j = lines[i], i
        while buf.count('"') % 2 == 1 and j + 1 < len(lines):
            j += 1
            buf += '\n' + lines[j]
        row = next(csv.reader([buf], delimiter=delim))
        i = j + 1
        if not all(clean(x) == '' for x in row):
            recs.append((ln, row))
    return header, recs


def column(header, names):
    hn = [norm_header(h) for h in header]
    return next((hn.index(n) for n in names if n in hn), None)


# ---------------------------------------------------------------- values
def parse_date(s):
    s = s.strip()
    m = re.match(r'^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T].*)?$', s)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        m = re.match(r'^(\d{1,2})[-/](\d{1,2})[-/](\d{4})(?:[ T].*)?$', s)
        if not m:
            return None
        d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
    try:
        return dt.date(y, mo, d)
    except ValueError:
        return None


def norm_label(s, kind):
    s = re.sub(r'^' + kind, '', s.strip(), flags=re.I)
    s = re.sub(r'^[\s\W_]+|[\s\W_]+$', '', s)
    if s == '':
        return None
    return '%03d' % int(s) if s.isdigit() else s.upper()


def norm_person(p):
    q = re.sub(r'[ .\-]', '', p)
    return q if q.isdigit() else p


SEX = {'l': 'L', 'p': 'P', 'm': 'L', 'f': 'P', '1': 'L', '2': 'P', 'laki_laki': 'L', 'perempuan': 'P',
       'pria': 'L', 'wanita': 'P'}


def enum_norm(v):
    return re.sub(r'[ \-]', '_', v.strip().lower())


UNITS = {'TIMBANG': ('kg', '0.5', '250'), 'UKUR_TB': ('cm', '30', '230'), 'LILA': ('cm', '5', '60'),
         'LK': ('cm', '25', '60')}
ALL_UNITS = ['kg', 'cm', 'g/dl', 'kg/m2', 'mg/dl', 'mmhg']


def stored(v):
    """docs/growth.md: a result is kept as a 32-bit float and scored to 3 decimals.
    Returns (stored value, compared by N_D/T/2T; scored value, used for z-scores)."""
    f32 = struct.unpack('f', struct.pack('f', float(v)))[0]
    return f32, float(Decimal(f32).quantize(Decimal('0.001'), ROUND_HALF_EVEN))


def parse_result(svc, raw):
    """(valid Decimal value or None, the result as W-DUPLICATE compares it)."""
    if svc not in UNITS:
        return None, raw
    if raw == '':
        return None, ''
    _, lo, hi = UNITS[svc]
    s = raw.strip()
    for u in ALL_UNITS:
        if s.lower().endswith(u):
            s = s[:-len(u)].strip()
            break
    s = s.replace(',', '.')
    if not re.match(r'^\d+(\.\d+)?$', s):
        return None, raw
    v = Decimal(s)
    return (v if Decimal(lo) <= v <= Decimal(hi) else None), ('num', v)


ALIASES = {
    'record_id': ['id_kunjungan', 'id'], 'visit_date': ['tanggal_kunjungan', 'tanggal', 'tgl_kunjungan', 'tgl_layanan'],
    'person_id': ['nik', 'id_pasien', 'no_identitas'], 'birth_date': ['tanggal_lahir', 'tgl_lahir'],
    'sex': ['jenis_kelamin', 'jk'], 'village_code': ['kode_desa', 'kode_kelurahan'], 'rw': [], 'rt': [],
    'facility_type': ['jenis_fasilitas', 'tempat_layanan'], 'facility_id': ['kode_fasilitas', 'kode_posyandu'],
    'service_code': ['kode_layanan', 'layanan'], 'result': ['hasil', 'nilai'], 'provider': ['nakes', 'pemberi_layanan'],
}


# ---------------------------------------------------------------- register and sasaran
def load_register(data):
    header, recs = read_csv(os.path.join(data, 'wilayah.csv'))
    cv = column(header, ['village_code', 'kode_desa', 'kode_kelurahan'])
    cp = column(header, ['puskesmas_code', 'kode_puskesmas'])
    crw, crt = column(header, ['rw']), column(header, ['rt'])
    cpop = column(header, ['population', 'penduduk', 'jumlah_penduduk'])
    reg = {}
    for _, r in recs:
        r = [clean(x) for x in r]
        pop = r[cpop] if cpop is not None else ''
        reg[(re.sub(r'[ .]', '', r[cv]), norm_label(r[crw], 'RW'), norm_label(r[crt], 'RT'))] = dict(
            pusk=r[cp], pop=Decimal(pop.replace(',', '.')) if pop != '' else None)
    return reg


def load_sasaran(data, year):
    p = os.path.join(data, 'sasaran.csv')
    s = {}
    if not os.path.exists(p):
        return s
    header, recs = read_csv(p)
    cy, cv = column(header, ['year', 'tahun']), column(header, ['village_code', 'kode_desa'])
    crw, crt = column(header, ['rw']), column(header, ['rt'])
    cg = column(header, ['target_group', 'kelompok', 'kelompok_sasaran'])
    cc = column(header, ['count', 'jumlah'])
    for _, r in recs:
        r = [clean(x) for x in r]
        if int(r[cy]) != year:
            continue
        rw = norm_label(r[crw], 'RW') if crw is not None and r[crw] else None
        rt = norm_label(r[crt], 'RT') if crt is not None and r[crt] else None
        s[(re.sub(r'[ .]', '', r[cv]), rw, rt, r[cg].strip().lower())] = Fraction(Decimal(r[cc].replace(',', '.')))
    return s


SHARES = {'balita': Fraction('0.08'), 'baduta': Fraction('0.016'), 'bayi': Fraction(16, 1000)}


def estimate(group, pop):
    return Fraction(math.floor(SHARES[group] * Fraction(pop) + Fraction(1, 2)))


# ---------------------------------------------------------------- WHO 2006 z-scores (§A4, docs/growth.md)
def load_lms(name, by_length=False):
    t = {}
    with open(GROWTH_DIR / name) as f:
        r = csv.reader(f)
        next(r)
        for row in r:
            k = round(float(row[1]) * 10) if by_length else int(row[1])
            t[('L' if row[0] == '1' else 'P', k)] = (float(row[2]), float(row[3]), float(row[4]))
    return t


WFA, LHFA = load_lms('wfa.csv'), load_lms('lhfa.csv')
WFL, WFH = load_lms('wfl.csv', True), load_lms('wfh.csv', True)


def z_lms(y, L, M, S, tail):
    z = math.log(y / M) / S if L == 0 else ((y / M) ** L - 1) / (L * S)
    if tail:
        def sd(k):
            return M * (1 + L * S * k) ** (1 / L)
        if z > 3:
            z = 3 + (y - sd(3)) / (sd(3) - sd(2))
        elif z < -3:
            z = -3 + (y - sd(-3)) / (sd(-2) - sd(-3))
    return z


def waz(sex, age, w):
    return z_lms(w, *WFA[(sex, age)], True) if (sex, age) in WFA else None


def haz(sex, age, h):
    return z_lms(h, *LHFA[(sex, age)], False) if (sex, age) in LHFA else None


def whz(sex, age, w, h):
    tab, lo, hi = (WFL, 450, 1100) if age < 731 else (WFH, 650, 1200)
    x = h * 10
    if x < lo - 1e-9 or x > hi + 1e-9:
        return None
    k0 = math.floor(x + 1e-9)
    fr = x - k0
    if fr < 1e-9 or k0 == hi:
        L, M, S = tab[(sex, min(k0, hi))]
    else:
        a, b = tab[(sex, k0)], tab[(sex, k0 + 1)]
        L, M, S = [a[i] + (b[i] - a[i]) * fr for i in range(3)]
    return z_lms(w, L, M, S, True)


def age_months(b, v):
    return (v.year - b.year) * 12 + (v.month - b.month) - (1 if v.day < b.day else 0)


# ---------------------------------------------------------------- records
def load_records(data, month_dir, year, asof):
    rej, rej_parse = collections.defaultdict(set), collections.defaultdict(set)
    for r in read_rows(os.path.join(month_dir, 'rejects.csv')):
        rej[r['source']].add(int(r['line']))
        if r['rule'] == 'E-PARSE':
            rej_parse[r['source']].add(int(r['line']))
    files = ['layanan.csv'] if os.path.exists(os.path.join(data, 'layanan.csv')) else []
    if os.path.isdir(os.path.join(data, 'layanan')):
        files += ['layanan/' + f for f in os.listdir(os.path.join(data, 'layanan'))
                  if f.lower().endswith('.csv') and os.path.isfile(os.path.join(data, 'layanan', f))]
    files.sort(key=lambda p: p.encode())
    recs, seen_dup = [], set()
    for rel in files:
        header, rows = read_csv(os.path.join(data, rel), rej_parse[rel])
        hn = [norm_header(h) for h in header]
        idx = {}
        for f, al in ALIASES.items():
            i = hn.index(f) if f in hn else next((k for k, h in enumerate(hn) if h in al), None)
            if i is not None:
                idx[f] = i
        for ln, row in rows:
            if ln in rej[rel]:
                continue

            def g(f):
                return clean(row[idx[f]]) if f in idx and idx[f] < len(row) else ''
            svc = enum_norm(g('service_code')).upper()
            vd, bd = parse_date(g('visit_date')), parse_date(g('birth_date'))
            pid = norm_person(g('person_id'))
            val, dup_result = parse_result(svc, g('result'))
            dkey = (pid, vd, svc, g('facility_id'), dup_result)
            if dkey in seen_dup:
                continue  # W-DUPLICATE
            seen_dup.add(dkey)
            if (vd.year, vd.month) > (year, asof):
                continue  # after the as-of month
            keep, score = stored(val) if val is not None else (None, None)
            recs.append(dict(rid=g('record_id'), vd=vd, pid=pid, bd=bd, sex=SEX[enum_norm(g('sex'))],
                             v=re.sub(r'[ .]', '', g('village_code')), rw=norm_label(g('rw'), 'RW'),
                             rt=norm_label(g('rt'), 'RT'), svc=svc, val=keep, score=score,
                             age_days=(vd - bd).days, age_m=age_months(bd, vd)))
    recs.sort(key=lambda r: (r['vd'], r['rid'].encode()))
    return recs


# ---------------------------------------------------------------- attainments
IBL_ITEMS = ['HB0', 'BCG', 'POLIO1', 'POLIO2', 'POLIO3', 'POLIO4', 'DPTHBHIB1', 'DPTHBHIB2', 'DPTHBHIB3',
             'PCV1', 'PCV2', 'RV1', 'RV2', 'RV3', 'IPV1', 'IPV2', 'MR1']
IDL_ITEMS = ['HB0', 'BCG', 'POLIO1', 'POLIO2', 'POLIO3', 'POLIO4', 'DPTHBHIB1', 'DPTHBHIB2', 'DPTHBHIB3', 'IPV1', 'MR1']


def each_of(rs, items, pred):
    """§4.4 each_of over records sorted by (date, record_id): the earliest record of each item;
    the set is met on the latest of those dates, at the smallest record_id on that date."""
    firsts = []
    for it in items:
        q = next((r for r in rs if it(r) and pred(r)), None)
        if q is None:
            return None
        firsts.append(q)
    mx = max(f['vd'] for f in firsts)
    return min((f for f in firsts if f['vd'] == mx), key=lambda f: f['rid'].encode())


def attainments(recs, year, asof):
    """{(indicator, (village, rw, rt), m): count}, m = 0 for December of year − 1."""
    num = collections.Counter()

    def mon(d):
        return d.month if d.year == year else 0 if (d.year, d.month) == (year - 1, 12) else None

    def add(ind, r, m):
        if m is not None:
            num[(ind, (r['v'], r['rw'], r['rt']), m)] += 1

    def ym_of(m):
        return (year - 1, 12) if m == 0 else (year, m)

    def ym_prev(y, m, k=1):
        t = y * 12 + (m - 1) - k
        return (t // 12, t % 12 + 1)

    by_person = collections.defaultdict(list)
    for r in recs:
        by_person[r['pid']].append(r)
    for rs in by_person.values():
        for ind, items, lo, hi in [('IBL', IBL_ITEMS, 0, 364), ('IDL', IDL_ITEMS, 0, 364),
                                   ('IBADUTA', ['DPTHBHIB4', 'MR2'], 365, 729)]:
            a = each_of(rs, [lambda r, s=s: r['svc'] == s for s in items], lambda r: lo <= r['age_days'] <= hi)
            if a:
                add(ind, a, mon(a['vd']))
        for ind, s in [('IMM_DPT1', 'DPTHBHIB1'), ('IMM_DPT3', 'DPTHBHIB3'), ('IMM_MR1', 'MR1')]:
            q = [r for r in rs if r['svc'] == s and 0 <= r['age_days'] <= 364]
            if q:
                add(ind, q[0], mon(q[0]['vd']))
        for yy in (year - 1, year):
            yr = [r for r in rs if r['vd'].year == yy and r['svc'] == 'VITA' and 6 <= r['age_m'] <= 59]
            a = each_of(yr, [lambda r: r['vd'].month == 2, lambda r: r['vd'].month == 8], lambda r: True)
            if a:
                add('VITA_BALITA', a, mon(a['vd']))
        bym = collections.defaultdict(list)
        for r in rs:
            if r['svc'] in ('TIMBANG', 'UKUR_TB'):
                bym[(r['vd'].year, r['vd'].month)].append(r)
        if not bym:
            continue

        def last_weight(ym, agecheck=True):
            q = [r for r in bym.get(ym, []) if r['svc'] == 'TIMBANG' and r['val'] is not None and r['val'] > 0
                 and (not agecheck or 0 <= r['age_m'] <= 59)]
            return q[-1] if q else None
        for m in range(0, asof + 1):
            ym = ym_of(m)
            mr = bym.get(ym, [])
            ds = [r for r in mr if r['svc'] == 'TIMBANG' and 0 <= r['age_m'] <= 59]
            if ds:
                dsr = ds[-1]  # D_S and its growth subsets are counted at the last TIMBANG of the month
                add('D_S', dsr, m)
                w1, w0 = last_weight(ym, False), last_weight(ym_prev(*ym), False)
                if w1 and w0 and w1['val'] > w0['val']:
                    add('N_D', dsr, m)
                w1, w0, wm2 = last_weight(ym), last_weight(ym_prev(*ym)), last_weight(ym_prev(*ym, 2))
                if w1 and w0 and w1['val'] <= w0['val']:
                    add('T', dsr, m)
                    if wm2 and w0['val'] <= wm2['val']:
                        add('2T', dsr, m)
            w = last_weight(ym)
            if w:
                z = waz(w['sex'], w['age_days'], w['score'])
                if z is not None and -6 <= z <= 5:
                    add('UNDERWEIGHT#den', w, m)
                    if z < -2:
                        add('UNDERWEIGHT', w, m)
                    if z < -3:
                        add('BGM', w, m)
            hs = [r for r in mr if r['svc'] == 'UKUR_TB' and r['val'] is not None and r['val'] > 0
                  and 0 <= r['age_m'] <= 59]
            if hs:
                h = hs[-1]
                z = haz(h['sex'], h['age_days'], h['score'])
                if z is not None and -6 <= z <= 6:
                    add('STUNTING#den', h, m)
                    if z < -2:
                        add('STUNTING', h, m)
            ws = [r for r in mr if r['svc'] == 'TIMBANG' and r['val'] is not None and r['val'] > 0
                  and 0 <= r['age_m'] <= 59]
            dates = sorted({r['vd'] for r in ws} & {r['vd'] for r in hs})
            if dates:
                d = dates[-1]
                ww = [r for r in ws if r['vd'] == d][-1]
                hh = [r for r in hs if r['vd'] == d][-1]
                z = whz(ww['sex'], ww['age_days'], ww['score'], hh['score'])
                if z is not None and -5 <= z <= 5:
                    add('WASTING#den', ww, m)
                    if z < -2:
                        add('WASTING', ww, m)
                    if z < -3:
                        add('GIZI_BURUK', ww, m)
                    if z > 2:
                        add('OVERWEIGHT', ww, m)
    return num


# ---------------------------------------------------------------- indicators.csv (§5, §6)
CATALOGUE = [('IBL', 'group', 'bayi', 95), ('IBADUTA', 'group', 'baduta', 90), ('IDL', 'group', 'bayi', 95),
             ('IMM_DPT1', 'count', None, None), ('IMM_DPT3', 'count', None, None), ('IMM_MR1', 'count', None, None),
             ('DO_DPT1_MR1', 'rate', ('IMM_DPT1', 'IMM_MR1'), 5), ('DO_DPT1_DPT3', 'rate', ('IMM_DPT1', 'IMM_DPT3'), 5),
             ('UCI_DESA', 'uci', 'IBL', 100),
             ('D_S', 'mgroup', 'balita', 80), ('N_D', 'mind', 'D_S', 80), ('T', 'mind', 'D_S', 20),
             ('2T', 'mind', 'D_S', 5), ('BGM', 'mind', 'D_S', 1), ('UNDERWEIGHT', 'mind', 'UNDERWEIGHT#den', 10),
             ('STUNTING', 'mind', 'STUNTING#den', 14), ('WASTING', 'mind', 'WASTING#den', 7),
             ('GIZI_BURUK', 'mind', 'WASTING#den', 1), ('OVERWEIGHT', 'mind', 'WASTING#den', 3),
             ('VITA_BALITA', 'group', 'balita', 90)]
LOWER = {'DO_DPT1_MR1', 'DO_DPT1_DPT3', 'T', '2T', 'BGM', 'UNDERWEIGHT', 'STUNTING', 'WASTING', 'GIZI_BURUK',
         'OVERWEIGHT'}
COLUMNS = ['numerator_month', 'numerator_cumulative', 'denominator', 'denominator_source', 'coverage_month_pct',
           'coverage_cumulative_pct', 'coverage_prev_month_pct', 'target_annual_pct', 'target_pct', 'gap_pct',
           'trend', 'status']
SOURCE = {'UNDERWEIGHT#den': 'measured', 'STUNTING#den': 'measured', 'WASTING#den': 'measured', 'D_S': 'D_S'}


def div(n, d):
    return None if d is None or d == 0 else Fraction(n) / Fraction(d) * 100


def cmp_trend(a, b):
    return 'naik' if a > b else 'turun' if a < b else 'tetap'


def status(cov, tgt, trend, lower):
    if cov is None or tgt is None or trend == '':
        return ''
    ok = cov <= tgt if lower else cov >= tgt
    bad_trend = 'naik' if lower else 'turun'
    return ('kurang' if trend == bad_trend else 'baik') if ok else ('jelek' if trend == bad_trend else 'cukup')


def expected_rows(data, month_dir, year, asof):
    reg = load_register(data)
    sas = load_sasaran(data, year)
    recs = load_records(data, month_dir, year, asof)
    num = attainments(recs, year, asof)
    pusk_of = {k[0]: i['pusk'] for k, i in reg.items()}

    def areas_of(k):
        v, rw, rt = k
        return [('kabkota', v[:4]), ('kecamatan', v[:6]), ('puskesmas', pusk_of[v]), ('desa', v),
                ('rw', '%s-%s' % (v, rw)), ('rt', '%s-%s-%s' % (v, rw, rt))]
    anum = collections.Counter()
    for (ind, k, m), n in num.items():
        for a in areas_of(k):
            anum[(ind, a, m)] += n
    all_areas = set()
    for k in reg:
        all_areas.update(areas_of(k))
    for r in recs:
        if r['vd'].year == year:
            all_areas.update(areas_of((r['v'], r['rw'], r['rt'])))
    villages_under = collections.defaultdict(set)
    children, rts_under = collections.defaultdict(set), collections.defaultdict(set)
    for k in reg:
        kab, kec, pk, de, rw, rt = areas_of(k)
        for a in (kab, kec, pk, de):
            villages_under[a].add(k[0])
        children[kab].add(kec)
        children[kec].add(de)
        children[pk].add(de)
        children[de].add(rw)
        children[rw].add(rt)
        for a in (kab, kec, pk, de, rw, rt):
            rts_under[a].add(k)

    def sas_key(a):
        lvl, code = a
        if lvl == 'desa':
            return (code, None, None)
        if lvl == 'rw':
            return tuple(code.split('-', 1)) + (None,)
        if lvl == 'rt':
            return tuple(code.split('-', 2))
        return None
    memo = {}

    def denom(a, group):
        """§5.1/§A1: sasaran, else the sum of the registered children, else the estimate."""
        if (a, group) not in memo:
            res = None
            sk = sas_key(a)
            if sk and sk + (group,) in sas:
                res = (sas[sk + (group,)], 'sasaran')
            else:
                ch = children.get(a)
                cd = [denom(c, group) for c in ch] if ch else None
                if ch and all(c is not None for c in cd):
                    res = (sum(c[0] for c in cd), 'sum')
                elif rts_under.get(a):
                    pops = [reg[k]['pop'] for k in rts_under[a]]
                    if all(p is not None for p in pops):
                        res = (estimate(group, sum(pops)), 'estimate')
            memo[(a, group)] = res
        return memo[(a, group)]

    def is_uci(v, m):
        """The village's cumulative IBL coverage reaches 80 % by month m."""
        d = denom(('desa', v), 'bayi')
        if not d or d[0] == 0:
            return 0
        c = sum(anum[('IBL', ('desa', v), mm)] for mm in range(1, m + 1))
        return 1 if Fraction(c) / d[0] * 100 >= 80 else 0

    rows = {}
    for a in all_areas:
        for ind, kind, arg, tgt in CATALOGUE:
            if kind == 'uci' and a[0] in ('rw', 'rt'):
                continue
            lower = ind in LOWER
            cum = 0
            prevn = anum[(ind, a, 0)]
            for m in range(1, asof + 1):
                n = anum[(ind, a, m)]
                cum += n
                row = dict(numerator_month=str(n), numerator_cumulative=str(cum))
                if kind == 'group':
                    d = denom(a, arg)
                    dv = d[0] if d else None
                    cc = div(cum, dv)
                    tp = Fraction(tgt) * m / 12
                    trend = cmp_trend(n, prevn)
                    row.update(denominator=fmt_den(dv), denominator_source=d[1] if d else '',
                               coverage_month_pct=pct(div(n, dv)), coverage_cumulative_pct=pct(cc),
                               coverage_prev_month_pct=pct(div(prevn, dv)), target_annual_pct=pct(Fraction(tgt)),
                               target_pct=pct(tp), gap_pct=pct(cc - tp) if cc is not None else '', trend=trend,
                               status=status(cc, tp, trend, lower))
                elif kind == 'count':
                    row.update(denominator='', denominator_source='', coverage_month_pct='',
                               coverage_cumulative_pct='', coverage_prev_month_pct='', target_annual_pct='',
                               target_pct='', gap_pct='', trend=cmp_trend(n, prevn), status='')
                elif kind == 'rate':
                    def sums(ind_, m_):
                        return (anum[(ind_, a, m_)], sum(anum[(ind_, a, mm)] for mm in range(1, m_ + 1)),
                                anum[(ind_, a, m_ - 1)] if m_ > 1 else anum[(ind_, a, 0)])
                    (fm, fc, fp), (tm, tc, tpv) = sums(arg[0], m), sums(arg[1], m)
                    cm, cc, cp = div(fm - tm, fm), div(fc - tc, fc), div(fp - tpv, fp)
                    trend = '' if cm is None else cmp_trend(cm, cp if cp is not None else 0)
                    row = dict(numerator_month=str(fm - tm), numerator_cumulative=str(fc - tc), denominator=str(fc),
                               denominator_source=arg[0], coverage_month_pct=pct(cm), coverage_cumulative_pct=pct(cc),
                               coverage_prev_month_pct=pct(cp), target_annual_pct=pct(Fraction(tgt)),
                               target_pct=pct(Fraction(tgt)), gap_pct=pct(cc - tgt) if cc is not None else '',
                               trend=trend, status=status(cc, Fraction(tgt), trend, lower))
                elif kind == 'uci':  # numerator_month: the change in the count of UCI villages
                    vs = villages_under[a]
                    cnt = sum(is_uci(v, m) for v in vs)
                    pc = sum(is_uci(v, m - 1) for v in vs) if m > 1 else 0
                    ppc = sum(is_uci(v, m - 2) for v in vs) if m > 2 else 0
                    nm, pnm, dv = cnt - pc, pc - ppc, len(vs)
                    cc = div(cnt, dv)
                    trend = cmp_trend(nm, pnm)
                    row = dict(numerator_month=str(nm), numerator_cumulative=str(cnt), denominator=str(dv),
                               denominator_source='villages', coverage_month_pct=pct(div(nm, dv)),
                               coverage_cumulative_pct=pct(cc), coverage_prev_month_pct=pct(div(pnm, dv)),
                               target_annual_pct=pct(Fraction(tgt)), target_pct=pct(Fraction(tgt)),
                               gap_pct=pct(cc - tgt), trend=trend, status=status(cc, Fraction(tgt), trend, lower))
                elif kind == 'mgroup':
                    d = denom(a, arg)
                    dv = d[0] if d else None
                    cm = div(n, dv)
                    trend = cmp_trend(n, prevn)
                    row.update(numerator_cumulative='', denominator=fmt_den(dv), denominator_source=d[1] if d else '',
                               coverage_month_pct=pct(cm), coverage_cumulative_pct='',
                               coverage_prev_month_pct=pct(div(prevn, dv)), target_annual_pct=pct(Fraction(tgt)),
                               target_pct=pct(Fraction(tgt)), gap_pct=pct(cm - tgt) if cm is not None else '',
                               trend=trend, status=status(cm, Fraction(tgt), trend, lower))
                else:  # 'mind': over the month's own measured (or weighed) children
                    dn, pdn = anum[(arg, a, m)], anum[(arg, a, m - 1)]
                    cm, cp = div(n, dn), div(prevn, pdn)
                    trend = '' if cm is None else cmp_trend(cm, cp if cp is not None else 0)
                    row.update(numerator_cumulative='', denominator=str(dn), denominator_source=SOURCE[arg],
                               coverage_month_pct=pct(cm), coverage_cumulative_pct='', coverage_prev_month_pct=pct(cp),
                               target_annual_pct=pct(Fraction(tgt)), target_pct=pct(Fraction(tgt)),
                               gap_pct=pct(cm - tgt) if cm is not None else '', trend=trend,
                               status=status(cm, Fraction(tgt), trend, lower))
                rows[(year, m, a[0], a[1], ind)] = row
                prevn = n
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('data')
    ap.add_argument('month_dir')
    a = ap.parse_args()
    _, year, asof = run_info(a.month_dir)
    rows = expected_rows(a.data, a.month_dir, year, asof)
    ids = {c[0] for c in CATALOGUE}
    published = {(int(r['year']), int(r['month']), r['level'], r['area_code'], r['indicator']):
                 {c: r[c] for c in COLUMNS}
                 for r in read_rows(os.path.join(a.month_dir, 'indicators.csv')) if r['indicator'] in ids}
    c = Comparison('child', '%d indicators' % len(CATALOGUE))
    c.compare('indicators.csv', rows, published)
    exit_with(c)


if __name__ == '__main__':
    main()
