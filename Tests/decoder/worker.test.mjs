// The worker wrapper, driven through a stand-in for the worker global (node has no module
// Web Worker with `self`): one message in, one {id, text} out, also for a broken frame.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { render } from "./helpers.mjs";

test("qr-worker.js answers each message with its id and the text (or null)", async () => {
  const posted = [];
  globalThis.self = { postMessage: (m) => posted.push(m) };
  await import("../../Sources/RavaoServer/Resources/static/qr-worker.js");
  const f = JSON.parse(readFileSync(new URL("./fixtures.json", import.meta.url), "utf8"))[2];
  const frame = render(f.rows);
  globalThis.self.onmessage({ data: { id: 7, data: frame.data, width: frame.width, height: frame.height } });
  // A transferred ArrayBuffer works as well as the typed array.
  globalThis.self.onmessage({ data: { id: 8, data: frame.data.buffer, width: frame.width, height: frame.height } });
  globalThis.self.onmessage({ data: { id: 9, data: null, width: 10, height: 10 } });
  assert.deepEqual(posted, [{ id: 7, text: f.text }, { id: 8, text: f.text }, { id: 9, text: null }]);
  delete globalThis.self;
});
