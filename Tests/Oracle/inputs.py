"""The spec §2.1 reading the oracles in Tests/Oracle share: a file's text, its delimiter, a
cell's cleaning and a header name's normal form.

Written from pws-spec.md §2.1–§2.4 (like the oracles themselves, never from Sources/): UTF-8
(a byte-order mark dropped), else Windows-1252 for the whole file; the delimiter is the one of
`,` `;` TAB `|` that occurs most often outside quotes in the header line; a cell is trimmed,
loses one leading `'` (Excel's text marker) and is empty when it is only `-` or `.`; header
names compare in lower case with spaces and dashes as underscores, the canonical name before
its aliases, the leftmost column first (§2.4).
"""
import re


def decode(b):
    """The text of a file's bytes (§2.1)."""
    if b.startswith(b'\xef\xbb\xbf'):
        b = b[3:]
    try:
        return b.decode('utf-8')
    except UnicodeDecodeError:
        return b.decode('cp1252', errors='replace')


def read_text(path):
    with open(path, 'rb') as fh:
        return decode(fh.read())


def sniff(header):
    """The delimiter of a header line: the candidate most often outside quotes (`,` on a tie)."""
    best, count = ',', -1
    for d in [',', ';', '\t', '|']:
        c, quoted = 0, False
        for ch in header:
            if ch == '"':
                quoted = not quoted
            elif ch == d and not quoted:
                c += 1
        if c > count:
            best, count = d, c
    return best


def clean(v):
    v = v.strip()
    if v.startswith("'"):
        v = v[1:]
    v = v.strip()
    return '' if v in ('-', '.') else v


def norm_header(h):
    return re.sub(r'[ \-]', '_', h.strip().lower())


def map_header(header, aliases):
    """{canonical field: column} of a header's names, for `aliases` {canonical: [alias, …]}."""
    names = [norm_header(h.lstrip('\ufeff')) for h in header]
    out = {}
    for canon, al in aliases.items():
        if canon in names:
            out[canon] = names.index(canon)
        else:
            i = next((i for i, name in enumerate(names) if name in al), None)
            if i is not None:
                out[canon] = i
    return out
