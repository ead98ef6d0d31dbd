// The citizen's home page: registers the service worker that keeps the personal QR available offline,
// and says so when the page shown is the kept copy.
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
})();
