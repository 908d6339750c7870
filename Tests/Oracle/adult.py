#!/usr/bin/env python3
"""Oracle for the 7 adolescent/adult indicators, every group denominator at every level, and spm.csv.

Re-implements, independently of pws:
- reading of wilayah.csv, sasaran.csv and layanan/*.csv (§2.1–§2.5: delimiter sniffing, header
  aliases, trimming and the `'` marker, both date orders, NIK normalisation, RW/RT labels, sex
  and facility aliases, units on results, SYS/DIA ranges, decimal sasaran and populations); the
  rows pws rejected (rejects.csv) and its W-DUPLICATE rows (warnings.csv) are taken as given;
- SKRINING_REMAJA, TTD_REMAJA_PUTRI, SPM_USIA_PRODUKTIF, SKRINING_PTM_DEWASA, SPM_LANSIA,
  SKRINING_TB, HIPERTENSI (year scope, first/each_of with §4.4 ties) and their §6 columns;
- §5.1 denominators as amended by §A1 (sasaran → sum of registered children → estimate → none,
  exact fractions, estimation.round) for every indicator of pipelines/indicators.yaml with a
  group denominator, at every level including RW and RT;
- the 12 SPM services per quarter and year-to-date (§A5, pipelines/spm.yaml, docs/spm.md),
  including §4.2 pregnancy episodes (SPM01), delivery clustering (SPM02), `counts` (SPM04) and
  `monthly_all` (SPM08/SPM09).

Sources: pws-spec.md §2–§6, amendments-2.md §A1/§A5, pipelines/*.yaml, docs/indicators.md,
docs/spm.md. It must never be derived from Sources/ (it is an independent second reading).

usage: adult.py DATA PWS_MONTH_DIR     (PWS_MONTH_DIR: pws's OUT/YYYY-MM of a run on DATA)
"""
import argparse
import csv
import datetime as dt
import os
import re
from collections import defaultdict
from fractions import Fraction as F

import yaml

from compare import PIPELINES, Comparison, exit_with, fmt_den, pct, read_rows, run_info
from inputs import clean, map_header, read_text, sniff


# ---------------------------------------------------------------- CSV dialect (§2.1)


def read_table(path, aliases):
    """Yield (line number, {canonical: value}, field count matches the header)."""
    lines = re.split(r'\r\n|\n|\r', read_text(path))
    d = sniff(lines[0])
    hdr = next(csv.reader([lines[0]], delimiter=d))
    colmap = map_header(hdr, aliases)
    for i, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        row = next(csv.reader([line], delimiter=d))
        if all(not clean(x) for x in row):
            continue
        yield i, {c: (clean(row[j]) if j < len(row) else '') for c, j in colmap.items()}, len(row) == len(hdr)


def norm_code(v):
    return re.sub(r'[ .]', '', v)


def norm_label(v, kind):
    s = v.strip()
    if s.upper().startswith(kind):
        s = s[2:]
    s = re.sub(r'^[\s\W_]+|[\s\W_]+$', '', s)
    return '%03d' % int(s) if s.isdigit() else s.upper()


DATE1 = re.compile(r'^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T].*)?$')
DATE2 = re.compile(r'^(\d{1,2})[-/](\d{1,2})[-/](\d{4})(?:[ T].*)?$')


def pdate(v):
    try:
        m = DATE1.match(v)
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        m = DATE2.match(v)
        if m:
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        return None
    return None


def pdec(v):
    return F(v.strip().replace(',', '.'))


# ---------------------------------------------------------------- register, sasaran, denominators (§5.1, §A1)
W_AL = {'village_code': ['kode_desa', 'kode_kelurahan'], 'puskesmas_code': ['kode_puskesmas'], 'rw': [], 'rt': [],
        'population': ['penduduk', 'jumlah_penduduk']}
S_AL = {'year': ['tahun'], 'village_code': ['kode_desa'], 'rw': [], 'rt': [],
        'target_group': ['kelompok', 'kelompok_sasaran'], 'count': ['jumlah']}
CBR = F(16, 1000)
SHARES = {'bumil': F(110, 100) * CBR, 'bulin': F(105, 100) * CBR, 'bayi_lahir_hidup': CBR, 'bayi': CBR,
          'balita': F('0.08'), 'baduta': F('0.016'), 'remaja': F('0.15'), 'remaja_putri': F('0.055'),
          'usia_produktif': F('0.66'), 'dewasa': F('0.60'), 'lansia': F('0.11'), 'penduduk': F(1),
          'usia_pendidikan_dasar': F('0.15'), 'penderita_hipertensi': F('0.12'), 'penderita_dm': F('0.04'),
          'odgj_berat': F('0.002'), 'terduga_tb': F('0.007'), 'risiko_hiv': F('0.025')}


class Area:
    """The register (wilayah.csv), sasaran.csv and the denominators derived from them."""

    def __init__(self, data, year):
        self.villages = {}                 # code -> {'pkm', 'kec', 'kab'}
        self.rts = {}                      # (village, rw, rt) -> population or None
        self.rws = defaultdict(list)       # (village, rw) -> [rt]
        self.vil_rws = defaultdict(list)   # village -> [rw]
        for _, r, _ in read_table(os.path.join(data, 'wilayah.csv'), W_AL):
            v = norm_code(r['village_code'])
            self.villages.setdefault(v, dict(pkm=r['puskesmas_code'], kec=v[:6], kab=v[:4]))
            rw, rt = norm_label(r['rw'], 'RW'), norm_label(r['rt'], 'RT')
            self.rts[(v, rw, rt)] = pdec(r['population']) if r.get('population') else None
            if (v, rw) not in self.rws:
                self.vil_rws[v].append(rw)
            self.rws[(v, rw)].append(rt)
        self.sasaran = {}
        sp = os.path.join(data, 'sasaran.csv')
        if os.path.exists(sp):
            for _, r, _ in read_table(sp, S_AL):
                if int(r['year']) == year:
                    rw = norm_label(r['rw'], 'RW') if r.get('rw') else ''
                    rt = norm_label(r['rt'], 'RT') if r.get('rt') else ''
                    self.sasaran[(r['target_group'].strip().lower(), norm_code(r['village_code']), rw, rt)] = \
                        pdec(r['count'])
        self.round = yaml.safe_load(open(PIPELINES / 'default.yaml', encoding='utf-8'))['estimation']['round']
        self.cache = {}

    def keys(self, a):
        """The areas a record at (village, rw, rt) counts in."""
        v, rw, rt = a
        i = self.villages[v]
        return [('rt', f'{v}-{rw}-{rt}'), ('rw', f'{v}-{rw}'), ('desa', v), ('puskesmas', i['pkm']),
                ('kecamatan', i['kec']), ('kabkota', i['kab'])]

    def estimate(self, g, pops):
        if not pops or any(p is None for p in pops):
            return None
        e = SHARES[g] * sum(pops)
        return F(int((e * 2 + 1) // 2)) if self.round else e

    def denominators(self, g):
        """{(level, code): (value or None, source)} for target group g."""
        if g in self.cache:
            return self.cache[g]
        D = {}
        sas = self.sasaran

        def choose(key, s, children, pops):
            if s is not None:
                D[key] = (s, 'sasaran')
            elif children is not None and all(c is not None for c in children):
                D[key] = (sum(children), 'sum')
            else:
                e = self.estimate(g, pops)
                D[key] = (e, 'estimate') if e is not None else (None, '')
        for (v, rw, rt), pop in self.rts.items():
            choose(('rt', f'{v}-{rw}-{rt}'), sas.get((g, v, rw, rt)), None, [pop])
        for (v, rw), rtl in self.rws.items():
            choose(('rw', f'{v}-{rw}'), sas.get((g, v, rw, '')), [D[('rt', f'{v}-{rw}-{rt}')][0] for rt in rtl],
                   [self.rts[(v, rw, rt)] for rt in rtl])
        for v in self.villages:
            choose(('desa', v), sas.get((g, v, '', '')), [D[('rw', f'{v}-{rw}')][0] for rw in self.vil_rws[v]],
                   [p for (vv, _, _), p in self.rts.items() if vv == v])
        for level, key in [('puskesmas', 'pkm'), ('kecamatan', 'kec')]:
            groups = defaultdict(list)
            for v, info in self.villages.items():
                groups[info[key]].append(v)
            for code, vs in groups.items():
                choose((level, code), None, [D[('desa', v)][0] for v in vs],
                       [p for (vv, _, _), p in self.rts.items() if vv in vs])
        kecs = defaultdict(set)
        for info in self.villages.values():
            kecs[info['kab']].add(info['kec'])
        for kab, ks in kecs.items():
            choose(('kabkota', kab), None, [D[('kecamatan', k)][0] for k in ks],
                   [p for (vv, _, _), p in self.rts.items() if vv[:4] == kab])
        self.cache[g] = D
        return D


# ---------------------------------------------------------------- records
L_AL = {'record_id': ['id_kunjungan', 'id'], 'visit_date': ['tanggal_kunjungan', 'tanggal', 'tgl_kunjungan', 'tgl_layanan'],
        'person_id': ['nik', 'id_pasien', 'no_identitas'], 'birth_date': ['tanggal_lahir', 'tgl_lahir'],
        'sex': ['jenis_kelamin', 'jk'], 'village_code': ['kode_desa', 'kode_kelurahan'], 'rw': [], 'rt': [],
        'facility_type': ['jenis_fasilitas', 'tempat_layanan'], 'facility_id': ['kode_fasilitas', 'kode_posyandu'],
        'service_code': ['kode_layanan', 'layanan'], 'result': ['hasil', 'nilai'],
        'provider': ['nakes', 'pemberi_layanan'], 'pregnancy_id': ['id_kehamilan'], 'lmp_date': ['hpht'],
        'gestational_weeks': ['usia_kehamilan']}
SEX = {'l': 'L', 'p': 'P', 'm': 'L', 'f': 'P', '1': 'L', '2': 'P', 'laki_laki': 'L', 'perempuan': 'P',
       'pria': 'L', 'wanita': 'P'}
PROV = {'dokter', 'bidan', 'perawat', 'gizi', 'kader', 'lainnya'}
FAC_AL = {'polindes': 'pustu', 'poskesdes': 'pustu'}
FACS = ('puskesmas', 'pustu', 'rumah_sakit', 'klinik')
UNITS = ['kg/m2', 'g/dl', 'mg/dl', 'mmhg', 'kg', 'cm', 'tablet']


def enorm(v):
    return re.sub(r'[ \-]', '_', v.strip().lower())


def bp(v):
    lv = v.strip()
    for u in UNITS:
        if lv.lower().endswith(u):
            lv = lv[:len(lv) - len(u)].strip()
            break
    m = re.match(r'^(\d+)\s*/\s*(\d+)$', lv)
    if not m:
        return None
    s, d = int(m[1]), int(m[2])
    return (s, d) if s > d and 50 <= s <= 300 and 30 <= d <= 200 else None


def norm_person(v):
    digits = re.sub(r'[ .\-]', '', v)
    return digits if digits.isdigit() else v


def age_years(b, v):
    return v.year - b.year - (1 if (v.month, v.day) < (b.month, b.day) else 0)


def age_months(b, v):
    return (v.year - b.year) * 12 + (v.month - b.month) - (1 if v.day < b.day else 0)


def load_records(data, month_dir):
    skip = {(r['source'], int(r['line'])) for r in read_rows(os.path.join(month_dir, 'rejects.csv'))}
    skip |= {(r['source'], int(r['line'])) for r in read_rows(os.path.join(month_dir, 'warnings.csv'))
             if r['rule'] == 'W-DUPLICATE'}
    files = ['layanan.csv'] if os.path.exists(os.path.join(data, 'layanan.csv')) else []
    ld = os.path.join(data, 'layanan')
    if os.path.isdir(ld):
        files += ['layanan/' + f for f in os.listdir(ld) if f.lower().endswith('.csv')]
    files.sort(key=lambda s: s.encode())
    recs = []
    for src in files:
        for ln, r, ok in read_table(os.path.join(data, src), L_AL):
            if (src, ln) in skip or not ok:
                continue
            vd, bd = pdate(r['visit_date']), pdate(r['birth_date'])
            prov = enorm(r.get('provider', ''))
            fac = enorm(r['facility_type'])
            recs.append(dict(rid=r['record_id'], vd=vd, bd=bd, pid=norm_person(r['person_id']), sex=SEX.get(enorm(r['sex'])),
                area=(norm_code(r['village_code']), norm_label(r['rw'], 'RW'), norm_label(r['rt'], 'RT')),
                fac=FAC_AL.get(fac, fac), svc=enorm(r['service_code']).upper(), res=r.get('result', ''),
                prov=prov if prov in PROV else 'lainnya', ay=age_years(bd, vd), am=age_months(bd, vd),
                ad=(vd - bd).days, preg=r.get('pregnancy_id', ''), lmp=r.get('lmp_date', ''),
                gw=r.get('gestational_weeks', '')))
    recs.sort(key=lambda r: (r['vd'], r['rid'].encode()))
    byp = defaultdict(list)
    for r in recs:
        byp[r['pid']].append(r)
    return recs, byp


# ---------------------------------------------------------------- person rules (§4.4)
def IN(a, lo, hi):
    return a >= lo and (hi is None or a <= hi)


def smallest_on_last_date(firsts):
    mx = max(f['vd'] for f in firsts)
    return min((f for f in firsts if f['vd'] == mx), key=lambda f: f['rid'].encode())


class Rules:
    def __init__(self, byp, year, asof):
        self.byp, self.year, self.asof = byp, year, asof
        end = dt.date(year + asof // 12, asof % 12 + 1, 1)
        self.asof_end = end - dt.timedelta(days=1)

    def first(self, pred, year):
        out = {}
        for p, rs in self.byp.items():
            r = next((r for r in rs if r['vd'].year == year and pred(r)), None)
            if r is not None:
                out[p] = r
        return out

    def each_of(self, items, common, year):
        """The earliest record of each item; met on the latest of them (ties: smallest record_id)."""
        out = {}
        for p, rs in self.byp.items():
            firsts = [next((r for r in rs if r['vd'].year == year and common(r) and it(r)), None) for it in items]
            if all(f is not None for f in firsts):
                out[p] = smallest_on_last_date(firsts)
        return out

    def monthly_all(self, pred):
        """A record in every month from the first one to the as-of month (docs/spm.md)."""
        out = {}
        for p, rs in self.byp.items():
            q = [r for r in rs if r['vd'].year == self.year and r['vd'].month <= self.asof and pred(r)]
            if q and all(m in {r['vd'].month for r in q} for m in range(q[0]['vd'].month, self.asof + 1)):
                out[p] = q[0]
        return out

    def counts(self):
        """SPM04: TIMBANG in 8 months, UKUR_TB and SDIDTK in 2, VITA in 2 when 6–59 months on 1 January."""
        out = {}
        items = [('TIMBANG', 8, None), ('UKUR_TB', 2, None), ('SDIDTK', 2, None), ('VITA', 2, (6, 59))]
        for p, rs in self.byp.items():
            q = [r for r in rs if r['vd'].year == self.year and IN(r['am'], 0, 59)]
            if not q:
                continue
            jan1 = age_months(q[0]['bd'], dt.date(self.year, 1, 1))
            att, asked = [], 0
            for svc, need, when in items:
                if when is not None and not IN(jan1, *when):
                    continue
                asked += 1
                firstrec = {}
                for r in q:
                    if r['svc'] == svc:
                        firstrec.setdefault(r['vd'].month, r)
                if len(firstrec) < need:
                    break
                att.append(list(firstrec.values())[need - 1])
            else:
                if asked:
                    out[p] = smallest_on_last_date(att)
        return out

    def live(self, r):
        return r['vd'] <= self.asof_end

    def kn(self):
        out = {}
        for p, rs in self.byp.items():
            firsts = [next((r for r in rs if self.live(r) and r['svc'] == 'KN' and lo <= r['ad'] <= hi), None)
                      for lo, hi in [(0, 2), (3, 7), (8, 28)]]
            if all(f is not None for f in firsts):
                out[p] = smallest_on_last_date(firsts)
        return out

    def pf(self):
        """SPM02: a delivery (§4.3 cluster) with a facility record by dokter/bidan, on the delivery date."""
        out = {}
        for p, rs in self.byp.items():
            clusters = []
            for r in rs:
                if self.live(r) and r['svc'] == 'PERSALINAN':
                    if clusters and (r['vd'] - clusters[-1][0]['vd']).days <= 180:
                        clusters[-1].append(r)
                    else:
                        clusters.append([r])
            for i, cl in enumerate(clusters):
                q = [r for r in cl if r['fac'] in FACS and r['prov'] in ('dokter', 'bidan')]
                if q:
                    out[(p, i)] = dict(q[0], vd=cl[0]['vd'])
        return out

    @staticmethod
    def rec_lmp(r):
        lmp = pdate(r['lmp']) if r['lmp'] else None
        if lmp is not None and 0 <= (r['vd'] - lmp).days and (r['vd'] - lmp).days // 7 <= 45:
            return lmp
        if re.fullmatch(r'\d+', r['gw']) and int(r['gw']) <= 45:
            return r['vd'] - dt.timedelta(days=7 * int(r['gw']))
        return None

    def pregnancies(self):
        """§4.2 episodes (steps 1–3) of each person's ANC records."""
        for p, rs in self.byp.items():
            anc = [r for r in rs if self.live(r) and r['svc'] == 'ANC']
            if not anc:
                continue
            lmp = {id(r): self.rec_lmp(r) for r in anc}
            eps = []
            s1 = defaultdict(list)
            for r in anc:
                if r['preg']:
                    s1[r['preg']].append(r)
            for recs in s1.values():
                lm = [lmp[id(r)] for r in recs if lmp[id(r)]]
                eps.append({'recs': recs, 'anchor': min(lm) if lm else None})
            left = []
            for r in anc:
                if r['preg'] or not lmp[id(r)]:
                    continue
                c = [e for e in eps if e['anchor'] and abs((lmp[id(r)] - e['anchor']).days) <= 42]
                if c:
                    max(c, key=lambda e: e['anchor'])['recs'].append(r)
                else:
                    left.append(r)
            left.sort(key=lambda r: (lmp[id(r)], r['vd'], r['rid'].encode()))
            cur = None
            for r in left:
                if cur is None or (lmp[id(r)] - cur['first_lmp']).days > 42:
                    cur = {'recs': [r], 'first_lmp': lmp[id(r)]}
                    eps.append(cur)
                else:
                    cur['recs'].append(r)
            for e in eps:
                lm = [lmp[id(r)] for r in e['recs'] if lmp[id(r)]]
                e['anchor'] = min(lm) if lm else None
            base = list(eps)
            left = []
            for r in sorted((r for r in anc if not r['preg'] and not lmp[id(r)]),
                            key=lambda r: (r['vd'], r['rid'].encode())):
                best = None
                for e in base:
                    ref = e['anchor'] or min(x['vd'] for x in e['recs'])
                    if ref <= r['vd'] <= ref + dt.timedelta(days=300) and (best is None or ref > best[0]):
                        best = (ref, e)
                if best:
                    best[1]['recs'].append(r)
                else:
                    left.append(r)
            cur = None
            for r in left:
                if cur is None or (r['vd'] - cur['fv']).days > 300:
                    cur = {'recs': [r], 'fv': r['vd'], 'anchor': None}
                    eps.append(cur)
                else:
                    cur['recs'].append(r)
            for i, e in enumerate(eps):
                yield p, i, e, lmp

    def k4(self):
        """SPM01: K4 visits (1, 1, 2 by trimester), counted at the completing date's first record."""
        out = {}
        for p, i, e, lmp in self.pregnancies():
            def tri(r):
                start = lmp[id(r)] or e['anchor']
                if start is None or (r['vd'] - start).days < 0:
                    return None
                w = (r['vd'] - start).days // 7
                return None if w > 45 else 1 if w <= 12 else 2 if w <= 24 else 3
            byd = defaultdict(list)
            for r in e['recs']:
                byd[r['vd']].append(r)
            cnt = {1: 0, 2: 0, 3: 0}
            for d in sorted(byd):
                rl = sorted(byd[d], key=lambda r: r['rid'].encode())
                t = next((tri(r) for r in rl if tri(r) is not None), None)
                if t:
                    cnt[t] += 1
                if cnt[1] >= 1 and cnt[2] >= 1 and cnt[3] >= 2:
                    out[(p, i)] = rl[0]
                    break
        return out


PTM_ITEMS = [lambda r: r['svc'] in ('IMT', 'LINGKAR_PERUT'), lambda r: r['svc'] == 'TENSI', lambda r: r['svc'] == 'GDS']


def hypertensive(r):
    b = bp(r['res']) if r['res'] else None
    return b is not None and (b[0] >= 140 or b[1] >= 90)


def indicators(rules):
    """id -> (denominator group or None, year -> {subject: attaining record})."""
    return {
        'SKRINING_REMAJA': ('remaja', lambda y: rules.first(
            lambda r: r['svc'] == 'SKRINING_REMAJA' and IN(r['ay'], 10, 18), y)),
        'TTD_REMAJA_PUTRI': ('remaja_putri', lambda y: rules.first(
            lambda r: r['svc'] == 'TTD_REMAJA' and r['sex'] == 'P' and IN(r['ay'], 12, 18), y)),
        'SPM_USIA_PRODUKTIF': ('usia_produktif', lambda y: rules.each_of(PTM_ITEMS, lambda r: IN(r['ay'], 15, 59), y)),
        'SKRINING_PTM_DEWASA': ('dewasa', lambda y: rules.each_of(PTM_ITEMS, lambda r: IN(r['ay'], 18, 59), y)),
        'SPM_LANSIA': ('lansia', lambda y: rules.first(lambda r: r['svc'] == 'SKILAS' and IN(r['ay'], 60, None), y)),
        'SKRINING_TB': (None, lambda y: rules.first(lambda r: r['svc'] == 'SKRINING_TB', y)),
        'HIPERTENSI': (None, lambda y: rules.first(
            lambda r: r['svc'] == 'TENSI' and IN(r['ay'], 15, None) and hypertensive(r), y)),
    }


def spm_services(rules, year):
    y = year
    return [
        ('SPM01_IBU_HAMIL', 'bumil', rules.k4),
        ('SPM02_IBU_BERSALIN', 'bulin', rules.pf),
        ('SPM03_BAYI_BARU_LAHIR', 'bayi_lahir_hidup', rules.kn),
        ('SPM04_BALITA', 'balita', rules.counts),
        ('SPM05_USIA_PENDIDIKAN_DASAR', 'usia_pendidikan_dasar', lambda: rules.first(
            lambda r: r['svc'] in ('SKRINING_DIKDAS', 'SKRINING_REMAJA') and IN(r['ay'], 7, 15), y)),
        ('SPM06_USIA_PRODUKTIF', 'usia_produktif', lambda: rules.each_of(PTM_ITEMS, lambda r: IN(r['ay'], 15, 59), y)),
        ('SPM07_USIA_LANJUT', 'lansia', lambda: rules.first(lambda r: r['svc'] == 'SKILAS' and IN(r['ay'], 60, None), y)),
        ('SPM08_HIPERTENSI', 'penderita_hipertensi', lambda: rules.monthly_all(
            lambda r: r['svc'] == 'LAYANAN_HT' and IN(r['ay'], 15, None) and r['fac'] in FACS)),
        ('SPM09_DIABETES_MELITUS', 'penderita_dm', lambda: rules.monthly_all(
            lambda r: r['svc'] == 'LAYANAN_DM' and IN(r['ay'], 15, None) and r['fac'] in FACS)),
        ('SPM10_ODGJ_BERAT', 'odgj_berat', lambda: rules.first(lambda r: r['svc'] == 'LAYANAN_ODGJ', y)),
        ('SPM11_TERDUGA_TB', 'terduga_tb', lambda: rules.first(lambda r: r['svc'] == 'PEMERIKSAAN_TB', y)),
        ('SPM12_RISIKO_HIV', 'risiko_hiv', lambda: rules.first(lambda r: r['svc'] == 'TES_HIV', y)),
    ]


# ---------------------------------------------------------------- expected tables
def trend(cur, prev):
    return 'naik' if cur > prev else 'turun' if cur < prev else 'tetap'


def status(cov, tgt, tr):
    ok, good = cov >= tgt, tr in ('naik', 'tetap')
    return {(True, True): 'baik', (True, False): 'kurang', (False, True): 'cukup', (False, False): 'jelek'}[(ok, good)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('data')
    ap.add_argument('month_dir')
    a = ap.parse_args()
    _, year, asof = run_info(a.month_dir)
    area = Area(a.data, year)
    recs, byp = load_records(a.data, a.month_dir)
    rules = Rules(byp, year, asof)

    def counts(att, yr):
        c = defaultdict(lambda: defaultdict(int))  # area -> month -> n
        for r in att.values():
            if r['vd'].year == yr:
                for k in area.keys(r['area']):
                    c[k][r['vd'].month] += 1
        return c

    areas = set()
    for k in area.rts:
        areas.update(area.keys(k))
    for r in recs:  # unregistered RT/RW (W-AREA) with a record in the reporting period
        if r['vd'].year == year and r['vd'].month <= asof:
            areas.update(area.keys(r['area']))
    published = defaultdict(dict)  # indicator -> (year, month, level, code) -> row
    for r in read_rows(os.path.join(a.month_dir, 'indicators.csv')):
        published[r['indicator']][(int(r['year']), int(r['month']), r['level'], r['area_code'])] = r

    # the 7 indicators, all columns
    ind_cmp = Comparison('adult', '7 indicators')
    for ind, (grp, fn) in indicators(rules).items():
        c, cp = counts(fn(year), year), counts(fn(year - 1), year - 1)
        D = area.denominators(grp) if grp else {}
        expected = {}
        for k in areas:
            cum = 0
            for m in range(1, asof + 1):
                nm = c[k][m]
                cum += nm
                prevn = c[k][m - 1] if m > 1 else cp[k][12]
                den, src = D.get(k, (None, ''))
                tgt = F(100) * m / 12 if grp else None
                cov = F(cum) * 100 / den if den else None
                tr = trend(nm, prevn)
                expected[(year, m) + k] = dict(
                    numerator_month=str(nm), numerator_cumulative=str(cum), denominator=fmt_den(den),
                    denominator_source=src, coverage_month_pct=pct(F(nm) * 100 / den) if den else '',
                    coverage_cumulative_pct=pct(cov), coverage_prev_month_pct=pct(F(prevn) * 100 / den) if den else '',
                    target_annual_pct='100.00' if grp else '', target_pct=pct(tgt),
                    gap_pct=pct(cov - tgt) if den else '', trend=tr, status=status(cov, tgt, tr) if den else '')
        ind_cmp.compare('indicators.csv', expected,
                        {key: {c: r[c] for c in next(iter(expected.values()))} for key, r in published[ind].items()})

    # the denominator of every indicator with a group denominator, every level, in the as-of month
    den_cmp = Comparison('denominators', '')
    n_ind = 0
    for e in yaml.safe_load(open(PIPELINES / 'indicators.yaml', encoding='utf-8'))['indicators']:
        d = e.get('denominator')
        if isinstance(d, str):
            g, share = d, None
        elif isinstance(d, dict) and 'group' in d:
            g, share = d['group'], F(str(d['percent'])) / 100
        else:
            continue
        n_ind += 1
        D = area.denominators(g)
        expected = {}
        for k in areas:
            den, src = D.get(k, (None, ''))
            if den is not None and share is not None:
                den = den * share
            expected[(e['id'], year, asof) + k] = dict(denominator=fmt_den(den), denominator_source=src)
        den_cmp.compare('indicators.csv', expected,
                        {(e['id'],) + key: {'denominator': r['denominator'], 'denominator_source': r['denominator_source']}
                         for key, r in published[e['id']].items() if key[1] == asof})
    den_cmp.what = '%d indicators' % n_ind

    # spm.csv: kabkota and puskesmas, each quarter up to the as-of month and year-to-date
    spm_cmp = Comparison('spm', '12 services')
    services = spm_services(rules, year)
    quarters = [str(q) for q in range(1, (asof + 2) // 3 + 1)] + ['YTD']
    expected = {}
    for sid, grp, fn in services:
        c = counts(fn(), year)
        D = area.denominators(grp)
        for k in areas:
            if k[0] not in ('kabkota', 'puskesmas'):
                continue
            for q in quarters:
                months = range(1, asof + 1) if q == 'YTD' else range(3 * int(q) - 2, min(3 * int(q), asof) + 1)
                served = sum(c[k][m] for m in months)
                den, _ = D.get(k, (None, ''))
                expected[(year, q) + k + (sid,)] = dict(
                    sasaran=fmt_den(den), served_to_standard=str(served),
                    not_served=fmt_den(max(F(0), den - served)) if den is not None else '',
                    capaian_pct=pct(F(served) * 100 / den) if den else '')
    spm_cmp.compare('spm.csv', expected,
                    {(int(r['year']), r['quarter'], r['level'], r['area_code'], r['service']):
                     {c: r[c] for c in ('sasaran', 'served_to_standard', 'not_served', 'capaian_pct')}
                     for r in read_rows(os.path.join(a.month_dir, 'spm.csv'))})
    exit_with(ind_cmp, den_cmp, spm_cmp)


if __name__ == '__main__':
    main()
