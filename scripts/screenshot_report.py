"""Render an HTML report in headless Chromium and save a PNG screenshot.

Usage::

    python scripts/screenshot_report.py out/demo/q_evolution/report.html docs/report_screenshot.png

Needs the Debian package ``chromium`` (``apt-get install -y chromium``). Chromium runs with every
network feature off, on a throw-away profile, so the screenshot also checks that the report shows
everything without fetching anything.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "chrome")


def find_chromium() -> str | None:
    """Path of a Chromium/Chrome executable, or None."""
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def screenshot(html: Path, png: Path, *, width: int = 1280, height: int = 2400,
               timeout: float = 120.0) -> Path:
    """Render ``html`` with headless Chromium into ``png`` (window ``width`` x ``height``)."""
    browser = find_chromium()
    if browser is None:
        raise SystemExit(
            "error: Chromium not found; install it with `apt-get update && apt-get install -y "
            "chromium` (Debian/Ubuntu) and run this script again."
        )
    png.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="textmine-chromium-") as profile:
        cmd = [
            browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--hide-scrollbars", f"--user-data-dir={profile}",
            f"--screenshot={png.resolve()}", f"--window-size={width},{height}",
            html.resolve().as_uri(),
        ]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    if result.returncode != 0 or not png.is_file():
        raise SystemExit(f"error: Chromium failed ({result.returncode}): {result.stderr[-2000:]}")
    return png


def shrink(png: Path, *, max_bytes: int) -> None:
    """Re-save ``png`` with fewer colours (Pillow, a wordcloud dependency) if it is too large."""
    if png.stat().st_size <= max_bytes:
        return
    from PIL import Image

    with Image.open(png) as img:
        small = img.convert("RGB").quantize(colors=256, method=Image.Quantize.FASTOCTREE)
        small.save(png, optimize=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", type=Path, help="HTML report to render")
    parser.add_argument("png", type=Path, help="screenshot file to write")
    parser.add_argument("--width", type=int, default=1280, help="window width in pixels")
    parser.add_argument("--height", type=int, default=2400, help="window height in pixels")
    parser.add_argument("--max-kb", type=int, default=480,
                        help="reduce colours if the PNG is larger than this many KB")
    args = parser.parse_args(argv)
    if not args.html.is_file():
        print(f"error: {args.html} not found; run `textmine demo` first.", file=sys.stderr)
        return 2
    png = screenshot(args.html, args.png, width=args.width, height=args.height)
    shrink(png, max_bytes=args.max_kb * 1024)
    print(f"{png} ({png.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
