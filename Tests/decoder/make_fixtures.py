#!/usr/bin/env python3
"""Writes fixtures.json: symbols from two other encoders (segno, python-qrcode) as module rows,
for the node image tests. Re-run after changing the list: python3 Tests/decoder/make_fixtures.py"""

import json
from pathlib import Path

import qrcode
import segno


def rows(matrix):
    return ["".join("1" if v else "0" for v in row) for row in matrix]


def from_segno(name, text, **kw):
    q = segno.make_qr(text, boost_error=False, **kw)
    return {"name": name, "text": text, "version": q.version, "rows": rows(q.matrix), "encoder": f"segno {q.designator} mode {q.mode}"}


def from_qrcode(name, text, **kw):
    q = qrcode.QRCode(border=0, **kw)
    q.add_data(text, optimize=3)  # splits into numeric / alphanumeric / byte segments
    q.make(fit=True)
    return {"name": name, "text": text, "version": q.version, "rows": rows(q.modules), "encoder": f"python-qrcode v{q.version}, optimised segments"}


fixtures = [
    from_segno("numeric v1-M", "01234567890123", error="m", version=1, mask=3),
    from_segno("alphanumeric v2-Q", "RAVAO-42 $%*+-./:", error="q", version=2),
    from_segno("byte Vietnamese v6-H", "Quán Cơm Bà Ba — Phường Hải Châu, Đà Nẵng", error="h", version=6),
    from_segno("ECI UTF-8 v7-L (version info)", "Chợ Bến Thành, lối vào phía Nam", error="l", version=7, eci=True),
    from_segno("Latin-1 bytes, no ECI", "Café crème à côté", error="m", encoding="latin-1"),
    from_segno("Kanji", "点茗", error="m", mode="kanji"),
    from_qrcode("mixed segments", "https://ravao.vn/c/ABC 0123456789012345 DEF Đà Nẵng",
                error_correction=qrcode.constants.ERROR_CORRECT_M),
    from_segno("v40-L", ("Nguyễn Thị Minh Khai, Quận 1, TP Hồ Chí Minh; " * 60)[:2400], error="l", version=40),
]

Path(__file__).with_name("fixtures.json").write_text(json.dumps(fixtures, ensure_ascii=False, indent=0) + "\n")
print("\n".join(f"{f['name']}: {f['encoder']}" for f in fixtures))
