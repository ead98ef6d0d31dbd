// The staff scanning station (C2, C4), as a guard at 6 am needs it (issue 17). Every scan goes through
// the same offline queue as the kiosk (scan-queue.js): stored in IndexedDB first, posted to
// POST /api/v1/scans with the session cookie and the page's CSRF token, re-sent with the same clientId
// after an outage — none lost, none doubled. The result stays until the next scan or the chosen number
// of seconds; the most serious fact wins the screen (scan-rules.js).
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("station");
  if (!root) return;
  const scanner = window.RavaoScanner;
  const rules = window.RavaoRules;
  const w = scanner.words(root);
  const lang = root.dataset.lang;
  const placeId = root.dataset.placeId;
  const $ = (id) => document.getElementById(id);
  const input = $("scan-input");
  const recent = $("recent-scans");
  const holdSelect = $("hold-seconds");
  const lock = $("direction-lock");
  const queueCount = $("queue-count");
  const networkState = $("network-state");
  const phoneForm = $("phone-form");
  const phoneInput = $("phone-input");
  const phoneError = $("phone-error");
  const RECENT_LIMIT = 20;
  const LIVE_TIMEOUT_MS = 6000;     // a person is waiting: past this, the scan is "saved" and retried later
  const RETRY_EVERY_MS = 4000;
  // A USB scanner that reads one code twice, or a card left on the glass: the same code (same
  // direction) within this window is the same scan, shown as "already scanned" and not sent again.
  const REPEAT_MS = 5000;
  const HOLD = "ravao.station.hold";
  const LOCK = "ravao.station.lock";
  const DIRECTION = "ravao.station.direction";
  let latest = 0;

  const storage = {
    get(name) { try { return localStorage.getItem(name); } catch (_) { return null; } },
    set(name, value) { try { localStorage.setItem(name, value); } catch (_) { /* not kept */ } },
  };

  // MARK: settings kept on this device

  const savedHold = storage.get(HOLD);
  if (savedHold !== null && Array.from(holdSelect.options).some((o) => o.value === savedHold)) holdSelect.value = savedHold;
  holdSelect.addEventListener("change", () => storage.set(HOLD, holdSelect.value));
  lock.checked = storage.get(LOCK) === "1";

  const result = scanner.overlay($("result"), {
    words: w,
    // A "saved offline" notice needs no reading; everything else stays as long as the guard chose.
    holdMs: (outcome) => (outcome === "queued" ? Math.min(2000, holdMs() || 2000) : holdMs()),
  });
  function holdMs() { return Number(holdSelect.value) * 1000; }

  // MARK: direction

  const direction = () => {
    const checked = root.querySelector("input[name=direction]:checked");
    return checked ? checked.value : "in";
  };
  function setDirection(value) {
    const radio = $(value === "out" ? "direction-out" : "direction-in");
    radio.checked = true;
    root.dataset.direction = value;
  }
  // The lock keeps the direction across reloads too (a guard posted at the exit all day).
  setDirection(lock.checked && storage.get(DIRECTION) === "out" ? "out" : "in");
  root.querySelectorAll("input[name=direction]").forEach((radio) => radio.addEventListener("change", () => {
    root.dataset.direction = direction();
    storage.set(DIRECTION, direction());
    wedge.refocus();
  }));
  lock.addEventListener("change", () => {
    storage.set(LOCK, lock.checked ? "1" : "0");
    storage.set(DIRECTION, direction());
    wedge.refocus();
  });

  // MARK: counters and queue

  function setNetwork(online) {
    networkState.dataset.state = online ? "online" : "offline";
    networkState.textContent = online ? w.online : w.offline;
  }
  function setToday(today) {
    if (!today) return;
    $("count-in").textContent = String(today.entries);
    $("count-out").textContent = String(today.exits);
  }

  const uploads = window.RavaoQueue.create({
    db: "ravao-station",
    // A shared PC: another guard's pending scans wait for that guard's session instead of being sent
    // (and refused) under this one.
    accepts: (record) => !record.account || record.account === root.dataset.account,
    send: (record, timeoutMs) => scanner.postScan({
      placeId: record.placeId, payload: record.payload, direction: record.direction,
      clientId: record.clientId, scannedAt: record.scannedAt,
    }, { "X-CSRF-Token": root.dataset.csrf }, timeoutMs),
    onReply(reply, record) {
      setNetwork(!reply.network);
      // Counters belong to this page's place; an upload for another place (a guard who moved) says nothing here.
      if (reply.body && reply.body.today && record.placeId === placeId) setToday(reply.body.today);
      if (!reply.network) markUploaded(record.clientId, reply);
    },
    onCount(n) {
      queueCount.textContent = n === null ? "?" : String(n);
      if (n !== null) queueCount.dataset.count = String(n);
      root.dataset.pending = String(n || 0);
    },
  });

  // MARK: the recent list

  function span(className, text) {
    const element = document.createElement("span");
    element.className = className;
    element.textContent = text;
    return element;
  }

  // Only this browser's scans, newest first: the entry appears when the scan is made, so the order is
  // the order at the door even when answers come back out of order.
  function addRecent(dir, clientId) {
    const item = document.createElement("li");
    item.dataset.outcome = "pending";
    item.dataset.clientId = clientId;
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

  // A queued scan uploaded later: its line in the list turns from "saved" into what the server said.
  function markUploaded(clientId, reply) {
    const item = recent.querySelector(`li[data-client-id="${CSS.escape(clientId)}"]`);
    if (!item || item.dataset.outcome !== "queued" || window.RavaoQueue.keeps(reply)) return;
    fillRecent(item, rules.describe(reply, w, lang), reply);
    item.dataset.uploaded = "later";
  }

  // MARK: scanning

  const repeats = rules.repeatFilter(REPEAT_MS);

  /// Sends one scan; answers what was shown. `source` is "wedge", "camera" or "phone".
  async function scan(payload, source) {
    const dir = direction();
    const key = [placeId, dir, payload.trim()].join("\n");
    const earlier = repeats.seen(key, Date.now());
    if (earlier) {
      // Shown once more, with its own colour (an alert stays an alert), and not posted again.
      if (earlier.value) {
        result.show(Object.assign({}, earlier.value, { repeat: true, sound: "repeat" }));
        scanner.play("repeat");
      }
      wedge.refocus();
      return earlier.value;
    }
    const sequence = ++latest;
    // The next person never waits for the previous result to fade.
    result.hide();
    const record = { clientId: scanner.newClientId(), placeId, payload, direction: dir, scannedAt: new Date().toISOString(), tries: 0,
      account: root.dataset.account };
    const item = addRecent(dir, record.clientId);
    // An exit is the exception: the next person is coming in, unless the guard locked the direction.
    setDirection(rules.nextDirection(dir, lock.checked));
    const outcome = await uploads.submit(record, LIVE_TIMEOUT_MS);
    let shown;
    if (outcome.kept && outcome.stored && outcome.reply.status !== 401) {
      shown = { outcome: "queued", sound: "queued", severity: 0, title: w.queued, name: "", meta: scanner.clock(null, lang), health: "", reason: w.queuedDetail };
    } else {
      shown = scanner.describe(outcome.reply, w, lang);
    }
    fillRecent(item, shown, outcome.reply);
    if (outcome.reply.body && outcome.reply.body.today) setToday(outcome.reply.body.today);
    // What was recorded or safely queued is a repeat to show again; a failure may be scanned again at once.
    if (["error", "retry", "refused"].includes(shown.outcome)) repeats.forget(key);
    else repeats.remember(key, shown);
    // A slow answer for someone already gone must not cover the person now at the door.
    if (sequence === latest) {
      result.show(shown);
      scanner.play(shown.sound);
    }
    if (source !== "phone") wedge.refocus();
    return shown;
  }

  const wedge = scanner.attachWedge(input, (payload) => scan(payload, "wedge"));

  // MARK: no QR: the phone number

  // A mistyped number stays in the field for correction; only an accepted (or safely queued) scan
  // clears it. The server recognises the number as kind "phone".
  function looksLikePhone(text) {
    return /^\+?\d{9,12}$/.test(text.replace(/[\s.\-()]/g, ""));
  }
  function phoneProblem(message) {
    phoneError.textContent = message;
    phoneError.hidden = !message;
    phoneInput.setAttribute("aria-invalid", message ? "true" : "false");
  }
  phoneForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const phone = phoneInput.value.trim();
    if (!phone) { wedge.refocus(); return; }
    if (!looksLikePhone(phone)) {
      phoneProblem(w.phoneInvalid);
      phoneInput.focus();
      return;
    }
    phoneProblem("");
    const shown = await scan(phone, "phone");
    if (shown && (shown.outcome === "retry" || shown.outcome === "refused")) {
      phoneProblem(shown.reason || w.phoneInvalid);
      phoneInput.focus();
      phoneInput.select();
      return;
    }
    phoneInput.value = "";
    wedge.refocus();
  });
  phoneInput.addEventListener("input", () => phoneProblem(""));

  // MARK: guard mode

  const menuToggle = $("menu-toggle");
  menuToggle.addEventListener("click", () => {
    const open = !document.body.classList.contains("with-menu");
    document.body.classList.toggle("with-menu", open);
    menuToggle.setAttribute("aria-expanded", String(open));
  });
  const fullscreenButton = $("fullscreen-button");
  function setGuard(on) {
    document.body.classList.toggle("guard", on);
    fullscreenButton.setAttribute("aria-pressed", String(on));
    fullscreenButton.textContent = on ? w.exitFullscreen : w.fullscreen;
  }
  fullscreenButton.addEventListener("click", () => {
    const on = !document.body.classList.contains("guard");
    setGuard(on);
    const element = document.documentElement;
    if (on && element.requestFullscreen && !document.fullscreenElement) element.requestFullscreen().catch(() => {});
    if (!on && document.fullscreenElement && document.exitFullscreen) document.exitFullscreen().catch(() => {});
  });
  document.addEventListener("fullscreenchange", () => { if (!document.fullscreenElement) setGuard(false); });

  // MARK: camera and uploads

  scanner.attachCamera({ button: $("camera-button"), video: $("camera-video"), note: $("camera-note") },
    (text) => scan(text, "camera"), w);

  uploads.refreshCount();
  uploads.drain();
  setInterval(() => { uploads.refreshCount(); uploads.drain(); }, RETRY_EVERY_MS);
  window.addEventListener("online", uploads.drain);
});
