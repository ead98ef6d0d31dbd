// The unattended kiosk (C5): bound to one place by a device key, it scans continuously and must
// never lose or double a scan. The queue (scan-queue.js, shared with the staff station) writes every
// scan to IndexedDB before it is sent and removes it only when the server has answered for it; retries
// reuse the scan's clientId, which the server records once, and its original scannedAt.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("kiosk");
  if (!root) return;
  const scanner = window.RavaoScanner;
  const w = scanner.words(root);
  const lang = root.dataset.lang;
  const $ = (id) => document.getElementById(id);
  const screens = { setup: $("kiosk-setup"), revoked: $("kiosk-revoked"), scan: $("kiosk-scan") };
  const input = $("scan-input");
  const queueCount = $("queue-count");
  const networkState = $("network-state");
  const directionToggle = $("direction-toggle");
  const result = scanner.overlay($("result"), { words: w });
  const wedge = scanner.attachWedge(input, scan);

  const KEY = "ravao.kiosk.key";
  const DEVICE = "ravao.kiosk.device";
  const DIRECTION = "ravao.kiosk.direction";
  const LIVE_TIMEOUT_MS = 5000;   // a person is waiting: past this, the scan is "saved" and retried later
  const RETRY_TIMEOUT_MS = 15000;
  const RETRY_EVERY_MS = 4000;

  let key = "";
  let device = null;
  let latest = 0;
  let clockOffset = 0;

  // localStorage throws when storage is disabled; the kiosk then simply forgets its key on reload.
  const storage = {
    get(name) { try { return localStorage.getItem(name) || ""; } catch (_) { return ""; } },
    set(name, value) { try { localStorage.setItem(name, value); } catch (_) { /* not kept */ } },
    remove(name) { try { localStorage.removeItem(name); } catch (_) { /* nothing kept */ } },
  };

  function show(name) {
    for (const [screen, element] of Object.entries(screens)) element.hidden = screen !== name;
    if (name === "scan") wedge.refocus();
  }

  // Accepts "#key=…", the whole kiosk URL, or the bare key.
  function keyFrom(text) {
    const trimmed = (text || "").trim();
    const match = /[#&?]key=([^&\s]+)/.exec(trimmed);
    let candidate = trimmed;
    if (match) {
      try { candidate = decodeURIComponent(match[1]); } catch (_) { candidate = match[1]; }
    }
    return /^[A-Za-z0-9_.~-]{8,256}$/.test(candidate) ? candidate : "";
  }

  // MARK: the queue

  const uploads = window.RavaoQueue.create({
    db: "ravao-kiosk",
    retryTimeoutMs: RETRY_TIMEOUT_MS,
    ready: () => Boolean(key && device),
    send: (record, timeoutMs) => scanner.postScan({
      placeId: record.placeId, payload: record.payload, direction: record.direction,
      clientId: record.clientId, scannedAt: record.scannedAt,
    }, { Authorization: "Bearer " + key }, timeoutMs),
    onReply(reply) {
      setNetwork(!reply.network);
      if (!reply.network) learnClock(reply);
      if (reply.status === 401) revoked();
    },
    onCount(n) {
      queueCount.textContent = n === null ? "?" : String(n);
      if (n !== null) queueCount.dataset.count = String(n);
    },
  });
  const refreshCount = uploads.refreshCount;
  const drain = uploads.drain;

  function setNetwork(online) {
    networkState.dataset.state = online ? "online" : "offline";
    networkState.textContent = online ? w.online : w.offline;
  }

  // Cheap tablets keep bad time, and the server refuses scan times more than two minutes ahead; the
  // server's Date header tells how far off this clock is.
  function learnClock(reply) {
    const server = reply.date ? Date.parse(reply.date) : NaN;
    if (Number.isNaN(server)) return;
    const offset = server - Date.now();
    clockOffset = Math.abs(offset) > 30000 ? offset : 0;
  }

  const now = () => new Date(Date.now() + clockOffset).toISOString();

  async function scan(payload) {
    result.hide();
    if (!device) return;
    const sequence = ++latest;
    const record = {
      clientId: scanner.newClientId(), placeId: device.place.id, payload,
      direction: directionToggle.dataset.direction, scannedAt: now(), tries: 0,
    };
    const outcome = await uploads.submit(record, LIVE_TIMEOUT_MS);
    const stored = outcome.stored;
    let shown;
    if (outcome.kept && outcome.reply.status !== 401) {
      // Without storage nothing was kept, and the screen must not claim otherwise.
      shown = stored
        ? { outcome: "queued", sound: "queued", title: w.queued, name: "", meta: scanner.clock(null, lang), health: "", reason: w.queuedDetail }
        : scanner.describe({ network: true }, w, lang);
    } else {
      shown = scanner.describe(outcome.reply, w, lang);
      if (outcome.reply.status === 401) shown.title = w.keyInvalid;
    }
    if (sequence === latest) {
      result.show(shown);
      scanner.play(shown.sound);
    }
    wedge.refocus();
  }

  // MARK: the device

  function revoked() {
    device = null;
    storage.remove(DEVICE);
    show("revoked");
  }

  function showDevice() {
    $("kiosk-place").textContent = device.place.name;
    document.title = device.place.name + " · Ravao";
    show("scan");
  }

  // Which place this key scans at; the last answer is kept so a kiosk restarted while the network is
  // down still shows its place.
  async function loadDevice() {
    let response;
    try {
      response = await fetch("/api/v1/device", { headers: { Authorization: "Bearer " + key, Accept: "application/json" }, cache: "no-store" });
    } catch (_) {
      setNetwork(false);
      return "offline";
    }
    setNetwork(true);
    learnClock({ date: response.headers.get("Date") });
    if (response.status === 401 || response.status === 404) return "revoked";
    if (!response.ok) return "offline";
    try {
      device = await response.json();
    } catch (_) {
      return "offline";
    }
    storage.set(DEVICE, JSON.stringify(device));
    return "ok";
  }

  async function start() {
    if ("serviceWorker" in navigator) {
      // Lets the kiosk page load again during an outage; failure only loses that, not scans.
      navigator.serviceWorker.register("/kiosk-sw.js", { scope: "/kiosk" }).catch(() => {});
    }
    const cached = storage.get(DEVICE);
    if (cached) {
      try { device = JSON.parse(cached); } catch (_) { device = null; }
    }
    if (device) showDevice();
    const state = await loadDevice();
    if (state === "revoked") { revoked(); return; }
    if (state === "ok") { showDevice(); drain(); return; }
    // Not reachable and nothing cached: keep asking.
    if (!device) setTimeout(start, RETRY_EVERY_MS);
  }

  const keyForm = $("key-form");
  const keyInput = $("key-input");
  keyForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const candidate = keyFrom(keyInput.value);
    $("key-error").hidden = true;
    if (!candidate) { $("key-error").hidden = false; return; }
    key = candidate;
    storage.set(KEY, key);
    storage.remove(DEVICE);
    device = null;
    keyInput.value = "";
    const state = await loadDevice();
    if (state === "revoked") { show("setup"); $("key-error").hidden = false; return; }
    if (state === "ok") { showDevice(); drain(); } else start();
  });

  $("key-replace").addEventListener("click", () => {
    storage.remove(KEY);
    key = "";
    $("key-error").hidden = true;
    show("setup");
    keyInput.focus();
  });

  function setDirection(value) {
    directionToggle.dataset.direction = value;
    directionToggle.textContent = w[value] || value;
    storage.set(DIRECTION, value);
  }
  directionToggle.addEventListener("click", () => setDirection(directionToggle.dataset.direction === "in" ? "out" : "in"));
  setDirection(storage.get(DIRECTION) === "out" ? "out" : "in");

  $("fullscreen-button").addEventListener("click", () => {
    const element = document.documentElement;
    if (element.requestFullscreen && !document.fullscreenElement) element.requestFullscreen().catch(() => {});
  });

  scanner.attachCamera({ button: $("camera-button"), video: $("camera-video"), note: $("camera-note") }, scan, w);

  // The key arrives in the fragment, which never reaches a server or its logs; it is kept here and
  // taken out of the address bar and the history.
  const fromFragment = keyFrom(location.hash);
  if (fromFragment) {
    storage.set(KEY, fromFragment);
    storage.remove(DEVICE);
  }
  if (location.hash) history.replaceState(null, "", location.pathname + location.search);
  key = storage.get(KEY);

  refreshCount();
  setInterval(() => { refreshCount(); drain(); }, RETRY_EVERY_MS);
  window.addEventListener("online", drain);
  if (key) start();
  else { show("setup"); keyInput.focus(); }
});
