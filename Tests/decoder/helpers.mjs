// Shared by the decoder's node tests: an RS encoder (the decoder itself only decodes), a bit
// writer for hand-made segment streams, and rendering of module rows into RGBA frames.
import { _internal } from "../../Sources/RavaoServer/Resources/static/qr-decode.js";

const { EXP, LOG, gfMul } = _internal;

/** EC codewords for `data` with QR's generator ∏(x − α^i), i = 0 … ec−1. */
export function rsEncode(data, ec) {
  let gen = [1];
  for (let i = 0; i < ec; i++) {
    const next = new Array(gen.length + 1).fill(0);
    for (let j = 0; j < gen.length; j++) {
      next[j] ^= gen[j];
      next[j + 1] ^= gfMul(gen[j], EXP[i]);
    }
    gen = next;
  }
  const rem = new Array(ec).fill(0);
  for (const d of data) {
    const f = d ^ rem[0];
    rem.shift();
    rem.push(0);
    if (f !== 0) for (let j = 0; j < ec; j++) rem[j] ^= gfMul(gen[j + 1], f);
  }
  return rem;
}

/** Deterministic pseudo-random numbers (mulberry32), so failures reproduce. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class BitWriter {
  constructor() {
    this.bits = [];
  }
  put(value, n) {
    for (let i = n - 1; i >= 0; i--) this.bits.push((value >> i) & 1);
    return this;
  }
  bytes(padTo = 0) {
    const out = [];
    for (let i = 0; i < this.bits.length; i += 8) {
      let b = 0;
      for (let j = 0; j < 8; j++) b = (b << 1) | (this.bits[i + j] ?? 0);
      out.push(b);
    }
    // Pad codewords as encoders do, after a terminator.
    for (let k = 0; out.length < padTo; k++) out.push(k % 2 ? 0x11 : 0xec);
    return Uint8Array.from(out);
  }
}

/** Module rows ("0"/"1" strings, or a 0/1 matrix) → RGBA frame with a quiet zone. */
export function render(rows, { scale = 4, quiet = 4, invert = false, dark = 20, light = 235 } = {}) {
  const n = rows.length;
  const side = (n + 2 * quiet) * scale;
  const data = new Uint8ClampedArray(side * side * 4);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const mx = Math.floor(x / scale) - quiet;
      const my = Math.floor(y / scale) - quiet;
      let isDark = mx >= 0 && my >= 0 && mx < n && my < n && rows[my][mx] == 1;
      if (invert) isDark = !isDark;
      const v = isDark ? dark : light;
      const i = 4 * (y * side + x);
      data[i] = data[i + 1] = data[i + 2] = v;
      data[i + 3] = 255;
    }
  }
  return { data, width: side, height: side };
}

export function toMatrix(rows) {
  return rows.map((r) => Array.from(r, (c) => (c === "1" ? 1 : 0)));
}

export function rotate90(m) {
  const n = m.length;
  return m.map((_, y) => m.map((__, x) => m[n - 1 - x][y]));
}

export function transposeRows(m) {
  return m.map((_, y) => m.map((__, x) => m[x][y]));
}

export { EXP, LOG, gfMul };
