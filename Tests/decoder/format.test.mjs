// Format and version information: nearest valid word within 3 bits, from either copy.
import { test } from "node:test";
import assert from "node:assert/strict";
import { _internal } from "../../Sources/RavaoServer/Resources/static/qr-decode.js";
import { rng } from "./helpers.mjs";

const { FORMAT_WORDS, VERSION_WORDS, nearestFormat, nearestVersion } = _internal;
const LEVELS = { L: 0, M: 1, Q: 2, H: 3 };
// 2-bit level field in format information (ISO/IEC 18004 Table 12).
const FIELD = { L: 0b01, M: 0b00, Q: 0b11, H: 0b10 };

function flip(word, bits, count, random) {
  const positions = new Set();
  while (positions.size < count) positions.add(Math.floor(random() * bits));
  for (const p of positions) word ^= 1 << p;
  return word;
}

test("format words match the standard's examples", () => {
  // ISO/IEC 18004 Annex C: level M, mask 101 → 100000011001110.
  assert.equal(FORMAT_WORDS[(FIELD.M << 3) | 5], 0b100000011001110);
  // Level M, mask 0 is the bare XOR mask.
  assert.equal(FORMAT_WORDS[0], 0x5412);
  // Level L, mask 0: 111011111000100 (the format string every version-1-L mask-0 symbol carries).
  assert.equal(FORMAT_WORDS[(FIELD.L << 3) | 0], 0b111011111000100);
  assert.equal(new Set(FORMAT_WORDS).size, 32);
});

test("version words match the standard's examples", () => {
  // ISO/IEC 18004 Annex D: version 7 → 000111110010010100, version 40 → 101000110001101001.
  assert.equal(VERSION_WORDS[0], 0b000111110010010100);
  assert.equal(VERSION_WORDS[33], 0b101000110001101001);
  assert.equal(VERSION_WORDS.length, 34);
});

// A read that is 4+ bits from every valid word: what a copy under a smear looks like.
function farFrom(words, bits) {
  for (let x = 0; x < 1 << bits; x++) if (Math.min(...words.map((w) => popcount(w ^ x))) >= 4) return x;
  throw new Error("no far word");
}

test("every format word is recovered with up to 3 bits wrong in one copy and the other lost", () => {
  const random = rng(3);
  const lost = farFrom(FORMAT_WORDS, 15);
  for (const [name, level] of Object.entries(LEVELS)) {
    for (let mask = 0; mask < 8; mask++) {
      const word = FORMAT_WORDS[(FIELD[name] << 3) | mask];
      for (let errors = 0; errors <= 3; errors++) {
        for (let trial = 0; trial < 10; trial++) {
          const bad = flip(word, 15, errors, random);
          assert.deepEqual(nearestFormat(bad, bad), { level, mask });
          assert.deepEqual(nearestFormat(bad, lost), { level, mask }, "first copy");
          assert.deepEqual(nearestFormat(lost, bad), { level, mask }, "second copy");
        }
      }
    }
  }
});

test("a format read 4 or more bits from every valid word is refused", () => {
  let farWords = 0;
  for (let x = 0; x < 1 << 15; x++) {
    const d = Math.min(...FORMAT_WORDS.map((w) => popcount(w ^ x)));
    if (d >= 4) {
      farWords++;
      assert.equal(nearestFormat(x, x), null);
    }
  }
  assert.ok(farWords > 1000);
});

test("every version word is recovered with up to 3 bits wrong; 4+ bits off every word is refused", () => {
  const random = rng(4);
  const lost = farFrom(VERSION_WORDS, 18);
  for (let v = 7; v <= 40; v++) {
    const word = VERSION_WORDS[v - 7];
    for (let errors = 0; errors <= 3; errors++) {
      for (let trial = 0; trial < 20; trial++) {
        const bad = flip(word, 18, errors, random);
        assert.equal(nearestVersion(bad, bad), v);
        assert.equal(nearestVersion(lost, bad), v);
        assert.equal(nearestVersion(bad, lost), v);
      }
    }
  }
  for (let trial = 0; trial < 2000; trial++) {
    const x = Math.floor(random() * (1 << 18));
    const d = Math.min(...VERSION_WORDS.map((w) => popcount(w ^ x)));
    if (d >= 4) assert.equal(nearestVersion(x, x), null);
    else assert.equal(popcount(VERSION_WORDS[nearestVersion(x, x) - 7] ^ x), d);
  }
});

function popcount(x) {
  let c = 0;
  for (; x; x &= x - 1) c++;
  return c;
}
