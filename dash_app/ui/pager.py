"""Numbered page links for long lists.

Imports dash, dash_app.i18n and dash_app.layout (icons).
"""
from __future__ import annotations

from dash import dcc, html

from dash_app.i18n import _, current_language, format_number
from dash_app.layout import icon


def pager(current: int, pages: int, href_for, *, id: str, label: str) -> html.Nav | html.Div:
    """Numbered page links (first, neighbours, last) with previous and next; nothing when one page."""
    if pages <= 1:
        return html.Div(id=id)
    lang = current_language()
    shown = {1, pages, current, current - 1, current + 1} & set(range(1, pages + 1))
    # "…" stands for two pages or more: a gap of one is that page's own link («۱ ۲ ۳ ۴», never «۱ ۲ … ۴»)
    shown |= {n + 1 for n in shown if n + 2 in shown and n + 1 not in shown}
    shown = sorted(shown)
    items = []

    def link(n: int, text, *, disabled: bool = False, active: bool = False, aria: str | None = None):
        cls = "page-item" + (" disabled" if disabled else "") + (" active" if active else "")
        if aria:
            text = [text, html.Span(aria, className="visually-hidden")]
        if active:
            inner = html.Span(text, className="page-link", **{"aria-current": "page"})
        elif disabled:
            inner = html.Span(text, className="page-link")
        else:
            inner = dcc.Link(text, href=href_for(n), className="page-link", title=aria)
        return html.Li(inner, className=cls)

    prev_icon = "chevron-right" if lang == "fa" else "chevron-left"
    next_icon = "chevron-left" if lang == "fa" else "chevron-right"
    items.append(link(current - 1, icon(prev_icon), disabled=current <= 1, aria=_("Previous page")))
    last = 0
    for n in shown:
        if n - last > 1:
            items.append(html.Li(html.Span("…", className="page-link"), className="page-item disabled"))
        items.append(link(n, format_number(n, lang), active=n == current))
        last = n
    items.append(link(current + 1, icon(next_icon), disabled=current >= pages, aria=_("Next page")))
    return html.Nav(html.Ul(items, className="pagination flex-wrap justify-content-center mb-0"),
                    id=id, **{"aria-label": label})


def past_the_end(asked: int | None, pages: int, *, id: str):
    """A notice when the address asks for a page beyond the last (?page=99): what is shown instead."""
    from dash_app.ui.alerts import alert

    if asked is None or pages < 1 or asked <= pages:
        return None
    lang = current_language()
    return html.Div(alert(_("There is no page %(asked)s; this is the last page, %(last)s.",
                            asked=format_number(asked, lang), last=format_number(pages, lang)), "warning"), id=id)


__all__ = ["past_the_end", "pager"]
