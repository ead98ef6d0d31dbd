// What the staff station (station.js) and the unattended kiosk (kiosk.js) share: the keyboard-wedge
// input, the call to POST /api/v1/scans, the full-screen result, its sounds and the camera.
// Plain JS, no build step; the pages pass their words in data-strings (CSP forbids inline script).
"use strict";

window.RavaoScanner = (() => {
  function words(root) {
    try { return JSON.parse(root.dataset.strings || "{}"); } catch (_) { return {}; }
  }

  // crypto.randomUUID exists only in secure contexts, and a station reached over http on the LAN
  // is not one; getRandomValues works everywhere.
  function newClientId() {
    if (window.isSecureContext && typeof crypto.randomUUID === "function") return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  function isTextField(element) {
    if (!(element instanceof Element)) return false;
    if (element.matches("textarea, select, [contenteditable='true']")) return true;
    return element.matches("input") && !/^(radio|checkbox|button|submit|reset|range|color|file|image)$/.test(element.type);
  }

  function isShown(element) { return element.isConnected && !element.closest("[hidden]"); }

  // A USB scanner is a keyboard: it types the payload and ends it with Enter or Tab. The input must
  // keep the focus, or the next person's code is typed into nowhere.
  function attachWedge(input, onScan) {
    let submitAfterComposition = false;

    function submit(text) {
      input.value = "";
      const payload = text.replace(/^[\r\n\t]+|[\r\n\t]+$/g, "");
      if (payload.trim() !== "") onScan(payload);
    }

    function refocus() {
      if (document.activeElement !== input && isShown(input)) input.focus({ preventScroll: true });
    }

    input.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" && event.key !== "Tab") return;
      // An empty box lets Tab move on, so a keyboard user can still reach the other controls.
      if (event.key === "Tab" && input.value === "" && !event.isComposing) return;
      event.preventDefault();
      // An input method (Telex/VNI) may still hold the last syllable; it lands in the value on compositionend.
      if (event.isComposing) { submitAfterComposition = true; return; }
      submit(input.value);
    });
    input.addEventListener("compositionend", () => {
      if (!submitAfterComposition) return;
      submitAfterComposition = false;
      setTimeout(() => submit(input.value), 0);
    });
    // A pasted payload is complete: send it at once instead of waiting for an Enter.
    input.addEventListener("paste", (event) => {
      const pasted = event.clipboardData ? event.clipboardData.getData("text") : "";
      if (!pasted) return;
      event.preventDefault();
      const start = input.selectionStart ?? input.value.length;
      const end = input.selectionEnd ?? input.value.length;
      submit(input.value.slice(0, start) + pasted + input.value.slice(end));
    });

    // Clicking anywhere but another text field (overlay, radio, button, background) gives the focus back.
    document.addEventListener("click", (event) => {
      if (isTextField(event.target) && event.target !== input) return;
      setTimeout(refocus, 0);
    });
    // Focus lost to nothing (the overlay, a removed element): take it back.
    input.addEventListener("blur", () => {
      setTimeout(() => {
        const active = document.activeElement;
        if (!active || active === document.body || active === document.documentElement) refocus();
      }, 0);
    });
    // A scanner typing while the page has no focus would lose its first characters; a key pressed on
    // the page's background moves the focus before the character is inserted.
    document.addEventListener("keydown", (event) => {
      if (event.target === input || isTextField(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key.length === 1) refocus();
    }, true);

    refocus();
    return { refocus };
  }

  // MARK: sounds

  // One pattern per outcome, so a guard who is not looking still knows: [frequency Hz, seconds, wave];
  // frequency 0 is a pause.
  const SOUNDS = {
    ok: [[880, 0.09, "sine"], [1320, 0.16, "sine"]],
    unknown: [[880, 0.09, "sine"], [1320, 0.09, "sine"], [0, 0.05], [990, 0.2, "triangle"]],
    refused: [[220, 0.25, "square"], [0, 0.07], [196, 0.35, "square"]],
    queued: [[660, 0.12, "triangle"], [0, 0.06], [660, 0.12, "triangle"]],
    error: [[330, 0.08, "sawtooth"], [0, 0.05], [330, 0.08, "sawtooth"], [0, 0.05], [330, 0.08, "sawtooth"]],
  };
  let audio = null;

  function audioContext() {
    const Ctor = window.AudioContext || window.webkitAudioContext;
    if (!Ctor) return null;
    if (!audio) audio = new Ctor();
    // Browsers start it suspended until the page was used; the scanner's keystrokes count as use.
    if (audio.state === "suspended") audio.resume().catch(() => {});
    return audio;
  }

  function play(name) {
    const pattern = SOUNDS[name];
    if (!pattern) return;
    try {
      const ctx = audioContext();
      if (!ctx) return;
      let t = ctx.currentTime + 0.01;
      for (const [frequency, seconds, wave] of pattern) {
        if (frequency > 0) {
          const oscillator = ctx.createOscillator();
          const gain = ctx.createGain();
          oscillator.type = wave;
          oscillator.frequency.value = frequency;
          // Ramps avoid the click of a square start and stop.
          gain.gain.setValueAtTime(0.0001, t);
          gain.gain.exponentialRampToValueAtTime(0.3, t + 0.01);
          gain.gain.exponentialRampToValueAtTime(0.0001, t + seconds);
          oscillator.connect(gain);
          gain.connect(ctx.destination);
          oscillator.start(t);
          oscillator.stop(t + seconds + 0.02);
        }
        t += seconds;
      }
    } catch (_) {
      // A station without sound still scans.
    }
  }

  // Creating the context inside the first key or tap is what lets it start unsuspended.
  ["keydown", "pointerdown"].forEach((type) => {
    document.addEventListener(type, () => { try { audioContext(); } catch (_) { /* no sound */ } }, { once: true, capture: true });
  });

  // MARK: the API

  /// Resolves to {status, body, date} for any HTTP answer, or {network: true} when none came back.
  async function postScan(body, headers, timeoutMs) {
    const controller = new AbortController();
    const timer = timeoutMs ? setTimeout(() => controller.abort(), timeoutMs) : 0;
    try {
      const response = await fetch("/api/v1/scans", {
        method: "POST",
        credentials: "same-origin",
        cache: "no-store",
        headers: Object.assign({ "Content-Type": "application/json", Accept: "application/json" }, headers),
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      let json = null;
      try { json = await response.json(); } catch (_) { /* not JSON: a proxy's error page */ }
      return { status: response.status, body: json, date: response.headers.get("Date") };
    } catch (_) {
      return { network: true };
    } finally {
      clearTimeout(timer);
    }
  }

  function clock(iso, lang) {
    const date = iso ? new Date(iso) : new Date();
    return date.toLocaleTimeString(lang === "en" ? "en-GB" : "vi-VN", { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }

  // `status` (H6): level normal | abnormal | unknown, and alerts (epidemic zone, F0/F1/F2, tracing).
  // Abnormal is red; an alert on an otherwise normal or unknown status is orange: the guard checks further.
  function healthOutcome(status) {
    if (status.level === "abnormal") return "alert";
    if (Array.isArray(status.alerts) && status.alerts.length > 0) return "warn";
    return status.level === "normal" ? "ok" : "unknown";
  }

  function healthText(status, lang) {
    return String((lang === "vi" ? status.summaryVi : status.summary) || status.summary || "");
  }

  /// What to show and play for an answer of POST /api/v1/scans.
  function describe(reply, w, lang) {
    if (reply.network) {
      return { outcome: "error", sound: "error", title: w.networkError, name: "", meta: clock(null, lang), health: "", reason: "" };
    }
    const body = reply.body || {};
    if (reply.status >= 200 && reply.status < 300) {
      const status = body.status;
      const kindName = w["kind." + body.kind] || body.kind || "";
      const meta = [kindName, w[body.direction] || body.direction, clock(body.scannedAt, lang)].filter(Boolean).join(" · ");
      const name = body.person ? body.person.displayName : "";
      const title = body.duplicate ? w.duplicate : w.recorded;
      const base = { name, meta, kindName, reason: "" };
      if (status === null || status === undefined) {
        return Object.assign(base, { outcome: "ok", sound: "unknown", title, health: w.healthUnknown });
      }
      const health = healthText(status, lang);
      switch (healthOutcome(status)) {
        case "alert": return Object.assign(base, { outcome: "alert", sound: "refused", title: w.healthAlert, health });
        case "warn": return Object.assign(base, { outcome: "warn", sound: "unknown", title: w.healthWarn, health });
        case "unknown": return Object.assign(base, { outcome: "ok", sound: "unknown", title, health });
        default: return Object.assign(base, { outcome: "ok", sound: "ok", title, health });
      }
    }
    const error = body.error || {};
    // The API's message is English; Vietnamese pages show its Vietnamese twin.
    if (lang === "vi" && error.messageVi) error.message = error.messageVi;
    const base = { name: "", meta: clock(null, lang), health: "", code: error.code || "" };
    if (reply.status === 422) {
      const title = error.code === "unrecognized_payload" ? w.unrecognized : w.refused;
      const reason = error.code === "token_revoked" ? w.tokenRevoked : (error.message || "");
      return Object.assign(base, { outcome: "refused", sound: "refused", title, reason });
    }
    if (reply.status === 401) return Object.assign(base, { outcome: "error", sound: "error", title: w.sessionExpired, reason: "" });
    if (reply.status === 403 || reply.status === 404) {
      return Object.assign(base, { outcome: "refused", sound: "refused", title: w.notAllowed, reason: error.message || "" });
    }
    if (reply.status >= 400 && reply.status < 500) {
      return Object.assign(base, { outcome: "refused", sound: "refused", title: w.refused, reason: error.message || "" });
    }
    return Object.assign(base, { outcome: "error", sound: "error", title: w.serverError, reason: error.message || "" });
  }

  // MARK: the result overlay

  // Green and red results clear quickly so the door keeps moving; anything the guard must read stays
  // a little longer. The next scan clears it at once either way.
  const HOLD_MS = { ok: 1500, alert: 3000, warn: 3000, refused: 3000, error: 3000, queued: 2000 };

  function overlay(element) {
    const part = (name) => element.querySelector(".result-" + name);
    let timer = 0;

    function hide() {
      clearTimeout(timer);
      element.hidden = true;
    }

    function show(result) {
      clearTimeout(timer);
      element.dataset.outcome = result.outcome;
      element.dataset.sound = result.sound;
      element.dataset.code = result.code || "";
      part("title").textContent = result.title || "";
      part("name").textContent = result.name || "";
      part("meta").textContent = result.meta || "";
      part("health").textContent = result.health || "";
      part("health").hidden = !result.health;
      part("reason").textContent = result.reason || "";
      element.hidden = false;
      timer = setTimeout(hide, HOLD_MS[result.outcome] || 1500);
    }

    element.addEventListener("click", hide);
    return { show, hide };
  }

  // MARK: the camera (C4)

  // BarcodeDetector exists in Chrome on Android, macOS and Windows; desktop Linux has none, and there
  // the scanner or a paste is the way.
  async function attachCamera(parts, onScan, w) {
    const { button, video, note } = parts;
    if (!button) return;
    let supported = "BarcodeDetector" in window && navigator.mediaDevices && navigator.mediaDevices.getUserMedia;
    if (supported && typeof BarcodeDetector.getSupportedFormats === "function") {
      try { supported = (await BarcodeDetector.getSupportedFormats()).includes("qr_code"); } catch (_) { supported = false; }
    }
    if (!supported) {
      button.hidden = true;
      note.hidden = false;
      return;
    }
    button.hidden = false;
    let stream = null;
    let timer = 0;
    let busy = false;
    let last = "";
    let lastSeen = 0;
    const detector = new BarcodeDetector({ formats: ["qr_code"] });

    function stop() {
      clearInterval(timer);
      if (stream) stream.getTracks().forEach((track) => track.stop());
      stream = null;
      video.hidden = true;
      video.srcObject = null;
      button.textContent = w.useCamera;
    }

    async function tick() {
      if (busy || video.readyState < 2) return;
      busy = true;
      try {
        for (const code of await detector.detect(video)) {
          const value = code.rawValue;
          if (!value) continue;
          const now = Date.now();
          // A code held in front of the camera is seen five times a second; it counts once, until it
          // has been out of sight for 3 s.
          const repeat = value === last && now - lastSeen < 3000;
          last = value;
          lastSeen = now;
          if (!repeat) onScan(value);
        }
      } catch (_) {
        // A frame that cannot be read is skipped.
      } finally {
        busy = false;
      }
    }

    async function start() {
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
      } catch (_) {
        note.textContent = w.cameraFailed;
        note.hidden = false;
        return;
      }
      video.srcObject = stream;
      video.hidden = false;
      await video.play().catch(() => {});
      button.textContent = w.stopCamera;
      timer = setInterval(tick, 200);
    }

    button.addEventListener("click", () => { if (stream) stop(); else start(); });
  }

  return { words, newClientId, attachWedge, play, postScan, describe, overlay, attachCamera, clock, SOUNDS };
})();
