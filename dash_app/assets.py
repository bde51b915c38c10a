"""The offline front-end files: where they are, whether they are installed, and the tags that load them.

Imports flask only. The files come from npm (package.json) and are copied into the git-ignored
assets/vendor/ by scripts/setup_frontend.sh; nothing is ever loaded from another host.
"""
from __future__ import annotations

from html import escape
from pathlib import Path

ASSETS_DIR = Path(__file__).resolve().parent.parent / "assets"
VENDOR_DIR = ASSETS_DIR / "vendor"
SETUP_COMMAND = "./dev setup"  # which runs scripts/setup_frontend.sh

# Relative to assets/vendor/.
BOOTSTRAP_CSS = {"ltr": "bootstrap/css/bootstrap.min.css", "rtl": "bootstrap/css/bootstrap.rtl.min.css"}
BOOTSTRAP_JS = "bootstrap/js/bootstrap.bundle.min.js"
ICONS_CSS = "bootstrap-icons/bootstrap-icons.min.css"
VAZIRMATN_CSS = "vazirmatn/Vazirmatn-Variable-font-face.css"
REQUIRED = (BOOTSTRAP_CSS["ltr"], BOOTSTRAP_CSS["rtl"], BOOTSTRAP_JS, ICONS_CSS, VAZIRMATN_CSS,
            "bootstrap-icons/fonts/bootstrap-icons.woff2", "vazirmatn/fonts/webfonts/Vazirmatn[wght].woff2")


def missing_assets(vendor_dir: Path = VENDOR_DIR) -> list[str]:
    """The vendored files that are not installed (empty when all are there)."""
    return [rel for rel in REQUIRED if not (vendor_dir / rel).is_file()]


def missing_assets_message(missing: list[str]) -> str:
    return (f"Hamyar's front-end files are missing from {VENDOR_DIR} ({', '.join(missing[:3])}"
            f"{', …' if len(missing) > 3 else ''}). Install them with: {SETUP_COMMAND} "
            "(or bash scripts/setup_frontend.sh).")


def head_tags(url_prefix: str, direction: str) -> str:
    """<link> tags for the stylesheets of this reading direction."""
    hrefs = [BOOTSTRAP_CSS["rtl" if direction == "rtl" else "ltr"], ICONS_CSS, VAZIRMATN_CSS]
    return "\n".join(
        f'<link rel="stylesheet" href="{escape(url_prefix)}vendor/{escape(h)}">' for h in hrefs
    )


def body_scripts(url_prefix: str) -> str:
    return f'<script src="{escape(url_prefix)}vendor/{BOOTSTRAP_JS}"></script>'
