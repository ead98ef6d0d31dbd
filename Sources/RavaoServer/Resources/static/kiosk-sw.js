// The kiosk's service worker: keeps the kiosk page and its scripts so that an unattended kiosk that
// reloads (power blip, watchdog) during a network outage still comes up and keeps queueing scans.
// Network first, so a deployment's new page or script is picked up whenever the server answers.
"use strict";

const CACHE = "ravao-kiosk-v2";
const SHELL = ["/kiosk", "/static/scan-rules.js", "/static/scan-queue.js", "/static/camera.js", "/static/scanner.js", "/static/kiosk.js",
  "/static/qr-worker.js", "/static/qr-decode.js", "/static/station.css", "/static/app.css"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((name) => name.startsWith("ravao-kiosk-") && name !== CACHE).map((name) => caches.delete(name))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  const shell = url.pathname === "/kiosk" || SHELL.includes(url.pathname);
  if (!shell) return;  // the API always goes to the network; the page queues what fails
  event.respondWith(fetch(request).then((response) => {
    if (response.ok) {
      const copy = response.clone();
      caches.open(CACHE).then((cache) => cache.put(url.pathname, copy));
    }
    return response;
  }).catch(() => caches.match(url.pathname).then((cached) => cached || Response.error())));
});
