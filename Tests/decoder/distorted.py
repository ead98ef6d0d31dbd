#!/usr/bin/env python3
"""Seeded distorted-image suite for our JavaScript QR decoder (issue 17).

Generates camera-like 640×480 frames in categories (straight, rotated, tilted, blur, noise+JPEG,
low contrast, shadow, glare, inverted, small modules, phone screen, no code), from symbols made by
segno and by python-qrcode (two encoders other than ours, with chosen version, level and mask).
Every frame is decoded by our decoder (one node process for the whole batch), by zbarimg and by
zxing-cpp, so the rates can be compared on the same images.

    python3 Tests/decoder/distorted.py [--per-category 40] [--seed 17] [--keep DIR]

prints the per-category table. test_distorted.py runs the same and asserts the targets.
Needs: node on PATH, zbarimg (Debian zbar-tools), and the packages in requirements.txt.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import qrcode
import segno
import zxingcpp
from PIL import Image, ImageFilter

HERE = Path(__file__).resolve().parent
DECODE_FILES = HERE / "decode-files.mjs"
W, H = 640, 480

CATEGORIES = [
    "straight", "rotated", "tilted", "blur", "noise_jpeg", "low_contrast", "shadow", "glare",
    "inverted", "small_modules", "screen", "no_code",
]

VIETNAMESE = [
    "Quán Cơm Bà Ba — Phường Hải Châu, Đà Nẵng",
    "Nguyễn Thị Minh Khai, Quận 1, TP Hồ Chí Minh",
    "Trường THPT Lê Quý Đôn — cổng số 2",
    "Chợ Bến Thành, lối vào phía Nam",
    "Phở bò tái nạm",
]


# ---------------------------------------------------------------------------------------------
# Symbols


def random_payload(rng: np.random.Generator) -> str:
    kind = rng.integers(0, 5)
    if kind == 0:
        alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
        code = "".join(alphabet[i] for i in rng.integers(0, len(alphabet), 11))
        return f"https://ravao.vn/c/{code}"
    if kind == 1:
        return VIETNAMESE[rng.integers(0, len(VIETNAMESE))]
    if kind == 2:
        return "".join(str(d) for d in rng.integers(0, 10, int(rng.integers(8, 40))))
    if kind == 3:
        alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
        return "".join(alnum[i] for i in rng.integers(0, len(alnum), int(rng.integers(6, 30))))
    # A national-ID-like line: digits and Vietnamese text separated by |
    digits = "".join(str(d) for d in rng.integers(0, 10, 12))
    return f"{digits}||{VIETNAMESE[rng.integers(0, len(VIETNAMESE))]}|01011990|Nam"


def make_symbol(rng: np.random.Generator, max_version: int) -> tuple[np.ndarray, str, str]:
    """Returns (modules: bool array, True = dark; payload; a short description)."""
    payload = random_payload(rng)
    level = "LMQH"[rng.integers(0, 4)]
    mask = int(rng.integers(0, 8))
    want = int(rng.integers(1, max_version + 1))
    if rng.random() < 0.5:
        probe = segno.make_qr(payload, error=level.lower(), boost_error=False)
        version = max(want, probe.version)
        q = segno.make_qr(payload, error=level.lower(), version=version, mask=mask, boost_error=False)
        modules = np.array(q.matrix, dtype=bool)
        source = "segno"
    else:
        levels = {"L": qrcode.constants.ERROR_CORRECT_L, "M": qrcode.constants.ERROR_CORRECT_M,
                  "Q": qrcode.constants.ERROR_CORRECT_Q, "H": qrcode.constants.ERROR_CORRECT_H}
        probe = qrcode.QRCode(error_correction=levels[level], border=0)
        probe.add_data(payload.encode("utf-8"))
        probe.make(fit=True)
        version = max(want, probe.version)
        q = qrcode.QRCode(version=version, error_correction=levels[level], border=0, mask_pattern=mask)
        q.add_data(payload.encode("utf-8"))
        q.make(fit=False)
        modules = np.array(q.modules, dtype=bool)
        source = "qrcode"
    return modules, payload, f"{source} v{version}-{level} mask {mask}"


# ---------------------------------------------------------------------------------------------
# Geometry


def perspective_coeffs(dst: list[tuple[float, float]], src: list[tuple[float, float]]) -> list[float]:
    """PIL PERSPECTIVE coefficients mapping output points dst to input points src."""
    a = []
    b = []
    for (x, y), (u, v) in zip(dst, src):
        a.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        a.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        b += [u, v]
    return list(np.linalg.solve(np.array(a, float), np.array(b, float)))


def quad_for(rng, side: float, tilt_deg: float = 0.0, rotation_deg: float | None = None,
             focal: float = 900.0, margin: float = 8.0) -> list[tuple[float, float]]:
    """Image corners (TL, TR, BR, BL) of a square of `side` px seen tilted by tilt_deg about a
    random in-plane axis, rotated in plane, at a random place inside the frame."""
    rot = math.radians(rng.uniform(0, 360) if rotation_deg is None else rotation_deg)
    axis = rng.uniform(0, math.pi)
    t = math.radians(tilt_deg)
    s = side / 2
    pts3 = []
    for x, y in [(-s, -s), (s, -s), (s, s), (-s, s)]:
        x, y = x * math.cos(rot) - y * math.sin(rot), x * math.sin(rot) + y * math.cos(rot)
        # Tilt about the in-plane axis k = (cos a, sin a, 0), by Rodrigues' formula.
        ax, ay = math.cos(axis), math.sin(axis)
        d = x * ax + y * ay
        c, sn = math.cos(t), math.sin(t)
        pts3.append((x * c + ax * d * (1 - c), y * c + ay * d * (1 - c), (ax * y - ay * x) * sn))
    proj = [(focal * x / (focal + z), focal * y / (focal + z)) for x, y, z in pts3]
    xs = [p[0] for p in proj]
    ys = [p[1] for p in proj]
    wq, hq = max(xs) - min(xs), max(ys) - min(ys)
    # Shrink if it does not fit, then place at random.
    k = min(1.0, (W - 2 * margin) / wq, (H - 2 * margin) / hq) * 0.999
    proj = [(x * k, y * k) for x, y in proj]
    xs = [p[0] for p in proj]
    ys = [p[1] for p in proj]
    ox = rng.uniform(margin - min(xs), W - margin - max(xs))
    oy = rng.uniform(margin - min(ys), H - margin - max(ys))
    return [(x + ox, y + oy) for x, y in proj]


def smooth_noise(rng, shape, cells: int) -> np.ndarray:
    """Low-frequency noise in [0, 1] (bicubic upsampling of a small random grid)."""
    h, w = shape
    small = rng.random((max(2, cells * h // w), max(2, cells)))
    img = Image.fromarray((small * 255).astype(np.uint8)).resize((w, h), Image.BICUBIC)
    return np.asarray(img, dtype=np.float32) / 255.0


def background(rng) -> np.ndarray:
    """A plausible scene behind the code: smooth shading with some texture, grey levels 0..255."""
    base = rng.uniform(90, 200)
    img = base + (smooth_noise(rng, (H, W), 4) - 0.5) * 80 + (smooth_noise(rng, (H, W), 40) - 0.5) * 25
    return np.clip(img, 0, 255).astype(np.float32)


def render_frame(rng, modules: np.ndarray, module_px: float, tilt: float = 0.0,
                 rotation: float | None = 0.0, dark: float = 25.0, light: float = 235.0,
                 quiet: int = 4, ss: int = 3, scene: np.ndarray | None = None) -> np.ndarray:
    """The symbol (with quiet zone) warped into a 640×480 grey frame, supersampled ss× then box
    filtered like a camera's pixels. Returns float32 grey levels."""
    n = modules.shape[0] + 2 * quiet
    cell = 8
    code = np.full((n, n), light, np.float32)
    code[quiet:quiet + modules.shape[0], quiet:quiet + modules.shape[0]] = np.where(modules, dark, light)
    src = Image.fromarray(np.kron(code, np.ones((cell, cell), np.float32)).astype(np.uint8))
    mask = Image.new("L", src.size, 255)
    quad = quad_for(rng, n * module_px, tilt, rotation)
    big = [(x * ss, y * ss) for x, y in quad]
    size = n * cell
    coeffs = perspective_coeffs(big, [(0, 0), (size, 0), (size, size), (0, size)])
    warped = src.transform((W * ss, H * ss), Image.PERSPECTIVE, coeffs, Image.BILINEAR, fillcolor=0)
    wmask = mask.transform((W * ss, H * ss), Image.PERSPECTIVE, coeffs, Image.BILINEAR, fillcolor=0)
    scene = background(rng) if scene is None else scene
    bg = Image.fromarray(np.clip(scene, 0, 255).astype(np.uint8)).resize((W * ss, H * ss), Image.NEAREST)
    frame = Image.composite(warped, bg, wmask).resize((W, H), Image.BOX)
    return np.asarray(frame, dtype=np.float32)


def gaussian_blur(img: np.ndarray, sigma: float) -> np.ndarray:
    pil = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))
    return np.asarray(pil.filter(ImageFilter.GaussianBlur(sigma)), dtype=np.float32)


def jpeg(img: np.ndarray, quality: int) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).save(buf, "JPEG", quality=quality)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("L"), dtype=np.float32)


# ---------------------------------------------------------------------------------------------
# Categories: each returns (image uint8, grey H×W or RGB H×W×3; payload or None; description)


def cat_straight(rng):
    m, p, d = make_symbol(rng, 10)
    return render_frame(rng, m, rng.uniform(3, 8), rotation=0.0), p, d


def cat_rotated(rng):
    m, p, d = make_symbol(rng, 8)
    return render_frame(rng, m, rng.uniform(3, 7), rotation=None), p, d


def cat_tilted(rng):
    m, p, d = make_symbol(rng, 6)
    tilt = rng.uniform(10, 50)
    return render_frame(rng, m, rng.uniform(4, 8), tilt=tilt, rotation=None), p, f"{d}, tilt {tilt:.0f}°"


def cat_blur(rng):
    m, p, d = make_symbol(rng, 6)
    px = rng.uniform(4, 8)
    sigma = rng.uniform(0.15, 0.4) * px
    img = render_frame(rng, m, px, rotation=rng.uniform(-20, 20))
    return gaussian_blur(img, sigma), p, f"{d}, blur σ {sigma / px:.2f} module"


def cat_noise_jpeg(rng):
    m, p, d = make_symbol(rng, 8)
    img = render_frame(rng, m, rng.uniform(3, 7), rotation=rng.uniform(-30, 30))
    sigma = rng.uniform(6, 20)
    q = int(rng.integers(25, 60))
    img = img + rng.normal(0, sigma, img.shape)
    return jpeg(img, q), p, f"{d}, noise σ {sigma:.0f}, JPEG q{q}"


def cat_low_contrast(rng):
    m, p, d = make_symbol(rng, 8)
    mid = rng.uniform(80, 180)
    span = rng.uniform(25, 50)
    img = render_frame(rng, m, rng.uniform(3, 7), rotation=rng.uniform(-30, 30),
                       dark=mid - span / 2, light=mid + span / 2,
                       scene=mid + (background(rng) - 145) * 0.4)  # a dim, flat scene
    img = img + rng.normal(0, 2, img.shape)
    return img, p, f"{d}, contrast {span:.0f} levels"


def cat_shadow(rng):
    m, p, d = make_symbol(rng, 8)
    img = render_frame(rng, m, rng.uniform(3, 7), rotation=rng.uniform(-30, 30))
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    a = rng.uniform(0, 2 * math.pi)
    ramp = (xx - W / 2) * math.cos(a) + (yy - H / 2) * math.sin(a)
    ramp = (ramp - ramp.min()) / (ramp.max() - ramp.min())
    low = rng.uniform(0.15, 0.4)
    factor = low + (1 - low) * ramp
    if rng.random() < 0.5:
        # A soft-edged cast shadow across part of the frame as well.
        edge = (xx - rng.uniform(0, W)) * math.cos(a + 1) + (yy - rng.uniform(0, H)) * math.sin(a + 1)
        factor = factor * (0.55 + 0.45 / (1 + np.exp(np.clip(-edge / 6, -50, 50))))
    return img * factor, p, f"{d}, shadow down to {low:.2f}"


def cat_glare(rng):
    m, p, d = make_symbol(rng, 8)
    px = rng.uniform(3.5, 7)
    img = render_frame(rng, m, px, rotation=rng.uniform(-30, 30))
    # A bright blob saturating about 5–10% of the symbol's area, somewhere over the data.
    side = (m.shape[0] + 8) * px
    coverage = rng.uniform(0.05, 0.10)
    r = math.sqrt(coverage * side * side / math.pi)
    dark = img < 128
    ys, xs = np.nonzero(dark)
    k = rng.integers(0, len(xs))
    cx, cy = xs[k], ys[k]
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    blob = np.exp(-(((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * (r / 1.2) ** 2)))
    return img + blob * 400, p, f"{d}, glare {coverage * 100:.0f}%"


def cat_inverted(rng):
    m, p, d = make_symbol(rng, 8)
    img = render_frame(rng, m, rng.uniform(3, 7), rotation=rng.uniform(0, 360), dark=230, light=30)
    return img, p, f"{d}, light on dark"


def cat_small_modules(rng):
    m, p, d = make_symbol(rng, 6)
    px = rng.uniform(2, 3)
    img = render_frame(rng, m, px, rotation=rng.uniform(-8, 8))
    return img + rng.normal(0, 3, img.shape), p, f"{d}, {px:.1f} px/module"


def cat_screen(rng):
    """A code on a phone screen photographed: the screen's RGB stripes and pixel gaps, sampled by the
    camera (moiré), display gamma, perspective, slight blur and sensor noise."""
    m, p, d = make_symbol(rng, 6)
    quiet = 4
    n = m.shape[0] + 2 * quiet
    spp = int(rng.integers(3, 6))  # screen pixels per module
    code = np.ones((n, n), np.float32)
    code[quiet:quiet + m.shape[0], quiet:quiet + m.shape[0]] = np.where(m, 0.05, 1.0)
    screen = np.kron(code, np.ones((spp, spp), np.float32))
    # Each screen pixel as 3×3 subpixels: R, G, B columns, the bottom row a dark gap.
    sub = np.zeros((3, 3, 3), np.float32)
    for c in range(3):
        sub[0:2, c, c] = 1.0
    rgb = np.kron(screen[:, :, None], np.ones((3, 3, 1), np.float32)) * np.tile(sub, (screen.shape[0], screen.shape[1], 1))
    src = Image.fromarray((rgb * 255).astype(np.uint8), "RGB")
    ss = 2
    px = rng.uniform(3.5, 6)
    quad = quad_for(rng, n * px, rng.uniform(0, 30), rng.uniform(-25, 25))
    size = src.size[0]
    coeffs = perspective_coeffs([(x * ss, y * ss) for x, y in quad], [(0, 0), (size, 0), (size, size), (0, size)])
    warped = src.transform((W * ss, H * ss), Image.PERSPECTIVE, coeffs, Image.BILINEAR, fillcolor=(20, 20, 24))
    img = np.asarray(warped.resize((W, H), Image.BOX), dtype=np.float32) / 255.0
    # Subpixels light a third of the area; exposure brings white back up, the gamma curve differs.
    gamma = rng.uniform(0.7, 1.4)
    img = np.clip(img * rng.uniform(2.2, 2.8), 0, 1) ** gamma * 235
    img = np.stack([gaussian_blur(img[:, :, c], rng.uniform(0.5, 1.2)) for c in range(3)], axis=2)
    img = img + rng.normal(0, 3, img.shape)
    return img, p, f"{d}, screen {spp} px/module, gamma {gamma:.2f}"


def cat_no_code(rng):
    kind = int(rng.integers(0, 4))
    img = background(rng)
    yy, xx = np.mgrid[0:H, 0:W]
    if kind == 0:
        # Random textures at several scales.
        img = img * 0.4 + smooth_noise(rng, (H, W), int(rng.integers(20, 120))) * 150
        img += rng.normal(0, rng.uniform(3, 15), img.shape)
        desc = "texture"
    elif kind == 1:
        # Text-like lines: dark glyph-sized rectangles in rows on light paper.
        img[:] = rng.uniform(200, 240)
        line_h = int(rng.integers(8, 20))
        for top in range(10, H - line_h, int(line_h * 1.6)):
            x = 10
            while x < W - 20:
                gw = int(rng.integers(2, line_h))
                if rng.random() < 0.8:
                    gh = int(rng.integers(line_h // 2, line_h))
                    img[top + line_h - gh:top + line_h, x:x + gw] = rng.uniform(10, 60)
                x += gw + int(rng.integers(1, 6))
        img += rng.normal(0, 4, img.shape)
        desc = "text-like"
    elif kind == 2:
        # Random black and white blocks (what fools finder detectors most).
        cell = int(rng.integers(3, 9))
        blocks = rng.random((H // cell + 1, W // cell + 1)) < 0.5
        img = np.where(np.kron(blocks, np.ones((cell, cell), bool))[:H, :W], 30.0, 220.0)
        img = gaussian_blur(img, 0.7) + rng.normal(0, 4, (H, W))
        desc = "random blocks"
    else:
        # Stripes, checkers and rings.
        f = rng.uniform(0.05, 0.4)
        img = 128 + 100 * np.sign(np.sin(xx * f) * np.sin(yy * f * rng.uniform(0.5, 2)))
        r = np.hypot(xx - rng.uniform(0, W), yy - rng.uniform(0, H))
        img = np.where(r < 150, 128 + 100 * np.sign(np.sin(r * f * 2)), img).astype(np.float32)
        desc = "stripes and rings"
    return img, None, desc


GENERATORS = {name: globals()[f"cat_{name}"] for name in CATEGORIES}


# ---------------------------------------------------------------------------------------------
# Decoders


@dataclass
class Case:
    category: str
    index: int
    file: str
    payload: str | None
    desc: str
    ours: str | None = None
    zbar: list[str] = field(default_factory=list)
    zxing: list[str] = field(default_factory=list)
    ms: float = 0.0


def write_netpbm(path: str, img: np.ndarray) -> None:
    arr = np.clip(np.rint(img), 0, 255).astype(np.uint8)
    if arr.ndim == 2:
        header = b"P5\n%d %d\n255\n" % (arr.shape[1], arr.shape[0])
    else:
        header = b"P6\n%d %d\n255\n" % (arr.shape[1], arr.shape[0])
    with open(path, "wb") as f:
        f.write(header + arr.tobytes())


def require_tools() -> None:
    missing = [t for t in ("node", "zbarimg") if shutil.which(t) is None]
    if missing:
        raise SystemExit(f"missing tools: {', '.join(missing)} (node 20; Debian zbar-tools for zbarimg)")


def generate(folder: str, per_category: int, seed: int, categories=CATEGORIES) -> list[Case]:
    cases = []
    for ci, name in enumerate(categories):
        # One stream per category, so adding images to one category does not reshuffle the others.
        rng = np.random.default_rng([seed, ci])
        for i in range(per_category):
            img, payload, desc = GENERATORS[name](rng)
            ext = "ppm" if img.ndim == 3 else "pgm"
            path = os.path.join(folder, f"{name}-{i:03d}.{ext}")
            write_netpbm(path, img)
            cases.append(Case(name, i, path, payload, desc))
    return cases


def run_ours(cases: list[Case], folder: str) -> None:
    listing = os.path.join(folder, "list.txt")
    Path(listing).write_text("\n".join(c.file for c in cases) + "\n")
    out = subprocess.run(["node", str(DECODE_FILES), "--list", listing], capture_output=True, text=True, check=True)
    results = {}
    for line in out.stdout.splitlines():
        r = json.loads(line)
        results[r["file"]] = r
    for c in cases:
        r = results[c.file]
        if "error" in r:
            raise RuntimeError(f"{c.file}: {r['error']}")
        c.ours = r["text"]
        c.ms = r["ms"]


def run_zbar(cases: list[Case]) -> None:
    # One process per image: with several files zbarimg's --raw output does not say which image a
    # text came from, and its XML output re-encodes byte-mode text with a guessed charset (our
    # Vietnamese UTF-8 came out as mojibake). -Sbinary gives the bytes as stored; test-inverted lets
    # it try light-on-dark too, so the comparison is fair.
    for c in cases:
        out = subprocess.run(["zbarimg", "--raw", "-q", "-Sdisable", "-Sqrcode.enable", "-Sbinary",
                              "-Stest-inverted", c.file], capture_output=True)
        if out.returncode == 0:
            raw = out.stdout
            try:
                c.zbar = [raw.decode("utf-8")]
            except UnicodeDecodeError:
                c.zbar = [raw.decode("latin-1")]
        elif out.returncode != 4:
            raise RuntimeError(f"zbarimg failed ({out.returncode}) on {c.file}: {out.stderr[:300]!r}")


def run_zxing(cases: list[Case]) -> None:
    for c in cases:
        img = Image.open(c.file).convert("L")
        c.zxing = [r.text for r in zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.QRCode)]


# ---------------------------------------------------------------------------------------------
# Scoring


def score(cases: list[Case]) -> dict[str, dict]:
    table = {}
    for name in dict.fromkeys(c.category for c in cases):
        cs = [c for c in cases if c.category == name]
        row = {"count": len(cs)}
        for dec in ("ours", "zbar", "zxing"):
            ok = mis = 0
            for c in cs:
                got = [c.ours] if dec == "ours" and c.ours is not None else (getattr(c, dec) if dec != "ours" else [])
                if c.payload is None:
                    mis += 1 if got else 0
                    ok += 0 if got else 1
                elif c.payload in got:
                    ok += 1
                elif got:
                    mis += 1
            row[dec] = 100.0 * ok / len(cs)
            row[f"{dec}_misreads"] = mis
        ms = sorted(c.ms for c in cs)
        row["ours_median_ms"] = ms[len(ms) // 2]
        table[name] = row
    return table


def format_table(table: dict[str, dict]) -> str:
    lines = [
        "| category | count | ours % | zbar % | zxing-cpp % | misreads ours/zbar/zxing | ours median ms |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in table.items():
        lines.append(
            f"| {name} | {r['count']} | {r['ours']:.1f} | {r['zbar']:.1f} | {r['zxing']:.1f} | "
            f"{r['ours_misreads']}/{r['zbar_misreads']}/{r['zxing_misreads']} | {r['ours_median_ms']:.1f} |"
        )
    lines.append("(no_code: % = frames correctly left unread; a read there counts as a misread)")
    return "\n".join(lines)


def run_suite(per_category: int = 40, seed: int = 17, keep: str | None = None, categories=CATEGORIES):
    require_tools()
    folder = keep or tempfile.mkdtemp(prefix="qr-distorted-")
    os.makedirs(folder, exist_ok=True)
    try:
        t0 = time.time()
        cases = generate(folder, per_category, seed, categories)
        t1 = time.time()
        run_ours(cases, folder)
        t2 = time.time()
        run_zbar(cases)
        t3 = time.time()
        run_zxing(cases)
        t4 = time.time()
        timing = f"generate {t1 - t0:.1f} s, ours {t2 - t1:.1f} s, zbarimg {t3 - t2:.1f} s, zxing-cpp {t4 - t3:.1f} s"
        return cases, score(cases), timing
    finally:
        if keep is None:
            shutil.rmtree(folder, ignore_errors=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--per-category", type=int, default=40)
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--keep", help="folder to write the images into and keep")
    ap.add_argument("--only", help="comma-separated categories")
    ap.add_argument("--failures", action="store_true", help="list the images we did not read")
    ap.add_argument("--generate-only", action="store_true",
                    help="write the images (into --keep) and a manifest.json, decode nothing (for the benchmark)")
    args = ap.parse_args(argv)
    cats = args.only.split(",") if args.only else CATEGORIES
    if args.generate_only:
        if not args.keep:
            ap.error("--generate-only needs --keep DIR")
        os.makedirs(args.keep, exist_ok=True)
        cases = generate(args.keep, args.per_category, args.seed, cats)
        manifest = [{"file": c.file, "category": c.category, "payload": c.payload} for c in cases]
        Path(args.keep, "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False))
        print(f"{len(cases)} images in {args.keep}")
        return 0
    cases, table, timing = run_suite(args.per_category, args.seed, args.keep, cats)
    print(format_table(table))
    print(timing)
    if args.failures:
        for c in cases:
            if (c.payload is not None and c.ours != c.payload) or (c.payload is None and c.ours is not None):
                zb = "zbar ok" if c.payload in c.zbar else "zbar -"
                zx = "zxing ok" if c.payload in c.zxing else "zxing -"
                print(f"{os.path.basename(c.file)}: {c.desc}: ours {c.ours!r:.40} ({zb}, {zx})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
