#!/usr/bin/env python3
"""The measuring half of bench/run.sh (which builds, installs and generates first).

    python3 bench/bench.py --bin PATH --bare PATH --root /dev/shm/pws-bench [--runs N] SIZE...

For each size, over the data folder ROOT/SIZE, in this order and RUNS times (best kept): the bare
libcsv pass, `pws bench ingest`, `pws validate`, `pws run`; then the DuckDB baseline once. Every
command runs as a child whose CPU time (user+sys) and peak RSS come from wait4(); while it runs,
/proc/PID/stat is sampled every 20 ms so the CPU time of each `pws run` stage can be cut at the
stage boundaries that run.json reports (resolution: one sample). Prints the table and appends a
dated section to bench/RESULTS.md.
"""

import argparse
import datetime
import glob
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def loadavg():
    return open("/proc/loadavg").read().split()[0]


def measure(cmd, cwd=None, stdout=None, sample=False):
    """Runs cmd; returns dict(wall, cpu, user, sys, maxrss_mib, rc, samples[(t, cpu)], load)."""
    load = loadavg()
    out = open(stdout, "w") if stdout else subprocess.DEVNULL
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=out)
    samples = []
    stat = f"/proc/{proc.pid}/stat"
    while True:
        pid, status, ru = os.wait4(proc.pid, os.WNOHANG if sample else 0)
        if pid == proc.pid:
            break
        try:
            fields = open(stat).read().rsplit(")", 1)[1].split()
            samples.append((time.perf_counter() - start, (int(fields[11]) + int(fields[12])) / TICK,
                            int(fields[21]) * PAGE / 2**20))
        except (OSError, IndexError):
            pass
        time.sleep(0.02)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if stdout:
        out.close()
    return {"wall": wall, "user": ru.ru_utime, "sys": ru.ru_stime, "cpu": ru.ru_utime + ru.ru_stime,
            "maxrss_mib": ru.ru_maxrss / 1024, "rc": proc.returncode, "samples": samples, "load": load}


def cpu_at(samples, t):
    """CPU seconds used by time t (last sample at or before t)."""
    best = 0.0
    for st, cpu, _ in samples:
        if st <= t:
            best = cpu
        else:
            break
    return best


def best(runs, key):
    return min(runs, key=lambda r: r[key])


def machine():
    model = ""
    for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
        if line.startswith("Model name:"):
            model = line.split(":", 1)[1].strip()
    mem = ""
    for line in open("/proc/meminfo"):
        if line.startswith("MemTotal:"):
            mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    swift = subprocess.run(["swift", "--version"], capture_output=True, text=True)
    swift_v = (swift.stdout + swift.stderr).strip().splitlines()
    swift_v = next((l for l in swift_v if "Swift version" in l), swift_v[0] if swift_v else "?")
    try:
        import duckdb
        duck = duckdb.__version__
    except ImportError:
        duck = "not installed"
    libcsv = subprocess.run(["sh", "-c", "dpkg-query -W -f '${Version}' libcsv-dev 2>/dev/null"],
                            capture_output=True, text=True).stdout
    commit = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    return {"nproc": os.cpu_count(), "cpu": model, "memory": mem, "swift": swift_v, "duckdb": duck,
            "libcsv": libcsv or "?", "kernel": platform.release(), "commit": commit,
            "python": platform.python_version()}


def run_size(args, size, log):
    data = os.path.join(args.root, str(size))
    work = os.path.join(args.work, str(size))
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    files = sorted(["layanan/" + f for f in os.listdir(os.path.join(data, "layanan"))
                    if f.lower().endswith(".csv")], key=lambda p: p.encode())
    if os.path.isfile(os.path.join(data, "layanan.csv")):
        files.insert(0, "layanan.csv")
    nbytes = sum(os.path.getsize(os.path.join(data, f)) for f in files)
    for f in files:  # warm the page cache (no-op on /dev/shm)
        with open(os.path.join(data, f), "rb") as h:
            while h.read(1 << 20):
                pass
    listing = f"{work}/files.txt"
    with open(listing, "w") as f:
        f.write("".join(p + "\n" for p in files))
    res = {"size": size, "files": len(files), "bytes": nbytes, "runs": []}
    for run in range(args.runs):
        r = {}
        m = measure([args.bare] + files, cwd=data, stdout=f"{work}/bare.out")
        b_bytes, b_rec, b_fields, b_sec = open(f"{work}/bare.out").read().split()
        m.update(seconds=float(b_sec), records=int(b_rec) - len(files))
        r["bare"] = m
        log(f"  run {run + 1} bare libcsv       {m['seconds']:8.2f} s  cpu {m['cpu']:8.2f} s  load {m['load']}")

        m = measure([args.bin, "bench", "ingest", "--machine", "--files-from", listing], cwd=data, stdout=f"{work}/ingest.out")
        i_bytes, i_rec, i_sec = open(f"{work}/ingest.out").read().split()
        m.update(seconds=float(i_sec), records=int(i_rec))
        r["ingest"] = m
        log(f"  run {run + 1} pws bench ingest  {m['seconds']:8.2f} s  cpu {m['cpu']:8.2f} s  load {m['load']}")

        vout = f"{work}/validate"
        m = measure([args.bin, "validate", "--data", data, "--today", args.today, "--out", vout, "--quiet"],
                    stdout=f"{work}/validate.log")
        vj = json.load(open(f"{vout}/run.json"))
        vt = vj["timings_seconds"]
        m.update(seconds=vt["ingest_validate"], records=vj["counts"]["rows_read"],
                 reading_cpu=vt.get("validate_reading_cpu"), checking_cpu=vt.get("validate_checking_cpu"))
        r["validate"] = m
        log(f"  run {run + 1} pws validate      {m['seconds']:8.2f} s  cpu {m['cpu']:8.2f} s  load {m['load']}"
            f"  (exit {m['rc']}; thread CPU: reading {fmt(m['reading_cpu'], '.2f')} s, "
            f"checking {fmt(m['checking_cpu'], '.2f')} s)")

        rout = f"{work}/out"
        shutil.rmtree(rout, ignore_errors=True)
        m = measure([args.bin, "run", "--data", data, "--out", rout, "--today", args.today, "--quiet"],
                    stdout=f"{work}/run.log", sample=True)
        if m["rc"] != 0:
            raise SystemExit(f"pws run exited {m['rc']}; see {work}/run.log")
        month = sorted(os.path.basename(p) for p in glob.glob(f"{rout}/20[0-9][0-9]-[0-9][0-9]"))[-1]
        rj = json.load(open(f"{rout}/{month}/run.json"))
        t = rj["timings_seconds"]
        # Stage CPU: cut the sampled CPU curve at the stage boundaries (the run's clock starts
        # a few ms after the process: that startup is counted in the first stage).
        offset = 0.0
        b1 = offset + t["ingest_validate"]
        b2 = b1 + t["aggregate"]
        b3 = offset + t["total"]
        s = m["samples"]
        stage_cpu = {"ingest_validate": cpu_at(s, b1), "aggregate": cpu_at(s, b2) - cpu_at(s, b1),
                     "export": m["cpu"] - cpu_at(s, b2)}
        # Resident memory (sampled) at its highest within each stage.
        stage_rss = {name: max([r for t_, _, r in s if lo <= t_ < hi] or [0.0])
                     for name, lo, hi in (("ingest_validate", 0, b1), ("aggregate", b1, b2), ("export", b2, 1e9))}
        m.update(timings=t, stage_cpu=stage_cpu, stage_rss=stage_rss, peak_rss_mib=rj.get("peak_rss_mib"),
                 records=rj["counts"]["rows_read"], counts=rj["counts"], month=month,
                 indicators=f"{rout}/{month}/indicators.csv")
        m.pop("samples")
        r["run"] = m
        log(f"  run {run + 1} pws run           {t['total']:8.2f} s  cpu {m['cpu']:8.2f} s  load {m['load']}"
            f"  (ingest+validate {t['ingest_validate']:.2f}, aggregate {t['aggregate']:.2f}, "
            f"export {t['export']:.2f}; peak RSS {rj.get('peak_rss_mib')} MiB)")
        for v in r.values():
            v.pop("samples", None)
        res["runs"].append(r)

    # DuckDB once (it is the slow one), against the last pws run's indicators.csv.
    last = res["runs"][-1]["run"]
    m = measure([sys.executable, os.path.join(HERE, "duckdb_numerators.py"), data, "--today", args.today,
                 "--threads", str(args.threads), "--services", os.path.join(REPO, "pipelines", "services.yaml"),
                 "--compare", last["indicators"], "--json", f"{work}/duckdb.json",
                 "--numerators", f"{work}/duckdb-numerators.csv"], stdout=f"{work}/duckdb.log")
    if m["rc"] != 0:
        raise SystemExit(f"duckdb baseline exited {m['rc']}; see {work}/duckdb.log")
    dj = json.load(open(f"{work}/duckdb.json"))
    m.pop("samples")
    m.update(seconds=dj["seconds_total"], detail=dj)
    res["duckdb"] = m
    log(f"  DuckDB numerators       {dj['seconds_total']:8.2f} s  cpu {m['cpu']:8.2f} s  load {m['load']}"
        f"  (read {dj['seconds_read']:.2f} s; peak RSS {m['maxrss_mib']:.0f} MiB)")
    return res


def summarize(res):
    """Best-of-runs figures per stage: (name, wall, cpu, records)."""
    runs = res["runs"]
    bare = best([r["bare"] for r in runs], "seconds")
    ingest = best([r["ingest"] for r in runs], "seconds")
    validate = best([r["validate"] for r in runs], "seconds")
    run = best([r["run"] for r in runs], "wall")
    t, sc = run["timings"], run["stage_cpu"]
    recs = run["records"]
    duck = res["duckdb"]
    rows = [
        ("bare libcsv (all files)", bare["seconds"], bare["cpu"], bare["records"]),
        ("pws bench ingest", ingest["seconds"], ingest["cpu"], ingest["records"]),
        ("pws validate: ingest+validate", validate["seconds"], validate["cpu"], validate["records"]),
        ("pws run: ingest+validate", t["ingest_validate"], sc["ingest_validate"], recs),
        ("pws run: aggregate", t["aggregate"], sc["aggregate"], recs),
        ("pws run: export", t["export"], sc["export"], recs),
        ("pws run: total", t["total"], run["cpu"], recs),
        ("DuckDB: read CSV", duck["detail"]["seconds_read"], None, duck["detail"]["rows_read"]),
        ("DuckDB: K1+D_S+IDL total", duck["detail"]["seconds_total"], duck["detail"]["cpu_seconds"],
         duck["detail"]["rows_read"]),
    ]
    return rows, bare, ingest, validate, run, duck


def fmt(v, spec):
    return "—" if v is None else format(v, spec)


def report(results, mach, args, started):
    lines = []
    lines.append(f"## {started:%Y-%m-%d %H:%M} — sizes {', '.join(str(r['size']) for r in results)}"
                 f" (commit {mach['commit']}, best of {args.runs})")
    lines.append("")
    lines.append(f"Machine: {mach['nproc']} cores, {mach['cpu']}, {mach['memory']} RAM, kernel {mach['kernel']}; "
                 f"{mach['swift']}; DuckDB {mach['duckdb']} (Python {mach['python']}, threads {args.threads}); "
                 f"libcsv {mach['libcsv']}. Data in {args.root} (RAM disk). Seed 1, year 2025, "
                 f"--today {args.today}.")
    lines.append("")
    summary = {}
    for res in results:
        rows, bare, ingest, validate, run, duck = summarize(res)
        mb = res["bytes"] / 1e6
        loads = sorted({r[k]["load"] for r in res["runs"] for k in ("bare", "ingest", "validate", "run")}
                       | {duck["load"]})
        lines.append(f"### {res['size']:,} records requested: {run['records']:,} rows read by pws, "
                     f"{res['files']:,} files, {mb:,.0f} MB (load average 1-min at the steps: "
                     f"{', '.join(loads)})")
        lines.append("")
        lines.append("| stage | wall s | CPU s | records/s (wall) | MB/s (wall) | records/CPU-s |")
        lines.append("|---|---:|---:|---:|---:|---:|")
        for name, wall, cpu, recs in rows:
            lines.append(f"| {name} | {wall:.2f} | {fmt(cpu, '.2f')} | {recs / wall:,.0f} | {mb / wall:,.1f} | "
                         f"{fmt(None if cpu is None else recs / cpu, ',.0f')} |")
        peak = run["peak_rss_mib"]
        lines.append("")
        t = run["timings"]
        ratio_total = t["total"] / bare["seconds"]
        ratio_total_cpu = run["cpu"] / bare["cpu"]
        overhead = validate["seconds"] / ingest["seconds"] - 1
        overhead_cpu = validate["cpu"] / ingest["cpu"] - 1
        agg_vs_ingest = t["aggregate"] / ingest["seconds"]
        agg_cpu_vs_ingest = run["stage_cpu"]["aggregate"] / ingest["cpu"]
        vs_duck = t["total"] / duck["detail"]["seconds_total"]
        vs_duck_cpu = run["cpu"] / duck["detail"]["cpu_seconds"]
        vs_duck_core = (t["ingest_validate"] + t["aggregate"]) / duck["detail"]["seconds_total"]
        lines.append("| ratio | wall | CPU | goal |")
        lines.append("|---|---:|---:|---|")
        lines.append(f"| pws run total / bare libcsv | {ratio_total:.2f} | {ratio_total_cpu:.2f} | ≤ 1.5 |")
        lines.append(f"| validate overhead over ingest (pws validate / bench ingest − 1) | {overhead:+.0%} | "
                     f"{overhead_cpu:+.0%} | ≤ +30 % |")
        if validate.get("reading_cpu") is not None:
            lines.append(f"| validate threads, CPU s: reading+cleaning (Ingest) / checking rules | "
                         f"{validate['reading_cpu']:.2f} / {validate['checking_cpu']:.2f} | | stage ≈ the larger |")
        lines.append(f"| aggregate / ingest | {agg_vs_ingest:.2f} | {agg_cpu_vs_ingest:.2f} | ≤ 1 |")
        lines.append(f"| pws run total / DuckDB (3 numerators) | {vs_duck:.2f} | {vs_duck_cpu:.2f} | < 1 |")
        lines.append(f"| pws ingest+validate+aggregate / DuckDB | {vs_duck_core:.2f} | — | < 1 |")
        lines.append(f"| peak RSS pws run | {peak:,.0f} MiB (wait4: {run['maxrss_mib']:,.0f} MiB) | | "
                     f"≤ 1024 MiB at 10 M |")
        if run.get("stage_rss"):
            sr = run["stage_rss"]
            lines.append(f"| RSS high-water per stage (sampled) | ingest+validate {sr['ingest_validate']:,.0f}, "
                         f"aggregate {sr['aggregate']:,.0f}, export {sr['export']:,.0f} MiB | | |")
        lines.append(f"| peak RSS DuckDB process | {duck['maxrss_mib']:,.0f} MiB | | (for reference) |")
        lines.append("")
        ag = duck["detail"].get("agreement", {})
        lines.append(f"DuckDB agreement with pws indicators.csv (level desa, {run['month'][:4]} months ≤ "
                     f"{run['month']}): DuckDB read {duck['detail']['rows_read']:,} rows "
                     f"({duck['detail']['reader_rejects']:,} refused by its reader), kept "
                     f"{duck['detail']['rows_kept']:,}; pws accepted {run['counts']['rows_accepted']:,} and "
                     f"used {run['counts']['rows_used']:,} of {run['counts']['rows_read']:,}.")
        lines.append("")
        lines.append("| indicator | village-months | differ | of which hold a row pws rejected | Σ pws | Σ DuckDB | "
                     "Σ abs diff | examples |")
        lines.append("|---|---:|---:|---:|---:|---:|---:|---|")
        for ind, a in ag.items():
            lines.append(f"| {ind} | {a['village_months']} | {a['differ']} | "
                         f"{a.get('differ_with_row_pws_rejected', '—')} | {a['sum_pws']:,} | {a['sum_duckdb']:,} | "
                         f"{a['abs_diff_sum']} | {'; '.join(a['examples'][:3])} |")
        lines.append("")
        kept = duck["detail"].get("kept_by_duckdb_rejected_by_pws")
        if kept is not None:
            lines.append("Rows DuckDB kept that pws rejected (matched by file and record_id; E-DUPLICATE-ID "
                         "not matched as the id is shared): "
                         + (", ".join(f"{k} {v:,}" for k, v in kept.items()) or "none") + ".")
            lines.append("")
        summary[res["size"]] = {"records": run["records"], "total": t["total"], "cpu": run["cpu"],
                                "stages": {"bare libcsv": bare["seconds"], "pws bench ingest": ingest["seconds"],
                                           "ingest+validate": t["ingest_validate"], "aggregate": t["aggregate"],
                                           "export": t["export"], "total": t["total"],
                                           "total (CPU)": run["cpu"]}}
    sizes = sorted(summary)
    if len(sizes) >= 2:
        a, b = summary[sizes[0]], summary[sizes[-1]]
        g_wall = (b["total"] / b["records"]) / (a["total"] / a["records"]) - 1
        g_cpu = (b["cpu"] / b["records"]) / (a["cpu"] / a["records"]) - 1
        lines.append(f"Cost per record {sizes[0]:,} → {sizes[-1]:,}: wall {a['total'] / a['records'] * 1e6:.2f} → "
                     f"{b['total'] / b['records'] * 1e6:.2f} µs ({g_wall:+.1%}), CPU "
                     f"{a['cpu'] / a['records'] * 1e6:.2f} → {b['cpu'] / b['records'] * 1e6:.2f} µs ({g_cpu:+.1%}); "
                     f"goal ≤ +10 %.")
        lines.append("")
        lines.append(f"| µs per record | {sizes[0]:,} | {sizes[-1]:,} | growth |")
        lines.append("|---|---:|---:|---:|")
        for name in a["stages"]:
            x = a["stages"][name] / a["records"] * 1e6
            y = b["stages"][name] / b["records"] * 1e6
            lines.append(f"| {name} | {x:.2f} | {y:.2f} | {y / x - 1:+.1%} |")
        lines.append("")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sizes", nargs="+", type=int)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--bare", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--work", default=os.path.join(HERE, "work"))
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--today", default="2026-01-15")
    ap.add_argument("--results", default=os.path.join(HERE, "RESULTS.md"))
    ap.add_argument("--no-append", action="store_true")
    ap.add_argument("--from-json", help="re-render the report of an earlier run's results.json (no measuring)")
    args = ap.parse_args()
    args.bin, args.bare, args.root = map(os.path.abspath, (args.bin, args.bare, args.root))

    def log(s):
        print(s, file=sys.stderr, flush=True)

    started = datetime.datetime.now()
    mach = machine()
    results = []
    if args.from_json:
        saved = json.load(open(args.from_json))
        results = [r for r in saved if r["size"] in args.sizes]
        started = datetime.datetime.fromtimestamp(os.path.getmtime(args.from_json))
        args.sizes = []
    for size in args.sizes:
        log(f"size {size:,}:")
        results.append(run_size(args, size, log))
        json.dump(results, open(os.path.join(args.work, "results.json"), "w"), indent=1, default=str)
    text = report(results, mach, args, started)
    print(text)
    if not args.no_append:
        new = not os.path.exists(args.results)
        with open(args.results, "a") as f:
            if new:
                f.write("# Benchmark results\n\nAppended by `bench/run.sh`; see bench/README.md for what each "
                        "figure measures. Newest last.\n\n")
            f.write(text + "\n")
        log(f"appended to {args.results}")


if __name__ == "__main__":
    main()
