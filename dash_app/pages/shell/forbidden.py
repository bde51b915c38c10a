"""The 403 page, shown when a signed-in user opens a page their roles do not allow.

Imports dash_app only.
"""
from __future__ import annotations

from dash_app.auth import ANYONE
from dash_app.i18n import _l
from dash_app.layout import forbidden_content, page


@page(__name__, path="/403", title=_l("Access denied"), roles={ANYONE})
def layout(**_kw):
    return forbidden_content()
