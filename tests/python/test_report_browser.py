"""The HTML report in a real browser: headless Chromium renders it, and the screenshot is not
blank.

Chromium comes from Debian's ``chromium`` package; ``scripts/test.sh`` installs it when it is
missing. The report must be self-contained: it is opened from a ``file://`` URL with the network
switched off.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("no Chromium: install Debian's chromium package (scripts/test.sh does)", pytrace=False)


def png_rows(data: bytes) -> tuple[int, int, list[bytes]]:
    """Decodes an 8-bit RGB or RGBA PNG into raw rows (standard library only)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width, height, channels = 8, b"", 0, 0, 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6), f"unexpected PNG format {depth}/{colour}"
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = prev[i]
            ul = prev[i - channels] if i >= channels else 0
            if f == 1:
                line[i] = (line[i] + left) & 0xFF
            elif f == 2:
                line[i] = (line[i] + up) & 0xFF
            elif f == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif f == 4:
                p = left + up - ul
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - ul)
                pred = left if pa <= pb and pa <= pc else up if pb <= pc else ul
                line[i] = (line[i] + pred) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, channels, rows


@pytest.fixture(scope="module")
def report(journeycost, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report")
    journeycost("report", "examples/anna/scenario.toml", "--key", "browser-test-key-16", "--out", out)
    return out / "index.html"


def run_chromium(*args: str) -> subprocess.CompletedProcess:
    argv = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run", *args]
    return subprocess.run(argv, capture_output=True, text=True, timeout=120)


def test_chromium_renders_every_chart(report: Path):
    proc = run_chromium("--dump-dom", report.as_uri())
    assert proc.returncode == 0, proc.stderr
    dom = proc.stdout
    source = report.read_text(encoding="utf-8")
    assert dom.count("<svg") == source.count("<svg") >= 6
    assert "Who pays, who saves" in dom
    assert "<script" not in source


def test_the_screenshot_is_not_blank(report: Path, tmp_path: Path):
    shot = tmp_path / "report.png"
    proc = run_chromium("--window-size=1000,1600", f"--screenshot={shot}", report.as_uri())
    assert proc.returncode == 0, proc.stderr
    width, channels, rows = png_rows(shot.read_bytes())
    colours = set()
    for row in rows[::8]:
        for x in range(0, width * channels, channels * 8):
            colours.add(row[x : x + 3])
    # a blank page has one colour; the report has text, the red and blue lines and the green bars
    assert len(colours) > 20, f"only {len(colours)} colours: the page looks blank"
    reds = sum(1 for c in colours if c[0] > 150 and c[1] < 90 and c[2] < 90)
    blues = sum(1 for c in colours if c[2] > 130 and c[0] < 90)
    assert reds and blues, "the red and blue lines should be visible"
