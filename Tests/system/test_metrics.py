"""The metrics the deployment kit's alert rules and dashboard read exist (issue 19, item 6).

A server whose SMS gateway refuses every message takes a sign-in request and a scan; then every
metric name deploy/prometheus/ravao.rules.yml and deploy/grafana/ravao-dashboard.json use must be
in /metrics (read with the bearer token), except the ones that exist only with a feature this run
does not have: the read replica, postgres_exporter's, and on SQLite the channel
between instances. The refused message must be counted in ravao_sms_failed_total.
"""

from __future__ import annotations

import http.server
import json
import re
import threading
import uuid

from ravao_system import REPO_ROOT, call, database, ravao, ravao_bin, report  # noqa: F401  (fixtures)
from test_durability import card_qr

TOKEN = "scrape-" + uuid.uuid4().hex
CONDITIONAL = ("ravao_replica_", "pg_", "up")


class RefusingGateway(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(503)
        self.end_headers()

    def log_message(self, *args):
        pass


def used_metrics() -> set[str]:
    text = (REPO_ROOT / "deploy/prometheus/ravao.rules.yml").read_text()
    dashboard = json.loads((REPO_ROOT / "deploy/grafana/ravao-dashboard.json").read_text())
    text += "\n".join(t["expr"] for p in dashboard["panels"] for t in p.get("targets", []))
    names = set(re.findall(r"\b((?:hb|http|ravao|pg)_[a-z_]+)\s*\{", text))
    return {re.sub(r"_(bucket|sum|count)$", "", n) for n in names}


def test_rules_and_dashboard_read_metrics_the_server_exports(ravao, database, report):
    gateway = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RefusingGateway)
    threading.Thread(target=gateway.serve_forever, daemon=True).start()
    try:
        ravao.extra_args = ["--metrics-token", TOKEN]
        ravao.start()
        token = ravao.sign_in()  # through the outbox: the server's --sms is replaced below
        place_id = ravao.create_place(token)
        key, _ = ravao.scanning_key(token, place_id)
        scan = ravao.call("POST", "/api/v1/scans", {"placeId": place_id, "payload": card_qr(1), "direction": "in",
                                                    "clientId": str(uuid.uuid4())}, key)
        assert scan.status == 201
        ravao.stop()
        # The same database, now with a gateway that refuses every message.
        ravao.extra_args = ["--metrics-token", TOKEN, "--sms", f"http:http://127.0.0.1:{gateway.server_address[1]}/send"]
        ravao.start()
        refused = ravao.call("POST", "/api/v1/auth/otp", {"phone": "0987654321"})
        assert refused.status >= 500, f"a refused SMS must not look sent: {refused.status} {refused.body!r}"
        scan = ravao.call("POST", "/api/v1/scans", {"placeId": place_id, "payload": card_qr(2), "direction": "in",
                                                    "clientId": str(uuid.uuid4())}, key)
        assert scan.status == 201
        for _ in range(3):
            assert call(ravao.port, "GET", "/no-such-page").status == 404
        metrics = call(ravao.port, "GET", "/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert metrics.status == 200
        text = metrics.body.decode()
    finally:
        gateway.shutdown()

    exported = set(re.findall(r"^([a-z_]+?)(?:_bucket|_sum|_count)?[{ ]", text, re.M))
    conditional = CONDITIONAL + (() if database.engine == "postgres" else ("ravao_instance_",))
    wanted = {n for n in used_metrics() if not n.startswith(conditional)}
    missing = sorted(wanted - exported)
    assert not missing, f"the alert rules or the dashboard read metrics the server does not export: {missing}"
    assert re.search(r"^ravao_sms_failed_total 1(\.0)?$", text, re.M), "the refused message is not counted"
    assert re.search(r'^hb_requests\{http_route="/api/v1/scans",http_request_method="POST",http_response_status_code="201"\} 1', text, re.M)
    # Errors are answers too, counted by status: the router's 404s, and the refused SMS's 5xx (also in
    # hb_request_errors, which counts server errors).
    assert re.search(r'^hb_requests\{http_route="NotFound",http_request_method="GET",http_response_status_code="404"\} 3', text, re.M), text
    assert re.search(r'^http_server_request_duration_count\{http_route="NotFound",http_request_method="GET",http_response_status_code="404"\} 3', text, re.M)
    assert re.search(rf'^hb_request_errors\{{http_route="/api/v1/auth/otp",http_request_method="POST",error_type="{refused.status}"\}} 1', text, re.M), text
    assert re.search(r'^http_server_active_requests\{http_request_method="GET"\} 1', text, re.M), "the scrape is the one request in flight"
    report.append(f"[{database.engine}] metrics: rules and dashboard read {len(wanted)} metrics this run exports "
                  f"({', '.join(sorted(wanted))}); a refused SMS answered {refused.status} and counted in ravao_sms_failed_total")
