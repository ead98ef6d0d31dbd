# The HTTP half of the coverage benchmark (run by Benchmarks/run-coverage.sh): with the owner's
# token that `ravao bench-coverage --token-file` wrote, times GET /api/v1/orgs/{id}/coverage?date=DAY
# over one keep-alive connection (the first request, then REPETITIONS more), checking every answer.
# Usage: coverage-http.py BASE_URL TOKEN_FILE ORG DAY TOTAL PRESENT MISSING [REPETITIONS]
import http.client, json, sys, time, urllib.parse

base, token_file, org, day = sys.argv[1:5]
total, present, missing = map(int, sys.argv[5:8])
repetitions = int(sys.argv[8]) if len(sys.argv) > 8 else 20
url = urllib.parse.urlparse(base)
conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)

def call(method, path, body=None, token=None):
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers["Authorization"] = "Bearer " + token
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    reply = conn.getresponse()
    return reply.status, reply.read()

token = open(token_file).read().strip()

path = f"/api/v1/orgs/{org}/coverage?date={day}"
times = []
for i in range(repetitions + 1):
    started = time.perf_counter()
    status, body = call("GET", path, token=token)
    elapsed = (time.perf_counter() - started) * 1000
    if status != 200:
        sys.exit(f"GET {path} answered {status}: {body[:200]!r}")
    answer = json.loads(body)
    got = (answer["total"], answer["present"], len(answer["missing"]))
    if got != (total, present, missing):
        sys.exit(f"GET {path}: total, present, missing = {got}, expected {(total, present, missing)}")
    if i == 0:
        first, size = elapsed, len(body)
    else:
        times.append(elapsed)
times.sort()
at = lambda p: times[min(len(times) - 1, int((len(times) - 1) * p + 0.5))]
print(f"GET /coverage ({size:,} bytes, {missing} missing): first {first:.1f} ms; then median {at(0.5):.1f} ms, "
      f"p90 {at(0.9):.1f} ms, max {times[-1]:.1f} ms (n={len(times)})")
