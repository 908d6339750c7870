#!/usr/bin/env python3
"""Cold-run benchmark on many small files (issue 21); driven by bench/cold/run.sh.

    python3 bench/cold/cold.py --bin PWS [--before PWS_BEFORE] --bare BARE --runs N DIR...

For each data folder DIR it runs, RUNS times each and interleaved (so load changes hit every
command alike): the bare libcsv pass over its service files, `pws run`, and the two DuckDB
baselines (bench/cold/duckdb_simple.py, the least DuckDB can do; bench/duckdb_numerators.py,
the full validation). Each command runs under /usr/bin/time (its peak RSS, `%M`: a child of
this Python process would carry Python's own peak into wait4's figure); its wall time here and
its CPU time (user + sys, the command's included) from wait4(); pws's own stage timings from
its run.json. Prints a Markdown table
of medians and the ratios pws run / bare and pws run / DuckDB.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def timed(cmd, stdout=subprocess.DEVNULL):
    # The peak RSS is /usr/bin/time's figure for the command it forks. A command spawned by
    # this Python process directly would carry Python's own peak (~48 MiB): Linux keeps the
    # peak of the image before exec in ru_maxrss, so wait4's figure is at least the parent's.
    # wait4 on /usr/bin/time still gives the CPU time: it includes the command it waited for.
    with tempfile.NamedTemporaryFile(prefix="pws-cold-rss-") as rss:
        start = time.perf_counter()
        proc = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", rss.name] + cmd,
                                stdout=stdout, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        out = proc.stdout.read().decode() if proc.stdout else ""
        err = proc.stderr.read().decode()
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 2):  # pws exits 2 when rows were rejected (planted problems)
            sys.exit(f"{' '.join(cmd[:3])}… failed ({code}): {err[-2000:]}")
        with open(rss.name) as f:
            kib = int(f.read().split()[-1])  # after "Command exited with non-zero status N"
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_mib": kib / 1024, "out": out}


def service_files(data):
    sys.path.insert(0, os.path.join(HERE, ".."))
    import duckdb_numerators  # noqa: E402  (only its file listing)
    return [os.path.join(data, r) for r in duckdb_numerators.service_files(data)]


def run_json(out):
    # OUT/YYYY-MM is a symbolic link to the published run (os.walk would not follow it).
    for name in sorted(os.listdir(out)):
        path = os.path.join(out, name, "run.json")
        if not name.startswith(".") and os.path.isfile(path):
            with open(path) as f:
                return json.load(f)
    return {}


def median(rows, key):
    return statistics.median(r[key] for r in rows)


def bench(data, args):
    files = service_files(data)
    work = os.path.join(args.work, os.path.basename(data.rstrip("/")))
    os.makedirs(work, exist_ok=True)
    size = sum(os.path.getsize(f) for f in files)
    results = {"bare": [], "pws": [], "pws_before": [], "duck_simple": [], "duck_full": []}
    # One untimed pass first: after a build or a test run the files may have left the page
    # cache, and the first timed step would pay for the disk (a 75 s `pws run` once, 10 s warm).
    subprocess.run([args.bare, "-d", "auto"] + files, stdout=subprocess.DEVNULL, check=False)
    for k in range(args.runs):
        r = timed([args.bare, "-d", "auto"] + files, stdout=subprocess.PIPE)
        r["own"] = float(r["out"].split()[3])
        results["bare"].append(r)
        out = os.path.join(work, f"out{k}")
        subprocess.run(["rm", "-rf", out])
        # The two builds take turns going first: the one right after the other runs while the
        # other's ~500 MB of outputs are still being written back, which cost it ~0.5 s of export
        # in every run when the order was fixed.
        pair = [("pws_before", args.before), ("pws", args.bin)]
        for key, binary in (pair if k % 2 == 0 else pair[::-1]):
            if not binary:
                continue
            subprocess.run(["rm", "-rf", out])
            r = timed([binary, "run", "--data", data, "--out", out, "--today", args.today, "--quiet"])
            rj = run_json(out)
            r["timings"] = rj.get("timings_seconds", {})
            r["peak_rss_mib"] = rj.get("peak_rss_mib")
            results[key].append(r)
        if not args.no_duckdb:
            r = timed([sys.executable, os.path.join(HERE, "duckdb_simple.py"), data, "--threads", "2"],
                      stdout=subprocess.PIPE)
            r["own"] = float(r["out"].split()[0])
            results["duck_simple"].append(r)
            if k < args.full_runs:
                results["duck_full"].append(timed([sys.executable, os.path.join(HERE, "..", "duckdb_numerators.py"),
                                                   data, "--today", args.today, "--threads", "2"]))
        print(f"  run {k + 1}/{args.runs} done (load {os.getloadavg()[0]:.1f})", file=sys.stderr)
    def stage(key, which="pws"):
        return statistics.median(r["timings"].get(key, 0) for r in results[which])
    lines = [f"### {os.path.basename(data.rstrip('/'))}: {len(files)} files, {size / 1e6:.0f} MB, "
             f"medians of {args.runs} runs (load {os.getloadavg()[0]:.1f} at the end)", "",
             "| step | wall s | CPU s | peak RSS MiB |", "|---|---:|---:|---:|"]
    for name, key in [("bare libcsv", "bare"), ("pws run (before, --before)", "pws_before"), ("pws run", "pws"),
                      ("DuckDB one numerator", "duck_simple"),
                      ("DuckDB full validation", "duck_full")]:
        rows = results[key]
        if rows:
            lines.append(f"| {name} | {median(rows, 'wall'):.2f} | {median(rows, 'cpu'):.2f} | {median(rows, 'rss_mib'):.0f} |")
    lines.append("")
    for which in ("pws_before", "pws"):
        if results[which]:
            lines.append(
                f"- {which.replace('_', ' ')} stages (run.json, medians): ingest_validate {stage('ingest_validate', which):.2f} s "
                f"(reading CPU {stage('validate_reading_cpu', which):.2f} s, checking CPU "
                f"{stage('validate_checking_cpu', which):.2f} s), aggregate {stage('aggregate', which):.2f} s, "
                f"export {stage('export', which):.2f} s, total {stage('total', which):.2f} s; peak_rss_mib "
                f"{statistics.median(r['peak_rss_mib'] or 0 for r in results[which]):.0f}")
    lines.append("")
    bare, pws = results["bare"], results["pws"]
    lines.append(f"- pws run / bare libcsv: wall {median(pws, 'wall') / median(bare, 'wall'):.2f} ×, "
                 f"CPU {median(pws, 'cpu') / median(bare, 'cpu'):.2f} ×")
    lines.append(f"- pws ingest_validate / bare libcsv (wall): {stage('ingest_validate') / median(bare, 'wall'):.2f} ×")
    for name, key in [("DuckDB one numerator", "duck_simple"), ("DuckDB full validation", "duck_full")]:
        if results[key]:
            d = results[key]
            lines.append(f"- pws run / {name}: wall {median(pws, 'wall') / median(d, 'wall'):.2f} ×, "
                         f"CPU {median(pws, 'cpu') / median(d, 'cpu'):.2f} ×")
    with open(os.path.join(work, "results.json"), "w") as f:
        json.dump(results, f, indent=1, default=str)
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--bare", required=True)
    ap.add_argument("--before", help="a second pws binary (the build before a change), run beside --bin")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--full-runs", type=int, default=1, help="runs of the full DuckDB script (slow)")
    ap.add_argument("--today", default="2026-01-15")
    ap.add_argument("--work", default=os.path.join(HERE, "..", "work", "cold"))
    ap.add_argument("--no-duckdb", action="store_true")
    ap.add_argument("dirs", nargs="+")
    args = ap.parse_args()
    for d in args.dirs:
        print(bench(d, args))
        print()


if __name__ == "__main__":
    main()
