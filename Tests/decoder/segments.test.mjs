// Bit-stream segments: numeric, alphanumeric, byte, ECI, Kanji, and refusal of malformed streams.
import { test } from "node:test";
import assert from "node:assert/strict";
import { _internal } from "../../Sources/RavaoServer/Resources/static/qr-decode.js";
import { BitWriter } from "./helpers.mjs";

const { parseSegments } = _internal;
const utf8 = (s) => Array.from(new TextEncoder().encode(s));

function byteSegment(w, bytes, countBits = 8) {
  w.put(0b0100, 4).put(bytes.length, countBits);
  for (const b of bytes) w.put(b, 8);
  return w;
}

test("numeric: groups of three, and tails of two and one", () => {
  // ISO/IEC 18004 §7.4.3 example: "01234567" → 0001 0000001000 000 0001100 0101011001 1000011
  const w = new BitWriter().put(0b0001, 4).put(8, 10).put(12, 10).put(345, 10).put(67, 7).put(0, 4);
  assert.equal(parseSegments(w.bytes(19), 1), "01234567");
  const w2 = new BitWriter().put(0b0001, 4).put(4, 10).put(0, 10).put(7, 4).put(0, 4);
  assert.equal(parseSegments(w2.bytes(19), 1), "0007");
});

test("alphanumeric: pairs in 11 bits, a single in 6", () => {
  // §7.4.4 example: "AC-42" → 0010 000000101 00111001110 11100111001 000010
  const w = new BitWriter().put(0b0010, 4).put(5, 9).put(10 * 45 + 12, 11).put(41 * 45 + 4, 11).put(2, 6).put(0, 4);
  assert.equal(parseSegments(w.bytes(19), 1), "AC-42");
});

test("byte mode is UTF-8 when valid: Vietnamese text", () => {
  const text = "Quán Cơm Bà Ba — Phường Hải Châu, Đà Nẵng";
  const w = byteSegment(new BitWriter(), utf8(text)).put(0, 4);
  assert.equal(parseSegments(w.bytes(80), 5), text);
});

test("byte mode that is not valid UTF-8 falls back to ISO-8859-1", () => {
  const bytes = [0x43, 0x61, 0x66, 0xe9, 0x20, 0xe0, 0x20, 0xff]; // "Café à ÿ" in Latin-1
  const w = byteSegment(new BitWriter(), bytes).put(0, 4);
  assert.equal(parseSegments(w.bytes(19), 1), "Café à ÿ");
});

test("ECI 26 declares UTF-8, ECI 3 Latin-1, ECI 20 Shift JIS", () => {
  const vi = "Chợ Bến Thành";
  const w = new BitWriter().put(0b0111, 4).put(26, 8);
  byteSegment(w, utf8(vi)).put(0, 4);
  assert.equal(parseSegments(w.bytes(40), 3), vi);

  // Under ECI 3 the bytes C3 A9 are two Latin-1 characters, though they would be valid UTF-8.
  const w3 = new BitWriter().put(0b0111, 4).put(3, 8);
  byteSegment(w3, [0xc3, 0xa9]).put(0, 4);
  assert.equal(parseSegments(w3.bytes(19), 1), "Ã©");

  const w20 = new BitWriter().put(0b0111, 4).put(20, 8);
  byteSegment(w20, [0x93, 0x5f]).put(0, 4); // 点 in Shift JIS
  assert.equal(parseSegments(w20.bytes(19), 1), "点");
});

test("ECI that switches mid-stream applies to the bytes after it; 2-byte designators", () => {
  const w = new BitWriter().put(0b0111, 4).put(3, 8);
  byteSegment(w, [0xe9]);
  w.put(0b0111, 4).put(0b10000000, 8).put(26, 8); // ECI 26 in the two-byte form
  byteSegment(w, utf8("ệ")).put(0, 4);
  assert.equal(parseSegments(w.bytes(19), 1), "éệ");
});

test("ECI 26 with invalid UTF-8 is refused rather than guessed", () => {
  const w = new BitWriter().put(0b0111, 4).put(26, 8);
  byteSegment(w, [0xff, 0xfe]).put(0, 4);
  assert.equal(parseSegments(w.bytes(19), 1), null);
});

test("mixed segments join into one text", () => {
  const w = new BitWriter();
  byteSegment(w, utf8("https://"));
  w.put(0b0010, 4).put(2, 9).put(10 * 45 + 11, 11); // "AB"
  w.put(0b0001, 4).put(3, 10).put(123, 10);
  byteSegment(w, utf8(" Đà")).put(0, 4);
  assert.equal(parseSegments(w.bytes(34), 2), "https://AB123 Đà");
});

test("Kanji: 13-bit values back to Shift JIS", () => {
  // §7.4.6 example: 点 (0x935F) → 0x0D9F, 茗 (0xE4AA) → 0x1AAA.
  const w = new BitWriter().put(0b1000, 4).put(2, 8).put(0x0d9f, 13).put(0x1aaa, 13).put(0, 4);
  assert.equal(parseSegments(w.bytes(19), 1), "点茗");
});

test("character count widths follow the version: 10–26 and 27–40", () => {
  const text = "Nẵng";
  const w10 = byteSegment(new BitWriter(), utf8(text), 16).put(0, 4);
  assert.equal(parseSegments(w10.bytes(30), 10), text);
  const wn = new BitWriter().put(0b0001, 4).put(3, 14).put(999, 10).put(0, 4);
  assert.equal(parseSegments(wn.bytes(30), 27), "999");
  const wa = new BitWriter().put(0b0010, 4).put(1, 11).put(44, 6).put(0, 4);
  assert.equal(parseSegments(wa.bytes(30), 15), ":");
});

test("a stream may end without a terminator when the data is full", () => {
  const w = byteSegment(new BitWriter(), utf8("abc"));
  assert.equal(parseSegments(w.bytes(), 1), "abc");
});

test("malformed streams give null: overrun counts, digits ≥ 1000, unknown modes", () => {
  const overrun = new BitWriter().put(0b0100, 4).put(200, 8).put(0x41, 8);
  assert.equal(parseSegments(overrun.bytes(19), 1), null);
  const badDigits = new BitWriter().put(0b0001, 4).put(3, 10).put(1000, 10).put(0, 4);
  assert.equal(parseSegments(badDigits.bytes(19), 1), null);
  const badAlnum = new BitWriter().put(0b0010, 4).put(1, 9).put(45, 6).put(0, 4);
  assert.equal(parseSegments(badAlnum.bytes(19), 1), null);
  const unknown = new BitWriter().put(0b1111, 4).put(0, 12);
  assert.equal(parseSegments(unknown.bytes(19), 1), null);
});

test("structured append and FNC1 headers are skipped", () => {
  const w = new BitWriter().put(0b0011, 4).put(0x1234, 16).put(0b0101, 4);
  byteSegment(w, utf8("01")).put(0, 4);
  assert.equal(parseSegments(w.bytes(19), 1), "01");
});
