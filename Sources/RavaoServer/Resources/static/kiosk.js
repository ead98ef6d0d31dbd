// The unattended kiosk (C5): bound to one place by a device key, it scans continuously and must
// never lose or double a scan. Every scan is written to IndexedDB before it is sent and removed only
// when the server has answered for it; retries reuse the scan's clientId, which the server records
// once, and its original scannedAt.
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
  const result = scanner.overlay($("result"));
  const wedge = scanner.attachWedge(input, scan);

  const KEY = "ravao.kiosk.key";
  const DEVICE = "ravao.kiosk.device";
  const DIRECTION = "ravao.kiosk.direction";
  const LIVE_TIMEOUT_MS = 5000;   // a person is waiting: past this, the scan is "saved" and retried later
  const RETRY_TIMEOUT_MS = 15000;
  const RETRY_EVERY_MS = 4000;
  // Answers that say "not now" rather than "never": the scan stays queued.
  const TRANSIENT = new Set([408, 425, 429]);

  let key = "";
  let device = null;
  let latest = 0;
  let clockOffset = 0;
  const inFlight = new Set();

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

  const queue = (() => {
    let opened = null;
    function open() {
      if (!opened) {
        opened = new Promise((resolve, reject) => {
          const request = indexedDB.open("ravao-kiosk", 1);
          request.onupgradeneeded = () => {
            const store = request.result.createObjectStore("queue", { keyPath: "clientId" });
            store.createIndex("scannedAt", "scannedAt");
          };
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error);
        });
        opened.catch(() => { opened = null; });
      }
      return opened;
    }
    // Resolves when the transaction has committed, not when the request succeeded: only then is the
    // record on disk.
    async function run(mode, work) {
      const db = await open();
      return new Promise((resolve, reject) => {
        const transaction = db.transaction("queue", mode);
        let value;
        const request = work(transaction.objectStore("queue"));
        if (request) request.onsuccess = () => { value = request.result; };
        transaction.oncomplete = () => resolve(value);
        transaction.onerror = () => reject(transaction.error);
        transaction.onabort = () => reject(transaction.error);
      });
    }
    return {
      put: (record) => run("readwrite", (store) => store.put(record)),
      remove: (clientId) => run("readwrite", (store) => store.delete(clientId)),
      count: () => run("readonly", (store) => store.count()),
      oldest: (limit) => run("readonly", (store) => store.index("scannedAt").getAll(null, limit)),
      // Counting tries must not bring back a record that was removed meanwhile.
      bump: (clientId) => run("readwrite", (store) => {
        const request = store.get(clientId);
        request.onsuccess = () => {
          if (request.result) store.put(Object.assign(request.result, { tries: (request.result.tries || 0) + 1 }));
        };
        return null;
      }),
    };
  })();

  async function refreshCount() {
    try {
      const n = await queue.count();
      queueCount.textContent = String(n);
      queueCount.dataset.count = String(n);
    } catch (_) {
      queueCount.textContent = "?";
    }
  }

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

  // Sends one queued record; keeps it when no answer came, or a "not now" answer, or the key was
  // refused (a new key may still upload it). Anything else is final: the server recorded the scan, or
  // refused it and kept it in its log of rejected scans.
  async function send(record, timeoutMs) {
    const reply = await scanner.postScan({
      placeId: record.placeId, payload: record.payload, direction: record.direction,
      clientId: record.clientId, scannedAt: record.scannedAt,
    }, { Authorization: "Bearer " + key }, timeoutMs);
    setNetwork(!reply.network);
    if (!reply.network) learnClock(reply);
    const keep = reply.network || reply.status >= 500 || TRANSIENT.has(reply.status) || reply.status === 401;
    if (keep) await queue.bump(record.clientId).catch(() => {});
    else await queue.remove(record.clientId);
    if (reply.status === 401) revoked();
    return { reply, kept: keep };
  }

  async function scan(payload) {
    result.hide();
    if (!device) return;
    const sequence = ++latest;
    const record = {
      clientId: scanner.newClientId(), placeId: device.place.id, payload,
      direction: directionToggle.dataset.direction, scannedAt: now(), tries: 0,
    };
    let stored = true;
    try { await queue.put(record); } catch (_) { stored = false; }
    await refreshCount();
    inFlight.add(record.clientId);
    let outcome;
    try {
      outcome = await send(record, LIVE_TIMEOUT_MS);
    } catch (_) {
      outcome = { reply: { network: true }, kept: stored };
    } finally {
      inFlight.delete(record.clientId);
    }
    await refreshCount();
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

  // Oldest first, one at a time; stops at the first record that still cannot go, and tries again on
  // the next tick or when the browser says the network is back.
  let draining = false;
  async function drain() {
    if (draining || !key || !device) return;
    draining = true;
    try {
      for (;;) {
        const next = (await queue.oldest(inFlight.size + 1)).find((record) => !inFlight.has(record.clientId));
        if (!next) break;
        inFlight.add(next.clientId);
        let outcome;
        try { outcome = await send(next, RETRY_TIMEOUT_MS); } finally { inFlight.delete(next.clientId); }
        await refreshCount();
        if (outcome.kept) break;
      }
    } catch (_) {
      // IndexedDB trouble: the next tick tries again.
    } finally {
      draining = false;
    }
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
