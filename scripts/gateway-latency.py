#!/usr/bin/env python3
"""Latency the gateway adds: N sequential Milvus REST calls on one keep-alive connection, through the gateway and
straight to a Proxy, interleaved in rounds so both see the same machine load. Prints p50/p99/mean per target.

  scripts/gateway-latency.py GATEWAY_ADDR PROXY_ADDR [--calls 1000] [--path /v2/vectordb/collections/list] [--body '{}']

Addresses are host:port (the AppHost's gateway port, a Proxy's port from AppHost/data/cluster/ports.txt).
"""
import argparse
import http.client
import json
import statistics
import time


def connect(addr):
    host, port = addr.rsplit(":", 1)
    return http.client.HTTPConnection(host, int(port), timeout=30)


def call(conn, path, body):
    start = time.perf_counter_ns()
    conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    payload = response.read()
    elapsed = time.perf_counter_ns() - start
    if response.status != 200 or json.loads(payload).get("code") != 0:
        raise SystemExit(f"{path}: HTTP {response.status} {payload[:200]!r}")
    return elapsed / 1e6


def percentile(sorted_ms, p):
    return sorted_ms[min(len(sorted_ms) - 1, int(round(p / 100 * (len(sorted_ms) - 1))))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("gateway")
    parser.add_argument("proxy")
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--path", default="/v2/vectordb/collections/list")
    parser.add_argument("--body", default="{}")
    parser.add_argument("--warmup", type=int, default=50)
    args = parser.parse_args()
    body = args.body.encode()
    targets = {"gateway": connect(args.gateway), "direct": connect(args.proxy)}
    samples = {name: [] for name in targets}
    for conn in targets.values():
        for _ in range(args.warmup):
            call(conn, args.path, body)
    rounds, per_round = divmod(args.calls, 100)
    for _ in range(rounds + (1 if per_round else 0)):
        for name, conn in targets.items():
            for _ in range(min(100, args.calls - len(samples[name]))):
                samples[name].append(call(conn, args.path, body))
    print(f"{args.calls} sequential POST {args.path}, one keep-alive connection each")
    for name, ms in samples.items():
        ms.sort()
        print(f"{name:8} p50 {percentile(ms, 50):.3f} ms  p99 {percentile(ms, 99):.3f} ms  mean {statistics.fmean(ms):.3f} ms")
    g, d = samples["gateway"], samples["direct"]
    print(f"added    p50 {percentile(g, 50) - percentile(d, 50):+.3f} ms  p99 {percentile(g, 99) - percentile(d, 99):+.3f} ms")


if __name__ == "__main__":
    main()
