#!/usr/bin/env python3
"""Before/after CPU and wall time of `pws validate` and `pws run` (issue 21 item 3: both cores
on ingest and validation), runs of the two binaries interleaved.

    python3 bench/cold/workers.py --before OLD_PWS --after NEW_PWS --runs 5 DATA_DIR

Prints per command and binary the medians of wall seconds, user + sys CPU seconds, CPU
utilisation ((user + sys) / wall: above 1 means more than one core busy), peak RSS, run.json's
ingest_validate wall, peak RSS (run.json) and the Validate threads' CPU (validate_reading_cpu: reading threads or
workers; validate_checking_cpu: the checking thread or the merge), and the load average around
each run. Outputs go under --work (never the repository).
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time


def timed(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = os.getloadavg()[0]
    start = time.monotonic()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 2):  # 2: published with warnings/rejects
        sys.exit(f"{' '.join(cmd[:3])}… failed ({proc.returncode}): {proc.stderr.decode()[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "util": cpu / wall, "load": (load + os.getloadavg()[0]) / 2}


def run_json(out):
    for root, _, files in os.walk(out):
        if "run.json" in files:
            with open(os.path.join(root, "run.json")) as f:
                return json.load(f)
    return {}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--before", required=True)
    ap.add_argument("--after", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--today", default="2026-01-15")
    ap.add_argument("--work", default="/tmp/pws-workers-bench")
    ap.add_argument("--commands", default="validate,run")
    ap.add_argument("data")
    args = ap.parse_args()
    results = {}
    for k in range(args.runs):
        for command in args.commands.split(","):
            for name, binary in [("before", args.before), ("after", args.after)]:
                out = os.path.join(args.work, f"{command}-{name}")
                subprocess.run(["rm", "-rf", out])
                r = timed([binary, command, "--data", args.data, "--out", out, "--today", args.today, "--quiet"])
                manifest = run_json(out)
                t = manifest.get("timings_seconds", {})
                r["rss"] = manifest.get("peak_rss_mib", float("nan"))
                r["ingest_validate"] = t.get("ingest_validate", float("nan"))
                r["reading_cpu"] = t.get("validate_reading_cpu", float("nan"))
                r["checking_cpu"] = t.get("validate_checking_cpu", float("nan"))
                results.setdefault((command, name), []).append(r)
        print(f"  run {k + 1}/{args.runs} done (load {os.getloadavg()[0]:.1f})", file=sys.stderr)
    keys = ["wall", "cpu", "util", "ingest_validate", "reading_cpu", "checking_cpu", "rss", "load"]
    print("| command | binary | " + " | ".join(keys) + " |")
    print("|---|---|" + "---:|" * len(keys))
    for (command, name), rs in results.items():
        med = [statistics.median(r[key] for r in rs) for key in keys]
        print(f"| pws {command} | {name} | " + " | ".join(f"{v:.2f}" for v in med) + " |")
    print(f"\nmedians of {args.runs} interleaved runs; wall/cpu/ingest_validate/*_cpu in s, rss in MiB, "
          "util = (user + sys) / wall, load = 1-min load average around the run")


if __name__ == "__main__":
    main()
