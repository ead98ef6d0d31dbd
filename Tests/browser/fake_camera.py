"""A fake camera for headless Chromium: a QR code in a YUV4MPEG2 file, and a browser that films it.

Chromium plays the file in a loop as the camera (`--use-file-for-fake-video-capture`), so a page's
getUserMedia sees a person holding a phone with their QR in front of the lens. The frames are made with
segno (the code) and Pillow (the scene): a grey, slightly noisy background with the code not quite
centred, as a camera would see it, in raw 4:2:0 frames.
"""

from __future__ import annotations

import io
import os
import random
import shutil
from pathlib import Path

WIDTH, HEIGHT = 640, 480


def qr_scene(text: str, module_px: int = 5, seed: int = 17):
    """A 640×480 RGB picture of `text` as a QR code on a grey background."""
    import segno
    from PIL import Image, ImageFilter

    buffer = io.BytesIO()
    segno.make(text, error="m", micro=False).save(buffer, kind="png", scale=module_px, border=4)
    buffer.seek(0)
    code = Image.open(buffer).convert("L")
    if code.width > min(WIDTH, HEIGHT) - 20:
        side = min(WIDTH, HEIGHT) - 20
        code = code.resize((side, side), Image.NEAREST)
    rng = random.Random(seed)
    scene = Image.new("L", (WIDTH, HEIGHT), 150)
    noise = Image.effect_noise((WIDTH, HEIGHT), 12).point(lambda v: v // 4)
    scene = Image.blend(scene, noise.point(lambda v: 150 + v - 32), 0.5)
    x = (WIDTH - code.width) // 2 + rng.randint(-20, 20)
    y = (HEIGHT - code.height) // 2 + rng.randint(-10, 10)
    scene.paste(code, (max(0, x), max(0, y)))
    # A camera is never perfectly sharp.
    return scene.filter(ImageFilter.GaussianBlur(0.6)).convert("RGB")


def write_y4m(path: Path, text: str, frames: int = 8) -> Path:
    """Writes `frames` identical frames of `text` as a QR code, 640×480 C420, 10 frames a second.
    Written beside and renamed, so a browser that opens the file never reads half of it."""
    scene = qr_scene(text).convert("YCbCr")
    y, cb, cr = scene.split()
    half = (WIDTH // 2, HEIGHT // 2)
    from PIL import Image
    u = cb.resize(half, Image.BILINEAR)
    v = cr.resize(half, Image.BILINEAR)
    frame = b"FRAME\n" + y.tobytes() + u.tobytes() + v.tobytes()
    temporary = path.with_suffix(".tmp")
    with open(temporary, "wb") as out:
        out.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420\n".encode("ascii"))
        for _ in range(frames):
            out.write(frame)
    os.replace(temporary, path)
    return path


def camera_browser(video: Path, width: int = 1366, height: int = 900):
    """Headless Chromium whose camera films `video` (permission granted), preferring Vietnamese."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    if not os.environ.get("RAVAO_TEST_HEADFUL"):
        options.add_argument("--headless=new")
    for argument in ("--no-sandbox", "--disable-dev-shm-usage", f"--window-size={width},{height}", "--lang=vi-VN",
                     "--force-device-scale-factor=1", "--disable-gpu", "--use-fake-device-for-media-stream",
                     "--use-fake-ui-for-media-stream", f"--use-file-for-fake-video-capture={video}",
                     "--autoplay-policy=no-user-gesture-required"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": "vi-VN,vi"})
    chromium = shutil.which("chromium")
    if chromium:
        options.binary_location = chromium
    browser = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    browser.set_page_load_timeout(30)
    return browser


def phone_screen(driver, width: int = 360, height: int = 800) -> None:
    """A phone's viewport: Chromium will not make a window narrower than 500 px, the emulation can."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": True})


def desktop_screen(driver, width: int = 1366, height: int = 768) -> None:
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
