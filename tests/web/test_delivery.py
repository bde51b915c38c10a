"""Bytes on the wire: compressed answers and year-long caching of what cannot change (issue 19 item 1).

bench/first_visit.py measures what this buys on a throttled phone; these tests check the mechanism.
"""
from __future__ import annotations

import gzip
import re

import brotli
import pytest

from dash_app import assets as vendor
from dash_app.delivery import IMMUTABLE, fingerprint

BR = {"Accept-Encoding": "br, gzip"}


def _urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/[^"]+)"', html)


def test_the_page_and_dash_answers_are_compressed_with_brotli_or_gzip(client):
    page = client.get("/", headers=BR)
    assert page.headers["Content-Encoding"] == "br"
    html = brotli.decompress(page.data).decode()
    assert "<html" in html
    layout = client.get("/_dash-layout", headers={"Accept-Encoding": "gzip"})
    assert layout.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(layout.data).startswith(b"{")
    assert "Accept-Encoding" in layout.headers["Vary"]
    plain = client.get("/_dash-layout")
    assert "Content-Encoding" not in plain.headers and plain.data.startswith(b"{")


def test_vendor_files_are_fingerprinted_and_cached_for_a_year(client):
    html = brotli.decompress(client.get("/", headers=BR).data).decode()
    fp = fingerprint()
    vendored = [u for u in _urls(html) if "/vendor/" in u]
    assert vendored and all(f"/assets/vendor/{fp}/" in u for u in vendored), vendored
    for url in vendored:
        answer = client.get(url, headers=BR)
        assert answer.status_code == 200, url
        assert answer.headers["Cache-Control"] == IMMUTABLE, url
    css_url = next(u for u in vendored if "bootstrap-icons" in u and u.endswith(".css"))
    css = client.get(css_url, headers=BR)
    assert css.headers["Content-Encoding"] == "br"
    on_disk = (vendor.VENDOR_DIR / vendor.ICONS_CSS).read_bytes()
    assert brotli.decompress(css.data) == on_disk
    assert gzip.decompress(client.get(css_url, headers={"Accept-Encoding": "gzip"}).data) == on_disk
    assert client.get(css_url).data == on_disk
    # the font the stylesheet names by a relative URL lives under the same fingerprint
    font = client.get(f"/assets/vendor/{fp}/bootstrap-icons/fonts/bootstrap-icons.woff2")
    assert font.status_code == 200 and font.headers["Cache-Control"] == IMMUTABLE


def test_an_old_fingerprint_gets_the_current_file_but_is_not_kept(client):
    answer = client.get(f"/assets/vendor/000000000000/{vendor.BOOTSTRAP_JS}")
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-cache"


def test_the_vendor_folder_cannot_be_escaped(client):
    fp = fingerprint()
    for path in (f"/assets/vendor/{fp}/../../pyproject.toml", f"/assets/vendor/{fp}/..%2f..%2fpyproject.toml"):
        assert client.get(path).status_code == 404, path


def test_own_assets_with_their_mtime_are_immutable(client):
    html = brotli.decompress(client.get("/", headers=BR).data).decode()
    own = [u for u in _urls(html) if u.startswith("/assets/") and "/vendor/" not in u]
    assert own and all("?m=" in u for u in own), own
    for url in own:
        answer = client.get(url)
        assert answer.headers["Cache-Control"] == IMMUTABLE and answer.data, url


@pytest.mark.parametrize("change", ["content", "missing"])
def test_the_fingerprint_follows_the_files(tmp_path, change):
    for rel in vendor.REQUIRED:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(rel.encode())
    before = fingerprint(tmp_path)
    assert fingerprint(tmp_path) == before
    target = tmp_path / vendor.BOOTSTRAP_JS
    if change == "content":
        target.write_bytes(b"bootstrap 5.3.10")
    else:
        target.unlink()
    assert fingerprint(tmp_path) != before


def test_every_icon_the_pages_use_survives_the_subset():
    """The set-up cuts the icon font to the icons our code names (scripts/subset_icons.py): each of them keeps its
    stylesheet rule and its glyph, and the cut really happened (far fewer rules than the package's)."""
    from fontTools.ttLib import TTFont

    from scripts.subset_icons import PACKAGE, icon_names, used_icons

    known = icon_names()
    used = used_icons(known)
    assert {"check-circle", "bell", "translate", "person-check"} <= used      # names the layout and pages use
    css = (vendor.VENDOR_DIR / vendor.ICONS_CSS).read_text(encoding="utf-8")
    kept = set(re.findall(r"\.bi-([a-z0-9-]+)::before", css))
    assert used <= kept and len(kept) < len(known) / 4
    font = TTFont(str(vendor.VENDOR_DIR / "bootstrap-icons/fonts/bootstrap-icons.woff2"))
    assert {known[name] for name in used} <= set(font.getBestCmap())
    full = (PACKAGE / "bootstrap-icons.min.css").read_text(encoding="utf-8")
    assert len(re.findall(r"\.bi-[a-z0-9-]+::before", full)) == len(known) >= 2000
