// Whole-image decodes: symbols from segno and python-qrcode (fixtures.json, made by
// make_fixtures.py), rendered here, turned, inverted, mirrored, damaged, or missing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { decodeQR } from "../../Sources/RavaoServer/Resources/static/qr-decode.js";
import { render, toMatrix, rotate90, transposeRows, rng } from "./helpers.mjs";

const fixtures = JSON.parse(readFileSync(new URL("./fixtures.json", import.meta.url), "utf8"));

for (const f of fixtures) {
  test(`${f.name} (${f.encoder})`, () => {
    const scale = f.version >= 20 ? 3 : 4;
    assert.equal(decodeQR(render(f.rows, { scale })), f.text);
  });
}

test("every quarter turn reads the same", () => {
  const f = fixtures.find((x) => x.name.startsWith("byte Vietnamese"));
  let m = toMatrix(f.rows);
  for (let turn = 0; turn < 4; turn++) {
    assert.equal(decodeQR(render(m)), f.text, `${turn * 90}°`);
    m = rotate90(m);
  }
});

test("light-on-dark (inverted) codes read", () => {
  for (const f of fixtures.slice(0, 4)) assert.equal(decodeQR(render(f.rows, { invert: true })), f.text, f.name);
});

test("mirrored codes read", () => {
  const f = fixtures.find((x) => x.name.startsWith("ECI"));
  assert.equal(decodeQR(render(transposeRows(toMatrix(f.rows)))), f.text);
});

test("low contrast and a grey scene read", () => {
  const f = fixtures[2];
  assert.equal(decodeQR(render(f.rows, { dark: 110, light: 140 })), f.text);
});

test("damage within the error-correction capacity is repaired; beyond it, null (never a wrong text)", () => {
  const f = fixtures.find((x) => x.name.startsWith("byte Vietnamese")); // version 6-H
  const n = f.rows.length;
  const random = rng(5);
  const damaged = (count) => {
    const m = toMatrix(f.rows);
    // Flip modules in a block in the data area away from the finders, like a scratch or a stain.
    for (let k = 0; k < count; k++) {
      const x = 12 + Math.floor(random() * (n - 20));
      const y = 12 + Math.floor(random() * (n - 20));
      m[y][x] ^= 1;
    }
    return m;
  };
  assert.equal(decodeQR(render(damaged(40))), f.text);
  let wrong = 0;
  for (let trial = 0; trial < 10; trial++) {
    const text = decodeQR(render(damaged(600)));
    if (text !== null && text !== f.text) wrong++;
  }
  assert.equal(wrong, 0);
});

test("frames without a code give null: flat, noise, random blocks", () => {
  const w = 320;
  const h = 240;
  const random = rng(6);
  const frame = (fn) => {
    const data = new Uint8ClampedArray(w * h * 4);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const v = fn(x, y);
        const i = 4 * (y * w + x);
        data[i] = data[i + 1] = data[i + 2] = v;
        data[i + 3] = 255;
      }
    }
    return { data, width: w, height: h };
  };
  assert.equal(decodeQR(frame(() => 128)), null);
  assert.equal(decodeQR(frame(() => random() * 255)), null);
  const blocks = Array.from({ length: 60 * 80 }, () => random() < 0.5);
  assert.equal(decodeQR(frame((x, y) => (blocks[((y / 4) | 0) * 80 + ((x / 4) | 0)] ? 20 : 230))), null);
});

function placeInFrame(code, w, h, left, top) {
  const data = new Uint8ClampedArray(w * h * 4).fill(200);
  for (let y = 0; y < code.height; y++) {
    for (let x = 0; x < code.width; x++) {
      const s = 4 * (y * code.width + x);
      data.set(code.data.subarray(s, s + 4), 4 * ((y + top) * w + x + left));
    }
  }
  return { data, width: w, height: h };
}

test("codes in big frames (> 1 MP) are read through the downscaled passes", () => {
  const f = fixtures[3];
  // 1.2 MP: read at half size.
  assert.equal(decodeQR(placeInFrame(render(f.rows, { scale: 8 }), 1280, 960, 500, 300)), f.text);
  // 4.9 MP: read at a quarter size.
  assert.equal(decodeQR(placeInFrame(render(f.rows, { scale: 16 }), 2560, 1920, 900, 500)), f.text);
  // Small modules in a big frame: the downscaled levels lose them, full size reads them.
  assert.equal(decodeQR(placeInFrame(render(f.rows, { scale: 3 }), 1280, 960, 100, 100)), f.text);
});

test("bad input gives null, not an exception", () => {
  assert.equal(decodeQR({ data: new Uint8ClampedArray(0), width: 0, height: 0 }), null);
  assert.equal(decodeQR({ data: new Uint8ClampedArray(16), width: 100, height: 100 }), null);
  assert.equal(decodeQR({ data: new Uint8ClampedArray(10 * 10 * 4), width: 10, height: 10 }), null);
});
