#!/usr/bin/env python3
"""The sample-data figures the tests quote, derived from the input files without pws (spec §3
rules in order, E-DUPLICATE-ID and W-DUPLICATE in file order, §4.2 episodes for K1, D_S and N_D,
IBL per village, the SPM balita/hipertensi/DM standards as docs/spm.md reads them), to check
the test figures independently after sample-data is regenerated. Reads the wide register with
zipfile (no openpyxl). Run date --today 2026-01-15, as-of 2025-12.

Usage: python3 scripts/derive-sample-figures.py sample-data pipelines
Its accounting line must equal run.json's counts (rows_read, rows_rejected, rows_duplicate,
rows_used, rejects_by_rule) before its figures are trusted."""
import sys, os, re, zipfile, datetime, collections
import xml.etree.ElementTree as ET
import yaml

DATA = sys.argv[1]
PIPE = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(DATA.rstrip('/')), 'pipelines')
TODAY = datetime.date(2026, 1, 15)
YEAR, ASOF = 2025, 12
LASTDAY = datetime.date(2025, 12, 31)

cat = yaml.safe_load(open(os.path.join(PIPE, 'services.yaml')))['services']
SERV = {s['code']: s for s in cat}

# --- register
def norm_code(v):
    v = v.replace('.', '').replace(' ', '')
    return v if re.fullmatch(r'\d{10}', v) else None

def label(x):
    x = x.strip()
    x = re.sub(r'^(?i:rw|rt)', '', x)
    x = x.strip(' \t.,;:-_/')
    if x == '':
        return ''
    return '%03d' % int(x) if x.isdigit() else x.upper()

reg = {}
rts = set()
with open(os.path.join(DATA, 'wilayah.csv'), encoding='utf-8-sig') as f:
    lines = f.read().splitlines()
hdr = lines[0].split(',')
for ln in lines[1:]:
    c = dict(zip(hdr, ln.split(',')))
    v = norm_code(c['kode_desa'])
    reg[v] = (c['nama_desa'], c['kode_puskesmas'])
    rts.add((v, label(c['rw']), label(c['rt'])))

ALIAS = {
    'record_id': ['id_kunjungan', 'id'], 'visit_date': ['tanggal_kunjungan', 'tanggal', 'tgl_kunjungan'],
    'person_id': ['nik', 'id_pasien', 'no_identitas'], 'birth_date': ['tanggal_lahir', 'tgl_lahir'],
    'sex': ['jenis_kelamin', 'jk'], 'village_code': ['kode_desa', 'kode_kelurahan'], 'rw': [], 'rt': [],
    'facility_type': ['jenis_fasilitas', 'tempat_layanan'], 'facility_id': ['kode_fasilitas', 'kode_posyandu'],
    'service_code': ['kode_layanan', 'layanan'], 'result': ['hasil', 'nilai'],
    'provider': ['nakes', 'pemberi_layanan'], 'pregnancy_id': ['id_kehamilan'], 'lmp_date': ['hpht'],
    'gestational_weeks': ['usia_kehamilan'],
}
REQ = ['record_id', 'visit_date', 'person_id', 'birth_date', 'sex', 'village_code', 'rw', 'rt',
       'facility_type', 'service_code']
SEX = {'l': 'L', 'p': 'P', 'm': 'L', 'f': 'P', '1': 'L', '2': 'P', 'laki_laki': 'L', 'perempuan': 'P',
       'pria': 'L', 'wanita': 'P'}
FAC = {'posyandu', 'pustu', 'puskesmas', 'rumah_sakit', 'klinik', 'rumah', 'lainnya', 'polindes', 'poskesdes'}
PROV = {'dokter', 'bidan', 'perawat', 'gizi', 'kader', 'lainnya'}

def enum(x):
    return x.strip().lower().replace(' ', '_').replace('-', '_')

def parse_date(s):
    m = re.match(r'^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:$|[ T])', s) or None
    try:
        if m:
            return datetime.date(int(m[1]), int(m[2]), int(m[3]))
        m = re.match(r'^(\d{1,2})[-/](\d{1,2})[-/](\d{4})(?:$|[ T])', s)
        if m:
            return datetime.date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        return None
    return None

def months_between(b, v):
    m = (v.year - b.year) * 12 + v.month - b.month
    if v.day < b.day:
        m -= 1
    return m

def years_between(b, v):
    y = v.year - b.year
    if (v.month, v.day) < (b.month, b.day):
        y -= 1
    return y

def age(unit, b, v):
    return (v - b).days if unit == 'days' else months_between(b, v) if unit == 'months' else years_between(b, v)

def split_line(line, d):
    """Fields of one physical line, or None for E-PARSE."""
    out, i, n = [], 0, len(line)
    while True:
        if i < n and line[i] == '"':
            i += 1
            buf = []
            while True:
                if i >= n:
                    return None  # unclosed
                if line[i] == '"':
                    if i + 1 < n and line[i + 1] == '"':
                        buf.append('"'); i += 2; continue
                    i += 1
                    break
                buf.append(line[i]); i += 1
            out.append(''.join(buf))
            if i < n and line[i] != d:
                return None
        else:
            j = line.find(d, i)
            if j < 0:
                out.append(line[i:]); break
            out.append(line[i:j]); i = j
        if i >= n:
            break
        i += 1  # delimiter
        if i == n:
            out.append(''); break
    return out

def clean(x):
    x = x.strip()
    if x.startswith("'"):
        x = x[1:]
    return '' if x in ('-', '.') else x

def parse_result(code, text):
    s = SERV.get(code, {}).get('result')
    if s is None or text == '':
        return None
    t = text.strip()
    if s['kind'] == 'blood_pressure':
        t = re.sub(r'(?i)\s*mmhg$', '', t)
        m = re.fullmatch(r'(\d+)\s*/\s*(\d+)', t)
        if not m:
            return None
        sy, di = int(m[1]), int(m[2])
        if not (sy > di and s['sys']['min'] <= sy <= s['sys']['max'] and s['dia']['min'] <= di <= s['dia']['max']):
            return None
        return (sy, di)
    unit = s.get('unit')
    if unit:
        t = re.sub(r'(?i)\s*' + re.escape(unit) + r'$', '', t)
    t = t.replace(',', '.')
    if s['kind'] == 'score':
        if not re.fullmatch(r'-?\d+', t):
            return None
        v = int(t)
    else:
        try:
            v = float(t)
        except ValueError:
            return None
    if v < s['min'] or v > s['max']:
        return None
    return v

rows = []   # accepted, not duplicate
stats = collections.Counter()
ids = {}
seen = set()

def check(rec, src, line):
    """rec: dict canonical -> cleaned text. Returns the first error or None, and a normalised row."""
    for k in REQ:
        if rec.get(k, '') == '':
            return 'E-REQUIRED', None
    rw, rt = label(rec['rw']), label(rec['rt'])
    if rw == '' or rt == '':
        return 'E-REQUIRED', None
    v, b = parse_date(rec['visit_date']), parse_date(rec['birth_date'])
    if v is None or b is None:
        return 'E-DATE', None
    if v > TODAY:
        return 'E-FUTURE', None
    if v < b:
        return 'E-BEFORE-BIRTH', None
    sex = SEX.get(enum(rec['sex']))
    if sex is None:
        return 'E-SEX', None
    p = rec['person_id']
    q = re.sub(r'[ .\-]', '', p)
    if q.isdigit():
        if len(q) != 16 or len(set(q)) == 1:
            return 'E-PERSON', None
        p = q
    elif not re.search(r'[A-Za-z0-9]', p):
        return 'E-PERSON', None
    vc = norm_code(rec['village_code'])
    if vc is None or vc not in reg:
        return 'E-AREA', None
    ft = enum(rec['facility_type'])
    if ft not in FAC:
        return 'E-FACILITY', None
    ft = {'polindes': 'pustu', 'poskesdes': 'pustu'}.get(ft, ft)
    code = enum(rec['service_code']).upper()
    if code not in SERV:
        return 'E-SERVICE', None
    s = SERV[code]
    if s.get('sex') and s['sex'] != sex:
        return 'E-ELIGIBILITY', None
    if s.get('age'):
        a = age(s['age']['unit'], b, v)
        if ('min' in s['age'] and s['age']['min'] is not None and a < s['age']['min']) or \
           ('max' in s['age'] and s['age']['max'] is not None and a > s['age']['max']):
            return 'E-ELIGIBILITY', None
    prov = enum(rec.get('provider', ''))
    prov = prov if prov in PROV else ('lainnya' if prov else '')
    lmp = parse_date(rec.get('lmp_date', '')) if rec.get('lmp_date') else None
    if lmp is not None and not (0 <= (v - lmp).days // 7 <= 45):
        lmp = None
    gw = rec.get('gestational_weeks', '')
    gw = int(gw) if re.fullmatch(r'\d+', gw or '') and 0 <= int(gw) <= 45 else None
    res = parse_result(code, rec.get('result', ''))
    row = dict(id=rec['record_id'], visit=v, birth=b, sex=sex, person=p, village=vc, rw=rw, rt=rt, fac=ft,
               facid=rec.get('facility_id', '').strip(), code=code, result=res, raw=rec.get('result', ''),
               prov=prov, preg=rec.get('pregnancy_id', ''), lmp=lmp, gw=gw, src=src, line=line)
    return None, row

def content(r):
    return tuple(r[k] for k in ('visit', 'birth', 'sex', 'person', 'village', 'rw', 'rt', 'fac', 'facid', 'code',
                                'raw', 'prov', 'preg', 'lmp', 'gw'))

def accept(err, row):
    stats['read'] += 1
    if err is None:
        prev = ids.get(row['id'])
        if prev is not None and prev != content(row):
            err = 'E-DUPLICATE-ID'
        elif prev is None:
            ids[row['id']] = content(row)
    if err:
        stats['rejected'] += 1
        stats[err] += 1
        return
    key = (row['person'], row['visit'], row['code'], row['facid'],
           row['result'] if row['result'] is not None else row['raw'])
    if key in seen:
        stats['duplicate'] += 1
        return
    seen.add(key)
    rows.append(row)

def read_csv(path, rel):
    raw = open(path, 'rb').read()
    try:
        text = raw.decode('utf-8')
    except UnicodeDecodeError:
        text = raw.decode('cp1252')
    if text.startswith('\ufeff'):
        text = text[1:]
    lines = re.split(r'\r\n|\n|\r', text)
    h = lines[0]
    d = max([',', ';', '\t', '|'], key=lambda c: (h.count(c), -[',', ';', '\t', '|'].index(c)))
    header = [enum(x) for x in split_line(h, d)]
    col = {}
    for canon, al in ALIAS.items():
        if canon in header:
            col[canon] = header.index(canon)
        else:
            for i, name in enumerate(header):
                if name in al:
                    col[canon] = i
                    break
    for ln, line in enumerate(lines[1:], start=2):
        if line.strip() == '':
            continue
        f = split_line(line, d)
        if f is not None and all(clean(x) == '' for x in f):
            continue
        if f is None:
            accept('E-PARSE', None); continue
        if len(f) != len(header):
            accept('E-FIELDS', None); continue
        rec = {k: clean(f[i]) for k, i in col.items()}
        err, row = check(rec, rel, ln)
        accept(err, row)

def read_register(path, rel):
    z = zipfile.ZipFile(path)
    ns = {'m': 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'}
    shared = []
    if 'xl/sharedStrings.xml' in z.namelist():
        for si in ET.fromstring(z.read('xl/sharedStrings.xml')).findall('m:si', ns):
            shared.append(''.join(t.text or '' for t in si.iter('{%s}t' % ns['m'])))
    sheet = ET.fromstring(z.read('xl/worksheets/sheet1.xml'))
    grid = {}
    for c in sheet.iter('{%s}c' % ns['m']):
        ref = c.get('r')
        m = re.match(r'([A-Z]+)(\d+)', ref)
        colnum = 0
        for ch in m[1]:
            colnum = colnum * 26 + ord(ch) - 64
        t = c.get('t')
        v = c.find('m:v', ns)
        isv = c.find('m:is', ns)
        if t == 's':
            val = shared[int(v.text)]
        elif t == 'inlineStr':
            val = ''.join(x.text or '' for x in isv.iter('{%s}t' % ns['m']))
        elif v is not None:
            val = ('num', v.text)
        else:
            continue
        grid[(int(m[2]), colnum)] = val
    hrow = 5
    hdrs = {}
    for (r, c), val in grid.items():
        if r == hrow and isinstance(val, str):
            hdrs[val.strip()] = c
    maxrow = max(r for r, c in grid)
    year = int(re.search(r'(\d{4})', os.path.basename(path)).group(1))
    months = ['JAN', 'FEB', 'MAR', 'APR', 'MEI', 'JUN', 'JUL', 'AGS', 'SEP', 'OKT', 'NOV', 'DES']
    def text(val):
        if val is None:
            return ''
        if isinstance(val, tuple):
            x = val[1]
            return x[:-2] if x.endswith('.0') else x
        return val
    def date(val):
        if isinstance(val, tuple):
            d = datetime.date(1899, 12, 30) + datetime.timedelta(days=int(float(val[1])))
            return d.isoformat()
        return text(val)
    for r in range(hrow + 1, maxrow + 1):
        base = {'person_id': clean(text(grid.get((r, hdrs['NIK'])))),
                'birth_date': clean(date(grid.get((r, hdrs['TGL LAHIR'])))),
                'sex': clean(text(grid.get((r, hdrs['JK'])))),
                'village_code': clean(text(grid.get((r, hdrs['KODE DESA'])))),
                'rw': clean(text(grid.get((r, hdrs['RW'])))), 'rt': clean(text(grid.get((r, hdrs['RT'])))),
                'facility_type': 'posyandu', 'provider': 'kader'}
        if all(v == '' for k, v in base.items() if k not in ('facility_type', 'provider')):
            continue
        for k, mname in enumerate(months):
            val = grid.get((r, hdrs[mname]))
            if val is None or text(val).strip() == '':
                continue
            rec = dict(base, record_id='%s:%d:%s' % (rel, r, mname),
                       visit_date='%04d-%02d-15' % (year, k + 1), service_code='TIMBANG',
                       result=clean(text(val)))
            err, row = check(rec, rel, r)
            accept(err, row)
        for code in ('HB0', 'BCG', 'POLIO1'):
            if code in hdrs:
                val = grid.get((r, hdrs[code]))
                if val is None or text(val).strip() == '':
                    continue
                rec = dict(base, record_id='%s:%d:%s' % (rel, r, code), visit_date=clean(date(val)),
                           service_code=code, result='')
                err, row = check(rec, rel, r)
                accept(err, row)

files = []
if os.path.exists(os.path.join(DATA, 'layanan.csv')):
    files.append('layanan.csv')
for n in os.listdir(os.path.join(DATA, 'layanan')):
    if n.lower().endswith('.csv') or n.lower().endswith('.xlsx'):
        files.append('layanan/' + n)
files.sort(key=lambda s: s.encode())
for rel in files:
    p = os.path.join(DATA, rel)
    if rel.endswith('.xlsx'):
        if os.path.basename(rel).startswith('register-'):
            read_register(p, rel)
    else:
        read_csv(p, rel)

print('accounting:', dict(read=stats['read'], rejected=stats['rejected'], duplicate=stats['duplicate'],
                          accepted_used=len(rows)))
print('rejects by rule:', {k: v for k, v in sorted(stats.items()) if k.startswith('E-')})

used = [r for r in rows if r['visit'] <= LASTDAY]
used.sort(key=lambda r: (r['person'], r['visit'], r['id'].encode()))
byp = collections.defaultdict(list)
for r in used:
    byp[r['person']].append(r)

def puskesmas(v):
    return reg[v][1]

def ym(d):
    return (d.year, d.month)

# --- K1: §4.2 episodes (ANC records only)
def episodes(anc):
    step1 = collections.OrderedDict()
    rest = []
    for r in anc:
        if r['preg']:
            step1.setdefault(r['preg'], []).append(r)
        else:
            rest.append(r)
    eps = [list(v) for v in step1.values()]
    def rlmp(r):
        if r['lmp'] is not None:
            return r['lmp']
        if r['gw'] is not None:
            return r['visit'] - datetime.timedelta(days=7 * r['gw'])
        return None
    def anchor(ep):
        ls = [r['lmp'] for r in ep if r['lmp'] is not None]
        ls += [r['visit'] - datetime.timedelta(days=7 * r['gw']) for r in ep if r['lmp'] is None and r['gw'] is not None]
        return min(ls) if ls else None
    anchors1 = [anchor(e) for e in eps]
    withg = [r for r in rest if rlmp(r) is not None]
    neither = [r for r in rest if rlmp(r) is None]
    left = []
    for r in withg:
        L = rlmp(r)
        best = None
        for i, a in enumerate(anchors1):
            if a is not None and abs((L - a).days) <= 42:
                if best is None or a > anchors1[best]:
                    best = i
        if best is not None:
            eps[best].append(r)
        else:
            left.append(r)
    left.sort(key=lambda r: (rlmp(r), r['visit'], r['id'].encode()))
    cur = None
    for r in left:
        if cur is None or (rlmp(r) - rlmp(cur[0])).days > 42:
            cur = [r]
            eps.append(cur)
        else:
            cur.append(r)
    refs = []
    for e in eps:
        a = anchor(e)
        refs.append(a if a is not None else min(x['visit'] for x in e))
    loose = []
    for r in neither:
        best = None
        for i, ref in enumerate(refs):
            if ref <= r['visit'] <= ref + datetime.timedelta(days=300):
                if best is None or ref > refs[best]:
                    best = i
        if best is not None:
            eps[best].append(r)
        else:
            loose.append(r)
    cur = None
    for r in loose:
        if cur is None or (r['visit'] - cur[0]['visit']).days > 300:
            cur = [r]
            eps.append(cur)
        else:
            cur.append(r)
    return eps

k1 = collections.Counter()   # (village, year, month)
for p, rs in byp.items():
    anc = [r for r in rs if r['code'] == 'ANC']
    if not anc:
        continue
    for e in episodes(anc):
        first = min(e, key=lambda r: (r['visit'], r['id'].encode()))
        k1[(first['village'], first['visit'].year, first['visit'].month)] += 1

def k1at(area, y, m):
    return sum(n for (v, yy, mm), n in k1.items() if yy == y and mm == m and (v == area or puskesmas(v) == area))

# --- D_S, N_D (monthly, 0-59 months TIMBANG)
ds = collections.Counter(); nd = collections.Counter()
for p, rs in byp.items():
    tim = [r for r in rs if r['code'] == 'TIMBANG']
    bymonth = collections.OrderedDict()
    for r in tim:
        bymonth.setdefault(ym(r['visit']), []).append(r)
    for (y, m), recs in bymonth.items():
        if y != YEAR:
            continue
        q = [r for r in recs if 0 <= months_between(r['birth'], r['visit']) <= 59]
        if not q:
            continue
        area = q[-1]['village']
        ds[(area, m)] += 1
        prev = bymonth.get((y, m - 1) if m > 1 else (y - 1, 12), [])
        cur = [r['result'] for r in recs if r['result'] is not None]
        pv = [r['result'] for r in prev if r['result'] is not None]
        if cur and pv and cur[-1] > pv[-1]:
            nd[(area, m)] += 1

def at(counter, area, m):
    return sum(n for (v, mm), n in counter.items() if mm == m and (v == area or puskesmas(v) == area))

J = 'P3201010101'
print('K1 Jatiwangi March', k1at(J, 2025, 3), 'Q4', [k1at(J, 2025, m) for m in (10, 11, 12)],
      'Dec', k1at(J, 2025, 12), 'year', sum(k1at(J, 2025, m) for m in range(1, 13)))
for v in ('3201012003', '3201012001'):
    print('K1', reg[v][0], 'Dec', k1at(v, 2025, 12), 'year', sum(k1at(v, 2025, m) for m in range(1, 13)))
print('N_D Jatiwangi Q4', [at(nd, J, m) for m in (10, 11, 12)], 'D_S Q4', [at(ds, J, m) for m in (10, 11, 12)])

# --- IBL per village (lifetime each_of, 0-364 days) and UCI
IBL = ['HB0', 'BCG', 'POLIO1', 'POLIO2', 'POLIO3', 'POLIO4', 'DPTHBHIB1', 'DPTHBHIB2', 'DPTHBHIB3', 'PCV1', 'PCV2',
       'RV1', 'RV2', 'RV3', 'IPV1', 'IPV2', 'MR1']
ibl = collections.Counter()
for p, rs in byp.items():
    best = None
    for code in IBL:
        q = [r for r in rs if r['code'] == code and 0 <= (r['visit'] - r['birth']).days <= 364]
        if not q:
            best = None
            break
        r = q[0]
        if best is None or r['visit'] > best['visit']:
            best = r
    if best is not None and best['visit'].year == YEAR:
        ibl[best['village']] += 1
sas = collections.defaultdict(dict)
with open(os.path.join(DATA, 'sasaran.csv'), encoding='utf-8-sig') as f:
    lines = f.read().splitlines()
for ln in lines[1:]:
    t, v, rw, rt, g, n = ln.split(';')
    sas[(v, g)][(rw, rt)] = float(n.replace(',', '.'))
print('IBL 2025 per village (numerator, bayi sasaran rows):')
for v in sorted(reg):
    rowsv = sas.get((v, 'bayi'), {})
    print('  ', v, reg[v][0], ibl[v], sum(rowsv.values()) if rowsv else None, sorted(rowsv.keys())[:1])

# --- SPM04 balita (counts), SPM08/09 (monthly_all), as-of December 2025
def spm04(rs):
    yr = [r for r in rs if r['visit'].year == YEAR and 0 <= months_between(r['birth'], r['visit']) <= 59]
    if not yr:
        return None
    b = rs[0]['birth']
    jan = datetime.date(YEAR, 1, 1)
    need = [('TIMBANG', 8, None), ('UKUR_TB', 2, None), ('SDIDTK', 2, None), ('VITA', 2, (6, 59))]
    when = None
    for code, n, w in need:
        if w and not (w[0] <= months_between(yr[0]['birth'], jan) <= w[1]):
            continue
        seen_m = []
        hit = None
        for r in yr:
            if r['code'] == code and r['visit'].month not in seen_m:
                seen_m.append(r['visit'].month)
                if len(seen_m) == n:
                    hit = r
                    break
        if hit is None:
            return None
        if when is None or hit['visit'] > when['visit']:
            when = hit
    return when

def monthly_all(rs, code):
    q = [r for r in rs if r['visit'].year == YEAR and r['code'] == code and years_between(r['birth'], r['visit']) >= 15
         and r['fac'] in ('puskesmas', 'pustu', 'rumah_sakit', 'klinik')]
    if not q:
        return None
    ms = {r['visit'].month for r in q}
    return q[0] if all(m in ms for m in range(q[0]['visit'].month, ASOF + 1)) else None

spm = collections.Counter()
for p, rs in byp.items():
    for sid, fn in (('SPM04', spm04), ('SPM08', lambda x: monthly_all(x, 'LAYANAN_HT')),
                    ('SPM09', lambda x: monthly_all(x, 'LAYANAN_DM'))):
        r = fn(rs)
        if r is not None:
            spm[(sid, (r['visit'].month - 1) // 3 + 1, puskesmas(r['village']))] += 1
for sid in ('SPM04', 'SPM08', 'SPM09'):
    print(sid, 'per quarter (kab):', [sum(n for (s, q, pk), n in spm.items() if s == sid and q == qq) for qq in (1, 2, 3, 4)],
          'YTD per puskesmas:', {pk: sum(n for (s, q, k), n in spm.items() if s == sid and k == pk)
                                 for pk in sorted({x[1] for x in reg.values()})})
