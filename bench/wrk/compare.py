#!/usr/bin/env python3
"""Builds under the same HTTP loads, taken in turn: round r runs bench/wrk/http_load.py on every TREE, the order
rotated by one each round, so a drift of the machine's speed during the run falls on all alike. Reports per load the
median req/s and server CPU µs per request of each build, and the median over rounds of each build's paired ratio to
the first (each round's runs are minutes apart, so their ratio is steadier than either figure).

Usage: python3 bench/wrk/compare.py TREE TREE [TREE ...] [--rounds N] [--only LOAD,...] [--seconds N] [--warmup N]
                                    [--raw FILE]
The first TREE is the baseline; each is named in the report by its folder's name."""
import argparse, json, os, statistics, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run(tree, args):
    cmd = [sys.executable, os.path.join(HERE, "http_load.py"), tree, "--seconds", str(args.seconds),
           "--warmup", str(args.warmup)]
    if args.only:
        cmd += ["--only", args.only]
    return json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)["results"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("trees", nargs="+")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--only", default="GetCallerIdentity,AssumeRole,GetObject 1 KiB,IAM GetRole,ECS ListClusters")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--raw", help="write every round's results to this JSON file")
    args = parser.parse_args()
    if len(args.trees) < 2:
        parser.error("give at least two trees")
    names = [os.path.basename(os.path.abspath(t)) for t in args.trees]
    rounds = []
    for r in range(args.rounds):
        order = [(r + i) % len(args.trees) for i in range(len(args.trees))]
        results = {}
        for i in order:
            results[i] = run(args.trees[i], args)
        rounds.append(results)
        line = "; ".join("%s %s" % (load, "/".join("%.0f" % results[i][load]["req_per_s"] for i in range(len(names))))
                         for load in results[0])
        print("round %d (%s first): %s" % (r + 1, names[order[0]], line), file=sys.stderr, flush=True)
        if args.raw:
            with open(args.raw, "w") as f:
                json.dump([{names[i]: x[i] for i in x} for x in rounds], f, indent=1)
    header = " | ".join("%s: req/s, CPU µs" % n for n in names)
    ratios = " | ".join("%s/%s req/s, CPU" % (n, names[0]) for n in names[1:])
    print("| load | %s | %s (median of %d paired rounds) |" % (header, ratios, len(rounds)))
    print("|---|" + "---|" * (2 * len(names) - 1))
    for load in rounds[0][0]:
        cells = []
        for i in range(len(names)):
            rate = statistics.median(x[i][load]["req_per_s"] for x in rounds)
            cpu = statistics.median(x[i][load]["cpu_us_per_request"] for x in rounds)
            cells.append("%s, %.1f" % (format(round(rate), ","), cpu))
        for i in range(1, len(names)):
            rate_ratio = statistics.median(x[i][load]["req_per_s"] / x[0][load]["req_per_s"] for x in rounds)
            cpu_ratio = statistics.median(x[i][load]["cpu_us_per_request"] / x[0][load]["cpu_us_per_request"]
                                          for x in rounds)
            cells.append("%.3f, %.3f" % (rate_ratio, cpu_ratio))
        failed = sum(x[i][load]["non2xx"] for x in rounds for i in range(len(names)))
        print("| %s | %s |%s" % (load, " | ".join(cells), "" if failed == 0 else " %d non-2xx" % failed))


if __name__ == "__main__":
    main()
