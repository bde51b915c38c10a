"""/api: the API's documentation as a plain page, rendered from the OpenAPI document in the reader's language
(Persian or English; `?lang=` chooses), with the app's own offline stylesheets (no CDN, no script).

Imports flask and flask-babel only.
"""
from __future__ import annotations

from html import escape

from flask import Response, request
from flask_babel import force_locale

from dash_app import assets as vendor
from dash_app.api.resources import BULK_DATASETS, BULK_FORMATS
from dash_app.api.spec import PREFIX, build_spec
from dash_app.i18n import LANGUAGES, _, current_language, direction
from models.opendata.privacy import MIN_CONTRIBUTORS


def _schema_text(schema: dict) -> str:
    if "enum" in schema:
        return " | ".join(str(v) for v in schema["enum"])
    low, high = schema.get("minimum"), schema.get("maximum")
    kind = str(schema.get("type", ""))
    return f"{kind} {low}…{high}" if low is not None and high is not None else kind


def _parameters(op: dict) -> str:
    rows = [p for p in op.get("parameters", []) if p["in"] != "header"]
    if not rows:
        return ""
    items = "".join(
        f'<li><code dir="ltr">{escape(p["name"])}</code> <small class="text-muted" dir="ltr">'
        f'({escape(_schema_text(p["schema"]))})</small> {escape(p.get("description", ""))}</li>' for p in rows)
    return f'<ul class="small mb-0">{items}</ul>'


def _operations(spec: dict) -> str:
    rows = []
    for path, item in spec["paths"].items():
        op = item["get"]
        example = path if "{" not in path else ""
        address = (f'<a href="{escape(example)}" dir="ltr"><code>GET {escape(path)}</code></a>' if example
                   else f'<code dir="ltr">GET {escape(path)}</code>')
        rows.append(f'<tr><td>{address}</td><td>{escape(op.get("summary", ""))}{_parameters(op)}</td></tr>')
    return (f'<table class="table table-sm align-top" id="api-operations"><thead><tr><th>{escape(_("Address"))}'
            f'</th><th>{escape(_("What it gives"))}</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')


def _bulk() -> str:
    links = "".join(
        f'<li><span dir="ltr">{escape(d)}</span>: '
        + " · ".join(f'<a href="{PREFIX}/bulk/{d}.{fmt}" dir="ltr">{fmt.upper()}</a>' for fmt in BULK_FORMATS)
        + "</li>" for d in BULK_DATASETS)
    return f'<ul id="api-bulk">{links}</ul>'


def body_html(lang: str) -> str:
    spec = build_spec(lang)
    other = "en" if lang == "fa" else "fa"
    names = {"fa": "فارسی", "en": "English"}
    return f"""<main class="container py-4" style="max-width: 60rem">
<p class="text-end"><a href="/api?lang={other}" lang="{other}">{names[other]}</a> · <a href="/">{escape(_("Hamyar"))}</a></p>
<h1 class="h2">{escape(_("Hamyar's open data"))}</h1>
<p class="lead">{escape(spec["info"]["description"])}</p>
<h2 class="h4 mt-4">{escape(_("Personal data"))}</h2>
<p id="api-privacy">{escape(_(
        "Nothing here names a person, except a table's chair who chose to be named. What citizens gave to a "
        "need is shown only when at least {n} people gave to it; otherwise its figures are empty and marked "
        "suppressed.").format(n=MIN_CONTRIBUTORS))} {escape(_(
        "A citizen proposal is published as its page shows it, without its author, its supporters (only how "
        "many) or its point on the map; a hidden one not at all. Referrals only as each table's and "
        "organization's figures, never a request's text or who sent it."))}</p>
<h2 class="h4 mt-4">{escape(_("Addresses"))}</h2>
<p>{escape(_("Every address answers GET with JSON. Lists come in pages: follow links.next until it is empty."))}
 <a href="{PREFIX}/openapi.json" dir="ltr">openapi.json</a></p>
{_operations(spec)}
<h2 class="h4 mt-4">{escape(_("Bulk downloads"))}</h2>
<p>{escape(_("Each whole dataset as one file. The CSV files are UTF-8 with a byte-order mark, so that Excel "
             "shows Persian correctly."))}</p>
{_bulk()}
</main>"""


def page():
    wanted = request.args.get("lang")
    lang = wanted if wanted in LANGUAGES else current_language()
    with force_locale(lang):
        body = body_html(lang)
        title = f"{_('Open data')} · {_('Hamyar')}"
    html = f"""<!DOCTYPE html>
<html lang="{lang}" dir="{direction(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
{vendor.head_tags("/assets/", direction(lang))}
</head>
<body>
{body}
</body>
</html>"""
    response = Response(html, mimetype="text/html")
    response.headers["Cache-Control"] = "no-cache"
    response.vary.add("Cookie")
    return response


__all__ = ["body_html", "page"]
