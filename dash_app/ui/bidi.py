"""Text people wrote, shown inside the interface's own sentences in either language (issue 20, "Bidi").

Imports dash and dash_app.i18n. A Persian project name inside an English sentence pulled the numbers after
it into its right-to-left run: «پایگاه سلامت: 0% → 100%» read as «%name: 0% → 100». Names and descriptions
people typed are isolated (<bdi dir="auto">) and marked with their language when it is not the page's, so
the browser and screen readers treat them as a unit of their own script:

    sentence(_("%(project)s: %(before)s → %(after)s"), project=isolate(title), before=..., after=...)
    user_text(project.problem, html.P, className="mb-3")
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any

from dash import html

from dash_app.i18n import current_language

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def script_language(text: object) -> str | None:
    """'fa' when the text's first strong letter is right-to-left (Persian), 'en' when left-to-right, None when
    it has none (digits, punctuation): the rule dir="auto" follows."""
    for ch in str(text or ""):
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return "fa"
        if kind == "L":
            return "en"
    return None


def _marks(text: object) -> dict[str, str]:
    lang = script_language(text)
    return {"lang": lang} if lang and lang != current_language() else {}


def isolate(text: object) -> html.Bdi:
    """A name or phrase someone typed, inside a sentence: its own direction, its language when not the page's."""
    return html.Bdi(str(text or ""), dir="auto", **_marks(text))


def user_text(text: object, tag: Any = html.Span, **kwargs: Any) -> Any:
    """A paragraph (or span, …) of someone's text: direction from its first strong letter, its language marked."""
    return tag(str(text or ""), dir="auto", **_marks(text), **kwargs)


def sentence(template: str, **values: Any) -> list[Any]:
    """A translated sentence with components in its %(name)s places (`template` already through `_()`, with
    no variables given, so the placeholders are still in it): a list of strings and the given values."""
    out: list[Any] = []
    pos = 0
    for match in _PLACEHOLDER.finditer(template):
        if match.start() > pos:
            out.append(template[pos:match.start()].replace("%%", "%"))
        out.append(values[match.group(1)])
        pos = match.end()
    if pos < len(template):
        out.append(template[pos:].replace("%%", "%"))
    return out


__all__ = ["isolate", "script_language", "sentence", "user_text"]
