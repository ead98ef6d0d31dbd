// The citizen's service worker: keeps the home page with the personal QR so that it still shows at a
// gate with no signal. Network first, so a re-issued QR or a new status replaces the kept copy as soon
// as the phone is online. Sign-out clears it (the server sends Clear-Site-Data).
"use strict";

const CACHE = "ravao-me-v2";
const SHELL = ["/me", "/static/app.css", "/static/app.js", "/static/citizen.js", "/static/scan-rules.js", "/static/camera.js"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((name) => name.startsWith("ravao-me-") && name !== CACHE).map((name) => caches.delete(name))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || !SHELL.includes(url.pathname)) return;
  event.respondWith(fetch(request).then((response) => {
    // Only a real page is kept: a redirect to sign-in must not replace the QR.
    if (response.ok && !response.redirected) {
      const copy = response.clone();
      caches.open(CACHE).then((cache) => cache.put(url.pathname, copy));
    }
    return response;
  }).catch(() => caches.match(url.pathname).then((cached) => cached || Response.error())));
});
