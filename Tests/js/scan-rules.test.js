// Unit tests of the station's pure decisions (static/scan-rules.js). Run: node --test Tests/js
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");
const rules = require(path.join(__dirname, "../../Sources/RavaoServer/Resources/static/scan-rules.js"));

const W = {
  recorded: "Đã ghi nhận", duplicate: "Đã ghi nhận trước đó", titleCase: "CASE", titleContact: "CONTACT", titleAbnormal: "ABNORMAL",
  titleUnknown: "UNKNOWN", titleNormal: "NORMAL", unrecognized: "RETRY", refused: "REFUSED", tokenRevoked: "REVOKED",
  networkError: "NETWORK", serverError: "SERVER", sessionExpired: "SESSION", notAllowed: "NOT ALLOWED", healthUnreadable: "UNREADABLE",
  "kind.ravao": "Mã QR Ravao", in: "Vào", out: "Ra",
};

function status(level, alerts = [], summaryVi = "") {
  return { level, reasons: level === "abnormal" ? ["cough"] : [], alerts, summary: summaryVi, summaryVi };
}

function answer(st, extra = {}) {
  return { status: 201, body: Object.assign({ checkInId: "c1", duplicate: false, kind: "ravao", direction: "in",
    scannedAt: "2026-12-06T06:00:00+07:00", person: { id: "p", displayName: "Nguyễn Văn ***" }, status: st }, extra) };
}

test("severity order: case/zone ≥ contact alerts > abnormal > no declaration > normal", () => {
  const order = [
    status("normal"),
    status("unknown"),
    status("abnormal"),
    status("normal", ["f2"]),
    status("unknown", ["exposure"]),
    status("normal", ["f1"]),
    status("normal", ["epidemic_zone"]),
    status("normal", ["f0"]),
  ].map((s) => rules.rankStatus(s).severity);
  for (let i = 1; i < order.length; i++) assert.ok(order[i] >= order[i - 1], `rank ${i}: ${order}`);
  assert.equal(rules.rankStatus(status("normal", ["f0"])).severity, rules.rankStatus(status("normal", ["epidemic_zone"])).severity);
  // Any alert outranks an abnormal declaration, even a weak one.
  assert.ok(rules.rankStatus(status("normal", ["f2"])).severity > rules.rankStatus(status("abnormal")).severity);
  // The strongest alert names the level, whatever the order of the list.
  assert.deepEqual(rules.rankStatus(status("abnormal", ["exposure", "f0"])), { severity: 5, outcome: "alert", level: "case", alert: "f0" });
});

test("normal and no declaration have different outcomes (colours); an unreadable status is not normal", () => {
  assert.equal(rules.rankStatus(status("normal")).outcome, "ok");
  assert.equal(rules.rankStatus(status("unknown")).outcome, "unknown");
  assert.equal(rules.rankStatus(null).outcome, "unknown");
});

test("an F0 never reads 'Bình thường' (normal), even from a server that still says it", () => {
  const shown = rules.describe(answer(status("normal", ["f0"], "Bình thường · Ca bệnh (F0) · Chưa có thông tin tiêm chủng")), W, "vi");
  assert.equal(shown.outcome, "alert");
  assert.equal(shown.title, "CASE");
  assert.equal(shown.health, "Ca bệnh (F0) · Chưa có thông tin tiêm chủng");
  assert.ok(!shown.health.includes("Bình thường"));
  assert.equal(rules.describe(answer(status("normal", [], "Bình thường")), W, "vi").health, "Bình thường");
});

test("describe: titles by severity, birth year and today's counts when the answer has them", () => {
  const shown = rules.describe(answer(status("abnormal", [], "Bất thường — ho"), { birthYear: 1985, today: { entries: 3, exits: 1 } }), W, "vi");
  assert.equal(shown.outcome, "abnormal");
  assert.equal(shown.title, "ABNORMAL");
  assert.equal(shown.year, 1985);
  assert.deepEqual(shown.today, { entries: 3, exits: 1 });
  assert.equal(shown.name, "Nguyễn Văn ***");
  assert.match(shown.meta, /^Đã ghi nhận · Mã QR Ravao · Vào · /);
  const none = rules.describe(answer(status("unknown")), W, "vi");
  assert.equal(none.year, null);
  assert.equal(none.title, "UNKNOWN");
  assert.equal(rules.describe(answer(null), W, "vi").health, "UNREADABLE");
});

test("an unreadable code is a neutral retry, never a refusal", () => {
  const shown = rules.describe({ status: 422, body: { error: { code: "unrecognized_payload", message: "not a QR we know", messageVi: "không rõ" } } }, W, "vi");
  assert.equal(shown.outcome, "retry");
  assert.equal(shown.title, "RETRY");
  assert.equal(shown.reason, "không rõ");
  assert.notEqual(shown.sound, "refused");
  const revoked = rules.describe({ status: 422, body: { error: { code: "token_revoked" } } }, W, "en");
  assert.equal(revoked.outcome, "refused");
  assert.equal(revoked.reason, "REVOKED");
  assert.equal(rules.describe({ network: true }, W, "vi").outcome, "error");
  assert.equal(rules.describe({ status: 503, body: null }, W, "vi").title, "SERVER");
  assert.equal(rules.describe({ status: 401, body: {} }, W, "vi").title, "SESSION");
});

test("repeat filter: the same key within the window is the same scan; after it, a new one", () => {
  const filter = rules.repeatFilter(5000);
  assert.equal(filter.seen("a", 1000), null);
  filter.remember("a", { outcome: "ok" });
  assert.deepEqual(filter.seen("a", 3000).value, { outcome: "ok" });
  assert.equal(filter.seen("b", 3000), null, "another code is not a repeat");
  assert.equal(filter.seen("a", 7000), null, "the window counts from the first read");
  filter.forget("a");
  assert.equal(filter.seen("a", 7100), null, "a forgotten (failed) scan may be sent again at once");
});

test("place posters: only this server's /c/CODE", () => {
  const origins = ["http://127.0.0.1:8080", "https://ravao.example.vn"];
  assert.equal(rules.placePath("https://ravao.example.vn/c/abcDEF234567", origins), "/c/abcDEF234567");
  assert.equal(rules.placePath("http://127.0.0.1:8080/c/abcDEF234567/", origins), "/c/abcDEF234567");
  assert.equal(rules.placePath("https://evil.example/c/abcDEF234567", origins), null);
  assert.equal(rules.placePath("https://ravao.example.vn/c/abc", origins), null, "too short to be a code");
  assert.equal(rules.placePath("https://ravao.example.vn/me", origins), null);
  assert.equal(rules.placePath("RV1.abcdef", origins), null);
  assert.equal(rules.placePath("javascript:alert(1)", origins), null);
  assert.equal(rules.placePath("https://ravao.example.vn/c/abcDEF234567?x=1", origins), "/c/abcDEF234567");
});

test("direction: back to in after an exit unless locked", () => {
  assert.equal(rules.nextDirection("out", false), "in");
  assert.equal(rules.nextDirection("out", true), "out");
  assert.equal(rules.nextDirection("in", false), "in");
});
