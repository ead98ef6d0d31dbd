// Scan history downloads: the export is streamed by the server; this shows how much has arrived
// while it downloads, then hands the file to the browser. Without JS the links download directly.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("downloads");
  if (!box || !window.ReadableStream) return;
  const progress = document.getElementById("download-progress");
  box.querySelectorAll("a[data-stream-download]").forEach((link) => {
    link.addEventListener("click", async (event) => {
      event.preventDefault();
      const started = Date.now();
      progress.textContent = box.dataset.downloading;
      try {
        const response = await fetch(link.href, { credentials: "same-origin" });
        if (!response.ok) throw new Error(String(response.status));
        const reader = response.body.getReader();
        const parts = [];
        let received = 0;
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          parts.push(value);
          received += value.length;
          progress.textContent = box.dataset.downloading + " " + (received / 1048576).toFixed(1) + " MB";
        }
        const disposition = response.headers.get("Content-Disposition") || "";
        const match = /filename="([^"]+)"/.exec(disposition);
        const url = URL.createObjectURL(new Blob(parts, { type: response.headers.get("Content-Type") || "" }));
        const a = document.createElement("a");
        a.href = url;
        a.download = match ? match[1] : "export";
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 10000);
        progress.textContent = box.dataset.downloaded + " " + (received / 1048576).toFixed(1) + " MB (" + ((Date.now() - started) / 1000).toFixed(1) + " s)";
        progress.dataset.bytes = String(received);
      } catch (error) {
        progress.textContent = "✕ " + error.message;
      }
    });
  });
});
