"""p50/p95 of the API's agreements list and detail with an API token, against a running server, beside GET
/health (the cost of the stack itself). Not part of `make bench` (it needs a server and a token):

    python bench/_api_latency.py 127.0.0.1 8000 <token> [requests]
"""

import http.client
import json
import statistics
import sys
import time

host, port, token = sys.argv[1], int(sys.argv[2]), sys.argv[3]
n = int(sys.argv[4]) if len(sys.argv) > 4 else 200
headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
conn = http.client.HTTPConnection(host, port)


def get(path):
    t = time.perf_counter()
    conn.request("GET", path, headers=headers)
    r = conn.getresponse()
    body = r.read()
    return (time.perf_counter() - t) * 1000, r.status, body


def stats(name, path):
    for _ in range(10):
        get(path)
    times = []
    for _ in range(n):
        ms, status, body = get(path)
        assert status == 200, (path, status, body[:300])
        times.append(ms)
    times.sort()
    print(
        f"{name:28s} n={n} p50={statistics.median(times):6.1f} ms  p95={times[int(0.95 * len(times)) - 1]:6.1f} ms"
    )
    return body


body = stats("GET /api/v1/agreements", "/api/v1/agreements")
first = (
    json.loads(body)["results"][0]["uuid"] if "results" in json.loads(body) else json.loads(body)[0]["uuid"]
)
stats("GET /api/v1/agreements/{uuid}", f"/api/v1/agreements/{first}")
stats("GET /health (stack baseline)", "/health")
