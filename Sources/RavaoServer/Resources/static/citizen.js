// The citizen's home page: registers the service worker that keeps the personal QR available offline,
// says so when the page shown is the kept copy, and drives "scan a place's QR": the camera (camera.js:
// BarcodeDetector or our decoder in a worker) reads a poster of this server, BASE/c/CODE, and the
// phone goes to that place's check-in page. Any other QR is refused with a clear message.
"use strict";

(function () {
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/me-sw.js", { scope: "/me" }).catch(() => {});
  }
  function showOffline() {
    const figure = document.getElementById("personal-qr");
    if (!figure || document.getElementById("offline-note")) return;
    const note = document.createElement("p");
    note.id = "offline-note";
    note.className = "muted";
    note.textContent = document.documentElement.lang === "en" ? "Offline: showing the saved QR." : "Không có mạng: đang hiện mã QR đã lưu.";
    figure.after(note);
  }
  if (!navigator.onLine) showOffline();
  window.addEventListener("offline", showOffline);

  function placeScanner() {
    const section = document.getElementById("place-scan");
    if (!section || !window.RavaoCamera || !window.RavaoRules) return;
    const button = document.getElementById("scan-place");
    const hint = document.getElementById("scan-place-hint");
    const video = document.getElementById("place-video");
    const note = document.getElementById("place-scan-note");
    // A page served over plain http has no camera: the button would only fail, so it is not offered.
    if (!window.RavaoCamera.available()) return;
    button.hidden = false;
    let running = null;

    function say(text, kind) {
      note.textContent = text || "";
      note.dataset.kind = kind || "";
      note.hidden = !text;
    }

    function stop() {
      if (running) running.stop();
      running = null;
      button.textContent = section.dataset.start;
      button.dataset.state = "off";
      hint.hidden = true;
    }

    function read(text) {
      const path = window.RavaoRules.placePath(text, [location.origin, section.dataset.base]);
      if (!path) {
        say(section.dataset.notPlace, "wrong");
        return;
      }
      stop();
      section.dataset.found = path;
      location.assign(path);
    }

    button.addEventListener("click", async () => {
      if (running) { stop(); return; }
      say("");
      button.dataset.state = "starting";
      try {
        running = await window.RavaoCamera.start(video, read);
      } catch (_) {
        button.dataset.state = "off";
        say(section.dataset.cameraFailed, "error");
        return;
      }
      button.textContent = section.dataset.stop;
      button.dataset.state = "on";
      button.dataset.mode = running.mode;
      hint.hidden = false;
      video.scrollIntoView({ block: "nearest" });
    });
    // Leaving the page (or hiding it) releases the camera.
    window.addEventListener("pagehide", stop);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", placeScanner);
  else placeScanner();
})();
