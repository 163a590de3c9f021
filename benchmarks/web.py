"""Page latency of ``jiqun serve`` (issue 17): a real server on the small demo store, 20 concurrent
clients reading the overview, a cluster page, its JSON twin and the loads page, beside one client alone
in the same run (the baseline), then the same while a load (``jiqun ingest``) writes the store.

    PYTHONPATH=src python benchmarks/web.py [--store PATH] [--clients 20] [--seconds 10]

Without ``--store`` it generates and loads the small demo (indicator results and evaluation stored, as
``jiqun demo`` leaves them). Prints requests, errors and the median / 95th percentile latency of each
phase; the target is a median under 300 ms with 20 clients.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

PATHS = ("/", "/clusters/iot", "/api/clusters/iot", "/api/clusters", "/data", "/clusters/iot/chain?segment=iot.m1",
         "/compare", "/chokepoints", "/api/chokepoints")


def fetch(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return -1


def phase(base: str, clients: int, seconds: float, during=None) -> tuple[list[float], list[int]]:
    """Latencies (s) and statuses of ``clients`` threads looping over PATHS for ``seconds``; ``during``
    runs in the main thread meanwhile."""
    latencies, statuses, stop = [], [], threading.Event()

    def client(offset: int):
        index = offset
        while not stop.is_set():
            started = time.perf_counter()
            statuses.append(fetch(base + PATHS[index % len(PATHS)]))
            latencies.append(time.perf_counter() - started)
            index += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    if during is not None:
        during()
    time.sleep(max(0.0, seconds - (time.perf_counter() - started)))
    stop.set()
    for thread in threads:
        thread.join()
    return latencies, statuses


def report(name: str, latencies: list[float], statuses: list[int]) -> None:
    errors = sum(1 for s in statuses if s != 200)
    ordered = sorted(latencies)
    p95 = ordered[int(0.95 * (len(ordered) - 1))] if ordered else float("nan")
    print(f"{name:<34} {len(latencies):>6} requests, {errors} errors, median {statistics.median(ordered) * 1000:7.1f} ms, "
          f"p95 {p95 * 1000:7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", type=Path)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="jiqun-web-"))
    store = work / "served.duckdb"
    if args.store is None:
        from jiqun.demo.run import build_demo_store

        args.store = build_demo_store(work / "demo")
    shutil.copy(args.store, store)
    try:
        from jiqun.web.background import ServerProcess

        with ServerProcess(store) as server:
            base = server.url
            for path in PATHS:  # first reads fill the cache
                fetch(base + path)
            report("1 client (baseline)", *phase(base, 1, args.seconds / 2))
            report(f"{args.clients} clients", *phase(base, args.clients, args.seconds))
            shocks = {}

            def run_shocks():
                """Five different shock scenarios started from the API, each polled until done."""
                import json
                import urllib.request

                started = time.perf_counter()
                ids = []
                for share in (0.2, 0.4, 0.6, 0.8, 1.0):
                    request = urllib.request.Request(
                        base + "/api/clusters/iot/shock", method="POST", headers={"Content-Type": "application/json"},
                        data=json.dumps({"remove": ["segment:iot.m1"], "share": share}).encode())
                    with urllib.request.urlopen(request, timeout=60) as answer:
                        ids.append(json.load(answer)["job_id"])
                states = []
                for job_id in ids:
                    while True:
                        with urllib.request.urlopen(f"{base}/api/jobs/{job_id}", timeout=60) as answer:
                            state = json.load(answer)["state"]
                        if state in ("done", "failed"):
                            states.append(state)
                            break
                        time.sleep(0.1)
                shocks.update(states=states, seconds=time.perf_counter() - started)

            report(f"{args.clients} clients during 5 shock jobs", *phase(base, args.clients, args.seconds, run_shocks))
            print(f"shock jobs during the readers: {shocks['states']} in {shocks['seconds']:.1f} s")
            firms = work / "new_firms.csv"
            firms.write_text("统一社会信用代码,企业名称,行政区划代码,行业代码\n91320205MA00042428,测试企业,320205,3983\n",
                             encoding="utf-8")
            outcome = {}

            def load():
                started = time.perf_counter()
                done = subprocess.run([sys.executable, "-m", "jiqun.cli", "ingest", str(firms), "--table", "firms",
                                       "--db", str(store), "--accept-outliers"], capture_output=True, text=True)
                outcome.update(code=done.returncode, seconds=time.perf_counter() - started, text=done.stdout[-300:])

            report(f"{args.clients} clients during a load", *phase(base, args.clients, args.seconds, load))
            print(f"load during the readers: exit {outcome['code']} in {outcome['seconds']:.1f} s"
                  + ("" if outcome["code"] == 0 else f"\n{outcome['text']}"))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
