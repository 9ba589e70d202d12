#!/usr/bin/env python3
"""The server's side of a load: starts crossrole as its own process (the jar with the JVM options given, or the
./crossrole launcher), prepares and signs requests (dev.crossrole.bench.load.WrkScript), drives them with wrk and
reports, for the measured requests only:
  - throughput (wrk's requests/s) and non-2xx answers,
  - bytes the server allocated per request: from its GC log, the heap used before each collection minus the
    heap left by the one before, between two System.gc() marks (jcmd GC.run) taken around the measured run,
  - server CPU time per request (utime + stime of the process, /proc/PID/stat), and the collections' pauses,
  - the process's RSS (VmRSS) after the run and its peak (VmHWM), and the heap live after a full GC.

Usage:
  python3 bench/server_load.py [--jar JAR | --launcher] [--java-opts "..."] [--threads 2] [--connections 8]
                               [--warmup N] KINDS REQUESTS
KINDS is a comma-separated cycle of gci, assume, get1k, put1k, sqssend, sqsrecv (see WrkScript). Needs wrk, jcmd and
bench/target/benchmarks.jar (mvn -pl bench -am package -DskipTests). KEEP=1 keeps the work folder (GC log,
data directory, Lua script) and prints where it is.
Example: python3 bench/server_load.py --launcher gci,assume,get1k,put1k 1000000
"""
import argparse, os, re, shutil, signal, socket, subprocess, sys, tempfile, time, urllib.request

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
BENCH_JAR = os.path.join(ROOT, "bench", "target", "benchmarks.jar")
MARK = "Full (Diagnostic Command)"  # the full collection jcmd GC.run asks for (Parallel precedes it with a young one)
PAUSE = re.compile(r"GC\(\d+\) Pause (.*?) (\d+)M->(\d+)M\((\d+)M\) ([\d.]+)ms")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_status(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) // 1024  # MiB
    return None


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def gc_mark(pid):
    subprocess.run(["jcmd", str(pid), "GC.run"], check=True, stdout=subprocess.DEVNULL)
    time.sleep(0.5)  # the log line is written after the pause


def pauses(log):
    with open(log) as f:
        return [(m.group(1), int(m.group(2)), int(m.group(3)), float(m.group(5))) for m in PAUSE.finditer(f.read())]


def between_marks(log, first_mark):
    """Between the first_mark-th jcmd GC.run pause and the next: the heap allocated (MiB), the heap live after
    the second mark (MiB), and the collections' count and pause time (ms) other than the marks."""
    events = pauses(log)
    marks = [i for i, e in enumerate(events) if MARK in e[0]]
    start, end = marks[first_mark], marks[first_mark + 1]
    total, previous_after = 0, events[start][2]
    for kind, before, after, ms in events[start + 1:end + 1]:
        total += max(0, before - previous_after)
        previous_after = after
    collections = [e for e in events[start + 1:end] if "Diagnostic Command" not in e[0]]
    return total, events[end][2], len(collections), sum(e[3] for e in collections)


def wrk(args, script, port, work):
    """Runs wrk until every thread has sent its share (each notes it in DONE_FILE), then interrupts it: wrk
    would otherwise wait out its whole -d duration."""
    done = os.path.join(work, "done")
    if os.path.exists(done):
        os.remove(done)
    run = subprocess.Popen(["wrk", "--latency", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.max_seconds}s",
                            "-s", script, f"http://127.0.0.1:{port}"], env=dict(os.environ, DONE_FILE=done),
                           stdout=subprocess.PIPE, text=True)
    while run.poll() is None:
        if os.path.exists(done) and len(open(done).read().split()) >= args.threads:
            run.send_signal(signal.SIGINT)
            break
        time.sleep(0.02)
    out = run.communicate()[0]
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    percentiles = {p: to_ms(v, unit) for p, v, unit in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)}
    return requests, rate, int(non2xx.group(1)) if non2xx else 0, errors.group(1) if errors else "", percentiles


def to_ms(value, unit):
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jar", default=os.path.join(ROOT, "cli", "target", "crossrole.jar"))
    parser.add_argument("--launcher", action="store_true", help="start ./crossrole serve (its JVM settings)")
    parser.add_argument("--java-opts", default="", help="JVM options (with --launcher: CROSSROLE_JAVA_OPTS)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=50000, help="requests before measuring")
    parser.add_argument("--max-seconds", type=int, default=600)
    parser.add_argument("kinds")
    parser.add_argument("requests", type=int)
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="crossrole-server-load-")
    data, log = os.path.join(work, "data"), os.path.join(work, "gc.log")
    port = free_port()
    gc_log = f"-Xlog:gc:file={log}"
    serve = ["serve", "--port", str(port), "--data-dir", data]
    env = dict(os.environ)
    if args.launcher:
        env["CROSSROLE_JAVA_OPTS"] = (args.java_opts + " " + gc_log).strip()
        command = [os.path.join(ROOT, "crossrole"), *serve]
    else:
        command = ["java", *args.java_opts.split(), gc_log, "-jar", args.jar, *serve]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(600):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_crossrole/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        pid = server.pid
        max_heap = subprocess.run(["jcmd", str(pid), "VM.flags"], capture_output=True, text=True).stdout
        heap = re.search(r"-XX:MaxHeapSize=(\d+)", max_heap)
        gc = re.search(r"-XX:\+Use(\w+GC)", max_heap)
        script = os.path.join(work, "load.lua")
        if args.warmup:
            subprocess.run(["java", "-cp", BENCH_JAR, "dev.crossrole.bench.load.WrkScript", str(port), data, script,
                            args.kinds, str(args.warmup), str(args.threads)], check=True, stdout=subprocess.DEVNULL)
            wrk(args, script, port, work)
        subprocess.run(["java", "-cp", BENCH_JAR, "dev.crossrole.bench.load.WrkScript", str(port), data, script,
                        args.kinds, str(args.requests), str(args.threads)], check=True, stdout=subprocess.DEVNULL)
        gc_mark(pid)
        cpu0 = cpu_seconds(pid)
        requests, rate, non2xx, errors, percentiles = wrk(args, script, port, work)
        cpu = cpu_seconds(pid) - cpu0
        rss, hwm = proc_status(pid, "VmRSS"), proc_status(pid, "VmHWM")
        gc_mark(pid)
        allocated, live, collections, paused = between_marks(log, len([e for e in pauses(log) if MARK in e[0]]) - 2)
        rss_after_gc = proc_status(pid, "VmRSS")
        print(f"kinds={args.kinds} requests={requests} non2xx={non2xx} socket_errors=[{errors}] "
              f"gc={gc.group(1) if gc else '?'} max_heap={int(heap.group(1)) // 2**20 if heap else '?'}MiB "
              f"throughput={rate:.0f}req/s p50={percentiles.get('50', float('nan')):.2f}ms "
              f"p99={percentiles.get('99', float('nan')):.2f}ms cpu={cpu * 1e6 / requests:.1f}us/req "
              f"allocated={allocated * 2**20 / requests:.0f}B/req gc_pauses={collections} "
              f"gc_pause_time={paused:.0f}ms ({paused * 1000 / requests:.1f}us/req) rss={rss}MiB peak_rss={hwm}MiB "
              f"live_heap_after_full_gc={live}MiB rss_after_full_gc={rss_after_gc}MiB")
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        if not os.environ.get("KEEP"):
            shutil.rmtree(work, ignore_errors=True)
        else:
            print("kept", work)


if __name__ == "__main__":
    main()
