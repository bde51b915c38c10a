"""Cut Bootstrap Icons down to the icons Hamyar's pages use (issue 19: the whole font is 134 KiB of woff2 and its
stylesheet 87 KiB, for ~2,000 icons; the pages use well under a hundred).

Run by scripts/setup_frontend.sh after it copies the npm files into assets/vendor/: it rewrites, in place,
assets/vendor/bootstrap-icons/bootstrap-icons.min.css (only the used icons' rules) and its fonts (woff2 and woff,
only the used glyphs). The full files stay in node_modules/.

Which icons are used: every name from the package's bootstrap-icons.json that appears in dash_app/ or assets/
(our own files, not the vendored ones) as a quoted string ("check-circle", the `icon()` helper's argument and the
label maps' values) or after `bi-` in a class. Generous by design: a word that happens to be an icon's name keeps
that icon, but an icon the pages show cannot be dropped unless its name is built at run time from pieces (do
not do that: write the whole name). tests/web/test_delivery.py checks that every used name survives.

    .venv/bin/python scripts/subset_icons.py [--check]
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "node_modules" / "bootstrap-icons" / "font"
TARGET = ROOT / "assets" / "vendor" / "bootstrap-icons"
SOURCES = (ROOT / "dash_app", ROOT / "assets")
SUFFIXES = {".py", ".js", ".css"}

_QUOTED = re.compile(r"""["']([a-z0-9][a-z0-9-]*)["']""")
_CLASS = re.compile(r"\bbi-([a-z0-9][a-z0-9-]*)")
_RULE = re.compile(r"\.bi-([a-z0-9-]+)::before$")


def icon_names(package: Path = PACKAGE) -> dict[str, int]:
    """Every icon of the installed package: name -> code point."""
    return {name: int(code) for name, code in json.loads((package / "bootstrap-icons.json").read_text()).items()}


def used_icons(known: dict[str, int], sources: tuple[Path, ...] = SOURCES) -> set[str]:
    """The icon names our own code mentions (see the module's docstring)."""
    found: set[str] = set()
    for folder in sources:
        for path in folder.rglob("*"):
            if path.suffix not in SUFFIXES or "vendor" in path.relative_to(folder).parts:
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            found.update(m for m in _QUOTED.findall(text) if m in known)
            found.update(m for m in _CLASS.findall(text) if m in known)
    return found


def subset_css(css: str, keep: set[str]) -> str:
    """The stylesheet with only the kept icons' `.bi-NAME::before` rules (the @font-face and base rules stay)."""
    out = []
    for chunk in css.split("}"):
        selector = chunk.split("{", 1)[0].strip()
        match = _RULE.search(selector)
        if match and "," not in selector and match.group(1) not in keep:
            continue
        out.append(chunk)
    return "}".join(out)


def subset_font(source: Path, target: Path, codepoints: set[int], flavor: str) -> None:
    import logging

    from fontTools import subset

    logging.getLogger("fontTools").setLevel(logging.ERROR)  # "extra bytes in post.stringData": the package's, harmless

    options = subset.Options()
    options.flavor = flavor
    options.layout_features = []
    options.notdef_outline = True
    font = subset.load_font(str(source), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(codepoints))
    subsetter.subset(font)
    subset.save_font(font, str(target), options)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="list the icons kept, change nothing")
    args = parser.parse_args(argv)
    known = icon_names()
    keep = used_icons(known)
    if args.check:
        print(" ".join(sorted(keep)))
        return 0
    css = (PACKAGE / "bootstrap-icons.min.css").read_text(encoding="utf-8")
    (TARGET / "bootstrap-icons.min.css").write_text(subset_css(css, keep), encoding="utf-8")
    codepoints = {known[name] for name in keep}
    for flavor in ("woff2", "woff"):
        subset_font(PACKAGE / "fonts" / f"bootstrap-icons.{flavor}", TARGET / "fonts" / f"bootstrap-icons.{flavor}",
                    codepoints, flavor)
    sizes = {p.name: p.stat().st_size for p in [TARGET / "bootstrap-icons.min.css", *sorted((TARGET / "fonts").iterdir())]}
    print(f"icons kept: {len(keep)} of {len(known)}; " + ", ".join(f"{k} {v / 1024:.1f} KiB" for k, v in sizes.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
