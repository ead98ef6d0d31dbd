// Reading QR codes from the phone's or PC's camera, on every browser (C4, issue 17): the browser's own
// BarcodeDetector where it exists (Chrome on Android, macOS, Windows: fast, native), otherwise our
// decoder (qr-decode.js) in a module worker fed with frames from getUserMedia, so the page never
// stalls; where module workers are missing (older Firefox) the decoder runs on the page itself.
// Used by the staff station, the kiosk and the citizen's "scan a place" button.
"use strict";

window.RavaoCamera = (() => {
  const WORKER_URL = "/static/qr-worker.js";
  const DECODER_URL = "/static/qr-decode.js";
  // The decoder is measured on 640×480 frames; larger frames only cost time for codes held near.
  const MAX_SIDE = 800;
  const DETECT_EVERY_MS = 150;
  const WORKER_PAUSE_MS = 40;
  // A code held in front of the camera is seen many times a second; it counts once, until it has
  // been out of sight this long.
  const SAME_CODE_MS = 3000;

  /// Whether this page may open a camera at all: getUserMedia exists only in secure contexts (https,
  /// localhost), so a station reached over plain http on a LAN has none.
  function available() {
    return Boolean(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
  }

  async function nativeDetector() {
    if (!("BarcodeDetector" in window)) return null;
    try {
      if (typeof BarcodeDetector.getSupportedFormats === "function" && !(await BarcodeDetector.getSupportedFormats()).includes("qr_code")) return null;
      return new BarcodeDetector({ formats: ["qr_code"] });
    } catch (_) {
      return null;
    }
  }

  // Frames as RGBA pixels, scaled down to MAX_SIDE.
  function frameGrabber(video) {
    const canvas = document.createElement("canvas");
    const context = canvas.getContext("2d", { willReadFrequently: true });
    return () => {
      const vw = video.videoWidth, vh = video.videoHeight;
      if (!vw || !vh) return null;
      const scale = Math.min(1, MAX_SIDE / Math.max(vw, vh));
      const width = Math.round(vw * scale), height = Math.round(vh * scale);
      if (canvas.width !== width || canvas.height !== height) { canvas.width = width; canvas.height = height; }
      context.drawImage(video, 0, 0, width, height);
      return context.getImageData(0, 0, width, height);
    };
  }

  // Our decoder behind a promise: in a module worker when possible, else on the page.
  function softwareDecoder() {
    let worker = null;
    let local = null;
    let nextId = 0;
    const waiting = new Map();

    function fallBack() {
      if (worker) { worker.terminate(); worker = null; }
      for (const resolve of waiting.values()) resolve(null);
      waiting.clear();
      if (!local) local = import(DECODER_URL).then((module) => module.decodeQR).catch(() => null);
    }

    try {
      worker = new Worker(WORKER_URL, { type: "module" });
      worker.onmessage = (event) => {
        const { id, text } = event.data || {};
        const resolve = waiting.get(id);
        waiting.delete(id);
        if (resolve) resolve(text || null);
      };
      // A browser that cannot run module workers fails here (the import statement), not in the constructor.
      worker.onerror = (event) => { if (event && event.preventDefault) event.preventDefault(); fallBack(); };
    } catch (_) {
      fallBack();
    }

    return {
      mode: () => (worker ? "worker" : "page"),
      async decode(image) {
        if (worker) {
          const id = ++nextId;
          return new Promise((resolve) => {
            waiting.set(id, resolve);
            worker.postMessage({ id, data: image.data.buffer, width: image.width, height: image.height }, [image.data.buffer]);
          });
        }
        const decodeQR = await local;
        if (!decodeQR) return null;
        try { return decodeQR(image); } catch (_) { return null; }
      },
      close() { if (worker) worker.terminate(); worker = null; },
    };
  }

  /// Opens the camera into `video` and calls onText(text) for each code seen (once per code while it
  /// stays in view). Resolves to {stop(), mode} or rejects when the camera cannot be opened.
  async function start(video, onText) {
    const stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: "environment", width: { ideal: 1280 }, height: { ideal: 720 } }, audio: false,
    });
    video.srcObject = stream;
    video.muted = true;
    video.setAttribute("playsinline", "");
    video.hidden = false;
    await video.play().catch(() => {});

    let stopped = false;
    let timer = 0;
    let last = "";
    let lastSeen = 0;
    const detector = await nativeDetector();
    const software = detector ? null : softwareDecoder();
    const grab = detector ? null : frameGrabber(video);

    function seen(value) {
      if (!value || stopped) return;
      const now = Date.now();
      const repeat = value === last && now - lastSeen < SAME_CODE_MS;
      last = value;
      lastSeen = now;
      if (!repeat) onText(value);
    }

    async function tick() {
      if (stopped) return;
      let pause = detector ? DETECT_EVERY_MS : WORKER_PAUSE_MS;
      try {
        if (video.readyState >= 2) {
          if (detector) {
            for (const code of await detector.detect(video)) seen(code.rawValue);
          } else {
            const image = grab();
            if (image) seen(await software.decode(image));
          }
        } else {
          pause = 100;
        }
      } catch (_) {
        // A frame that cannot be read is skipped.
      }
      if (!stopped) timer = setTimeout(tick, pause);
    }
    tick();

    return {
      get mode() { return detector ? "native" : software.mode(); },
      stop() {
        stopped = true;
        clearTimeout(timer);
        if (software) software.close();
        stream.getTracks().forEach((track) => track.stop());
        video.srcObject = null;
        video.hidden = true;
      },
    };
  }

  return { available, start };
})();
