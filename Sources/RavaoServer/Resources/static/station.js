// The staff scanning station (C2, C4): every scan goes straight to POST /api/v1/scans with the
// session cookie and the page's CSRF token. The station is attended, so a network failure is shown
// and the guard scans again; queueing offline is the kiosk's job.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("station");
  if (!root) return;
  const scanner = window.RavaoScanner;
  const w = scanner.words(root);
  const lang = root.dataset.lang;
  const input = document.getElementById("scan-input");
  const recent = document.getElementById("recent-scans");
  const result = scanner.overlay(document.getElementById("result"));
  const RECENT_LIMIT = 20;
  let latest = 0;

  const direction = () => {
    const checked = root.querySelector("input[name=direction]:checked");
    return checked ? checked.value : "in";
  };

  function span(className, text) {
    const element = document.createElement("span");
    element.className = className;
    element.textContent = text;
    return element;
  }

  // Only this browser's scans, newest first: the entry appears when the scan is made, so the order is
  // the order at the door even when answers come back out of order.
  function addRecent(dir) {
    const item = document.createElement("li");
    item.dataset.outcome = "pending";
    item.append(span("recent-time", scanner.clock(null, lang)), span("recent-direction", w[dir] || dir),
      span("recent-name", w.pending), span("recent-detail", ""));
    recent.prepend(item);
    while (recent.children.length > RECENT_LIMIT) recent.lastElementChild.remove();
    return item;
  }

  function fillRecent(item, shown, reply) {
    const recorded = Boolean(reply.body && reply.body.checkInId);
    item.dataset.outcome = shown.outcome;
    if (recorded) item.dataset.checkInId = reply.body.checkInId;
    if (shown.code) item.dataset.code = shown.code;
    item.querySelector(".recent-name").textContent = shown.name || shown.title;
    const detail = recorded ? [shown.kindName, shown.health].filter(Boolean).join(" · ") : shown.reason;
    item.querySelector(".recent-detail").textContent = detail || "";
  }

  async function scan(payload) {
    // The next person never waits for the previous result to fade.
    result.hide();
    const sequence = ++latest;
    const dir = direction();
    const item = addRecent(dir);
    const reply = await scanner.postScan(
      { placeId: root.dataset.placeId, payload, direction: dir, clientId: scanner.newClientId() },
      { "X-CSRF-Token": root.dataset.csrf }, 10000);
    const shown = scanner.describe(reply, w, lang);
    fillRecent(item, shown, reply);
    // A slow answer for someone already gone must not cover the person now at the door.
    if (sequence === latest) {
      result.show(shown);
      scanner.play(shown.sound);
    }
    wedge.refocus();
  }

  const wedge = scanner.attachWedge(input, scan);

  root.querySelectorAll("input[name=direction]").forEach((radio) => radio.addEventListener("change", () => wedge.refocus()));

  // No QR at all: the typed phone number is the payload; the server recognises it as kind "phone".
  const phoneForm = document.getElementById("phone-form");
  const phoneInput = document.getElementById("phone-input");
  phoneForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const phone = phoneInput.value.trim();
    phoneInput.value = "";
    wedge.refocus();
    if (phone) scan(phone);
  });

  scanner.attachCamera({
    button: document.getElementById("camera-button"),
    video: document.getElementById("camera-video"),
    note: document.getElementById("camera-note"),
  }, scan, w);
});
