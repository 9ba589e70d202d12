#!/usr/bin/env python3
"""Startup time of crossrole: from launching `java -jar crossrole.jar serve` to the first successful
GET /_crossrole/health, over several runs with a fresh data directory each time (first start, which
also creates keys) and a reused one (restart). JVM options come from CROSSROLE_JAVA_OPTS, e.g. the
class-data-sharing archive that ./crossrole creates.
Usage: [CROSSROLE_JAVA_OPTS=...] python3 bench/startup.py [RUNS]"""
import os, shutil, socket, statistics, subprocess, sys, tempfile, time, urllib.request

JAR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli", "target", "crossrole.jar")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


JVM_ARGS = os.environ.get("CROSSROLE_JAVA_OPTS", "").split()


def one(data_dir):
    port = free_port()
    start = time.perf_counter()
    proc = subprocess.Popen(["java", *JVM_ARGS, "-jar", JAR, "serve", "--port", str(port), "--data-dir", data_dir],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_crossrole/health", timeout=0.5) as r:
                    if r.status == 200:
                        return time.perf_counter() - start
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError("crossrole exited")
                time.sleep(0.005)
            if time.perf_counter() - start > 20:
                raise RuntimeError("no answer within 20 s")
    finally:
        proc.terminate()
        proc.wait()


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    fresh, restart = [], []
    for _ in range(runs):
        d = tempfile.mkdtemp(prefix="crossrole-startup")
        try:
            fresh.append(one(d))
            restart.append(one(d))
        finally:
            shutil.rmtree(d, ignore_errors=True)
    for name, xs in (("first start", fresh), ("restart", restart)):
        xs_ms = sorted(x * 1000 for x in xs)
        print(f"{name}: runs={len(xs_ms)} median={statistics.median(xs_ms):.0f} ms min={xs_ms[0]:.0f} ms max={xs_ms[-1]:.0f} ms")


if __name__ == "__main__":
    main()
