// Times decodeQR (Sources/RavaoServer/Resources/static/qr-decode.js) on 640×480 frames, with and
// without a code, and zbarimg on the same frames as a reference. Issue 17's targets: median ≤ 25 ms
// and p95 ≤ 60 ms per frame. Usually run through run.sh, which makes the frames.
//
//   node Benchmarks/decoder/bench.mjs FRAMES_DIR [--rounds 3]
//
// FRAMES_DIR holds the PGM/PPM frames and manifest.json written by
// `python3 Tests/decoder/distorted.py --generate-only --keep FRAMES_DIR`.
import { readFileSync } from "node:fs";
import { execFileSync, spawnSync } from "node:child_process";
import { join } from "node:path";
import { decodeQR } from "../../Sources/RavaoServer/Resources/static/qr-decode.js";
import { readNetpbm } from "../../Tests/decoder/decode-files.mjs";

const dir = process.argv[2];
if (!dir) {
  console.error("usage: node Benchmarks/decoder/bench.mjs FRAMES_DIR [--rounds N]");
  process.exit(2);
}
const roundsArg = process.argv.indexOf("--rounds");
const rounds = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 3;
const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
const frames = manifest.map((m) => ({ ...m, image: readNetpbm(readFileSync(m.file)) }));

// Plus pure sensor-like noise frames (grey 128 ± σ), the case where jsQR was measured at
// 217 ms per frame (../shared/docs/QR-DECODING.md): every block has contrast, so every block is
// thresholded and the finder scan sees speckle everywhere. Made here, so zbarimg does not see them.
function noiseFrame(sigma, seed) {
  // mulberry32: a plain LCG's consecutive outputs are correlated, which puts a lattice into the
  // Box–Muller pairs, and lattices look like codes.
  let a = seed >>> 0;
  const rnd = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 1) / 4294967297;
  };
  const data = new Uint8ClampedArray(640 * 480 * 4);
  for (let i = 0; i < 640 * 480; i++) {
    const v = 128 + sigma * Math.sqrt(-2 * Math.log(rnd())) * Math.cos(2 * Math.PI * rnd());
    data[4 * i] = data[4 * i + 1] = data[4 * i + 2] = v;
    data[4 * i + 3] = 255;
  }
  return { data, width: 640, height: 480 };
}
const noiseFrames = [];
for (const sigma of [8, 30]) {
  for (let k = 0; k < 10; k++) noiseFrames.push({ file: `noise σ=${sigma} #${k}`, category: `pure noise σ=${sigma}`, payload: null, image: noiseFrame(sigma, 1000 * sigma + k) });
}

// Warm-up: the first calls run in the interpreter before the JIT compiles the hot loops; a page
// keeps its worker alive, so steady state is what matters.
for (const f of frames.slice(0, 20)) decodeQR(f.image);

const times = new Map(); // file → ms (the median of its rounds)
let correct = 0;
let misreads = 0;
for (const f of [...frames, ...noiseFrames]) {
  const runs = [];
  let text = null;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    text = decodeQR(f.image);
    runs.push(performance.now() - t0);
  }
  runs.sort((a, b) => a - b);
  times.set(f.file, runs[runs.length >> 1]);
  if (f.payload !== null && text === f.payload) correct++;
  else if (text !== null) misreads++;
}

function stats(list) {
  const s = [...list].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, median: q(0.5), p95: q(0.95), max: s[s.length - 1], mean: s.reduce((a, b) => a + b, 0) / s.length };
}

// zbarimg over the same files in batches: wall time per frame, including its image loading
// (through ImageMagick) but with the process start shared by the batch.
function zbarPerFrame(files) {
  const which = spawnSync("sh", ["-c", "command -v zbarimg"]);
  if (which.status !== 0) return null;
  const t0 = performance.now();
  for (let i = 0; i < files.length; i += 50) {
    spawnSync("zbarimg", ["-q", "--raw", "-Sdisable", "-Sqrcode.enable", ...files.slice(i, i + 50)], { stdio: "ignore" });
  }
  return (performance.now() - t0) / files.length;
}

const groups = [
  ["frames with a code", frames.filter((f) => f.payload !== null)],
  ["frames without a code", frames.filter((f) => f.payload === null)],
  ["all frames", frames],
  ["pure noise frames (σ 8 and 30)", noiseFrames],
];
const load = readFileSync("/proc/loadavg", "utf8").trim();
const cpu = (() => {
  try {
    return execFileSync("sh", ["-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"]).toString().trim();
  } catch (_) {
    return "?";
  }
})();

console.log(`Date: ${new Date().toISOString()}`);
console.log(`Command: ${process.env.BENCH_COMMAND || "node Benchmarks/decoder/bench.mjs " + process.argv.slice(2).join(" ")}`);
console.log(`Load average before/after (from /proc/loadavg): see below; CPU: ${cpu}; node ${process.version}`);
console.log(`Frames: ${frames.length} (640×480), ${rounds} rounds each, the median round counted; read ${correct} of ${frames.filter((f) => f.payload !== null).length} codes, ${misreads} misreads`);
console.log("");
console.log("| frames | n | median ms | p95 ms | max ms | mean ms | zbarimg mean ms (batch, incl. file load) | zbarimg / ours (mean) |");
console.log("|---|---|---|---|---|---|---|---|");
for (const [name, list] of groups) {
  const s = stats(list.map((f) => times.get(f.file)));
  const z = list === noiseFrames ? null : zbarPerFrame(list.map((f) => f.file));
  const zs = z === null ? "n/a" : z.toFixed(1);
  const ratio = z === null ? "n/a" : (z / s.mean).toFixed(2);
  console.log(`| ${name} | ${s.n} | ${s.median.toFixed(1)} | ${s.p95.toFixed(1)} | ${s.max.toFixed(1)} | ${s.mean.toFixed(1)} | ${zs} | ${ratio} |`);
}
console.log("");
const perCat = new Map();
for (const f of [...frames, ...noiseFrames]) {
  if (!perCat.has(f.category)) perCat.set(f.category, []);
  perCat.get(f.category).push(times.get(f.file));
}
console.log("| category | median ms | p95 ms |");
console.log("|---|---|---|");
for (const [cat, list] of perCat) {
  const s = stats(list);
  console.log(`| ${cat} | ${s.median.toFixed(1)} | ${s.p95.toFixed(1)} |`);
}
console.log("");
console.log(`/proc/loadavg at the end: ${load}`);
