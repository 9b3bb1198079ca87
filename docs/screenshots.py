"""Screenshots of the demo site for the documentation and the README, made in Chromium:

    python docs/screenshots.py        # builds demo-site/, writes docs/assets/screenshots/*.png

The dashboard and the late plan, light and dark, on a desktop (1280 px) and a phone (390 px).
Needs Debian's chromium and Playwright for Python (the test extra).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "assets" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PAGES = {"dashboard": "plans/index.html", "plan": "specs/001-appointment-reminders/plan/index.html"}


def main() -> int:
    from playwright.sync_api import sync_playwright

    site = Path(tempfile.mkdtemp()) / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    command = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(ROOT / "demo-site" / "mkdocs.yml"), "-d", str(site)]
    subprocess.run(command, check=True, env=env)
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        for scheme in ("light", "dark"):
            for width, height in ((1280, 800), (390, 844)):
                context = browser.new_context(color_scheme=scheme, viewport={"width": width, "height": height})
                page = context.new_page()
                for name, path in PAGES.items():
                    page.goto((site / path).as_uri())
                    page.wait_for_timeout(200)
                    page.screenshot(path=str(OUT / f"{name}-{scheme}-{width}.png"))
                context.close()
        browser.close()
    print(f"wrote {len(list(OUT.glob('*.png')))} screenshots into {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
