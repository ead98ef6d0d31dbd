// Decodes image files with our decodeQR, many per process (starting node costs more than a decode).
//
//   node Tests/decoder/decode-files.mjs FILE...          or   node … --list LISTFILE
//
// Files are binary PGM (P5, grey) or PPM (P6, colour), 8-bit: formats simple enough to read here
// without a package. Prints one JSON line per file: {"file", "text" (string or null), "ms"}.
// A file that cannot be read gives {"file", "error"}; the exit code stays 0 so that a caller sees
// every result.
import { readFileSync } from "node:fs";
import { decodeQR } from "../../Sources/RavaoServer/Resources/static/qr-decode.js";

/** Reads a P5/P6 file into {data: RGBA, width, height}. */
export function readNetpbm(buf) {
  let pos = 0;
  const token = () => {
    // Whitespace and # comments separate the header fields.
    for (;;) {
      while (pos < buf.length && /\s/.test(String.fromCharCode(buf[pos]))) pos++;
      if (buf[pos] === 0x23) while (pos < buf.length && buf[pos] !== 0x0a) pos++;
      else break;
    }
    const start = pos;
    while (pos < buf.length && !/\s/.test(String.fromCharCode(buf[pos]))) pos++;
    return buf.toString("latin1", start, pos);
  };
  const magic = token();
  if (magic !== "P5" && magic !== "P6") throw new Error(`not a binary PGM/PPM (${magic})`);
  const width = Number(token());
  const height = Number(token());
  const maxval = Number(token());
  if (maxval !== 255) throw new Error(`only 8-bit files (maxval ${maxval})`);
  pos++; // the single whitespace before the pixels
  const channels = magic === "P5" ? 1 : 3;
  const n = width * height;
  if (buf.length - pos < n * channels) throw new Error("truncated pixel data");
  const data = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    const s = pos + i * channels;
    data[4 * i] = buf[s];
    data[4 * i + 1] = buf[s + channels - 1 === s ? s : s + 1];
    data[4 * i + 2] = buf[s + channels - 1];
    data[4 * i + 3] = 255;
  }
  return { data, width, height };
}

function main(args) {
  let files = args;
  if (args[0] === "--list") files = readFileSync(args[1], "utf8").split("\n").filter((l) => l.trim() !== "");
  for (const file of files) {
    let line;
    try {
      const image = readNetpbm(readFileSync(file));
      const t0 = performance.now();
      const text = decodeQR(image);
      line = { file, text, ms: +(performance.now() - t0).toFixed(2) };
    } catch (e) {
      line = { file, error: String(e && e.message ? e.message : e) };
    }
    process.stdout.write(JSON.stringify(line) + "\n");
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main(process.argv.slice(2));
