// The offline queue the kiosk (C5) and the staff station (C2) share: no scan lost, none doubled.
// Every scan is written to IndexedDB before it is sent and removed only when the server has answered
// for it; retries reuse the scan's clientId, which the server records once, and its original scannedAt.
// Each page has its own database (the kiosk "ravao-kiosk", the station "ravao-station").
"use strict";

window.RavaoQueue = (() => {
  // Answers that say "not now" rather than "never": the scan stays queued.
  const TRANSIENT = new Set([408, 425, 429]);
  // How many of the oldest records a drain looks through for one it may send now.
  const DRAIN_LOOKAHEAD = 500;

  /// Whether a reply leaves the scan in the queue: no answer, a "not now", a server error, or a refused
  /// credential (a new key or a new sign-in may still upload it). Anything else is final: the server
  /// recorded the scan, or refused it and kept it in its log of rejected scans.
  function keeps(reply) {
    return Boolean(reply.network) || reply.status >= 500 || TRANSIENT.has(reply.status) || reply.status === 401;
  }

  function store(name) {
    let opened = null;
    function open() {
      if (!opened) {
        opened = new Promise((resolve, reject) => {
          const request = indexedDB.open(name, 1);
          request.onupgradeneeded = () => {
            const records = request.result.createObjectStore("queue", { keyPath: "clientId" });
            records.createIndex("scannedAt", "scannedAt");
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
      put: (record) => run("readwrite", (records) => records.put(record)),
      remove: (clientId) => run("readwrite", (records) => records.delete(clientId)),
      count: () => run("readonly", (records) => records.count()),
      oldest: (limit) => run("readonly", (records) => records.index("scannedAt").getAll(null, limit)),
      // Counting tries must not bring back a record that was removed meanwhile.
      bump: (clientId) => run("readwrite", (records) => {
        const request = records.get(clientId);
        request.onsuccess = () => {
          if (request.result) records.put(Object.assign(request.result, { tries: (request.result.tries || 0) + 1 }));
        };
        return null;
      }),
    };
  }

  /// A queue with its uploader. options: {db, send(record, timeoutMs) → reply, onCount(n),
  /// onReply(reply, record), ready() → bool (may drain now), accepts(record) → bool (this page may
  /// send it: a station sends only its own account's scans), retryTimeoutMs}.
  function create(options) {
    const queue = store(options.db);
    const inFlight = new Set();
    let draining = false;

    async function refreshCount() {
      try {
        const n = await queue.count();
        if (options.onCount) options.onCount(n);
        return n;
      } catch (_) {
        if (options.onCount) options.onCount(null);
        return null;
      }
    }

    async function sendRecord(record, timeoutMs) {
      const reply = await options.send(record, timeoutMs);
      const keep = keeps(reply);
      if (keep) await queue.bump(record.clientId).catch(() => {});
      else await queue.remove(record.clientId);
      if (options.onReply) options.onReply(reply, record);
      return { reply, kept: keep };
    }

    /// Stores, then sends one new scan while the person waits. Answers {reply, kept, stored}: when
    /// `kept`, the scan waits in the queue (if `stored`; without storage nothing was kept).
    async function submit(record, timeoutMs) {
      // Marked in flight before it is stored, so a drain running meanwhile does not send it as well.
      inFlight.add(record.clientId);
      let stored = true;
      try { await queue.put(record); } catch (_) { stored = false; }
      await refreshCount();
      let outcome;
      try {
        outcome = await sendRecord(record, timeoutMs);
      } catch (_) {
        outcome = { reply: { network: true }, kept: stored };
      } finally {
        inFlight.delete(record.clientId);
      }
      await refreshCount();
      return Object.assign(outcome, { stored });
    }

    // Oldest first, one at a time; stops at the first record that still cannot go, and tries again on
    // the next tick or when the browser says the network is back.
    async function drain() {
      if (draining || (options.ready && !options.ready())) return;
      draining = true;
      try {
        for (;;) {
          const accepts = options.accepts || (() => true);
          const next = (await queue.oldest(DRAIN_LOOKAHEAD)).find((record) => !inFlight.has(record.clientId) && accepts(record));
          if (!next) break;
          inFlight.add(next.clientId);
          let outcome;
          try { outcome = await sendRecord(next, options.retryTimeoutMs || 15000); } finally { inFlight.delete(next.clientId); }
          await refreshCount();
          if (outcome.kept) break;
        }
      } catch (_) {
        // IndexedDB trouble: the next tick tries again.
      } finally {
        draining = false;
      }
    }

    return { submit, drain, refreshCount, records: queue };
  }

  return { create, keeps, store, TRANSIENT };
})();
