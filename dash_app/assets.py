"""The offline front-end files: where they are, whether they are installed, and the tags that load them.

Imports flask only. The files come from npm (package.json) and are copied into the git-ignored
assets/vendor/ by scripts/setup_frontend.sh; nothing is ever loaded from another host.
"""
from __future__ import annotations

from html import escape
from pathlib import Path

from flask import current_app, has_app_context

ASSETS_DIR = Path(__file__).resolve().parent.parent / "assets"
VENDOR_DIR = ASSETS_DIR / "vendor"
SETUP_COMMAND = "./dev setup"  # which runs scripts/setup_frontend.sh

# Relative to assets/vendor/.
BOOTSTRAP_CSS = {"ltr": "bootstrap/css/bootstrap.min.css", "rtl": "bootstrap/css/bootstrap.rtl.min.css"}
BOOTSTRAP_JS = "bootstrap/js/bootstrap.bundle.min.js"
ICONS_CSS = "bootstrap-icons/bootstrap-icons.min.css"
VAZIRMATN_CSS = "vazirmatn/Vazirmatn-Variable-font-face.css"
VAZIRMATN_FONT = "vazirmatn/fonts/webfonts/Vazirmatn[wght].woff2"  # what VAZIRMATN_CSS names
REQUIRED = (BOOTSTRAP_CSS["ltr"], BOOTSTRAP_CSS["rtl"], BOOTSTRAP_JS, ICONS_CSS, VAZIRMATN_CSS,
            "bootstrap-icons/fonts/bootstrap-icons.woff2", VAZIRMATN_FONT)


def missing_assets(vendor_dir: Path = VENDOR_DIR) -> list[str]:
    """The vendored files that are not installed (empty when all are there)."""
    return [rel for rel in REQUIRED if not (vendor_dir / rel).is_file()]


def missing_assets_message(missing: list[str]) -> str:
    return (f"Hamyar's front-end files are missing from {VENDOR_DIR} ({', '.join(missing[:3])}"
            f"{', …' if len(missing) > 3 else ''}). Install them with: {SETUP_COMMAND} "
            "(or bash scripts/setup_frontend.sh).")


FINGERPRINT_KEY = "hamyar_vendor_fingerprint"  # set by dash_app.delivery when the app is built


def _vendor_url(url_prefix: str, rel: str) -> str:
    """`<assets>/vendor/<fingerprint>/<rel>` (cached for a year, see dash_app.delivery), or the plain
    `<assets>/vendor/<rel>` outside an app."""
    fp = current_app.extensions.get(FINGERPRINT_KEY) if has_app_context() else None
    return escape(f"{url_prefix}vendor/{fp}/{rel}" if fp else f"{url_prefix}vendor/{rel}")


def head_tags(url_prefix: str, direction: str) -> str:
    """<link> tags for the stylesheets of this reading direction; the fonts they name are preloaded
    so the text does not wait for the stylesheet to be parsed first."""
    hrefs = [BOOTSTRAP_CSS["rtl" if direction == "rtl" else "ltr"], ICONS_CSS, VAZIRMATN_CSS]
    tags = [f'<link rel="preload" href="{_vendor_url(url_prefix, VAZIRMATN_FONT)}" as="font" type="font/woff2" '
            'crossorigin>']
    tags += [f'<link rel="stylesheet" href="{_vendor_url(url_prefix, h)}">' for h in hrefs]
    return "\n".join(tags)


def body_scripts(url_prefix: str) -> str:
    return f'<script src="{_vendor_url(url_prefix, BOOTSTRAP_JS)}" defer></script>'
