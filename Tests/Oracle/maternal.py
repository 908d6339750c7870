#!/usr/bin/env python3
"""Oracle for the 22 maternal and newborn indicators, recomputed from the raw inputs.

Re-implements, independently of pws:
- reading and validation of the service rows: the §2.1 CSV dialect (delimiter sniffing, BOM,
  header aliases, trimming, the `'` marker), §2.2–§2.5 values, the §3 error rules in table order
  with E-DUPLICATE-ID, and W-DUPLICATE (dropped rows); its reject list is compared with rejects.csv;
- §4.2 pregnancy episodes (steps 1–3, anchor, trimester, visits), the docs' span of the records
  that join a pregnancy (HB, LILA, TTD_BUMIL, RISTI_NAKES), §4.3 delivery clustering and NIFAS,
  §4.4 attainment (date, area, ties by record_id bytes);
- K1, K1_MURNI, K2–K6, ANEMIA_BUMIL, KEK_BUMIL, TTD_BUMIL90, DETEKSI_RISTI_NAKES, PF, PF_NAKES,
  KF1–KF4, KF_LENGKAP, KN1–KN3, KN_LENGKAP as pipelines/indicators.yaml, docs/indicators.md and
  amendments-2 §A5 define them;
- §5.1 denominators (sasaran → sum of registered children → estimate, as amended by §A1) and the
  §6 columns (coverages, previous month from a Y−1 computation, target, gap, trend, status) at
  every level.

Sources: pws-spec.md §2–§6, amendments-2.md §A1/§A4/§A5, pipelines/*.yaml, docs/indicators.md,
docs/guidance.md. It must never be derived from Sources/ (it is an independent second reading).

usage: maternal.py DATA PWS_MONTH_DIR     (PWS_MONTH_DIR: pws's OUT/YYYY-MM of a run on DATA)
"""
import argparse
import calendar
import datetime as dt
import os
import re
from collections import defaultdict
from decimal import Decimal, ROUND_HALF_UP
from fractions import Fraction

import yaml

from compare import PIPELINES, Comparison, exit_with, fmt_den, pct, read_rows, run_info
from inputs import clean, map_header, read_text, sniff

D = dt.date

# ---------------------------------------------------------------- service catalogue (§2.6)
SERVICES = {}  # code -> {'sex', 'age': (unit, min, max), 'result': (kind, unit, min, max)}


def load_services():
    for e in yaml.safe_load(open(PIPELINES / 'services.yaml', encoding='utf-8'))['services']:
        age = e.get('age')
        res = e.get('result')
        if res is None:
            result = None
        elif res['kind'] == 'number':
            result = ('number', res['unit'], Decimal(str(res['min'])), Decimal(str(res['max'])))
        elif res['kind'] == 'score':
            result = ('score', None, int(res['min']), int(res['max']))
        else:
            result = ('bp', None, None, None)
        SERVICES[e['code']] = {'sex': e.get('sex'), 'result': result,
                               'age': (age['unit'], age.get('min'), age.get('max')) if age else None}


# ---------------------------------------------------------------- CSV dialect (§2.1)
def split_line(line, delim):
    """Split one physical line into fields; None when it does not parse (E-PARSE)."""
    fields = []
    i, n = 0, len(line)
    while True:
        if i < n and line[i] == '"':
            i += 1
            buf = []
            while True:
                if i >= n:
                    return None  # unclosed quote
                c = line[i]
                if c == '"':
                    if i + 1 < n and line[i + 1] == '"':
                        buf.append('"')
                        i += 2
                        continue
                    i += 1
                    break
                buf.append(c)
                i += 1
            fields.append(''.join(buf))
            if i >= n:
                return fields
            if line[i] == delim:
                i += 1
                continue
            return None  # text after the closing quote
        j = line.find(delim, i)
        if j < 0:
            fields.append(line[i:])
            return fields
        fields.append(line[i:j])
        i = j + 1


LAYANAN_ALIASES = {
    'record_id': ['id_kunjungan', 'id'], 'visit_date': ['tanggal_kunjungan', 'tanggal', 'tgl_kunjungan', 'tgl_layanan'],
    'person_id': ['nik', 'id_pasien', 'no_identitas'], 'birth_date': ['tanggal_lahir', 'tgl_lahir'],
    'sex': ['jenis_kelamin', 'jk'], 'village_code': ['kode_desa', 'kode_kelurahan'], 'rw': [], 'rt': [],
    'facility_type': ['jenis_fasilitas', 'tempat_layanan'], 'facility_id': ['kode_fasilitas', 'kode_posyandu'],
    'service_code': ['kode_layanan', 'layanan'], 'result': ['hasil', 'nilai'], 'provider': ['nakes', 'pemberi_layanan'],
    'pregnancy_id': ['id_kehamilan'], 'lmp_date': ['hpht'], 'gestational_weeks': ['usia_kehamilan']}
REQUIRED = ['record_id', 'visit_date', 'person_id', 'birth_date', 'sex', 'village_code', 'rw', 'rt',
            'facility_type', 'service_code']


def read_csv_records(path):
    """(header fields, [(line number, fields or None)]) of the non-blank records of a file."""
    text = read_text(path)
    lines = re.split(r'\r\n|\r|\n', text)
    h = 0
    while h < len(lines) and not lines[h].strip():
        h += 1
    delim = sniff(lines[h])
    hdr = split_line(lines[h], delim)
    recs = []
    for k in range(h + 1, len(lines)):
        if not lines[k].strip():
            continue
        f = split_line(lines[k], delim)
        if f is not None and all(not x.strip() for x in f):
            continue
        recs.append((k + 1, f))
    return hdr, recs


# ---------------------------------------------------------------- values (§2.2–§2.5)
def parse_date(s):
    s = s.strip()
    try:
        m = re.match(r'^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T].*)?$', s)
        if m:
            return D(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        m = re.match(r'^(\d{1,2})[-/](\d{1,2})[-/](\d{4})(?:[ T].*)?$', s)
        if m:
            return D(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        return None
    return None


def enum_norm(v):
    return re.sub(r'[ \-]', '_', v.strip().lower())


SEX = {'l': 'L', 'p': 'P', 'm': 'L', 'f': 'P', '1': 'L', '2': 'P', 'laki_laki': 'L', 'perempuan': 'P',
       'pria': 'L', 'wanita': 'P'}
FAC = {x: x for x in ['posyandu', 'pustu', 'puskesmas', 'rumah_sakit', 'klinik', 'rumah', 'lainnya']}
FAC.update({'polindes': 'pustu', 'poskesdes': 'pustu'})
PROV = {x: x for x in ['dokter', 'bidan', 'perawat', 'gizi', 'kader', 'lainnya']}


def norm_label(v):
    v = v.strip()
    if v[:2].lower() in ('rw', 'rt'):
        v = v[2:]
    v = v.strip().strip(' \t.,;:-_/#()[]\'"').strip()
    if not v:
        return ''
    return '%03d' % int(v) if v.isdigit() else v.upper()


def norm_person(v):
    t = re.sub(r'[ .\-]', '', v)
    if t.isdigit():
        return None if len(t) != 16 or len(set(t)) == 1 else t
    return v if re.search(r'[A-Za-z0-9]', v) else None


def age_years(b, v):
    return v.year - b.year - (1 if (v.month, v.day) < (b.month, b.day) else 0)


def age_months(b, v):
    return (v.year - b.year) * 12 + (v.month - b.month) - (1 if v.day < b.day else 0)


def parse_result(code, raw):
    """(parsed value or None, valid); an empty result is (None, True)."""
    spec = SERVICES[code]['result']
    if spec is None or raw == '':
        return None, True
    kind, unit, lo, hi = spec
    s = raw.strip()
    if kind == 'number':
        low = s.lower()
        for c in [unit.lower()] + (['kg/m²'] if unit.lower() == 'kg/m2' else []):
            if low.endswith(c):
                s = s[:len(s) - len(c)].strip()
                break
        if not re.match(r'^\d+([.,]\d+)?$', s):
            return None, False
        val = Decimal(s.replace(',', '.'))
        return (val, True) if lo <= val <= hi else (None, False)
    if kind == 'score':
        if not re.match(r'^\d+$', s):
            return None, False
        v = int(s)
        return (v, True) if lo <= v <= hi else (None, False)
    m = re.match(r'^(\d+)\s*/\s*(\d+)\s*(mmhg)?$', s, re.I)
    return ((int(m.group(1)), int(m.group(2))), True) if m else (None, False)


# ---------------------------------------------------------------- register and sasaran (§2.3, §5.1)
def load_register(data):
    hdr, recs = read_csv_records(os.path.join(data, 'wilayah.csv'))
    h = map_header(hdr, {'village_code': ['kode_desa', 'kode_kelurahan'], 'puskesmas_code': ['kode_puskesmas'],
                         'rw': [], 'rt': [], 'population': ['penduduk', 'jumlah_penduduk']})
    villages, rts = {}, {}
    for _, f in recs:
        def g(k):
            return clean(f[h[k]]) if k in h else ''
        vc = re.sub(r'[ .]', '', g('village_code'))
        villages.setdefault(vc, g('puskesmas_code'))
        pop = g('population')
        rts[(vc, norm_label(g('rw')), norm_label(g('rt')))] = Decimal(pop.replace(',', '.')) if pop else None
    return villages, rts


def load_sasaran(data, year):
    p = os.path.join(data, 'sasaran.csv')
    out = {}
    if not os.path.exists(p):
        return out
    hdr, recs = read_csv_records(p)
    h = map_header(hdr, {'year': ['tahun'], 'village_code': ['kode_desa'], 'rw': [], 'rt': [],
                         'target_group': ['kelompok', 'kelompok_sasaran'], 'count': ['jumlah']})
    for _, f in recs:
        def g(k):
            return clean(f[h[k]]) if k in h else ''
        if int(g('year')) != year:
            continue
        vc = re.sub(r'[ .]', '', g('village_code'))
        rw = norm_label(g('rw')) if g('rw') else ''
        rt = norm_label(g('rt')) if g('rt') else ''
        out[(vc, rw, rt, g('target_group'))] = Decimal(g('count').replace(',', '.'))
    return out


# ---------------------------------------------------------------- ingest and validation (§3)
def ingest(data, today, villages):
    """(accepted records without W-DUPLICATE rows, [(source, line, record_id, rule)] rejects)."""
    files = ['layanan.csv'] if os.path.exists(os.path.join(data, 'layanan.csv')) else []
    ld = os.path.join(data, 'layanan')
    if os.path.isdir(ld):
        files += ['layanan/' + n for n in os.listdir(ld)
                  if n.lower().endswith('.csv') and os.path.isfile(os.path.join(ld, n))]
    files.sort(key=lambda s: s.encode('utf-8'))
    rejects, accepted = [], []
    seen_id, seen_dup = {}, set()
    for rel in files:
        hdr, recs = read_csv_records(os.path.join(data, rel))
        h = map_header(hdr, LAYANAN_ALIASES)
        if any(c not in h for c in REQUIRED):
            rejects.append((rel, 1, '', 'E-COLUMNS'))
            continue
        for ln, f in recs:
            if f is None:
                rejects.append((rel, ln, '', 'E-PARSE'))
                continue
            if len(f) != len(hdr):
                rejects.append((rel, ln, '', 'E-FIELDS'))
                continue
            g = {k: clean(f[h[k]]) if k in h else '' for k in LAYANAN_ALIASES}
            rid = g['record_id']

            def rej(rule):
                rejects.append((rel, ln, rid, rule))
            rw = norm_label(g['rw']) if g['rw'] else ''
            rt = norm_label(g['rt']) if g['rt'] else ''
            if [k for k in REQUIRED if not g[k]] or (g['rw'] and not rw) or (g['rt'] and not rt):
                rej('E-REQUIRED')
                continue
            vd, bd = parse_date(g['visit_date']), parse_date(g['birth_date'])
            if vd is None or bd is None:
                rej('E-DATE')
                continue
            if vd > today:
                rej('E-FUTURE')
                continue
            if vd < bd:
                rej('E-BEFORE-BIRTH')
                continue
            sex = SEX.get(enum_norm(g['sex']))
            if sex is None:
                rej('E-SEX')
                continue
            pid = norm_person(g['person_id'])
            if pid is None:
                rej('E-PERSON')
                continue
            vc = re.sub(r'[ .]', '', g['village_code'])
            if not re.match(r'^\d{10}$', vc) or vc not in villages:
                rej('E-AREA')
                continue
            fac = FAC.get(enum_norm(g['facility_type']))
            if fac is None:
                rej('E-FACILITY')
                continue
            svc = enum_norm(g['service_code']).upper()
            if svc not in SERVICES:
                rej('E-SERVICE')
                continue
            sv = SERVICES[svc]
            if sv['sex'] and sv['sex'] != sex:
                rej('E-ELIGIBILITY')
                continue
            if sv['age']:
                unit, lo, hi = sv['age']
                a = (vd - bd).days if unit == 'days' else age_months(bd, vd) if unit == 'months' else age_years(bd, vd)
                if (lo is not None and a < lo) or (hi is not None and a > hi):
                    rej('E-ELIGIBILITY')
                    continue
            prov = PROV.get(enum_norm(g['provider']), 'lainnya') if g['provider'] else ''
            res, rok = parse_result(svc, g['result'])
            lmp, gw = None, None
            if g['lmp_date']:
                lp = parse_date(g['lmp_date'])
                if lp is not None and lp <= vd and (vd - lp).days // 7 <= 45:
                    lmp = lp
            if lmp is None and re.match(r'^\d+$', g['gestational_weeks']) and int(g['gestational_weeks']) <= 45:
                gw = int(g['gestational_weeks'])
            content = (vd, pid, bd, sex, vc, rw, rt, fac, g['facility_id'], svc, res if rok else g['result'], prov,
                       g['pregnancy_id'], g['lmp_date'], g['gestational_weeks'])
            if rid in seen_id and seen_id[rid] != content:
                rej('E-DUPLICATE-ID')
                continue
            seen_id.setdefault(rid, content)
            dkey = (pid, vd, svc, g['facility_id'], res if (rok and res is not None) else g['result'])
            if dkey in seen_dup:
                continue  # W-DUPLICATE: accepted, not used
            seen_dup.add(dkey)
            accepted.append(dict(rid=rid, vd=vd, pid=pid, bd=bd, vc=vc, rw=rw, rt=rt, fac=fac, svc=svc, res=res,
                                 prov=prov, pregid=g['pregnancy_id'], lmp=lmp, gw=gw))
    return accepted, rejects


# ---------------------------------------------------------------- subjects (§4.2–§4.4)
def rkey(r):
    return (r['vd'], r['rid'].encode('utf-8'))


def area(r):
    return (r['vc'], r['rw'], r['rt'])


def own_lmp(r):
    if r['lmp'] is not None:
        return r['lmp']
    if r['gw'] is not None:
        return r['vd'] - dt.timedelta(days=7 * r['gw'])
    return None


def anchor(recs):
    ls = [own_lmp(r) for r in recs if own_lmp(r) is not None]
    return min(ls) if ls else None


def build_episodes(ancs):
    """§4.2: the ANC records of one person grouped into pregnancies (lists of records)."""
    byid = defaultdict(list)
    for r in ancs:
        if r['pregid']:
            byid[r['pregid']].append(r)
    eps = [dict(recs=v) for _, v in sorted(byid.items())]
    # step 2: records with their own LMP join a step-1 episode within 42 days of its anchor, else cluster
    s1anch = [anchor(e['recs']) for e in eps]
    rest = []
    for r in ancs:
        lmp = own_lmp(r)
        if r['pregid'] or lmp is None:
            continue
        best = None
        for i, a in enumerate(s1anch):
            if a is not None and abs((lmp - a).days) <= 42 and (best is None or a > s1anch[best]):
                best = i
        if best is None:
            rest.append(r)
        else:
            eps[best]['recs'].append(r)
    rest.sort(key=lambda r: (own_lmp(r), r['vd'], r['rid'].encode()))
    clusters = []
    for r in rest:
        if clusters and (own_lmp(r) - clusters[-1]['first']).days <= 42:
            clusters[-1]['recs'].append(r)
        else:
            clusters.append(dict(recs=[r], first=own_lmp(r)))
    eps += clusters
    # step 3: records without an LMP join the latest episode whose reference date is ≤ 300 days before
    refs = [anchor(e['recs']) or min(r['vd'] for r in e['recs']) for e in eps]
    left = []
    for r in sorted((r for r in ancs if not r['pregid'] and own_lmp(r) is None), key=rkey):
        best = None
        for i, ref in enumerate(refs):
            if ref <= r['vd'] <= ref + dt.timedelta(days=300) and (best is None or ref > refs[best]):
                best = i
        if best is None:
            left.append(r)
        else:
            eps[best]['recs'].append(r)
    cur = None
    for r in left:
        if cur is not None and (r['vd'] - cur['first']).days <= 300:
            cur['recs'].append(r)
        else:
            cur = dict(recs=[r], first=r['vd'])
            eps.append(cur)
    for e in eps:
        e['anchor'] = anchor(e['recs'])
        e['recs'].sort(key=rkey)
    return eps


def trimester(r, ep):
    lmp = own_lmp(r) or ep['anchor']
    if lmp is None or (r['vd'] - lmp).days < 0:
        return None
    w = (r['vd'] - lmp).days // 7
    return None if w > 45 else 1 if w <= 12 else 2 if w <= 24 else 3


def visits(ep):
    byd = defaultdict(list)
    for r in ep['recs']:
        byd[r['vd']].append(r)
    out = []
    for d in sorted(byd):
        rs = sorted(byd[d], key=lambda r: r['rid'].encode())
        tm = next((t for t in (trimester(r, ep) for r in rs) if t is not None), None)
        out.append(dict(date=d, tm=tm, doc=any(r['prov'] == 'dokter' for r in rs), first=rs[0]))
    return out


def visits_rule(vs, mins, doc):
    c = {1: 0, 2: 0, 3: 0}
    dc = {1: 0, 2: 0, 3: 0}
    for v in vs:
        if v['tm']:
            c[v['tm']] += 1
            if v['doc']:
                dc[v['tm']] += 1
        if all(c[t] >= mins.get(t, 0) and dc[t] >= doc.get(t, 0) for t in (1, 2, 3)):
            return (v['date'], area(v['first']))
    return None


def first_of(recs, pred):
    q = sorted((r for r in recs if pred(r)), key=rkey)
    return (q[0]['vd'], area(q[0])) if q else None


VISIT_RULES = [('K2', {1: 1, 2: 1}, {}), ('K3', {1: 1, 2: 2}, {}), ('K4', {1: 1, 2: 1, 3: 2}, {}),
               ('K5', {1: 1, 2: 2, 3: 2}, {}), ('K6', {1: 1, 2: 2, 3: 3}, {1: 1, 3: 1})]
FACILITIES = ('puskesmas', 'pustu', 'rumah_sakit', 'klinik')


def compute(recs, cutoff):
    """{indicator: [(attainment date, (village, rw, rt))]} over the records up to cutoff.
    'ANEMIA_BUMIL#den' / 'KEK_BUMIL#den' hold the measured denominators' subjects."""
    byp = defaultdict(list)
    for r in recs:
        if r['vd'] <= cutoff:
            byp[r['pid']].append(r)
    att = defaultdict(list)
    for rs in byp.values():
        rs.sort(key=rkey)
        # newborn visits: each record's own birth_date
        kn = [r for r in rs if r['svc'] == 'KN']
        if kn:
            items = []
            for i, (lo, hi) in enumerate([(0, 2), (3, 7), (8, 28)]):
                x = first_of(kn, lambda r, lo=lo, hi=hi: lo <= (r['vd'] - r['bd']).days <= hi)
                if x:
                    att['KN%d' % (i + 1)].append(x)
                items.append(x)
            if all(items):
                att['KN_LENGKAP'].append(max(items, key=lambda x: x[0]))
        # pregnancies
        ancs = [r for r in rs if r['svc'] == 'ANC']
        if ancs:
            eps = build_episodes(ancs)
            for ep in eps:
                ep['span'] = ((ep['anchor'], ep['anchor'] + dt.timedelta(days=294)) if ep['anchor'] is not None
                              else (ep['recs'][0]['vd'], ep['recs'][-1]['vd'] + dt.timedelta(days=28)))
                ep['other'] = []
            for r in rs:
                if r['svc'] in ('HB', 'LILA', 'TTD_BUMIL', 'RISTI_NAKES'):
                    cand = [e for e in eps if e['span'][0] <= r['vd'] <= e['span'][1]]
                    if cand:
                        max(cand, key=lambda e: e['span'][0])['other'].append(r)
            for ep in eps:
                vs = visits(ep)
                att['K1'].append((vs[0]['date'], area(vs[0]['first'])))
                if vs[0]['tm'] == 1:
                    att['K1_MURNI'].append((vs[0]['date'], area(vs[0]['first'])))
                for ind, mins, doc in VISIT_RULES:
                    x = visits_rule(vs, mins, doc)
                    if x:
                        att[ind].append(x)
                oth = sorted(ep['other'], key=rkey)
                for ind, svc, thr in [('ANEMIA_BUMIL', 'HB', Decimal(11)), ('KEK_BUMIL', 'LILA', Decimal('23.5'))]:
                    x = first_of(oth, lambda r: r['svc'] == svc and r['res'] is not None and r['res'] < thr)
                    if x:
                        att[ind].append(x)
                    # denominator: {records: {services: [svc], result_any: [{result: "> 0"}]}}
                    x = first_of(oth, lambda r: r['svc'] == svc and r['res'] is not None and r['res'] > 0)
                    if x:
                        att[ind + '#den'].append(x)
                tot = 0
                for r in oth:
                    if r['svc'] == 'TTD_BUMIL':
                        tot += r['res'] or 0
                        if tot >= 90:
                            att['TTD_BUMIL90'].append((r['vd'], area(r)))
                            break
                x = first_of(oth, lambda r: r['svc'] == 'RISTI_NAKES' and r['prov'] in ('dokter', 'bidan', 'perawat'))
                if x:
                    att['DETEKSI_RISTI_NAKES'].append(x)
        # deliveries (§4.3)
        dels = []
        for r in rs:
            if r['svc'] == 'PERSALINAN':
                if dels and (r['vd'] - dels[-1]['date']).days <= 180:
                    dels[-1]['recs'].append(r)
                else:
                    dels.append(dict(date=r['vd'], recs=[r], nifas=[]))
        for r in rs:
            if r['svc'] == 'NIFAS':
                cand = [d for d in dels if d['date'] <= r['vd'] and (r['vd'] - d['date']).days <= 42]
                if cand:
                    max(cand, key=lambda d: d['date'])['nifas'].append(r)
        for d in dels:
            nakes = [r for r in d['recs'] if r['prov'] in ('dokter', 'bidan')]
            q = sorted((r for r in nakes if r['fac'] in FACILITIES), key=rkey)
            if q:
                att['PF'].append((d['date'], area(q[0])))
            q = sorted(nakes, key=rkey)
            if q:
                att['PF_NAKES'].append((d['date'], area(q[0])))
            items = []
            for i, (lo, hi) in enumerate([(0, 2), (3, 7), (8, 28), (29, 42)]):
                x = first_of(d['nifas'], lambda r, lo=lo, hi=hi: lo <= (r['vd'] - d['date']).days <= hi)
                if x:
                    att['KF%d' % (i + 1)].append(x)
                items.append(x)
            if all(items):
                att['KF_LENGKAP'].append(max(items, key=lambda x: x[0]))
    return att


# ---------------------------------------------------------------- indicators.csv (§5, §6)
INDICATORS = {  # id: (denominator group, or 'measured', annual target)
    'K1': ('bumil', 100), 'K1_MURNI': ('bumil', 90), 'K2': ('bumil', 95), 'K3': ('bumil', 95), 'K4': ('bumil', 95),
    'K5': ('bumil', 90), 'K6': ('bumil', 90), 'ANEMIA_BUMIL': ('measured', 20), 'KEK_BUMIL': ('measured', 10),
    'TTD_BUMIL90': ('bumil', 90), 'DETEKSI_RISTI_NAKES': ('bumil', 100), 'PF': ('bulin', 95),
    'PF_NAKES': ('bulin', 95), 'KF1': ('bulin', 90), 'KF2': ('bulin', 90), 'KF3': ('bulin', 90),
    'KF4': ('bulin', 90), 'KF_LENGKAP': ('bulin', 90), 'KN1': ('bayi_lahir_hidup', 95),
    'KN2': ('bayi_lahir_hidup', 90), 'KN3': ('bayi_lahir_hidup', 90), 'KN_LENGKAP': ('bayi_lahir_hidup', 90)}
ESTIMATE = {'bumil': Decimal('1.10') * 16 / 1000, 'bulin': Decimal('1.05') * 16 / 1000,
            'bayi_lahir_hidup': Decimal(16) / 1000}
COLUMNS = ['numerator_month', 'numerator_cumulative', 'denominator', 'denominator_source', 'coverage_month_pct',
           'coverage_cumulative_pct', 'coverage_prev_month_pct', 'target_annual_pct', 'target_pct', 'gap_pct',
           'trend', 'status']


def chain(villages, vc, rw, rt):
    return [('kabkota', vc[:4]), ('kecamatan', vc[:6]), ('puskesmas', villages[vc]), ('desa', vc),
            ('rw', vc + '-' + rw), ('rt', vc + '-' + rw + '-' + rt)]


class Denominators:
    """§5.1 with §A1: an area's sasaran, else the sum over its registered children when they all
    have one, else the estimate from the RT populations beneath it (rounded half up)."""

    def __init__(self, villages, rts, sas):
        self.villages, self.sas = villages, sas
        self.children, self.pop = defaultdict(set), defaultdict(list)
        for (vc, rw, rt), p in rts.items():
            kab, kec, pkm, desa, rwa, rta = chain(villages, vc, rw, rt)
            for parent, child in [(kab, kec), (kec, desa), (pkm, desa), (desa, rwa), (rwa, rta)]:
                self.children[parent].add(child)
            for a in (kab, kec, pkm, desa, rwa, rta):
                self.pop[a].append(p)
        self.memo = {}

    def get(self, a, group):
        if (a, group) not in self.memo:
            self.memo[(a, group)] = self._compute(a, group)
        return self.memo[(a, group)]

    def _compute(self, a, group):
        level, code = a
        key = {'desa': lambda: (code, '', ''), 'rw': lambda: tuple(code.split('-')) + ('',),
               'rt': lambda: tuple(code.split('-'))}.get(level, lambda: None)()
        if key and key + (group,) in self.sas:
            return Fraction(self.sas[key + (group,)]), 'sasaran'
        if self.children.get(a):
            vals = [self.get(c, group) for c in self.children[a]]
            if all(v[0] is not None for v in vals):
                return sum(v[0] for v in vals), 'sum'
        pops = self.pop.get(a)
        if pops and all(p is not None for p in pops):
            return Fraction((ESTIMATE[group] * sum(pops)).quantize(Decimal(1), ROUND_HALF_UP)), 'estimate'
        return None, ''


def trend(cur, prev):
    return 'naik' if cur > prev else 'turun' if cur < prev else 'tetap'


def status(cov, tgt, tr, lower):
    if cov is None or tr == '':
        return ''
    ok = cov <= tgt if lower else cov >= tgt
    good = tr in (('turun', 'tetap') if lower else ('naik', 'tetap'))
    return {(True, True): 'baik', (True, False): 'kurang', (False, True): 'cukup', (False, False): 'jelek'}[(ok, good)]


def expected_rows(data, today, year, asof):
    load_services()
    villages, rts = load_register(data)
    sas = load_sasaran(data, year)
    acc, rejects = ingest(data, today, villages)
    att = compute(acc, D(year, asof, calendar.monthrange(year, asof)[1]))
    prev = compute(acc, D(year - 1, 12, 31))
    areas = set()
    for (vc, rw, rt) in rts:
        areas.update(chain(villages, vc, rw, rt))
    for r in acc:  # unregistered RT/RW (W-AREA) with a record in the reporting period
        if r['vd'].year == year and r['vd'].month <= asof:
            areas.update(chain(villages, r['vc'], r['rw'], r['rt']))
    dens = Denominators(villages, rts, sas)

    def counts(lst, yr, months):
        c = defaultdict(int)
        for d, (vc, rw, rt) in lst:
            if d.year == yr and d.month in months:
                for a in chain(villages, vc, rw, rt):
                    c[(a, d.month)] += 1
        return c

    rows = {}
    for ind, (group, target) in INDICATORS.items():
        cm, cp = counts(att[ind], year, range(1, asof + 1)), counts(prev[ind], year - 1, [12])
        measured = group == 'measured'
        if measured:
            dm = counts(att[ind + '#den'], year, range(1, asof + 1))
            dp = counts(prev[ind + '#den'], year - 1, [12])
        tgt = Fraction(target)
        for a in areas:
            cum = dcum = 0
            for m in range(1, asof + 1):
                n = cm[(a, m)]
                cum += n
                np_ = cm[(a, m - 1)] if m > 1 else cp[(a, 12)]
                if measured:  # lower is better, over the month's own tested pregnancies
                    dmon = dm[(a, m)]
                    dcum += dmon
                    dpr = dm[(a, m - 1)] if m > 1 else dp[(a, 12)]
                    dv, src = Fraction(dcum), 'measured'
                    covm = Fraction(100 * n, dmon) if dmon else None
                    covc = Fraction(100 * cum, dcum) if dcum else None
                    covp = Fraction(100 * np_, dpr) if dpr else None
                    tr = trend(covm, covp if covp is not None else 0) if covm is not None else ''
                    tpct, lower = tgt, True
                else:
                    dv, src = dens.get(a, group)
                    if dv is not None and ind == 'DETEKSI_RISTI_NAKES':
                        dv = dv / 5  # {group: bumil, percent: 20}
                    covm = 100 * n / dv if dv else None
                    covc = 100 * cum / dv if dv else None
                    covp = 100 * np_ / dv if dv else None
                    tr = trend(n, np_)
                    tpct, lower = tgt * m / 12, False
                rows[(year, m, a[0], a[1], ind)] = dict(
                    numerator_month=str(n), numerator_cumulative=str(cum), denominator=fmt_den(dv),
                    denominator_source=src, coverage_month_pct=pct(covm), coverage_cumulative_pct=pct(covc),
                    coverage_prev_month_pct=pct(covp), target_annual_pct=pct(tgt), target_pct=pct(tpct),
                    gap_pct='' if covc is None else pct(covc - tpct), trend=tr,
                    status=status(covc, tpct, tr, lower))
    return rows, rejects


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('data')
    ap.add_argument('month_dir')
    a = ap.parse_args()
    today, year, asof = run_info(a.month_dir)
    rows, rejects = expected_rows(a.data, today, year, asof)
    ind = Comparison('maternal', '%d indicators' % len(INDICATORS))
    published = {(int(r['year']), int(r['month']), r['level'], r['area_code'], r['indicator']):
                 {c: r[c] for c in COLUMNS}
                 for r in read_rows(os.path.join(a.month_dir, 'indicators.csv')) if r['indicator'] in INDICATORS}
    ind.compare('indicators.csv', rows, published)
    rej = Comparison('maternal-rejects', 'own validation')
    rej.compare('rejects.csv', {(s, l): {'rule': rule} for s, l, _, rule in rejects},
                {(r['source'], int(r['line'])): {'rule': r['rule']}
                 for r in read_rows(os.path.join(a.month_dir, 'rejects.csv'))})
    exit_with(ind, rej)


if __name__ == '__main__':
    main()
