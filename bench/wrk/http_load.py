#!/usr/bin/env python3
"""The HTTP load of docs/benchmarks.md ("Server over HTTP: wrk"): starts `./crossrole serve` of a source tree on a
free port in a fresh data directory, prepares what the requests need (a role in 555566667777 that 111122223333 may
assume, a bucket with a 1 KiB object), then runs wrk with SigV4-signed requests and reports, per load: requests/s,
latency, non-2xx responses, server CPU per request (from /proc) and the server's RSS after it.

Usage: python3 bench/wrk/http_load.py [TREE] [--seconds N] [--mixed-requests N] [--warmup N] [--https]
                                     [--only LOAD,...] [--java-opts OPTS] [--profile LIB --profile-dir DIR]
TREE defaults to this checkout; its ./crossrole launcher is used as a user would (JVM settings included).
--profile attaches async-profiler (the libasyncProfiler.so at LIB) through jcmd for each measured window only, after
warm-up, and writes one collapsed-stack file per load into DIR (CPU samples every 0.5 ms)."""
import argparse, json, os, re, shutil, socket, subprocess, sys, tempfile, time, urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid):
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def live_heap_mib(pid):
    """The heap in use right after a full collection (jcmd GC.run, then the generations' "used" in GC.heap_info)."""
    subprocess.run(["jcmd", str(pid), "GC.run"], capture_output=True, check=True)
    out = subprocess.run(["jcmd", str(pid), "GC.heap_info"], capture_output=True, text=True, check=True).stdout
    return sum(int(k) for k in re.findall(r"Gen\s+total \d+K, used (\d+)K", out)) / 1024


def java_pid(launcher_pid):
    """The JVM under the launcher (the launcher execs java, so usually the same pid)."""
    out = subprocess.run(["pgrep", "-P", str(launcher_pid), "java"], capture_output=True, text=True).stdout.split()
    return int(out[0]) if out else launcher_pid


def aws(env, *args):
    subprocess.run(["aws", *args], env=env, check=True, capture_output=True)


def wrk(endpoint, script, seconds, threads=2, connections=8, requests=None):
    cmd = ["wrk", "-t%d" % threads, "-c%d" % connections, "-d%ds" % seconds, "--latency", "-s", script, endpoint]
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    p50 = re.search(r"50%\s+([\d.]+\w+)", out).group(1)
    p99 = re.search(r"99%\s+([\d.]+\w+)", out).group(1)
    return {"req_per_s": rate, "requests": total, "non2xx": int(non2xx.group(1)) if non2xx else 0, "p50": p50, "p99": p99}


def profiler(pid, library, command):
    """Loads async-profiler into the running server (or tells the loaded one) a command, through the attach API."""
    # jcmd reads key=value words as its own arguments: the agent's options go in quotes, as one word.
    out = subprocess.run(["jcmd", str(pid), "JVMTI.agent_load", library, '"%s"' % command], capture_output=True,
                         text=True).stdout
    if "return code: 0" not in out:
        raise SystemExit("async-profiler refused %r: %s" % (command, out.strip()))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("tree", nargs="?", default=os.path.dirname(os.path.dirname(HERE)))
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--mixed-requests", type=int, default=1_000_000)
    parser.add_argument("--https", action="store_true")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of each load before any is measured")
    parser.add_argument("--only", help="comma-separated loads to run (GetCallerIdentity, AssumeRole, 'GetObject 1 KiB', "
                                       "'KMS Encrypt', 'Logs PutLogEvents', "
                                       "'Logs FilterLogEvents', mixed); all by default")
    parser.add_argument("--logs-events",
                        help="comma-separated event counts: after the loads, PutLogEvents (ten events a call) until the "
                             "server has taken each many events in all, then its RSS and its live heap (after a full "
                             "GC): memory against events stored")
    parser.add_argument("--java-opts", help="CROSSROLE_JAVA_OPTS for the server (the launcher puts them after its own)")
    parser.add_argument("--profile", help="path of libasyncProfiler.so: profile each measured window")
    parser.add_argument("--profile-dir", default=".", help="where --profile writes <load>.collapsed")
    args = parser.parse_args()
    tree = os.path.abspath(args.tree)
    data = tempfile.mkdtemp(prefix="crossrole-wrk-")
    port = free_port()
    serve = [os.path.join(tree, "crossrole"), "serve", "--port", str(port), "--data-dir", os.path.join(data, "d")]
    if args.https:
        serve.append("--tls")
    server_env = dict(os.environ)
    if args.java_opts is not None:
        server_env["CROSSROLE_JAVA_OPTS"] = args.java_opts
    server = subprocess.Popen(serve, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tree, env=server_env)
    scheme = "https" if args.https else "http"
    endpoint = "%s://127.0.0.1:%d" % (scheme, port)
    try:
        deadline = time.time() + 120
        while True:
            try:
                urllib.request.urlopen("http://127.0.0.1:%d/_crossrole/health" % port, timeout=1)
                break
            except Exception:
                if time.time() > deadline or server.poll() is not None:
                    raise SystemExit("crossrole did not start")
                time.sleep(0.1)
        pid = java_pid(server.pid)
        creds = os.path.join(data, "d", "credentials")
        env = dict(os.environ, AWS_SHARED_CREDENTIALS_FILE=creds, AWS_ENDPOINT_URL=endpoint, AWS_DEFAULT_REGION="us-east-1",
                   HOME=data, AWS_CONFIG_FILE=os.path.join(data, "none"))
        if args.https:
            env["AWS_CA_BUNDLE"] = os.path.join(data, "d", "tls", "ca.pem")  # the local CA serve --tls made
        trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
            "AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole"}]})
        aws(env, "iam", "create-role", "--profile", "destination", "--role-name", "bench-destination",
            "--assume-role-policy-document", trust)
        aws(env, "iam", "create-role", "--profile", "source", "--role-name", "bench-source",
            "--assume-role-policy-document", trust)
        aws(env, "s3api", "create-bucket", "--profile", "source", "--bucket", "bench-bucket")
        one_kib = os.path.join(data, "one-kib")
        open(one_kib, "wb").write(b"x" * 1024)
        aws(env, "s3api", "put-object", "--profile", "source", "--bucket", "bench-bucket", "--key", "one-kib",
            "--body", one_kib)
        kms_ready = False
        try:
            aws(env, "kms", "create-key", "--profile", "source", "--description", "bench")
            key_id = json.loads(subprocess.run(["aws", "kms", "list-keys", "--profile", "source"], env=env,
                                               capture_output=True, check=True).stdout)["Keys"][0]["KeyId"]
            aws(env, "kms", "create-alias", "--profile", "source", "--alias-name", "alias/bench",
                "--target-key-id", key_id)
            kms_ready = True
        except subprocess.CalledProcessError:
            pass  # a tree without KMS: its load is left out
        logs_ready = False
        try:
            # 10,000 events in one stream, one in ten with ERROR, for FilterLogEvents; an empty group for PutLogEvents.
            aws(env, "logs", "create-log-group", "--profile", "source", "--log-group-name", "bench-logs")
            aws(env, "logs", "create-log-stream", "--profile", "source", "--log-group-name", "bench-logs",
                "--log-stream-name", "s")
            now = int(time.time() * 1000) - 3_600_000
            for batch in range(10):
                events = [{"timestamp": now + batch * 1000 + i, "message": "request %d %s path=/items/%d" % (
                    batch * 1000 + i, "ERROR" if i % 10 == 0 else "INFO", i)} for i in range(1000)]
                events_file = os.path.join(data, "events.json")
                json.dump(events, open(events_file, "w"))
                aws(env, "logs", "put-log-events", "--profile", "source", "--log-group-name", "bench-logs",
                    "--log-stream-name", "s", "--log-events", "file://" + events_file)
            aws(env, "logs", "create-log-group", "--profile", "source", "--log-group-name", "bench-put")
            aws(env, "logs", "create-log-stream", "--profile", "source", "--log-group-name", "bench-put",
                "--log-stream-name", "s")
            logs_ready = True
        except subprocess.CalledProcessError:
            pass  # a tree without CloudWatch Logs: its loads are left out
        scripts = {}
        for name, kinds in {"GetCallerIdentity": ["get-caller-identity"], "AssumeRole": ["assume-role"],
                            "GetObject 1 KiB": ["s3-get:bench-bucket/one-kib"],
                            "IAM GetRole": ["iam-get-role"], "ECS ListClusters": ["ecs-list-clusters"],
                            "KMS Encrypt": ["kms-encrypt:alias/bench"],
                            "Logs PutLogEvents": ["logs-put:bench-put/s"],
                            "Logs FilterLogEvents": ["logs-filter:bench-logs"],
                            # Seven reads and one fsynced write in eight.
                            "mixed": ["get-caller-identity", "assume-role", "s3-get:bench-bucket/one-kib",
                                      "get-caller-identity", "assume-role", "s3-get:bench-bucket/one-kib",
                                      "get-caller-identity", "s3-put:bench-bucket/put-1kib"]}.items():
            path = os.path.join(data, name.replace(" ", "-") + ".lua")
            with open(path, "w") as f:
                subprocess.run([sys.executable, os.path.join(HERE, "signed_requests.py"), endpoint, creds, *kinds],
                               stdout=f, check=True)
            scripts[name] = path
        if not kms_ready:
            scripts.pop("KMS Encrypt")
        if not logs_ready:
            scripts.pop("Logs PutLogEvents")
            scripts.pop("Logs FilterLogEvents")
        only = args.only.split(",") if args.only else list(scripts)
        put_calls = 0  # PutLogEvents calls answered, for --logs-events
        for name in only:  # warm-up: the JIT compiles every path measured below
            r = wrk(endpoint, scripts[name], args.warmup)
            put_calls += r["requests"] if name == "Logs PutLogEvents" else 0
        results = {}
        for name in [n for n in ["GetCallerIdentity", "AssumeRole", "GetObject 1 KiB", "IAM GetRole",
                                 "ECS ListClusters", "KMS Encrypt", "Logs PutLogEvents", "Logs FilterLogEvents"]
                     if n in only]:
            if args.profile:
                profiler(pid, args.profile, "start,event=cpu,interval=500us")
            before = cpu_seconds(pid)
            r = wrk(endpoint, scripts[name], args.seconds)
            r["cpu_us_per_request"] = (cpu_seconds(pid) - before) / max(1, r["requests"]) * 1e6
            if args.profile:
                out = os.path.abspath(os.path.join(args.profile_dir, name.replace(" ", "-") + ".collapsed"))
                profiler(pid, args.profile, "stop,file=%s,collapsed" % out)
            r["rss_mib_after"] = rss_mib(pid)
            results[name] = r
            put_calls += r["requests"] if name == "Logs PutLogEvents" else 0
        for target in [int(n) for n in args.logs_events.split(",")] if args.logs_events else []:
            # More PutLogEvents in short runs until about that many events are stored, then the memory.
            started = time.time()
            while put_calls * 10 < target:
                rate = results.get("Logs PutLogEvents", {}).get("req_per_s", 1000.0)
                seconds = max(1, min(10, int((target / 10 - put_calls) / max(1.0, rate))))
                put_calls += wrk(endpoint, scripts["Logs PutLogEvents"], seconds)["requests"]
            rss = rss_mib(pid)
            results["Logs %d events" % target] = {"events": put_calls * 10, "seconds": round(time.time() - started, 1),
                                                  "rss_mib_after": rss, "live_heap_mib": live_heap_mib(pid)}
        if "mixed" not in only:
            print(json.dumps({"tree": tree, "scheme": scheme, "java_opts": args.java_opts, "results": results}, indent=1))
            return
        # A mixed load of about --mixed-requests requests (its rate probed first, at most 10 minutes), then the RSS.
        probe = wrk(endpoint, scripts["mixed"], 3)
        seconds = min(600, max(5, int(args.mixed_requests / max(1.0, probe["req_per_s"]))))
        r = wrk(endpoint, scripts["mixed"], seconds)
        r["requests"] += probe["requests"]
        r["rss_mib_after"] = rss_mib(pid)
        results["mixed"] = r
        print(json.dumps({"tree": tree, "scheme": scheme, "java_opts": args.java_opts, "results": results}, indent=1))
    finally:
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
