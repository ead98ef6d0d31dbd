// GF(256) and Reed–Solomon: corrections up to ⌊ec/2⌋ errors, refusal beyond.
import { test } from "node:test";
import assert from "node:assert/strict";
import { _internal } from "../../Sources/RavaoServer/Resources/static/qr-decode.js";
import { rsEncode, rng, EXP, LOG, gfMul } from "./helpers.mjs";

const { rsDecode, gfDiv } = _internal;

test("GF(256) tables: α has order 255 and every nonzero element an inverse", () => {
  assert.equal(EXP[0], 1);
  assert.equal(EXP[255], 1);
  assert.equal(EXP[8], 0x1d); // α^8 = x^4 + x^3 + x^2 + 1 under 0x11D
  const seen = new Set();
  for (let i = 0; i < 255; i++) seen.add(EXP[i]);
  assert.equal(seen.size, 255);
  for (let a = 1; a < 256; a++) {
    assert.equal(EXP[LOG[a]], a);
    assert.equal(gfMul(a, gfDiv(1, a)), 1);
  }
  assert.equal(gfMul(0, 7), 0);
});

test("a clean codeword decodes with zero corrections", () => {
  const data = [0x40, 0xd2, 0x75, 0x47, 0x76, 0x17, 0x32, 0x06, 0x27, 0x26, 0x96, 0xc6, 0xc6, 0x96, 0x70, 0xec];
  const block = Uint8Array.from([...data, ...rsEncode(data, 10)]);
  assert.equal(rsDecode(block, 10), 0);
  assert.deepEqual(Array.from(block.subarray(0, 16)), data);
});

test("up to ⌊ec/2⌋ errors are corrected, at any positions and values", () => {
  const random = rng(1);
  for (const [dataLen, ec] of [[19, 7], [16, 10], [9, 17], [15, 30], [122, 30], [1, 2], [225, 30]]) {
    for (let trial = 0; trial < 60; trial++) {
      const data = Array.from({ length: dataLen }, () => Math.floor(random() * 256));
      const clean = Uint8Array.from([...data, ...rsEncode(data, ec)]);
      const block = clean.slice();
      const t = ec >> 1;
      const errors = 1 + Math.floor(random() * t);
      const positions = new Set();
      while (positions.size < errors) positions.add(Math.floor(random() * block.length));
      for (const p of positions) block[p] ^= 1 + Math.floor(random() * 255);
      assert.equal(rsDecode(block, ec), errors, `n=${block.length} ec=${ec} errors=${errors}`);
      assert.deepEqual(block, clean);
    }
  }
});

test("more errors than it can correct are refused, never 'corrected' into a wrong block", () => {
  const random = rng(2);
  let refused = 0;
  let trials = 0;
  for (const [dataLen, ec] of [[19, 7], [16, 10], [13, 13], [15, 30], [100, 26]]) {
    for (let trial = 0; trial < 200; trial++) {
      const data = Array.from({ length: dataLen }, () => Math.floor(random() * 256));
      const clean = Uint8Array.from([...data, ...rsEncode(data, ec)]);
      const block = clean.slice();
      const errors = (ec >> 1) + 1 + Math.floor(random() * 4);
      const positions = new Set();
      while (positions.size < errors) positions.add(Math.floor(random() * block.length));
      for (const p of positions) block[p] ^= 1 + Math.floor(random() * 255);
      const before = block.slice();
      const result = rsDecode(block, ec);
      trials++;
      if (result < 0) {
        refused++;
        assert.deepEqual(block, before, "a refused block is left as read");
      } else {
        // Beyond the bound a decoder can only land on another valid codeword, never on garbage.
        assert.ok(result <= ec >> 1);
        assert.notDeepEqual(block, clean);
        assert.equal(rsDecode(block.slice(), ec), 0, "the result is a valid codeword");
      }
    }
  }
  assert.ok(refused / trials > 0.95, `refused ${refused} of ${trials}`);
});

test("a smaller error budget (misdecode protection) is honoured", () => {
  const data = Array.from({ length: 19 }, (_, i) => i * 7);
  const clean = Uint8Array.from([...data, ...rsEncode(data, 7)]);
  const block = clean.slice();
  block[0] ^= 1;
  block[5] ^= 2;
  block[9] ^= 3;
  assert.equal(rsDecode(block.slice(), 7), 3); // 3 errors: within ⌊7/2⌋
  assert.equal(rsDecode(block.slice(), 7, 2), -1); // but version 1-L may correct only 2
});
