// Module worker around decodeQR, for the station page's camera path (issue 17):
//   new Worker("/static/qr-worker.js", {type: "module"})
// Message in: {id, data, width, height} (data: RGBA Uint8ClampedArray or its ArrayBuffer, best
// transferred). Message out: {id, text} with text null when nothing was read. The id lets the page
// drop answers for frames it no longer cares about.
import { decodeQR } from "./qr-decode.js";

self.onmessage = (event) => {
  const { id, data, width, height } = event.data || {};
  let text = null;
  try {
    const pixels = data instanceof Uint8ClampedArray ? data : new Uint8ClampedArray(data);
    text = decodeQR({ data: pixels, width, height });
  } catch (_) {
    // A bad frame must not kill the worker: the page keeps sending the next ones.
    text = null;
  }
  self.postMessage({ id, text });
};
