/// The report's page template (swift-mustache), kept in code (not a bundle resource) so a copied
/// `pws` binary still renders. `{{x}}` escapes HTML (`& < > " '`). `{{{x}}}` places an `HTML`
/// fragment — a table or chart that `HTMLWriter` built and escaped — and is used for nothing
/// else (`ReportRendererTests` checks every `{{{…}}}` name against `fragmentNames`).
///
/// Loops are written on one line each: whitespace in a loop body is repeated per row.
enum ReportTemplates {
    static let all: [String: String] = [
        "page": page,
    ]

    /// The names the page places unescaped with `{{{…}}}`: each is an `HTML` fragment.
    static let fragmentNames: Set<String> = [
        "summary", "trendChart", "trendTable", "groups", "villages", "byRule", "bySource", "completeness",
        "growthTable", "growthKey", "growthTrends", "followUpTable",
    ]

    static let page = """
    <!DOCTYPE html>
    <html lang="id">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="generator" content="pws {{version}}">
    <meta name="pws-charts" content="{{chartCount}}">
    <meta name="pws-indicators" content="{{indicatorIDs}}">
    <title>{{title}}</title>
    <style>
    \(css){{#growth}}
    \(growthCSS){{/growth}}
    </style>
    </head>
    <body>
    <svg class="defs" width="0" height="0" aria-hidden="true" focusable="false"><defs>
    <pattern id="p-kurang" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="#F0E442"/><circle cx="3" cy="3" r="1.2" fill="#7a7000"/></pattern>
    <pattern id="p-cukup" width="7" height="7" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="7" height="7" fill="#E69F00"/><line x1="1" y1="0" x2="1" y2="7" stroke="#6b4600" stroke-width="2"/></pattern>
    <pattern id="p-jelek" width="7" height="7" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="7" height="7" fill="#D55E00"/><path d="M1 0V7M0 1H7" stroke="#5c2700" stroke-width="1.6"/></pattern>
    </defs></svg>
    <header>
    <h1>Laporan PWS (Pemantauan Wilayah Setempat)</h1>
    <p class="lead"><strong>{{regency}}</strong>{{#districts}} · Kecamatan {{.}}{{/districts}}</p>
    <p class="lead">Keadaan s.d. <strong>{{period}}</strong> · data bulan Januari–{{period}}</p>
    {{#targetsNotice}}<p class="notice" role="note">{{.}}</p>{{/targetsNotice}}
    </header>
    <nav aria-label="Daftar isi"><h2>Daftar isi</h2><ol>
    <li><a href="#ringkasan">Ringkasan status</a></li>
    <li><a href="#cara-baca">Cara membaca</a></li>
    {{#toc}}<li><a href="#{{tocAnchor}}">{{tocID}} — {{tocName}}</a></li>
    {{/toc}}{{#growth}}<li><a href="#pertumbuhan">Pertumbuhan balita</a></li>
    {{/growth}}{{#hasDrill}}<li><a href="#rincian">Rincian per RW/RT</a></li>{{/hasDrill}}
    <li><a href="#kualitas">Kualitas data</a></li>
    </ol></nav>
    <main>
    <section id="ringkasan">
    <h2>Ringkasan status per puskesmas</h2>
    <p>Nilai utama tiap indikator s.d. {{period}} (cakupan kumulatif %, cakupan bulan ini % untuk indikator bulanan, atau jumlah untuk indikator tanpa sasaran). Klik angka untuk membuka grafik dan tabel PWS-nya.</p>
    {{{summary}}}
    </section>
    <section id="cara-baca">
    <h2>Cara membaca</h2>
    <ul class="legend">
    <li><svg width="16" height="16" aria-hidden="true"><rect class="sb" width="16" height="16"/></svg> <strong>baik (B)</strong>: capaian ≥ target dan tren naik/tetap</li>
    <li><svg width="16" height="16" aria-hidden="true"><rect class="sk" width="16" height="16"/></svg> <strong>kurang (K)</strong>: capaian ≥ target tetapi tren turun</li>
    <li><svg width="16" height="16" aria-hidden="true"><rect class="sc" width="16" height="16"/></svg> <strong>cukup (C)</strong>: {{higherC}}</li>
    <li><svg width="16" height="16" aria-hidden="true"><rect class="sj" width="16" height="16"/></svg> <strong>jelek (J)</strong>: {{higherJ}}</li>
    {{#lowerList}}<li>Indikator <strong>makin rendah makin baik</strong> (ditandai ↓: {{.}}): targetnya batas atas, dan status dibalik — <strong>B</strong>: capaian ≤ target dan tren turun/tetap; <strong>K</strong>: ≤ target tetapi naik; <strong>C</strong>: {{lowerC}}; <strong>J</strong>: {{lowerJ}}</li>
    {{/lowerList}}<li><svg width="16" height="16" aria-hidden="true"><rect class="sn" width="16" height="16"/></svg> tanpa status: tidak ada sasaran, atau capaian bulan ini tidak dapat dihitung (mis. tidak ada yang diperiksa bulan ini untuk indikator yang penyebutnya jumlah yang diperiksa)</li>
    <li><svg width="16" height="16" aria-hidden="true"><rect class="cnt" width="16" height="16"/></svg> jumlah (indikator tanpa sasaran/target)</li>
    </ul>
    <p>Grafik PWS: satu batang per desa/kelurahan, diurutkan dari cakupan tertinggi; batang terakhir (bergaris tebal) adalah total puskesmas. Garis putus-putus hitam = target bulan ini: untuk cakupan kumulatif suatu kelompok sasaran, target tahunan × bulan/12; untuk indikator bulanan dan indikator rasio (mis. angka drop out, desa UCI), target tahunan yang sama setiap bulan. Tren membandingkan bulan ini dengan bulan lalu (▲ naik, ► tetap, ▼ turun). Selisih = nilai − target (negatif = di bawah target{{#lowerList}}; untuk indikator bertanda ↓, selisih negatif berarti lebih baik dari batas atas{{/lowerList}}). Angka di grafik dibulatkan satu desimal; tabel memuat nilai tepat dua desimal.</p>
    </section>
    {{#sections}}
    <section class="indicator" id="{{anchor}}">
    <h2>{{indID}} — {{indName}}</h2>
    <dl class="meta"><div><dt>{{denominatorLabel}}</dt><dd>{{denominatorText}}</dd></div><div><dt>Dihitung per</dt><dd>{{subjectText}}</dd></div><div><dt>Lingkup</dt><dd>{{scopeText}}</dd></div><div><dt>Target</dt><dd>{{targetText}}</dd></div><div><dt>Grafik</dt><dd>{{measureText}}</dd></div></dl>
    <figure class="trend">
    {{{trendChart}}}
    <figcaption>{{trendTitle}}. <span class="key key-line">━ capaian</span>{{^isCount}} <span class="key key-target">╌ target</span>{{/isCount}}{{#trendNote}} {{.}}{{/trendNote}}</figcaption>
    </figure>
    <details class="trend-table"><summary>Tabel tren per puskesmas (teks pengganti grafik)</summary>{{{trendTable}}}</details>
    {{{groups}}}</section>
    {{/sections}}
    {{#growth}}
    <section class="growth" id="pertumbuhan">
    <h2>Pertumbuhan balita — {{period}}</h2>
    <p>Indikator pertumbuhan balita (standar WHO 2006): {{growthList}}. Angkanya prevalensi: persentase dari balita yang ditimbang atau diukur bulan itu (dalam katalog bawaan: T, 2T dan BGM dari balita yang ditimbang, D; lainnya dari balita dengan z-skor yang masuk akal). <strong>Makin rendah makin baik</strong>: targetnya batas atas, dan status dibalik — <strong>baik (B)</strong>: prevalensi ≤ target dan tren turun/tetap; <strong>kurang (K)</strong>: ≤ target tetapi naik; <strong>cukup (C)</strong>: {{lowerC}}; <strong>jelek (J)</strong>: {{lowerJ}}. Warna sama dengan bagian lain laporan.</p>
    <h3>Prevalensi per desa/kelurahan — {{period}}</h3>
    <p>Nilai bulan {{period}} saja: indikator ini dihitung per bulan, tiap bulan dengan penyebutnya sendiri (balita yang ditimbang/diukur bulan itu), dan statusnya dinilai per bulan; perubahan antarbulan ada di tren di bawah. Di bawah persentase: jumlah balita/penyebut.{{#hasDrill}} Klik desa untuk rincian RW/RT.{{/hasDrill}}</p>
    {{{growthTable}}}
    <h3>Tren bulanan</h3>
    <p>Satu garis per indikator, Januari–{{period}}: kabupaten/kota, lalu tiap puskesmas. Nama indikator tertulis di ujung garisnya; tabel di bawah tiap grafik memuat angka dua desimal dan statusnya. Target tiap indikator ada di bagiannya sendiri.</p>
    {{{growthKey}}}
    {{{growthTrends}}}
    <h3>Tindak lanjut per posyandu — {{period}}</h3>
    {{#hasFollowUp}}<p>{{followUpNote}}</p>{{{followUpTable}}}{{/hasFollowUp}}{{^hasFollowUp}}<p>Tidak ada balita dalam daftar tindak lanjut (tindak-lanjut.csv) bulan {{period}}.</p>{{/hasFollowUp}}
    </section>
    {{/growth}}
    {{#hasDrill}}
    <section id="rincian">
    <h2>Rincian per RW/RT — {{period}}</h2>
    <p>Buka desa/kelurahan untuk melihat capaian tiap RW dan RT untuk semua indikator: pembilang/sasaran dan huruf status (jumlah saja untuk indikator tanpa sasaran); persentasenya ada di tabel PWS. Hanya bulan {{period}}.{{#drillNote}} {{.}}{{/drillNote}}</p>
    {{#drill}}<h3>{{dpname}}</h3>
    {{{villages}}}{{/drill}}
    </section>
    {{/hasDrill}}
    {{#quality}}
    <section id="kualitas">
    <h2>Kualitas data</h2>
    <h3>Penghitungan baris data layanan</h3>
    <dl class="accounting">{{#accounting}}<div><dt>{{key}}</dt><dd>{{value}}</dd></div>{{/accounting}}</dl>
    <ul class="identities">{{#identities}}<li class="{{#ok}}ok{{/ok}}{{^ok}}bad{{/ok}}">{{formula}} {{#ok}}✓ sesuai{{/ok}}{{^ok}}✗ TIDAK sesuai{{/ok}}</li>{{/identities}}</ul>
    <p>Persentase data ditolak: <strong>{{rejectRate}}</strong></p>
    <h3>Data ditolak dan peringatan per aturan</h3>
    {{#hasRules}}{{{byRule}}}{{/hasRules}}{{^hasRules}}<p>Tidak ada data ditolak maupun peringatan.</p>{{/hasRules}}
    <h3>Data ditolak dan peringatan per file sumber / fasilitas</h3>
    {{#hasSources}}<details open class="sources"><summary>Per file sumber (terbanyak ditolak dulu)</summary>{{{bySource}}}</details>{{#sourcesNote}}<p class="muted">{{.}}</p>{{/sourcesNote}}{{/hasSources}}{{^hasSources}}<p>Tidak ada.</p>{{/hasSources}}
    <h3>Kelengkapan laporan per fasilitas per bulan</h3>
    {{#hasCompleteness}}<p>{{completenessNote}} Warna lebih gelap = lebih banyak catatan.</p>{{{completeness}}}{{/hasCompleteness}}{{^hasCompleteness}}<p>Tidak ada data kelengkapan laporan.</p>{{/hasCompleteness}}
    </section>
    {{/quality}}
    </main>
    <footer><p>Dibuat oleh pws {{version}}. Semua persentase dihitung tepat dari pembilang dan sasaran lalu dibulatkan sekali (dua desimal). Halaman ini berdiri sendiri: dapat dibuka tanpa internet dan dicetak pada A4 mendatar.</p></footer>
    </body>
    </html>

    """

    /// CSS of the growth section only, in the page when the section is: a page without it
    /// keeps its bytes. Line styles `g0`…`g7` (the growth indicators in §A4 order): the
    /// Okabe–Ito colours without yellow, plus grey, each with its own dash.
    static let growthCSS = """
    .growth tr.pk th,.growth tr.pk td{font-weight:600;border-top:2px solid var(--line)}.growth tr.pk th{background:#f6f7f9}.growth tbody tr:not(.pk):not(.total) th{padding-left:1.5em}
    .growth td small{font-weight:normal}
    .g0{--c:#E69F00}.g1{--c:#D55E00}.g2{--c:#000}.g3{--c:#56B4E9}.g4{--c:#0072B2}.g5{--c:#009E73}.g6{--c:#CC79A7}.g7{--c:#777}
    .gl{fill:none;stroke:var(--c);stroke-width:2.5}.gp{fill:var(--c);stroke:#fff;stroke-width:1}.chart .ge{fill:var(--c);font-weight:700;dominant-baseline:middle}
    .g1 .gl{stroke-dasharray:8 4}.g3 .gl{stroke-dasharray:2 3}.g5 .gl{stroke-dasharray:10 3 2 3}.g6 .gl{stroke-dasharray:5 5}.g7 .gl{stroke-dasharray:1 4}
    .growth-key .key{color:var(--c);margin-right:1em}.growth-key svg{vertical-align:middle}
    @media print{section.growth{break-before:page}}
    """

    static let css = """
    :root{--baik:#009E73;--kurang:#F0E442;--cukup:#E69F00;--jelek:#D55E00;--none:#bdbdbd;--count:#0072B2;--ink:#1a1a1a;--muted:#5f6368;--line:#d0d4d9}
    *{box-sizing:border-box}
    body{margin:0 auto;max-width:1280px;padding:12px 16px 40px;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif;color:var(--ink);background:#fff}
    h1{font-size:1.5em;margin:.3em 0}h2{font-size:1.3em;margin:1.6em 0 .5em;padding-bottom:.2em;border-bottom:2px solid var(--ink)}h3{font-size:1.08em;margin:1.2em 0 .4em}
    .lead{margin:.2em 0;color:var(--muted)}.muted{color:var(--muted);font-weight:normal}
    .notice{margin:.6em 0;padding:.5em .8em;border-left:4px solid var(--cukup);background:#fff6e5}
    nav ol{columns:2 18em;margin:.3em 0;padding-left:1.6em}nav h2{border:0;margin-top:.8em}
    a{color:#0b57a4}
    .scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;max-width:100%;margin:.4em 0 1em}
    table{border-collapse:collapse;font-size:13px;font-variant-numeric:tabular-nums}
    caption{text-align:left;font-weight:600;padding:.2em 0}
    th,td{border:1px solid var(--line);padding:3px 6px;vertical-align:top}
    td{text-align:right;white-space:nowrap}td.t{text-align:left;white-space:normal}td.sb,td.sk,td.sc,td.sj{font-weight:700}.pws td:last-child{text-align:center}
    thead th{background:#eef1f4;font-weight:600;text-align:center}
    tbody th{text-align:left;font-weight:normal;white-space:nowrap}
    td small{display:block;color:inherit;opacity:.8;font-size:11px}
    tr.total th,tr.total td{font-weight:700;border-top:2px solid var(--ink)}
    .drill th{padding-left:1.5em}.drill tr.rw th{font-weight:600;background:#f6f7f9;padding-left:6px}.drill tr.total th{padding-left:6px}tr.target th,tr.target td{font-style:italic}
    td.sb{background:var(--baik);color:#fff}td.sk{background:var(--kurang);color:#000}td.sc{background:var(--cukup);color:#000}td.sj{background:var(--jelek);color:#fff}td.sn{background:var(--none);color:#000}
    .summary td a{color:inherit;text-decoration:none;display:block}
    .summary{font-size:12px}.summary th,.summary td{padding:3px 4px}.summary td{white-space:normal}
    .summary thead th{font-size:11px;overflow-wrap:anywhere;min-width:3.6em}.summary tbody th{white-space:normal;min-width:8em}
    figure{margin:.6em 0}figcaption{font-size:13px;color:var(--muted)}
    svg.chart{display:block;width:100%;height:auto;font-size:11px}
    svg.defs{position:absolute;width:0;height:0;overflow:hidden}
    .chart .grid{stroke:#e3e6ea;stroke-width:1}.chart .axis{stroke:var(--ink);stroke-width:1.2}
    .chart .tick{text-anchor:end;fill:var(--muted);dominant-baseline:middle}.chart .month{text-anchor:middle;fill:var(--muted)}
    .chart .v{text-anchor:middle;font-weight:600;fill:var(--ink)}.chart .l{text-anchor:middle;font-weight:700;fill:var(--ink)}
    .chart .n{text-anchor:end;fill:var(--ink)}.chart .total .n{font-weight:700}
    .chart .total rect{stroke:var(--ink);stroke-width:2.5}
    .chart .break{fill:#fff;stroke:var(--ink);stroke-width:1}
    .chart .target{stroke:#000;stroke-width:2;stroke-dasharray:7 4;fill:none}.chart .target-label{font-weight:700;fill:#000}
    .chart .trendline{stroke:var(--count);stroke-width:3;fill:none}.chart .pt{fill:var(--count);stroke:#fff;stroke-width:1.5}
    rect.sb{fill:var(--baik)}rect.sk{fill:url(#p-kurang)}rect.sc{fill:url(#p-cukup)}rect.sj{fill:url(#p-jelek)}
    rect.sn{fill:var(--none)}rect.cnt{fill:var(--count)}rect.cnt-total{fill:#004b75}
    .key{white-space:nowrap;font-weight:600}.key-line{color:var(--count)}.key-target{color:#000}
    ul.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.4em 1.4em}ul.legend li{display:flex;align-items:center;gap:.4em}
    dl.meta,dl.accounting{display:flex;flex-wrap:wrap;gap:.3em 1.6em;margin:.4em 0}dl.meta div,dl.accounting div{display:flex;gap:.4em}dt{color:var(--muted)}dd{margin:0;font-weight:600}
    ul.identities li.ok{color:#006b4f}ul.identities li.bad{color:#a33a00;font-weight:700}
    details{margin:.3em 0}summary{cursor:pointer;padding:.2em 0}details.drill{border-left:3px solid var(--line);padding-left:.6em}
    .heatmap td{min-width:3em}td.h0{background:#fbe3d6;color:#8a2b00;text-align:center}td.h1{background:#deebf7}td.h2{background:#9ecae1}td.h3{background:#4292c6;color:#fff}td.h4{background:#08519c;color:#fff}
    .pkm{margin-bottom:1.4em}
    @media (max-width:640px){body{padding:8px;font-size:14px}h2{font-size:1.15em}nav ol{columns:1}table{font-size:12px}}
    @page{size:A4 landscape;margin:10mm}
    @media print{body{max-width:none;padding:0;font-size:11px}a{color:inherit;text-decoration:none}
    section.indicator{break-before:page}.pkm{break-inside:avoid}figure,svg.chart,tr,dl.meta{break-inside:avoid}h2,h3{break-after:avoid}
    .scroll{overflow:visible}svg.chart{width:auto !important;height:105mm !important;max-width:100% !important;min-width:0 !important}details.trend-table,details.drill{display:none}
    *{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
    """
}
