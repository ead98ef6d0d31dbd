#!/usr/bin/env python3
"""Splits a perf profile of the server into the stages of a request.

  perf record -e cpu-clock -F 1999 -g -p SERVER_PID -o perf.data -- sleep 10
  perf script -i perf.data | swift demangle --simplified | Benchmarks/profile-stages.py

Each sample is walked from the leaf up; the first frame that belongs to a stage (the SQLite engine,
JSON, the identity middleware, ...) takes the sample, with whatever it called (malloc, retain/release,
the kernel) counted in it. Samples with no stage frame go to the generic bucket of their leaf (NIO,
the concurrency runtime, the kernel's network stack, ...). Prints a Markdown table, largest first.

Async Swift code has no stack across an `await`: a partial function's caller is the executor, so
time spent after a resumption is charged to the function that resumed, not to its logical caller.
"""
import re
import sys
from collections import Counter

# Stages, in priority order within one frame; a sample goes to the first stage met from the leaf up.
STAGES = [
    ("fsync / fdatasync (durability wait)", r"fsync|fdatasync|sys_fdatasync|file_write_and_wait"),
    ("SQLite engine (sqlite3_* C code)", r"sqlite3|sqlite_nio_sqlite3"),
    ("SQLiteNIO / SQLKit glue (binds, rows, futures)", r"SQLiteNIO|SQLiteKit|SQLiteData|SQLiteRow|SQLiteStatement|SQLKit\.|SQLQueryString|SQLRaw|SQLRow|SQLDatabase"),
    ("PostgresNIO (wire protocol, rows)", r"PostgresNIO|PostgresKit|PSQL|PostgresConnection|PostgresQuery|PostgresRow|PostgresCell|PostgresEncod|PostgresDecod|PostgresBackendMessage|PostgresFrontendMessage|PostgresClient|PostgresNIO\."),
    ("check-in writer (batch building)", r"CheckInWriter|DashboardRollups|StayRollups|Stays\.compute"),
    ("health status", r"HealthStatus|HealthStore|HealthRules|HealthFacts"),
    ("payload recognition (card/QR parsing)", r"PayloadRecognizer|ScannedPayload|CCCDPayload|Recognizer"),
    ("scan handler (ScansAPI, CheckInService)", r"ScansAPI|CheckInService|CheckInStore"),
    ("Foundation JSON encode/decode", r"JSONDecoder|JSONEncoder|__JSON|JSONWriter|JSONMap|JSONScanner|_JSONEncoder|_JSONDecoder|JSONSerialization"),
    ("Foundation dates / formatting", r"ISO8601|FormatStyle|DateFormatter|icu_|ICU|Calendar|TimeZone|ucal_|udat_"),
    ("identity (tokens, cookies, caches)", r"IdentityMiddleware|RequestIdentity|ServerKeys|SHA256|sha256|TTLCache|AccessCaches|Cookie|Language\.negotiate|base64"),
    ("error answer / error page", r"ErrorMiddleware|ErrorAnswers|ErrorPage|AppError|Layout|Strings\.|HTML"),
    ("security headers", r"SecurityHeadersMiddleware|SecurityHeaders\.apply"),
    ("place-history audit", r"PlaceHistoryMiddleware|PlaceHistoryAudit|HistoryRecorder"),
    ("request metrics (swift-metrics, Prometheus)", r"MetricsMiddleware|MetricsCache|RequestMetrics|Prometheus|CoreMetrics|Metrics\.|Histogram|Counter\.increment|Timer\.record|Meter\."),
    ("request logging", r"LogRequestsMiddleware|Logging\.Logger|Logger\.log|StreamLogHandler|JSONLogHandler"),
    ("/healthz handler", r"OperationsAPI"),
    ("Hummingbird (router, request, response)", r"Hummingbird|HummingbirdCore|TrieRouter|RouterResponder|HTTPTypes|HTTPFields|HTTPField"),
    ("bare handler", r"^bare\.|\bbare\b"),
    ("HTTP/1 parsing & encoding (NIO)", r"NIOHTTP1|llhttp|HTTPDecoder|HTTPEncoder|HTTPResponseEncoder|HTTPRequestDecoder|NIOHTTPTypes"),
]
GENERIC = [
    ("swift concurrency runtime (task switches)", r"swift_task|swift_job|swift_continuation|swift::|_swift_task|swift_asyncLet|Concurrency|withCheckedThrowingContinuation|TaskExecutor|EventLoopTaskExecutor"),
    ("NIO event loop, channels, buffers", r"NIOPosix|NIOCore|SelectableEventLoop|ByteBuffer|ChannelPipeline|EventLoop|NIOAsync|NIOThreadPool|NIOConcurrencyHelpers"),
    ("ARC, malloc, locks (unattributed)", r"swift_retain|swift_release|swift_allocObject|swift_dealloc|malloc|free|_int_malloc|_int_free|cfree|swift_bridgeObject|swift_arrayInit|swift_beginAccess|swift_endAccess|pthread_mutex|__lll_lock|swift_unknownObject|memcpy|memmove|memset|swift_getGenericMetadata|swift_conformsTo|swift_dynamicCast"),
    ("kernel: network, epoll, scheduling", r"tcp_|sock|epoll|ip_|__x64_sys|entry_SYSCALL|do_syscall|schedule|futex|finish_task_switch|loopback|net_rx|__softirq|skb|__wake_up|ep_poll|syscall_exit|do_idle|native_safe_halt|__ext4|ext4_|jbd2|blk_|virtio"),
]
STAGE_RE = [(name, re.compile(p)) for name, p in STAGES]
GENERIC_RE = [(name, re.compile(p)) for name, p in GENERIC]


def classify(frames):
    for frame in frames:
        for name, rx in STAGE_RE:
            if rx.search(frame):
                return name
    leaf = frames[0] if frames else ""
    for frame in frames[:3]:
        for name, rx in GENERIC_RE:
            if rx.search(frame):
                return name
    return "other (" + (leaf[:60] or "unknown") + ")"


def samples(lines):
    frames, comm = [], None
    for line in lines:
        line = line.rstrip("\n")
        if not line.strip():
            if frames or comm is not None:
                yield comm, frames
            frames, comm = [], None
            continue
        if not line.startswith((" ", "\t")):
            comm = line.split()[0]
            continue
        parts = line.strip().split(None, 1)
        if len(parts) == 2:
            symbol = re.sub(r"\+0x[0-9a-f]+ \(.*\)$", "", parts[1])
            symbol = re.sub(r" \([^()]*\)$", "", symbol)
            frames.append(symbol)
    if frames:
        yield comm, frames


def main():
    counts, threads = Counter(), Counter()
    total = 0
    for comm, frames in samples(sys.stdin):
        total += 1
        counts[classify(frames)] += 1
        threads[comm or "?"] += 1
    if not total:
        sys.exit("no samples")
    other = sum(n for k, n in counts.items() if k.startswith("other ("))
    rows = [(k, n) for k, n in counts.items() if not k.startswith("other (")]
    rows.sort(key=lambda kv: -kv[1])
    print(f"| stage | share of server CPU samples ({total}) |")
    print("| --- | --- |")
    for name, n in rows:
        print(f"| {name} | {100 * n / total:.1f} % |")
    print(f"| other (unclassified leaves) | {100 * other / total:.1f} % |")
    print()
    print("threads: " + ", ".join(f"{k} {100 * n / total:.0f} %" for k, n in threads.most_common(8)))
    if "-v" in sys.argv:
        top = Counter({k: n for k, n in counts.items() if k.startswith("other (")})
        for k, n in top.most_common(25):
            print(f"  {n:6d} {k}")


if __name__ == "__main__":
    main()
