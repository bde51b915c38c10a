"""The file picker pages put in a form, and the thumbnails of what was attached.

Imports dash, dbc and dash_app.i18n. `upload_field` is a plain file input (on a phone `accept` offers
the camera) that assets/hamyar-upload.js sends, file by file, to POST /uploads (dash_app.uploads); the
tokens it gets back go, space-separated, into the hidden `dcc.Input` with id `tokens_id`, which is what
the page's callback reads (`tokens_of`). The sentence for a refused file appears under the picker at
once, before the form is sent; a photo over 1.5 MB is scaled down in the browser first, to spare
the person's mobile data (the server re-encodes it anyway).
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dash_app.i18n import _, format_number

MAX_TOKENS = 8


def upload_field(field_id: str, tokens_id: str, purpose: str, label: str, *, multiple: bool = True,
                 accept: str = "image/*,application/pdf", hint: str | None = None) -> html.Div:
    status_id = f"{field_id}-status"
    return html.Div([
        dbc.Label(label, html_for=field_id, className="form-label"),
        # Dash has no <input type=file> component: assets/hamyar-upload.js makes it inside this holder,
        # with the holder's data-upload-* attributes and the id `field_id` (what the label points at).
        html.Div(id=f"{field_id}-picker", className="upload-picker",
                   **{"data-upload-input-id": field_id, "data-upload-accept": accept,
                      "data-upload-multiple": "1" if multiple else "0", "data-upload-purpose": purpose, "data-upload-target": tokens_id,
                      "data-upload-status": status_id, "data-upload-max": str(MAX_TOKENS),
                      "data-upload-sending": _("Sending %(name)s …", name="{name}"),
                      "data-upload-done": _("Attached: %(name)s", name="{name}"),
                      "data-upload-failed": _("Not attached: %(name)s — %(reason)s", name="{name}",
                                              reason="{reason}"),
                      "data-upload-offline": _("The connection was lost; choose the file again."),
                      "data-upload-remove": _("Remove"),
                      "data-upload-choose": _("Choose a photo or document"),
                      "aria-describedby": f"{status_id} {field_id}-hint"}),
        html.Div(hint or _("Photos or PDF documents, up to %(n)s files of at most 10 MB each.",
                           n=format_number(MAX_TOKENS)),
                 id=f"{field_id}-hint", className="form-text"),
        html.Ul(id=status_id, className="list-unstyled small mt-1 mb-0 upload-status",
                **{"aria-live": "polite"}),
        # A text input kept out of sight, not type=hidden: React reports no input events of hidden inputs,
        # so the tokens hamyar-upload.js writes would never reach the page's callback.
        dcc.Input(id=tokens_id, type="text", value="", style={"display": "none"}),
    ], className="mb-3")


def tokens_of(value: str | None) -> list[str]:
    """The upload tokens a picker collected (at most MAX_TOKENS, no repeats)."""
    if not isinstance(value, str):
        return []
    return list(dict.fromkeys(t for t in value.split() if 0 < len(t) <= 64))[:MAX_TOKENS]


def thumbnails(items: list[tuple[str, str, str]]) -> html.Div:
    """(token, kind, name) of attached files: photos as linked thumbnails, documents as links."""
    cells = []
    for token, kind, name in items:
        url = f"/uploads/{token}"
        if kind == "image":
            cells.append(html.A(html.Img(src=url, alt=name, className="upload-thumb"),
                                href=url, target="_blank", rel="noopener"))
        else:
            cells.append(html.A([html.I(className="bi bi-file-earmark-pdf me-1", **{"aria-hidden": "true"}), name],
                                href=url, className="d-inline-block me-2"))
    return html.Div(cells, className="upload-thumbs d-flex flex-wrap gap-2")
