// What the staff station (station.js) and the unattended kiosk (kiosk.js) share: the keyboard-wedge
// input, the call to POST /api/v1/scans, the full-screen result, its sounds and vibration, and the
// camera button. What an answer means is in scan-rules.js, the camera reading in camera.js and the
// offline queue in scan-queue.js. Plain JS, no build step; the pages pass their words in data-strings
// (CSP forbids inline script).
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
  // frequency 0 is a pause. Alerts are low and harsh, "check further" two falling tones, "try again"
  // two soft high blips — unmistakable from each other at a noisy gate.
  const SOUNDS = {
    ok: [[880, 0.09, "sine"], [1320, 0.16, "sine"]],
    unknown: [[880, 0.09, "sine"], [1320, 0.09, "sine"], [0, 0.05], [990, 0.2, "triangle"]],
    warn: [[740, 0.16, "triangle"], [0, 0.05], [554, 0.24, "triangle"]],
    refused: [[220, 0.25, "square"], [0, 0.07], [196, 0.35, "square"]],
    retry: [[1046, 0.06, "sine"], [0, 0.08], [1046, 0.06, "sine"]],
    repeat: [[1175, 0.05, "sine"]],
    queued: [[660, 0.12, "triangle"], [0, 0.06], [660, 0.12, "triangle"]],
    error: [[330, 0.08, "sawtooth"], [0, 0.05], [330, 0.08, "sawtooth"], [0, 0.05], [330, 0.08, "sawtooth"]],
  };
  // The same outcomes felt on a phone held by the guard (navigator.vibrate: Android; absent on iPhones).
  const VIBRATIONS = {
    ok: [60], unknown: [60, 80, 60], warn: [150, 80, 150], refused: [400, 120, 400], retry: [40, 60, 40],
    repeat: [30], queued: [80, 60, 80], error: [200, 60, 200],
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
    try {
      if (VIBRATIONS[name] && typeof navigator.vibrate === "function") navigator.vibrate(VIBRATIONS[name]);
    } catch (_) {
      // Vibration is a bonus.
    }
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

  const clock = (iso, lang) => window.RavaoRules.clock(iso, lang);
  const describe = (reply, w, lang) => window.RavaoRules.describe(reply, w, lang);

  // MARK: the result overlay

  // How long a result stays when no one scans next. The station passes the guard's choice (default 8 s);
  // the kiosk clears quickly so the queue keeps moving. The next scan replaces it at once either way.
  const HOLD_MS = { ok: 1500, unknown: 3000, abnormal: 3000, alert: 3000, retry: 3000, refused: 3000, error: 3000, queued: 2000 };

  /// options.holdMs(outcome) → milliseconds (0: until the next scan or a tap).
  function overlay(element, options) {
    const part = (name) => element.querySelector(".result-" + name);
    const holdMs = (options && options.holdMs) || ((outcome) => HOLD_MS[outcome] || 1500);
    const w = (options && options.words) || {};
    let timer = 0;

    function hide() {
      clearTimeout(timer);
      element.hidden = true;
    }

    function set(name, text) {
      const node = part(name);
      if (!node) return;
      node.textContent = text || "";
      node.hidden = !text;
    }

    function show(result) {
      clearTimeout(timer);
      element.dataset.outcome = result.outcome;
      element.dataset.severity = String(result.severity || 0);
      element.dataset.level = result.level || "";
      element.dataset.sound = result.sound;
      element.dataset.code = result.code || "";
      element.dataset.repeat = result.repeat ? "true" : "false";
      set("title", result.title);
      set("name", result.name);
      set("year", result.year ? (w.bornIn || "") + " " + result.year : "");
      set("meta", result.meta);
      set("health", result.health);
      set("reason", result.reason);
      set("note", result.repeat ? w.alreadyScanned : "");
      set("today", result.today ? `${w.todayIn || "In"} ${result.today.entries} · ${w.todayOut || "Out"} ${result.today.exits}` : "");
      element.hidden = false;
      const ms = holdMs(result.outcome);
      if (ms > 0) timer = setTimeout(hide, ms);
    }

    element.addEventListener("click", hide);
    return { show, hide };
  }

  // MARK: the camera (C4)

  // The camera button works on every browser that can open a camera (camera.js picks BarcodeDetector
  // or our decoder); only a page without camera access at all (plain http, no camera API) says so.
  function attachCamera(parts, onScan, w) {
    const { button, video, note } = parts;
    if (!button) return;
    const camera = window.RavaoCamera;
    if (!camera || !camera.available()) {
      button.hidden = true;
      note.textContent = w.noCamera;
      note.hidden = false;
      return;
    }
    button.hidden = false;
    let running = null;

    function stop() {
      if (running) running.stop();
      running = null;
      button.textContent = w.useCamera;
      button.dataset.state = "off";
    }

    async function start() {
      note.hidden = true;
      button.dataset.state = "starting";
      try {
        running = await camera.start(video, onScan);
      } catch (_) {
        button.dataset.state = "off";
        note.textContent = w.cameraFailed;
        note.hidden = false;
        return;
      }
      button.textContent = w.stopCamera;
      button.dataset.state = "on";
      button.dataset.mode = running.mode;
    }

    button.addEventListener("click", () => { if (running) stop(); else start(); });
    return { start, stop, get running() { return Boolean(running); } };
  }

  return { words, newClientId, attachWedge, play, postScan, describe, overlay, attachCamera, clock, SOUNDS };
})();
