// QR code decoder for camera frames, in plain JavaScript (ES module, no dependencies, no build step).
// It runs unchanged in a module Web Worker and in Node 20.
//
//   decodeQR({data, width, height}) -> string | null      (data: RGBA Uint8ClampedArray)
//
// It follows the published algorithms (ISO/IEC 18004 and the ZXing / quirc decoders), written anew:
//   1. luma; frames over 1 MP are tried halved (down to ≤ 1 MP) first, smaller ones at full size
//      first and then at half size, which averages away a phone screen's pixel grid;
//   2. local thresholds on 8×8 blocks averaged over 5×5 blocks (ZXing's HybridBinarizer, with
//      zxing-cpp's midrange black point), because one global threshold fails under shadows;
//   3. finder patterns: 1:1:3:1:1 runs in rows, confirmed vertically, horizontally and diagonally;
//   4. the three finders must form a plausible right isosceles triangle seen in perspective; when
//      only two are found (glare), the third is tried at the places the two imply;
//   5. version from the finder distance (version info read for v ≥ 7); a first grid from the three
//      centres and the depth their widths imply; the bottom-right alignment pattern searched where
//      that grid predicts it; then a hill-climb of the grid's four corners against the known
//      function patterns (quirc's jiggle);
//   6. each module read as 5 sub-samples against the local threshold (then, if that fails,
//      sharpened against its neighbours, which undoes part of a blur);
//   7. nearest valid format (≤ 3 bits, both copies) and version (≤ 3 bits) words;
//   8. Reed–Solomon over GF(256): Berlekamp–Massey, Chien search, Forney; re-checked syndromes;
//   9. segments: numeric, alphanumeric, byte, ECI, Kanji; UTF-8 unless an ECI says otherwise.
// Normal and inverted (light-on-dark) codes are read, mirrored ones too. Work on candidate grids
// is capped per frame, so a frame full of finder-like texture costs a bounded time.
// Zero misreads matter more than reach: whatever Reed–Solomon cannot prove correct gives null.

// ---------------------------------------------------------------------------------------------
// GF(256) with the QR polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11D), generator α = 2.

const EXP = new Uint8Array(512);
const LOG = new Uint8Array(256);
{
  let x = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = x;
    LOG[x] = i;
    x <<= 1;
    if (x & 0x100) x ^= 0x11d;
  }
  // Doubled so that EXP[LOG[a] + LOG[b]] needs no modulo.
  for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255];
}

function gfMul(a, b) {
  return a === 0 || b === 0 ? 0 : EXP[LOG[a] + LOG[b]];
}

function gfDiv(a, b) {
  if (b === 0) throw new Error("GF(256) division by zero");
  return a === 0 ? 0 : EXP[LOG[a] + 255 - LOG[b]];
}

// Evaluates a polynomial given lowest degree first.
function polyEvalLow(p, x) {
  let y = 0;
  for (let i = p.length - 1; i >= 0; i--) y = gfMul(y, x) ^ p[i];
  return y;
}

// Syndromes S_i = r(α^i), i = 0 … ecCount-1 (QR's generator has roots α^0 … α^(ec-1)).
// The codeword's first byte is the highest-degree coefficient.
function syndromes(block, ecCount) {
  const s = new Uint8Array(ecCount);
  let any = false;
  for (let i = 0; i < ecCount; i++) {
    const a = EXP[i];
    let v = 0;
    for (let j = 0; j < block.length; j++) v = gfMul(v, a) ^ block[j];
    s[i] = v;
    if (v) any = true;
  }
  return any ? s : null;
}

/**
 * Corrects one Reed–Solomon block in place.
 * @param {Uint8Array} block data then EC codewords, as read from the symbol
 * @param {number} ecCount EC codewords in the block
 * @param {number} [maxErrors] errors allowed (defaults to ⌊ecCount/2⌋)
 * @returns {number} errors corrected, or -1 when the block cannot be proven correct
 */
function rsDecode(block, ecCount, maxErrors = ecCount >> 1) {
  const n = block.length;
  const S = syndromes(block, ecCount);
  if (!S) return 0;

  // Berlekamp–Massey: the shortest LFSR Λ(x) (lowest degree first) generating the syndromes.
  let C = new Uint8Array(ecCount + 1);
  let B = new Uint8Array(ecCount + 1);
  C[0] = 1;
  B[0] = 1;
  let L = 0;
  let m = 1;
  let b = 1;
  for (let r = 0; r < ecCount; r++) {
    let d = S[r];
    for (let i = 1; i <= L; i++) d ^= gfMul(C[i], S[r - i]);
    if (d === 0) {
      m++;
      continue;
    }
    const coef = gfDiv(d, b);
    if (2 * L <= r) {
      const T = C.slice();
      for (let i = 0; i + m <= ecCount; i++) C[i + m] ^= gfMul(coef, B[i]);
      L = r + 1 - L;
      B = T;
      b = d;
      m = 1;
    } else {
      for (let i = 0; i + m <= ecCount; i++) C[i + m] ^= gfMul(coef, B[i]);
      m++;
    }
  }
  if (L === 0 || L > maxErrors || C[L] === 0) return -1;
  for (let i = L + 1; i <= ecCount; i++) if (C[i]) return -1;
  const lambda = C.subarray(0, L + 1);

  // Chien search: an error at byte index j is at power p = n-1-j, a root of Λ at α^(-p).
  const powers = [];
  for (let p = 0; p < n; p++) {
    if (polyEvalLow(lambda, EXP[(255 - p) % 255]) === 0) powers.push(p);
  }
  // Fewer roots than the degree, or roots beyond the block: more errors than we can fix.
  if (powers.length !== L) return -1;

  // Ω(x) = S(x)Λ(x) mod x^ec, then Forney with first root α^0: e = X·Ω(X⁻¹) / Λ'(X⁻¹).
  const omega = new Uint8Array(ecCount);
  for (let i = 0; i < ecCount; i++) {
    let v = 0;
    for (let j = 0; j <= Math.min(i, L); j++) v ^= gfMul(lambda[j], S[i - j]);
    omega[i] = v;
  }
  for (const p of powers) {
    const X = EXP[p];
    const Xinv = EXP[(255 - p) % 255];
    // Formal derivative in characteristic 2 keeps only the odd terms.
    let den = 0;
    let xp = 1; // Xinv^(i-1) for odd i
    const xinv2 = gfMul(Xinv, Xinv);
    for (let i = 1; i <= L; i += 2) {
      den ^= gfMul(lambda[i], xp);
      xp = gfMul(xp, xinv2);
    }
    if (den === 0) return -1;
    const e = gfMul(X, gfDiv(polyEvalLow(omega, Xinv), den));
    block[n - 1 - p] ^= e;
  }
  // Never trust a correction that does not leave a valid codeword.
  return syndromes(block, ecCount) ? -1 : L;
}

// ---------------------------------------------------------------------------------------------
// Symbol tables (ISO/IEC 18004 Table 9), index [level][version]; level order L, M, Q, H.

const EC_PER_BLOCK = [
  [0, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
  [0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28],
  [0, 13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30, 28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
  [0, 17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28, 30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
];
const BLOCK_COUNT = [
  [0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25],
  [0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49],
  [0, 1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20, 23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68],
  [0, 1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25, 25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81],
];
// Misdecode-protection codewords (ISO/IEC 18004 Table 9, "p"): in these tiny symbols some EC
// codewords only detect errors, so fewer errors may be corrected than ⌊ec/2⌋.
const MISDECODE_P = { "1,0": 3, "1,1": 2, "1,2": 1, "1,3": 1, "2,0": 2, "3,0": 1 };

function alignmentPositions(version) {
  if (version < 2) return [];
  const count = Math.floor(version / 7) + 2;
  const size = version * 4 + 17;
  const step = version === 32 ? 26 : Math.ceil((version * 4 + 4) / (count * 2 - 2)) * 2;
  const result = [6];
  for (let pos = size - 7; result.length < count; pos -= step) result.splice(1, 0, pos);
  return result;
}

function rawCodewords(version) {
  let bits = (16 * version + 128) * version + 64;
  if (version >= 2) {
    const n = Math.floor(version / 7) + 2;
    bits -= (25 * n - 10) * n - 55;
    if (version >= 7) bits -= 36;
  }
  return bits >> 3;
}

// Format information: 2-bit level (L=01, M=00, Q=11, H=10) and 3-bit mask, BCH(15,5), XOR 0x5412.
// Level index in our tables (L, M, Q, H) for each 2-bit value.
const LEVEL_FROM_BITS = [1, 0, 3, 2];
const FORMAT_WORDS = [];
for (let data = 0; data < 32; data++) {
  let rem = data;
  for (let i = 0; i < 10; i++) rem = (rem << 1) ^ ((rem >>> 9) * 0x537);
  FORMAT_WORDS.push(((data << 10) | rem) ^ 0x5412);
}
// Version information (v ≥ 7): 6-bit version, BCH(18,6), no mask.
const VERSION_WORDS = [];
for (let v = 7; v <= 40; v++) {
  let rem = v;
  for (let i = 0; i < 12; i++) rem = (rem << 1) ^ ((rem >>> 11) * 0x1f25);
  VERSION_WORDS.push((v << 12) | rem);
}

function popcount(x) {
  let c = 0;
  while (x) {
    x &= x - 1;
    c++;
  }
  return c;
}

/** Nearest of the 32 format words to either copy; null beyond 3 bits. → {level (0=L…3=H), mask} */
function nearestFormat(copy1, copy2 = copy1) {
  let best = -1;
  let bestDist = 4;
  for (let data = 0; data < 32; data++) {
    const w = FORMAT_WORDS[data];
    const d = Math.min(popcount(w ^ copy1), popcount(w ^ copy2));
    if (d < bestDist) {
      bestDist = d;
      best = data;
    }
  }
  return best < 0 ? null : { level: LEVEL_FROM_BITS[best >> 3], mask: best & 7 };
}

/** Nearest of the 34 version words (7…40) to either copy; null beyond 3 bits. */
function nearestVersion(copy1, copy2 = copy1) {
  let best = 0;
  let bestDist = 4;
  for (let i = 0; i < VERSION_WORDS.length; i++) {
    const w = VERSION_WORDS[i];
    const d = Math.min(popcount(w ^ copy1), popcount(w ^ copy2));
    if (d < bestDist) {
      bestDist = d;
      best = i + 7;
    }
  }
  return best || null;
}

// ---------------------------------------------------------------------------------------------
// Reading a sampled module grid (Uint8Array size×size, row-major, 1 = dark).

const functionMaskCache = new Map();

// Which modules belong to function patterns, format or version areas (never data).
function functionMask(version) {
  let mask = functionMaskCache.get(version);
  if (mask) return mask;
  const size = version * 4 + 17;
  mask = new Uint8Array(size * size);
  const fill = (x0, y0, w, h) => {
    for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) mask[y * size + x] = 1;
  };
  fill(0, 0, 9, 9); // finder, separator, format
  fill(size - 8, 0, 8, 9);
  fill(0, size - 8, 9, 8);
  fill(6, 0, 1, size); // timing
  fill(0, 6, size, 1);
  const pos = alignmentPositions(version);
  const last = pos.length - 1;
  for (let i = 0; i <= last; i++) {
    for (let j = 0; j <= last; j++) {
      if ((i === 0 && j === 0) || (i === 0 && j === last) || (i === last && j === 0)) continue;
      fill(pos[i] - 2, pos[j] - 2, 5, 5);
    }
  }
  if (version >= 7) {
    fill(size - 11, 0, 3, 6);
    fill(0, size - 11, 6, 3);
  }
  functionMaskCache.set(version, mask);
  return mask;
}

function maskBit(mask, x, y) {
  switch (mask) {
    case 0: return (x + y) % 2 === 0;
    case 1: return y % 2 === 0;
    case 2: return x % 3 === 0;
    case 3: return (x + y) % 3 === 0;
    case 4: return (Math.floor(x / 3) + Math.floor(y / 2)) % 2 === 0;
    case 5: return ((x * y) % 2) + ((x * y) % 3) === 0;
    case 6: return (((x * y) % 2) + ((x * y) % 3)) % 2 === 0;
    default: return (((x + y) % 2) + ((x * y) % 3)) % 2 === 0;
  }
}

function readFormatCopies(grid, size) {
  const at = (x, y) => grid[y * size + x];
  let a = 0;
  let b = 0;
  for (let i = 0; i <= 5; i++) a |= at(8, i) << i;
  a |= at(8, 7) << 6;
  a |= at(8, 8) << 7;
  a |= at(7, 8) << 8;
  for (let i = 9; i < 15; i++) a |= at(14 - i, 8) << i;
  for (let i = 0; i < 8; i++) b |= at(size - 1 - i, 8) << i;
  for (let i = 8; i < 15; i++) b |= at(8, size - 15 + i) << i;
  return [a, b];
}

/** Decodes a sampled grid of a known version; null unless every RS block is proven correct. */
function decodeGrid(grid, version) {
  const size = version * 4 + 17;
  const format = nearestFormat(...readFormatCopies(grid, size));
  if (!format) return null;
  const { level, mask } = format;
  const fmask = functionMask(version);

  // Codewords in the zigzag order of two-module columns, right to left.
  const total = rawCodewords(version);
  const codewords = new Uint8Array(total);
  let bit = 0;
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5; // skip the vertical timing pattern
    const upward = ((right + 1) & 2) === 0;
    for (let vert = 0; vert < size; vert++) {
      const y = upward ? size - 1 - vert : vert;
      for (let j = 0; j < 2; j++) {
        const x = right - j;
        const idx = y * size + x;
        if (fmask[idx]) continue;
        if (bit < total * 8) {
          const v = grid[idx] ^ (maskBit(mask, x, y) ? 1 : 0);
          if (v) codewords[bit >> 3] |= 0x80 >> (bit & 7);
        }
        bit++;
      }
    }
  }

  // De-interleave: short blocks first, the long ones have one more data codeword.
  const ec = EC_PER_BLOCK[level][version];
  const numBlocks = BLOCK_COUNT[level][version];
  const numShort = numBlocks - (total % numBlocks);
  const shortLen = Math.floor(total / numBlocks);
  const shortData = shortLen - ec;
  const blocks = [];
  for (let i = 0; i < numBlocks; i++) blocks.push(new Uint8Array(i < numShort ? shortLen : shortLen + 1));
  let k = 0;
  for (let i = 0; i <= shortData; i++) {
    for (let bl = 0; bl < numBlocks; bl++) {
      if (i < shortData || bl >= numShort) blocks[bl][i] = codewords[k++];
    }
  }
  for (let i = 0; i < ec; i++) {
    for (let bl = 0; bl < numBlocks; bl++) {
      const dataLen = bl < numShort ? shortData : shortData + 1;
      blocks[bl][dataLen + i] = codewords[k++];
    }
  }

  const p = MISDECODE_P[`${version},${level}`] || 0;
  const data = [];
  for (let bl = 0; bl < numBlocks; bl++) {
    const block = blocks[bl];
    if (rsDecode(block, ec, (ec - p) >> 1) < 0) return null;
    const dataLen = block.length - ec;
    for (let i = 0; i < dataLen; i++) data.push(block[i]);
  }
  return parseSegments(Uint8Array.from(data), version);
}

// ---------------------------------------------------------------------------------------------
// Segments (ISO/IEC 18004 §7.4).

const ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

// ECI assignment number → TextDecoder label; 1 and 3 (Latin-1) are decoded by hand because
// TextDecoder maps "iso-8859-1" to windows-1252.
const ECI_LABELS = {
  4: "iso-8859-2", 5: "iso-8859-3", 6: "iso-8859-4", 7: "iso-8859-5", 8: "iso-8859-6",
  9: "iso-8859-7", 10: "iso-8859-8", 12: "iso-8859-10", 13: "iso-8859-11", 15: "iso-8859-13",
  16: "iso-8859-14", 17: "iso-8859-15", 18: "iso-8859-16", 20: "shift_jis", 21: "windows-1250",
  22: "windows-1251", 23: "windows-1252", 24: "windows-1256", 25: "utf-16be", 26: "utf-8",
  27: "utf-8", 28: "big5", 29: "gb18030", 30: "euc-kr",
};

function latin1(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += 4096) s += String.fromCharCode(...bytes.subarray(i, i + 4096));
  return s;
}

// Text of bytes under an ECI (null = none seen): without one, UTF-8 when the bytes are valid
// UTF-8 (what phones and our own encoder write), else ISO-8859-1 as the standard says.
function bytesToText(bytes, eci) {
  if (bytes.length === 0) return "";
  if (eci === null || eci === 26 || eci === 27) {
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch (_) {
      if (eci !== null) return null;
      return latin1(bytes);
    }
  }
  if (eci <= 3) return latin1(bytes); // 0, 2: CP437 — close enough for ASCII; 1, 3: Latin-1
  const label = ECI_LABELS[eci];
  if (!label) return null;
  try {
    return new TextDecoder(label, { fatal: true }).decode(bytes);
  } catch (_) {
    return null;
  }
}

/** Parses the data codewords of a symbol into text; null when the bit stream is malformed. */
function parseSegments(data, version) {
  let pos = 0;
  const totalBits = data.length * 8;
  const read = (n) => {
    if (pos + n > totalBits) throw new RangeError("segment runs past the data");
    let v = 0;
    for (let i = 0; i < n; i++, pos++) v = (v << 1) | ((data[pos >> 3] >> (7 - (pos & 7))) & 1);
    return v;
  };
  const sizeClass = version <= 9 ? 0 : version <= 26 ? 1 : 2;
  let text = "";
  let pending = []; // bytes under the current ECI, turned into text at the next ECI or the end
  let eci = null;
  const flush = () => {
    const t = bytesToText(Uint8Array.from(pending), eci);
    if (t === null) throw new RangeError("bytes not valid in their character set");
    text += t;
    pending = [];
  };
  try {
    while (totalBits - pos >= 4) {
      const mode = read(4);
      if (mode === 0) break; // terminator
      if (mode === 1) {
        // Numeric: groups of three digits in 10 bits, a tail of two in 7 or one in 4.
        let count = read([10, 12, 14][sizeClass]);
        while (count >= 3) {
          const v = read(10);
          if (v >= 1000) return null;
          pending.push(...String(v).padStart(3, "0").split("").map((c) => c.charCodeAt(0)));
          count -= 3;
        }
        if (count === 2) {
          const v = read(7);
          if (v >= 100) return null;
          pending.push(...String(v).padStart(2, "0").split("").map((c) => c.charCodeAt(0)));
        } else if (count === 1) {
          const v = read(4);
          if (v >= 10) return null;
          pending.push(48 + v);
        }
      } else if (mode === 2) {
        // Alphanumeric: pairs in 11 bits, a single one in 6.
        let count = read([9, 11, 13][sizeClass]);
        while (count >= 2) {
          const v = read(11);
          if (v >= 45 * 45) return null;
          pending.push(ALNUM.charCodeAt(Math.floor(v / 45)), ALNUM.charCodeAt(v % 45));
          count -= 2;
        }
        if (count === 1) {
          const v = read(6);
          if (v >= 45) return null;
          pending.push(ALNUM.charCodeAt(v));
        }
      } else if (mode === 4) {
        const count = read([8, 16, 16][sizeClass]);
        for (let i = 0; i < count; i++) pending.push(read(8));
      } else if (mode === 7) {
        // ECI designator: 1, 2 or 3 bytes, told apart by the leading bits of the first.
        flush();
        const first = read(8);
        if ((first & 0x80) === 0) eci = first;
        else if ((first & 0xc0) === 0x80) eci = ((first & 0x3f) << 8) | read(8);
        else if ((first & 0xe0) === 0xc0) eci = ((first & 0x1f) << 16) | read(16);
        else return null;
      } else if (mode === 8) {
        // Kanji: 13 bits per character, back to a Shift JIS byte pair.
        flush();
        const count = read([8, 10, 12][sizeClass]);
        const sjis = new Uint8Array(count * 2);
        for (let i = 0; i < count; i++) {
          const v = read(13);
          let c = (Math.floor(v / 0xc0) << 8) | v % 0xc0;
          c += c < 0x1f00 ? 0x8140 : 0xc140;
          sjis[2 * i] = c >> 8;
          sjis[2 * i + 1] = c & 0xff;
        }
        try {
          text += new TextDecoder("shift_jis", { fatal: true }).decode(sjis);
        } catch (_) {
          return null;
        }
      } else if (mode === 3) {
        read(16); // structured append header: position, total and parity; the text stands alone
      } else if (mode === 5) {
        // FNC1 in first position (GS1): no payload of its own
      } else if (mode === 9) {
        read(8); // FNC1 in second position: application indicator
      } else {
        return null;
      }
    }
    flush();
  } catch (e) {
    if (e instanceof RangeError) return null;
    throw e;
  }
  return text;
}

// ---------------------------------------------------------------------------------------------
// Image: luma and local thresholds.

// Integer BT.601 luma; alpha is ignored (camera frames are opaque).
function toLuma(data, width, height) {
  const n = width * height;
  const lum = new Uint8Array(n);
  for (let i = 0, j = 0; i < n; i++, j += 4) lum[i] = (data[j] * 77 + data[j + 1] * 150 + data[j + 2] * 29) >> 8;
  return lum;
}

// Half size by 2×2 averaging.
function halve(lum, width, height) {
  const w = width >> 1;
  const h = height >> 1;
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const r0 = 2 * y * width;
    const r1 = r0 + width;
    for (let x = 0; x < w; x++) {
      const s = lum[r0 + 2 * x] + lum[r0 + 2 * x + 1] + lum[r1 + 2 * x] + lum[r1 + 2 * x + 1];
      out[y * w + x] = (s + 2) >> 2;
    }
  }
  return { lum: out, width: w, height: h };
}

const BLOCK = 8;
// A block whose luma range is at most this is "flat": its own mean says nothing about where
// dark ends and light begins.
const MIN_DYNAMIC_RANGE = 14;

// Local thresholds after ZXing's HybridBinarizer, with zxing-cpp's midrange black point:
// each 8×8 block with contrast gets (min + max) / 2; each flat block takes the value of the
// nearest block with contrast (a breadth-first fill), because ZXing's "half the minimum" guess
// for flat blocks assumes dark is near 0 and turns a low-contrast code's big dark modules light.
// Each block's threshold is then the mean over the 5×5 blocks around it. Returns the per-pixel
// dark bits and the block thresholds.
function binarize(lum, width, height) {
  const bw = Math.ceil(width / BLOCK);
  const bh = Math.ceil(height / BLOCK);
  const nb = bw * bh;
  const black = new Uint8Array(nb);
  const known = new Uint8Array(nb);
  const queue = new Int32Array(nb);
  let qEnd = 0;
  let meanSum = 0;
  for (let by = 0; by < bh; by++) {
    const y0 = Math.max(0, Math.min(by * BLOCK, height - BLOCK));
    const y1 = Math.min(height, y0 + BLOCK);
    for (let bx = 0; bx < bw; bx++) {
      const x0 = Math.max(0, Math.min(bx * BLOCK, width - BLOCK));
      const x1 = Math.min(width, x0 + BLOCK);
      let sum = 0;
      let min = 255;
      let max = 0;
      for (let y = y0; y < y1; y++) {
        const row = y * width;
        for (let x = x0; x < x1; x++) {
          const v = lum[row + x];
          sum += v;
          if (v < min) min = v;
          if (v > max) max = v;
        }
      }
      meanSum += sum / ((y1 - y0) * (x1 - x0));
      if (max - min > MIN_DYNAMIC_RANGE) {
        const b = by * bw + bx;
        black[b] = (min + max + 1) >> 1;
        known[b] = 1;
        queue[qEnd++] = b;
      }
    }
  }
  if (qEnd === 0) {
    black.fill(Math.round(meanSum / nb));
  } else {
    // Breadth-first from every block with contrast: flat blocks get their nearest one's value.
    for (let q = 0; q < qEnd; q++) {
      const b = queue[q];
      const bx = b % bw;
      const by = (b / bw) | 0;
      if (bx > 0 && !known[b - 1]) { known[b - 1] = 1; black[b - 1] = black[b]; queue[qEnd++] = b - 1; }
      if (bx < bw - 1 && !known[b + 1]) { known[b + 1] = 1; black[b + 1] = black[b]; queue[qEnd++] = b + 1; }
      if (by > 0 && !known[b - bw]) { known[b - bw] = 1; black[b - bw] = black[b]; queue[qEnd++] = b - bw; }
      if (by < bh - 1 && !known[b + bw]) { known[b + bw] = 1; black[b + bw] = black[b]; queue[qEnd++] = b + bw; }
    }
  }
  const thr = new Uint8Array(bw * bh);
  for (let by = 0; by < bh; by++) {
    for (let bx = 0; bx < bw; bx++) {
      let sum = 0;
      let count = 0;
      // ZXing clamps the 5×5 window inside the image rather than shrinking it at the borders.
      const cy = Math.max(2, Math.min(by, bh - 3));
      const cx = Math.max(2, Math.min(bx, bw - 3));
      for (let y = Math.max(0, cy - 2); y <= Math.min(bh - 1, cy + 2); y++) {
        for (let x = Math.max(0, cx - 2); x <= Math.min(bw - 1, cx + 2); x++) {
          sum += black[y * bw + x];
          count++;
        }
      }
      thr[by * bw + bx] = Math.round(sum / count);
    }
  }
  const bits = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const trow = (y >> 3) * bw; // BLOCK = 8
    for (let x = 0; x < width; x++) bits[row + x] = lum[row + x] <= thr[trow + (x >> 3)] ? 1 : 0;
  }
  return { bits, thr, bw };
}

// ---------------------------------------------------------------------------------------------
// Finder patterns.

// 1:1:3:1:1 within `tolerance` of a module per run (3 × tolerance for the centre).
function ratioOK(c, tolerance) {
  const total = c[0] + c[1] + c[2] + c[3] + c[4];
  if (total < 7 || !c[0] || !c[1] || !c[2] || !c[3] || !c[4]) return false;
  const ms = total / 7;
  const mv = ms * tolerance;
  return (
    Math.abs(ms - c[0]) < mv && Math.abs(ms - c[1]) < mv && Math.abs(3 * ms - c[2]) < 3 * mv &&
    Math.abs(ms - c[3]) < mv && Math.abs(ms - c[4]) < mv
  );
}

// The light-dark-light core of a finder crossing is 1:3:1 (for a diagonal whose ends are spoilt).
function innerOK(r) {
  if (r === null) return false;
  const c = r.c;
  const ms = (c[1] + c[2] + c[3]) / 5;
  const mv = ms * 0.75;
  return Math.abs(ms - c[1]) < mv && Math.abs(3 * ms - c[2]) < 3 * mv && Math.abs(ms - c[3]) < mv;
}

// Runs through (cx, cy) along (dx, dy): returns [counts, centre offset along the line] or null.
// Each run is capped by maxCount, so a stray long run rejects the candidate early.
function crossCheck(img, cx, cy, dx, dy, maxCount) {
  const { bits, width, height, inv } = img;
  const dark = (x, y) => x >= 0 && y >= 0 && x < width && y < height && (bits[y * width + x] ^ inv) === 1;
  const c = [0, 0, 0, 0, 0];
  let t = 0;
  // Backwards from the centre: centre (dark), white ring, dark ring.
  while (dark(cx - t * dx, cy - t * dy)) {
    c[2]++;
    t++;
    if (c[2] > 3 * maxCount) return null;
  }
  if (!inside(img, cx - t * dx, cy - t * dy)) return null;
  while (inside(img, cx - t * dx, cy - t * dy) && !dark(cx - t * dx, cy - t * dy) && c[1] <= maxCount) { c[1]++; t++; }
  if (!inside(img, cx - t * dx, cy - t * dy) || c[1] > maxCount) return null;
  while (dark(cx - t * dx, cy - t * dy) && c[0] <= maxCount) { c[0]++; t++; }
  if (c[0] > maxCount) return null;
  const back = t;
  t = 1;
  while (dark(cx + t * dx, cy + t * dy)) {
    c[2]++;
    t++;
    if (c[2] > 3 * maxCount) return null;
  }
  if (!inside(img, cx + t * dx, cy + t * dy)) return null;
  while (inside(img, cx + t * dx, cy + t * dy) && !dark(cx + t * dx, cy + t * dy) && c[3] <= maxCount) { c[3]++; t++; }
  if (!inside(img, cx + t * dx, cy + t * dy) || c[3] > maxCount) return null;
  while (dark(cx + t * dx, cy + t * dy) && c[4] <= maxCount) { c[4]++; t++; }
  if (c[4] > maxCount) return null;
  // Offset of the centre run's middle from (cx, cy), in steps along the line.
  const end = t - c[4] - c[3]; // first step past the centre run
  const start = 1 - (back - c[0] - c[1]); // first step of the centre run (≤ 0)
  // Middle of the centre run in continuous coordinates, relative to the left/top edge of (cx, cy).
  return { c, offset: (start + end) / 2 };
}

function inside(img, x, y) {
  return x >= 0 && y >= 0 && x < img.width && y < img.height;
}

// Confirms a row hit and returns {x, y, ms} or null: vertical check, horizontal re-check through
// the corrected centre, then both diagonals (any line through the centre of concentric squares
// crosses them 1:1:3:1:1, so this holds at any rotation).
function confirmFinder(img, counts, rowY, endX) {
  const total = counts[0] + counts[1] + counts[2] + counts[3] + counts[4];
  let cx = Math.floor(endX - counts[4] - counts[3] - counts[2] / 2);
  const maxCount = counts[2];
  const v = crossCheck(img, cx, rowY, 0, 1, maxCount);
  if (!v || !ratioOK(v.c, 0.6)) return null;
  const vTotal = v.c[0] + v.c[1] + v.c[2] + v.c[3] + v.c[4];
  // Tilt shrinks one axis; beyond ~60% the pattern is not the same square seen in perspective.
  if (Math.abs(vTotal - total) * 5 >= 3 * total) return null;
  const cy = Math.floor(rowY + v.offset);
  const h = crossCheck(img, cx, cy, 1, 0, maxCount);
  if (!h || !ratioOK(h.c, 0.6)) return null;
  const hTotal = h.c[0] + h.c[1] + h.c[2] + h.c[3] + h.c[4];
  cx = cx + h.offset;
  const rx = Math.floor(cx);
  // Along a diagonal the outer ring is crossed near its corner, where a data module or screen
  // moiré touching the corner lengthens the last run: one diagonal must pass in full, the other
  // at least in its inner three runs.
  const d1 = crossCheck(img, rx, cy, 1, 1, maxCount);
  const d2 = crossCheck(img, rx, cy, 1, -1, maxCount);
  const full1 = d1 !== null && ratioOK(d1.c, 0.75);
  const full2 = d2 !== null && ratioOK(d2.c, 0.75);
  if (!(full1 && full2) && !(full1 && innerOK(d2)) && !(full2 && innerOK(d1))) return null;
  // Refine y with a second vertical pass through the corrected x.
  const v2 = crossCheck(img, rx, cy, 0, 1, maxCount);
  const y = v2 && ratioOK(v2.c, 0.6) ? cy + v2.offset : cy + 0.5;
  return { x: cx, y, ms: (hTotal + vTotal) / 14, count: 1 };
}

const MAX_CANDIDATES = 60;

// Scans rows first, first + step, … for finder candidates, adding to `found` (merged by place).
function findFinders(img, found = [], first = 0, step = 1) {
  const { bits, width, height, inv } = img;
  const c = [0, 0, 0, 0, 0];
  const handle = (y, endX) => {
    if (!ratioOK(c, 0.5)) return false;
    const p = confirmFinder(img, c, y, endX);
    if (!p) return false;
    for (const q of found) {
      // Same pattern seen from another row: average the centre, weighted by hits.
      if (Math.abs(q.x - p.x) <= q.ms && Math.abs(q.y - p.y) <= q.ms && Math.abs(q.ms - p.ms) <= Math.max(1, q.ms)) {
        const n = q.count + 1;
        q.x = (q.x * q.count + p.x) / n;
        q.y = (q.y * q.count + p.y) / n;
        q.ms = (q.ms * q.count + p.ms) / n;
        q.count = n;
        return true;
      }
    }
    if (found.length < MAX_CANDIDATES * 4) found.push(p);
    return true;
  };
  for (let y = first; y < height; y += step) {
    c.fill(0);
    let state = 0;
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if ((bits[row + x] ^ inv) === 1) {
        if (state & 1) state++;
        c[state]++;
      } else if (state & 1) {
        c[state]++;
      } else if (state === 4) {
        if (handle(y, x)) {
          c.fill(0);
          state = 0;
        } else {
          // Keep the last dark-light-dark runs: they may start the real pattern.
          c[0] = c[2]; c[1] = c[3]; c[2] = c[4]; c[3] = 1; c[4] = 0;
          state = 3;
        }
      } else {
        c[++state]++;
      }
    }
    if (state === 4) handle(y, width);
  }
  found.sort((a, b) => b.count - a.count);
  if (found.length > MAX_CANDIDATES) found.length = MAX_CANDIDATES;
  return found;
}

// A real finder's 3-module centre is crossed by several scanned rows; a chance 1:1:3:1:1 in
// noise or texture is mostly confirmed once. In a busy frame single hits are dropped; in a
// quiet one they are kept, for the smallest codes (2 px per module) that give only one.
// Patterns under 1.7 px per module are dropped: no grid can be read from them, and pixel noise
// makes plenty.
function confirmed(found) {
  const plausible = found.filter((c) => c.ms >= MIN_MODULE_PX);
  return plausible.length <= 6 ? plausible : plausible.filter((c) => c.count >= 2);
}

const MIN_MODULE_PX = 1.7;

// Every other row in frames of 300 rows or more: a finder's centre is 3 modules tall, so it is
// still crossed about 3 times at 2 px per module, and the scan costs half. With fewer than three
// candidates seen twice (a small code's finders may be crossed once on the even rows) the odd
// rows are scanned too.
function scanFinders(img) {
  if (img.height < 300) return confirmed(findFinders(img));
  const found = findFinders(img, [], 0, 2);
  const strong = confirmed(found).length;
  return confirmed(found.length === 0 || strong >= 3 ? found : findFinders(img, found, 1, 2));
}

// Dark-light-dark run from a finder's centre outward along (ux, uy): its length is 3.5 modules
// seen along that direction (ZXing's sizeOfBlackWhiteBlackRun).
function runToEdge(img, x0, y0, ux, uy, maxLen) {
  let state = 0;
  for (let t = 0; t <= maxLen; t += 0.5) {
    const x = Math.floor(x0 + ux * t);
    const y = Math.floor(y0 + uy * t);
    if (!inside(img, x, y)) return NaN;
    const d = (img.bits[y * img.width + x] ^ img.inv) === 1;
    if (state === 0 && !d) state = 1;
    else if (state === 1 && d) state = 2;
    else if (state === 2 && !d) return t;
  }
  return NaN;
}

// Module sizes at finders a and b along the line a→b, from each pattern's width (7 modules)
// measured along it; a pattern that cannot be measured falls back to its row/column estimate.
// Under perspective the two differ, and that difference tells the depth (see decodeTriple).
function moduleSizesAlong(img, a, b) {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len = Math.hypot(dx, dy);
  const ux = dx / len;
  const uy = dy / len;
  return [[a, 1], [b, -1]].map(([p, s]) => {
    const maxLen = p.ms * 7;
    const fwd = runToEdge(img, p.x, p.y, s * ux, s * uy, maxLen);
    const bwd = runToEdge(img, p.x, p.y, -s * ux, -s * uy, maxLen);
    return fwd > 0 && bwd > 0 ? (fwd + bwd) / 7 : p.ms;
  });
}

// Candidate triples ordered best first: {tl, tr, bl}. A symbol's finder centres form a right
// isosceles triangle; perspective up to ~50° stretches it, so the limits are loose and the RS
// check is what finally rejects a wrong triple.
function finderTriples(cands) {
  const out = [];
  const n = cands.length;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      for (let k = j + 1; k < n; k++) {
        const p = [cands[i], cands[j], cands[k]];
        const msMax = Math.max(p[0].ms, p[1].ms, p[2].ms);
        const msMin = Math.min(p[0].ms, p[1].ms, p[2].ms);
        if (msMax > 2 * msMin) continue;
        const d01 = Math.hypot(p[0].x - p[1].x, p[0].y - p[1].y);
        const d12 = Math.hypot(p[1].x - p[2].x, p[1].y - p[2].y);
        const d02 = Math.hypot(p[0].x - p[2].x, p[0].y - p[2].y);
        // The corner opposite the longest side is the top-left finder.
        let tl, a, b;
        if (d12 >= d01 && d12 >= d02) [tl, a, b] = [p[0], p[1], p[2]];
        else if (d02 >= d01 && d02 >= d12) [tl, a, b] = [p[1], p[0], p[2]];
        else [tl, a, b] = [p[2], p[0], p[1]];
        const ax = a.x - tl.x, ay = a.y - tl.y, bx = b.x - tl.x, by = b.y - tl.y;
        const la = Math.hypot(ax, ay);
        const lb = Math.hypot(bx, by);
        const ms = (p[0].ms + p[1].ms + p[2].ms) / 3;
        // Centres are 14 (version 1) to 170 (version 40) modules apart.
        if (Math.min(la, lb) < 10 * ms || Math.max(la, lb) > 200 * ms) continue;
        const legRatio = Math.max(la, lb) / Math.min(la, lb);
        if (legRatio > 2) continue;
        const cos = (ax * bx + ay * by) / (la * lb);
        if (Math.abs(cos) > 0.55) continue;
        const cross = ax * by - ay * bx;
        const [tr, bl] = cross > 0 ? [a, b] : [b, a];
        const score = Math.abs(cos) + Math.log(legRatio) + Math.log(msMax / msMin) - 0.02 * Math.min(10, tl.count + tr.count + bl.count);
        out.push({ tl, tr, bl, score });
      }
    }
  }
  out.sort((x, y) => x.score - y.score);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Perspective: module coordinates (u, v) → image (x, y).

// Homography through four point pairs, by Gaussian elimination on the usual 8×8 system.
// Returns [h0 … h7] with x = (h0 u + h1 v + h2) / (h6 u + h7 v + 1), y likewise with h3 … h5.
function homography(src, dst) {
  const A = [];
  for (let i = 0; i < 4; i++) {
    const [u, v] = src[i];
    const [x, y] = dst[i];
    A.push([u, v, 1, 0, 0, 0, -u * x, -v * x, x]);
    A.push([0, 0, 0, u, v, 1, -u * y, -v * y, y]);
  }
  for (let col = 0; col < 8; col++) {
    let piv = col;
    for (let r = col + 1; r < 8; r++) if (Math.abs(A[r][col]) > Math.abs(A[piv][col])) piv = r;
    if (Math.abs(A[piv][col]) < 1e-12) return null;
    [A[col], A[piv]] = [A[piv], A[col]];
    for (let r = 0; r < 8; r++) {
      if (r === col) continue;
      const f = A[r][col] / A[col][col];
      if (f === 0) continue;
      for (let c2 = col; c2 < 9; c2++) A[r][c2] -= f * A[col][c2];
    }
  }
  const h = new Float64Array(8);
  for (let i = 0; i < 8; i++) h[i] = A[i][8] / A[i][i];
  return h;
}

function project(h, u, v, out) {
  const d = h[6] * u + h[7] * v + 1;
  out[0] = (h[0] * u + h[1] * v + h[2]) / d;
  out[1] = (h[3] * u + h[4] * v + h[5]) / d;
}

// ---------------------------------------------------------------------------------------------
// Alignment pattern search near an expected centre.

// Looks for a light-dark-light run of about one module each (the alignment pattern's centre
// module inside its light ring), confirmed vertically and re-centred horizontally; returns the
// distinct hits, nearest to (px, py) first. Data modules can mimic the pattern, so the caller
// judges each hit by how well the grid it implies fits.
function findAlignments(img, px, py, ms, radius) {
  const { bits, width, inv } = img;
  const x0 = Math.max(0, Math.floor(px - radius));
  const x1 = Math.min(img.width - 1, Math.ceil(px + radius));
  const y0 = Math.max(0, Math.floor(py - radius));
  const y1 = Math.min(img.height - 1, Math.ceil(py + radius));
  const hits = [];
  if (x1 - x0 < 4 || y1 < y0) return hits; // predicted off the image
  const lo = 0.4 * ms;
  const hi = 2 * ms;
  work.units += (x1 - x0) * (y1 - y0) / 4;
  const starts = new Int32Array(x1 - x0 + 3); // run starts in the current row, reused
  for (let y = y0; y <= y1 && hits.length < MAX_ALIGNMENT_HITS; y++) {
    const row = y * width;
    let n = 0;
    starts[n++] = x0;
    for (let x = x0 + 1; x <= x1; x++) if (bits[row + x] !== bits[row + x - 1]) starts[n++] = x;
    starts[n] = x1 + 1;
    // Interior runs only: both light flanks must end at a dark ring, not at the window edge.
    for (let r = 2; r < n - 2; r++) {
      const s = starts[r];
      if ((bits[row + s] ^ inv) !== 1) continue;
      const len = starts[r + 1] - s;
      const a = s - starts[r - 1];
      const b = starts[r + 2] - starts[r + 1];
      if (len < lo || len > hi || a < lo || a > hi || b < lo || b > hi) continue;
      if (Math.max(a, len, b) > 2.2 * Math.min(a, len, b)) continue;
      const cx = Math.floor(s + len / 2);
      const v = crossCheckAlignment(img, cx, y, 0, 1, ms);
      if (v === null) continue;
      const cy = Math.round(y + v);
      const h = crossCheckAlignment(img, cx, cy, 1, 0, ms);
      if (h === null) continue;
      const fx = cx + h + 0.5;
      const fy = cy + 0.5;
      if (hits.some((q) => Math.abs(q.x - fx) < ms / 2 && Math.abs(q.y - fy) < ms / 2)) continue;
      hits.push({ x: fx, y: fy, d: Math.hypot(fx - px, fy - py) });
    }
  }
  return hits.sort((a, b) => a.d - b.d);
}

const MAX_ALIGNMENT_HITS = 24;

// Dark centre flanked by light runs then dark along (dx, dy); returns the centre offset or null.
function crossCheckAlignment(img, cx, cy, dx, dy, ms) {
  const { bits, width, height, inv } = img;
  const max = 2 * ms + 1;
  // Run length from (cx, cy) + from·(dx, dy) outward in direction dir while the colour is `want`.
  const run = (from, dir, want) => {
    let t = from;
    for (;;) {
      const x = cx + t * dx;
      const y = cy + t * dy;
      if (x < 0 || y < 0 || x >= width || y >= height) return -1; // reached the image border
      if (((bits[y * width + x] ^ inv) === 1) !== want) return Math.abs(t - from);
      if (Math.abs(t - from) > max) return Math.abs(t - from);
      t += dir;
    }
  };
  if ((bits[cy * width + cx] ^ inv) !== 1) return null;
  const back = run(0, -1, true);
  const fwd = run(0, 1, true);
  if (back < 0 || fwd < 0) return null;
  const len = back + fwd - 1;
  if (len < 0.4 * ms || len > 2 * ms) return null;
  const s0 = -(back - 1);
  const s1 = fwd - 1;
  const w0 = run(s0 - 1, -1, false);
  if (w0 < 0.4 * ms || w0 > 2 * ms) return null;
  const w1 = run(s1 + 1, 1, false);
  if (w1 < 0.4 * ms || w1 > 2 * ms) return null;
  return (s0 + s1) / 2;
}

// ---------------------------------------------------------------------------------------------
// Grid fitting and sampling.

// Darkness of the image around (x, y): threshold minus luma (positive = dark), inverted for
// light-on-dark codes; NaN outside the image.
function darkness(img, x, y) {
  const ix = Math.floor(x);
  const iy = Math.floor(y);
  if (ix < 0 || iy < 0 || ix >= img.width || iy >= img.height) return NaN;
  const t = img.thr[((iy / BLOCK) | 0) * img.bw + ((ix / BLOCK) | 0)];
  const d = t - img.lum[iy * img.width + ix];
  return img.inv ? -d : d;
}

const referenceCache = new Map();

// Modules whose colour every symbol of the version has: finders with separators, timing
// patterns, alignment patterns, the dark module. Flat array of u, v, expected (+1 dark, -1 light);
// the finders come first and `structStart` is where the rest begins: the finders were found in
// the image, so only the rest tells a real symbol from a chance triple in a texture.
function referenceCells(version) {
  let cells = referenceCache.get(version);
  if (cells) return cells;
  const size = version * 4 + 17;
  const list = [];
  const add = (x, y, dark) => {
    if (x >= 0 && y >= 0 && x < size && y < size) list.push(x + 0.5, y + 0.5, dark ? 1 : -1);
  };
  for (const [fx, fy] of [[0, 0], [size - 7, 0], [0, size - 7]]) {
    for (let dy = -1; dy <= 7; dy++) {
      for (let dx = -1; dx <= 7; dx++) {
        const ring = Math.max(Math.abs(dx - 3), Math.abs(dy - 3));
        add(fx + dx, fy + dy, ring !== 2 && ring !== 4);
      }
    }
  }
  const structStart = list.length / 3;
  for (let i = 8; i < size - 8; i++) {
    add(i, 6, i % 2 === 0);
    add(6, i, i % 2 === 0);
  }
  add(8, size - 8, true);
  const timingEnd = list.length / 3;
  const pos = alignmentPositions(version);
  const last = pos.length - 1;
  for (let i = 0; i <= last; i++) {
    for (let j = 0; j <= last; j++) {
      if ((i === 0 && j === 0) || (i === 0 && j === last) || (i === last && j === 0)) continue;
      for (let dy = -2; dy <= 2; dy++) {
        for (let dx = -2; dx <= 2; dx++) add(pos[i] + dx, pos[j] + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
      }
    }
  }
  cells = { cells: Float64Array.from(list), structStart: structStart * 3, timingEnd: timingEnd * 3 };
  referenceCache.set(version, cells);
  return cells;
}

// How well the grid's function patterns match the image (higher is better). Each cell is probed
// at four points 0.3 module from its centre: a grid off by a fraction of a module then loses
// score at the patterns' edges, which gives the hill-climb something to follow.
const PROBES = [-0.3, -0.3, 0.3, -0.3, -0.3, 0.3, 0.3, 0.3];

function fitness(img, h, cells, start = 0, end = cells.length) {
  // The hot loop of the refinement: projection and threshold lookup written out inline.
  const { lum, thr, bw, width, height, inv } = img;
  work.units += ((end - start) / 3) * 4;
  const [h0, h1, h2, h3, h4, h5, h6, h7] = h;
  const sign = inv ? -1 : 1;
  let score = 0;
  for (let i = start; i < end; i += 3) {
    const expect = cells[i + 2] * sign;
    for (let k = 0; k < 8; k += 2) {
      const u = cells[i] + PROBES[k];
      const v = cells[i + 1] + PROBES[k + 1];
      const w = h6 * u + h7 * v + 1;
      const x = (h0 * u + h1 * v + h2) / w;
      const y = (h3 * u + h4 * v + h5) / w;
      if (!(x >= 0 && y >= 0 && x < width && y < height)) {
        score -= 1;
        continue;
      }
      const ix = x | 0;
      const iy = y | 0;
      const s = (thr[(iy >> 3) * bw + (ix >> 3)] - lum[iy * width + ix]) * expect;
      score += s > 16 ? 1 : s < -16 ? -1 : s / 16;
    }
  }
  // Mean per cell, in [-1, 1].
  return end > start ? score / 4 / ((end - start) / 3) : 0;
}

// The homography taking the module square (0,0)–(size,size) to the image quadrilateral p
// (corners in the order (0,0), (size,0), (size,size), (0,size)); closed form (ZXing's
// squareToQuadrilateral), cheaper than the general solve in the hill-climb's inner loop.
function squareToQuad(size, p) {
  const [x0, y0] = p[0];
  const [x1, y1] = p[1];
  const [x2, y2] = p[2];
  const [x3, y3] = p[3];
  const dx3 = x0 - x1 + x2 - x3;
  const dy3 = y0 - y1 + y2 - y3;
  const dx1 = x1 - x2;
  const dx2 = x3 - x2;
  const dy1 = y1 - y2;
  const dy2 = y3 - y2;
  const den = dx1 * dy2 - dx2 * dy1;
  if (den === 0) return null;
  const a13 = (dx3 * dy2 - dx2 * dy3) / den;
  const a23 = (dx1 * dy3 - dx3 * dy1) / den;
  const h = new Float64Array(8);
  h[0] = (x1 - x0 + a13 * x1) / size;
  h[1] = (x3 - x0 + a23 * x3) / size;
  h[2] = x0;
  h[3] = (y1 - y0 + a13 * y1) / size;
  h[4] = (y3 - y0 + a23 * y3) / size;
  h[5] = y0;
  h[6] = a13 / size;
  h[7] = a23 / size;
  return h;
}

// quirc's jiggle: hill-climbs the image positions of the grid's four outer corners so that the
// known function patterns line up; this absorbs perspective the three finders cannot pin down.
function refine(img, h, size, ms, version) {
  const { cells, structStart } = referenceCells(version);
  const corners = [[0, 0], [size, 0], [size, size], [0, size]];
  const pts = corners.map(([u, v]) => {
    const p = [0, 0];
    project(h, u, v, p);
    return p;
  });
  let best = fitness(img, h, cells);
  let bestH = h;
  for (let step = ms; step >= ms / 8; step /= 2) {
    for (let pass = 0; pass < 3; pass++) {
      let improved = false;
      for (let i = 0; i < 8; i++) {
        const c = i >> 1;
        const axis = i & 1;
        const orig = pts[c][axis];
        for (const delta of [step, -step]) {
          pts[c][axis] = orig + delta;
          const h2 = squareToQuad(size, pts);
          const f = h2 ? fitness(img, h2, cells) : -Infinity;
          if (f > best) {
            best = f;
            bestH = h2;
            improved = true;
            break;
          }
          pts[c][axis] = orig;
        }
      }
      if (!improved) break;
    }
    // After the coarse steps a real symbol's timing and alignment patterns fit well; a chance
    // triple's do not, and refining it further would only waste the frame's time.
    if (step === ms && fitness(img, bestH, cells, structStart) < MIN_COARSE_FIT) return null;
  }
  return bestH;
}

const MIN_COARSE_FIT = 0.3;

// A module's colour: the mean darkness of 5 sub-samples (centre, counted twice, and four at
// ±0.25 module) against the local threshold, which tolerates blur and slight misplacement.
const SUBSAMPLES = [0.5, 0.5, 2, 0.25, 0.25, 1, 0.75, 0.25, 1, 0.25, 0.75, 1, 0.75, 0.75, 1];

function moduleDarkness(img, h, u, v, pt) {
  let sum = 0;
  for (let k = 0; k < SUBSAMPLES.length; k += 3) {
    project(h, u + SUBSAMPLES[k], v + SUBSAMPLES[k + 1], pt);
    const d = darkness(img, pt[0], pt[1]);
    if (d === d) sum += SUBSAMPLES[k + 2] * d;
  }
  return sum;
}

function sampleModule(img, h, u, v, pt) {
  return moduleDarkness(img, h, u, v, pt) > 0 ? 1 : 0;
}

// Darkness of every module (positive = dark), row-major.
function sampleDarkness(img, h, size) {
  work.units += size * size * 5;
  const d = new Float32Array(size * size);
  const pt = [0, 0];
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) d[v * size + u] = moduleDarkness(img, h, u, v, pt);
  }
  return d;
}

// Modules as bits; with `sharpen` > 0 each module's darkness is first pushed away from the mean
// of its four neighbours. Blur mixes a lone light module into its dark surroundings (and the
// reverse); undoing part of that mix in module space reads what the threshold alone misses.
function toBits(d, size, sharpen) {
  const grid = new Uint8Array(size * size);
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      const i = v * size + u;
      let x = d[i];
      if (sharpen > 0) {
        let m = 0;
        let n = 0;
        if (u > 0) { m += d[i - 1]; n++; }
        if (u < size - 1) { m += d[i + 1]; n++; }
        if (v > 0) { m += d[i - size]; n++; }
        if (v < size - 1) { m += d[i + size]; n++; }
        x += sharpen * (x - m / n);
      }
      grid[i] = x > 0 ? 1 : 0;
    }
  }
  return grid;
}

// Only the two version blocks, without sampling the whole grid.
function sampleVersion(img, h, size) {
  const pt = [0, 0];
  let a = 0;
  let b = 0;
  for (let i = 0; i < 18; i++) {
    const u = size - 11 + (i % 3);
    const v = Math.floor(i / 3);
    a |= sampleModule(img, h, u, v, pt) << i;
    b |= sampleModule(img, h, v, u, pt) << i;
  }
  return [a, b];
}

function transpose(grid, size) {
  const t = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) t[x * size + y] = grid[y * size + x];
  return t;
}

// Tries one grid: as read, then mirrored (a code seen through the back of glass or a selfie
// camera has its finders in the same corners but its modules transposed).
function readGrid(img, h, version) {
  const size = version * 4 + 17;
  const d = sampleDarkness(img, h, size);
  // As sampled, then sharpened against blur; each also mirrored. Reed–Solomon judges each try,
  // so more tries cost time but never correctness.
  for (const sharpen of [0, SHARPEN]) {
    const grid = toBits(d, size, sharpen);
    const text = decodeGrid(grid, version) ?? decodeGrid(transpose(grid, size), version);
    if (text !== null) return text;
  }
  return null;
}

const SHARPEN = 0.5;

// From a finder triple to text: version estimate, alignment pattern, transform, refine, read.
function decodeTriple(img, t) {
  const { tl, tr, bl } = t;
  const [sTop0, sTop1] = moduleSizesAlong(img, tl, tr);
  const [sLeft0, sLeft1] = moduleSizesAlong(img, tl, bl);
  const ms = (sTop0 + sTop1 + sLeft0 + sLeft1) / 4;
  // Along a line seen in perspective the image is a 1-D projective map of the module axis: its
  // length is (modules) × √(scale at one end × scale at the other), exactly.
  const top = Math.hypot(tr.x - tl.x, tr.y - tl.y) / Math.sqrt(sTop0 * sTop1);
  const left = Math.hypot(bl.x - tl.x, bl.y - tl.y) / Math.sqrt(sLeft0 * sLeft1);
  const modules = (top + left) / 2 + 7;
  // The same scales give the homography's depth term w (scale ∝ 1/w²) at TR and BL relative to
  // TL, which turns the three centres into a full perspective guess (decodeAtVersion).
  const clamp = (x) => Math.max(0.5, Math.min(2, x));
  const depth = { tr: clamp(Math.sqrt(sTop0 / sTop1)), bl: clamp(Math.sqrt(sLeft0 / sLeft1)) };
  // Dimensions are 4v + 17; try the nearest, then its neighbours.
  const v0 = Math.round((modules - 17) / 4);
  const versions = [v0, v0 + 1, v0 - 1].filter((v) => v >= 1 && v <= 40);
  const tried = new Set();
  for (let version of versions) {
    if (tried.has(version) || overBudget()) continue;
    let result = decodeAtVersion(img, t, version, ms, depth, tried);
    if (result !== null) return result;
  }
  return null;
}

// Initial grids from the three finder centres for a symbol of `size` modules: the affine one
// (fourth corner completing the parallelogram) and the perspective one, whose fourth corner
// follows from the depth at each finder: with w = 1 at TL, the numerator N = P·w of the
// homography is affine, so N(BR) = N(TR) + N(BL) − N(TL) and w(BR) = w(TR) + w(BL) − 1.
function initialGrids(t, size, depth) {
  const { tl, tr, bl } = t;
  const src = [[3.5, 3.5], [size - 3.5, 3.5], [3.5, size - 3.5], [size - 3.5, size - 3.5]];
  const dst = [[tl.x, tl.y], [tr.x, tr.y], [bl.x, bl.y]];
  const affine = homography(src, [...dst, [tr.x + bl.x - tl.x, tr.y + bl.y - tl.y]]);
  const wBR = depth.tr + depth.bl - 1;
  let perspective = null;
  if (wBR > 0.2 && (Math.abs(depth.tr - 1) > 0.02 || Math.abs(depth.bl - 1) > 0.02)) {
    const nx = tr.x * depth.tr + bl.x * depth.bl - tl.x;
    const ny = tr.y * depth.tr + bl.y * depth.bl - tl.y;
    perspective = homography(src, [...dst, [nx / wBR, ny / wBR]]);
  }
  return [perspective, affine].filter((h) => h !== null);
}

function decodeAtVersion(img, t, version, ms, depth, tried) {
  const { tl, tr, bl } = t;
  tried.add(version);
  let size = version * 4 + 17;
  const src = [[3.5, 3.5], [size - 3.5, 3.5], [3.5, size - 3.5]];
  const dst = [[tl.x, tl.y], [tr.x, tr.y], [bl.x, bl.y]];
  let guesses = initialGrids(t, size, depth);
  if (guesses.length === 0) return null;

  if (version >= 7) {
    // The version blocks sit beside the top-right and bottom-left finders, where the first
    // guesses of the grid are at their best: read them now, and a misestimate is corrected.
    let read = null;
    for (const h of guesses) if (read === null) read = nearestVersion(...sampleVersion(img, h, size));
    if (read && read !== version) {
      if (tried.has(read)) return null;
      tried.add(read);
      version = read;
      size = version * 4 + 17;
      src[1][0] = size - 3.5;
      src[2][1] = size - 3.5;
      guesses = initialGrids(t, size, depth);
      if (guesses.length === 0) return null;
    }
  }

  // Candidate grids: the initial guesses, and one per alignment-pattern hit around the
  // bottom-right alignment pattern's predicted place (3 modules in from the finders' corner).
  // The best two by fit of the timing and alignment patterns are refined and read.
  const ref = referenceCells(version);
  const fit = (hx) => fitness(img, hx, ref.cells, ref.structStart);
  const candidates = guesses.map((h) => ({ h, fit: fit(h) }));
  if (version >= 2) {
    const pt = [0, 0];
    project(guesses[0], size - 6.5, size - 6.5, pt);
    let hits = findAlignments(img, pt[0], pt[1], ms, 8 * ms);
    if (guesses.length > 1) {
      // The affine guess predicts another place; search there too if it is not in the window.
      const pa = [0, 0];
      project(guesses[1], size - 6.5, size - 6.5, pa);
      if (Math.hypot(pa[0] - pt[0], pa[1] - pt[1]) > 4 * ms) hits = hits.concat(findAlignments(img, pa[0], pa[1], ms, 8 * ms));
    }
    for (const a of hits.slice(0, 16)) {
      const ha = homography([...src, [size - 6.5, size - 6.5]], [...dst, [a.x, a.y]]);
      if (ha) candidates.push({ h: ha, fit: fit(ha) });
    }
  }
  candidates.sort((a, b) => b.fit - a.fit);
  for (const { h: h0, fit: f0 } of candidates.slice(0, 2)) {
    // Timing and alignment patterns are what a chance triple of finder-like blobs lacks: on the
    // suite's frames real symbols start at ≥ 0.28 and end ≥ 0.6 after refining, while false
    // triples stay under 0.3. Below these bars the costly steps are skipped.
    if (f0 < MIN_START_FIT || overBudget()) continue;
    const hr = refine(img, h0, size, ms, version);
    if (hr === null || fit(hr) < MIN_REFINED_FIT) continue;
    const text = readGrid(img, hr, version);
    if (text !== null) return text;
  }
  return null;
}

const MIN_START_FIT = 0.2;
const MIN_REFINED_FIT = 0.4;
const MAX_TRIPLES = 4;

// Work on candidate grids (fitness probes, module samples, alignment windows) per pass over a
// frame. A frame full of finder-like texture (random blocks, fabric) could otherwise cost
// hundreds of milliseconds; the cap is deterministic, unlike a clock, so tests reproduce. Real
// symbols in the test suite need at most ~0.3 M units; a frame with no code stops at the cap.
const work = { units: 0, limit: Infinity };
const WORK_LIMIT_FULL = 450_000;
const WORK_LIMIT_HALF = 250_000;
const overBudget = () => work.units > work.limit;

function decodeLuma(lum, width, height, limit) {
  if (width < 21 || height < 21) return null;
  work.units = 0;
  work.limit = limit;
  const { bits, thr, bw } = binarize(lum, width, height);
  const found = [];
  for (const inv of [0, 1]) {
    const img = { lum, bits, thr, bw, width, height, inv };
    const cands = scanFinders(img);
    found.push([img, cands]);
    if (cands.length < 3) continue;
    const triples = finderTriples(cands.slice(0, 16));
    for (let i = 0; i < Math.min(MAX_TRIPLES, triples.length) && !overBudget(); i++) {
      const text = decodeTriple(img, triples[i]);
      if (text !== null) return text;
    }
  }
  // Glare or a finger over one finder: put the third where two found ones say it must be.
  for (const [img, cands] of found) {
    const text = decodeWithTwoFinders(img, cands);
    if (text !== null) return text;
  }
  return null;
}

const MAX_PAIRS = 3;

// With two finders A and B of one symbol, the third lies a quarter turn from A→B about A or B
// (A and B along one side), or about their midpoint (A and B on the diagonal): six places, each
// tried as a triple. The fit of the timing and alignment patterns rejects the wrong ones cheaply.
function decodeWithTwoFinders(img, cands) {
  const strong = cands.filter((c) => c.count >= 2).slice(0, 6);
  let pairs = 0;
  for (let i = 0; i < strong.length && pairs < MAX_PAIRS; i++) {
    for (let j = i + 1; j < strong.length && pairs < MAX_PAIRS; j++) {
      const a = strong[i];
      const b = strong[j];
      if (Math.max(a.ms, b.ms) > 1.3 * Math.min(a.ms, b.ms)) continue;
      const ms = (a.ms + b.ms) / 2;
      const dx = b.x - a.x;
      const dy = b.y - a.y;
      const d = Math.hypot(dx, dy);
      if (d < 12 * ms || d > 240 * ms) continue;
      pairs++;
      const mx = (a.x + b.x) / 2;
      const my = (a.y + b.y) / 2;
      const places = [
        [a.x - dy, a.y + dx], [a.x + dy, a.y - dx], [b.x - dy, b.y + dx], [b.x + dy, b.y - dx],
        [mx - dy / 2, my + dx / 2], [mx + dy / 2, my - dx / 2],
      ];
      for (const [x, y] of places) {
        if (overBudget()) return null;
        if (x < 0 || y < 0 || x >= img.width || y >= img.height) continue;
        const c = { x, y, ms, count: 1 };
        const t = finderTriples([a, b, c])[0];
        if (!t) continue;
        const text = decodeTriple(img, t);
        if (text !== null) return text;
      }
    }
  }
  return null;
}

/**
 * Decodes the QR code in an RGBA frame.
 * @param {{data: Uint8ClampedArray|Uint8Array, width: number, height: number}} image
 * @returns {string|null} the text, or null when no code could be read with certainty
 */
export function decodeQR(image) {
  const { data, width, height } = image;
  if (!data || !(width > 0) || !(height > 0) || data.length < width * height * 4) return null;
  const full = { lum: toLuma(data, width, height), width, height };
  if (width * height > 1_000_000) {
    // Big frames: halve until at most 1 MP and read the smallest first (each halving is 4× less
    // work, and typical codes keep ≥ 3 px per module), then the larger levels.
    const levels = [full];
    while (levels[0].width * levels[0].height > 1_000_000) {
      const l = levels[0];
      levels.unshift(halve(l.lum, l.width, l.height));
    }
    for (const l of levels) {
      const text = decodeLuma(l.lum, l.width, l.height, WORK_LIMIT_FULL);
      if (text !== null) return text;
    }
    return null;
  }
  // Smaller frames: full size first; then half size, which averages away what full size trips
  // on: a phone screen's pixel grid and moiré, or grain on large modules. It costs a quarter.
  const text = decodeLuma(full.lum, width, height, WORK_LIMIT_FULL);
  if (text !== null || width < 84 || height < 84) return text;
  const half = halve(full.lum, width, height);
  return decodeLuma(half.lum, half.width, half.height, WORK_LIMIT_HALF);
}

// Internals for the unit tests; not part of the contract.
export const _internal = {
  EXP, LOG, gfMul, gfDiv, rsDecode, nearestFormat, nearestVersion, FORMAT_WORDS, VERSION_WORDS,
  parseSegments, decodeGrid, alignmentPositions, rawCodewords, EC_PER_BLOCK, BLOCK_COUNT, functionMask,
  maskBit, work, binarize, findFinders, scanFinders, halve, finderTriples, toLuma, decodeTriple,
};
