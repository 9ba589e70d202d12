#!/usr/bin/env python3
"""Two builds under the same HTTP loads, taken in turn: round r runs bench/wrk/http_load.py on BEFORE then AFTER
(odd rounds) or AFTER then BEFORE (even rounds), so a drift of the machine's speed during the run falls on both alike.
Reports per load the median req/s and server CPU µs per request of each build, and the median over rounds of the
paired ratio after/before (each round's two runs are minutes apart, so their ratio is steadier than either figure).

Usage: python3 bench/wrk/compare.py BEFORE AFTER [--rounds N] [--only LOAD,...] [--seconds N] [--warmup N]
                                    [--raw FILE]"""
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
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--only", default="GetCallerIdentity,AssumeRole,GetObject 1 KiB,IAM GetRole,ECS ListClusters")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--raw", help="write every round's results to this JSON file")
    args = parser.parse_args()
    rounds = []
    for r in range(1, args.rounds + 1):
        order = ["before", "after"] if r % 2 else ["after", "before"]
        results = {}
        for build in order:
            results[build] = run(getattr(args, build), args)
        rounds.append(results)
        line = "; ".join("%s %.0f/%.0f" % (load, results["before"][load]["req_per_s"], results["after"][load]["req_per_s"])
                         for load in results["before"])
        print("round %d (%s first): %s" % (r, order[0], line), file=sys.stderr, flush=True)
        if args.raw:
            with open(args.raw, "w") as f:
                json.dump(rounds, f, indent=1)
    print("| load | before: req/s, CPU µs | after: req/s, CPU µs | after/before req/s, CPU (median of %d paired rounds) |"
          % len(rounds))
    print("|---|---|---|---|")
    for load in rounds[0]["before"]:
        def median(build, key):
            return statistics.median(x[build][load][key] for x in rounds)
        rate_ratio = statistics.median(x["after"][load]["req_per_s"] / x["before"][load]["req_per_s"] for x in rounds)
        cpu_ratio = statistics.median(x["after"][load]["cpu_us_per_request"] / x["before"][load]["cpu_us_per_request"]
                                      for x in rounds)
        failed = sum(x[b][load]["non2xx"] for x in rounds for b in ("before", "after"))
        print("| %s | %s, %.1f | %s, %.1f | %.3f, %.3f%s |" % (
            load, format(round(median("before", "req_per_s")), ","), median("before", "cpu_us_per_request"),
            format(round(median("after", "req_per_s")), ","), median("after", "cpu_us_per_request"),
            rate_ratio, cpu_ratio, "" if failed == 0 else " (%d non-2xx)" % failed))


if __name__ == "__main__":
    main()
