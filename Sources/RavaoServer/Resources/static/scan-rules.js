// The station's decisions, without the page: what a scan answer means for the person at the door, which
// of two results is the more serious, when a repeated code is the scanner reading twice, and whether a
// QR read by a citizen's camera is one of this server's place posters. Pure functions, so that
// `node --test Tests/js` checks them; in the browser they are `window.RavaoRules` (a classic script,
// as the pages' other scripts; CSP forbids inline script).
//
// Severity, most serious first (issue 17). The screen shows one colour and the most serious thing wins:
//   5 case   — a known case (F0) or an epidemic-zone alert: red, "do not admit";
//   4 contact — F1, F2 or listed by contact tracing: red too (an alert ranks above any declaration),
//               a lighter red so the guard can tell it from a case;
//   3 abnormal — the declaration lists symptoms, a contact or a positive test: orange, "check further";
//   2 unknown — no current declaration (or the status could not be read): yellow;
//   1 normal  — green.
// Outcomes that are not about health have no severity and their own neutral colours: `retry` (blue, the
// code could not be read: scan again — never red), `refused` (violet: a replaced personal QR, a place
// not allowed), `queued` (indigo: kept on this device), `error` (grey).
"use strict";

(function (root, factory) {
  const api = factory();
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.RavaoRules = api;
})(typeof self !== "undefined" ? self : this, function () {
  const CASE_ALERTS = ["f0", "epidemic_zone"];
  const CONTACT_ALERTS = ["f1", "exposure", "f2"];
  const SEVERITY = { normal: 1, unknown: 2, abnormal: 3, contact: 4, case: 5 };

  /// The health part of a scan answer's `status` → {severity, outcome, level, alert}.
  /// `outcome` is the colour class: ok | unknown | abnormal | alert.
  function rankStatus(status) {
    if (!status || typeof status !== "object") return { severity: SEVERITY.unknown, outcome: "unknown", level: "unknown", alert: "" };
    const alerts = Array.isArray(status.alerts) ? status.alerts : [];
    const strongest = [...CASE_ALERTS, ...CONTACT_ALERTS].find((a) => alerts.includes(a))
      || alerts.find((a) => typeof a === "string") || "";
    if (strongest) {
      const severity = CASE_ALERTS.includes(strongest) ? SEVERITY.case : SEVERITY.contact;
      return { severity, outcome: "alert", level: severity === SEVERITY.case ? "case" : "contact", alert: strongest };
    }
    if (status.level === "abnormal") return { severity: SEVERITY.abnormal, outcome: "abnormal", level: "abnormal", alert: "" };
    if (status.level === "normal") return { severity: SEVERITY.normal, outcome: "ok", level: "normal", alert: "" };
    return { severity: SEVERITY.unknown, outcome: "unknown", level: "unknown", alert: "" };
  }

  function clock(iso, lang) {
    const date = iso ? new Date(iso) : new Date();
    return date.toLocaleTimeString(lang === "en" ? "en-GB" : "vi-VN", { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }

  // The status line from the server leads with the most serious fact; a page served by an older server
  // might still start with "normal" before an alert, so that word is dropped here too.
  function healthLine(status, lang) {
    if (!status) return "";
    const text = String((lang === "en" ? status.summary : status.summaryVi) || status.summary || "");
    const alerts = Array.isArray(status.alerts) ? status.alerts : [];
    if (alerts.length === 0) return text;
    return text.split(" · ").filter((part) => part !== "Bình thường" && part !== "Normal").join(" · ");
  }

  /// What to show and play for an answer of POST /api/v1/scans: {outcome, severity, sound, title, name,
  /// year, meta, health, reason, code, kindName, today}. `w` holds the page's words.
  function describe(reply, w, lang) {
    w = w || {};
    if (reply.network) {
      return { outcome: "error", severity: 0, sound: "error", title: w.networkError, name: "", meta: clock(null, lang), health: "", reason: "" };
    }
    const body = reply.body || {};
    if (reply.status >= 200 && reply.status < 300) {
      const kindName = w["kind." + body.kind] || body.kind || "";
      const recorded = body.duplicate ? w.duplicate : w.recorded;
      const rank = rankStatus(body.status);
      const titles = { case: w.titleCase, contact: w.titleContact, abnormal: w.titleAbnormal, unknown: w.titleUnknown, normal: w.titleNormal };
      // The title speaks of health; the line below says the scan was recorded (unless the title already does).
      const said = titles[rank.level] === recorded ? "" : recorded;
      const meta = [said, kindName, w[body.direction] || body.direction, clock(body.scannedAt, lang)].filter(Boolean).join(" · ");
      const sounds = { case: "refused", contact: "refused", abnormal: "warn", unknown: "unknown", normal: "ok" };
      const health = body.status ? healthLine(body.status, lang) : (w.healthUnreadable || "");
      return {
        outcome: rank.outcome, severity: rank.severity, level: rank.level, alert: rank.alert, sound: sounds[rank.level],
        title: titles[rank.level] || recorded, name: body.person ? body.person.displayName : "",
        year: Number.isInteger(body.birthYear) ? body.birthYear : null, meta, kindName, health, reason: "",
        today: body.today && Number.isInteger(body.today.entries) ? body.today : null, code: "",
      };
    }
    const error = body.error || {};
    // The API's message is English; Vietnamese pages show its Vietnamese twin.
    const message = (lang !== "en" && error.messageVi) ? error.messageVi : (error.message || "");
    const base = { name: "", severity: 0, meta: clock(null, lang), health: "", code: error.code || "" };
    if (reply.status === 422 && error.code === "unrecognized_payload") {
      // Unreadable is not a verdict on the person: a neutral "scan again", never "do not enter".
      return Object.assign(base, { outcome: "retry", sound: "retry", title: w.unrecognized, reason: message || w.retryHint || "" });
    }
    if (reply.status === 422) {
      const reason = error.code === "token_revoked" ? w.tokenRevoked : message;
      return Object.assign(base, { outcome: "refused", sound: "retry", title: w.refused, reason });
    }
    if (reply.status === 401) return Object.assign(base, { outcome: "error", sound: "error", title: w.sessionExpired, reason: "" });
    if (reply.status === 403 || reply.status === 404) return Object.assign(base, { outcome: "refused", sound: "retry", title: w.notAllowed, reason: message });
    if (reply.status >= 400 && reply.status < 500) return Object.assign(base, { outcome: "refused", sound: "retry", title: w.refused, reason: message });
    return Object.assign(base, { outcome: "error", sound: "error", title: w.serverError, reason: message });
  }

  /// A scanner that reads one code twice, or a card held a moment too long: the same payload, direction
  /// and place within `windowMs` is the same scan. `seen(key, now)` answers the earlier entry or null,
  /// and remembers this one.
  function repeatFilter(windowMs) {
    const last = new Map();
    return {
      seen(key, now) {
        for (const [k, at] of last) if (now - at.at > windowMs) last.delete(k);
        const earlier = last.get(key);
        if (earlier) return earlier;
        last.set(key, { at: now, value: null });
        return null;
      },
      /// The result of the first scan, shown again for the repeat.
      remember(key, value) { const entry = last.get(key); if (entry) entry.value = value; },
      forget(key) { last.delete(key); },
    };
  }

  /// The check-in path `/c/CODE` when `text` is a poster URL of this server (its own origin or the
  /// configured public base URL), else null. Place codes are 8–32 letters and digits.
  function placePath(text, origins) {
    let url;
    try { url = new URL(String(text || "").trim()); } catch (_) { return null; }
    if (url.protocol !== "https:" && url.protocol !== "http:") return null;
    const allowed = (Array.isArray(origins) ? origins : [origins]).filter(Boolean).map((o) => {
      try { return new URL(o).origin; } catch (_) { return ""; }
    });
    if (!allowed.includes(url.origin)) return null;
    const match = /^\/c\/([A-Za-z0-9]{8,32})\/?$/.exec(url.pathname);
    return match ? "/c/" + match[1] : null;
  }

  /// The direction after a scan: an exit flips the station back to "in" unless the guard locked it.
  function nextDirection(direction, locked) {
    return direction === "out" && !locked ? "in" : direction;
  }

  return { SEVERITY, rankStatus, describe, healthLine, repeatFilter, placePath, nextDirection, clock };
});
