"""Component ids shared by pages, callbacks and tests, so they never disagree on a string.

Imports nothing. Name ids `<PAGE>_<THING>`; Dash Pages' own ids are re-exported for tests.
"""
from __future__ import annotations

# Shell
NAVBAR = "navbar"
NAVBAR_COLLAPSE = "navbar-collapse"
MAIN = "main-content"
FOOTER = "footer"
LANGUAGE_FORM = "language-form"
LOGOUT_FORM = "logout-form"
ASSETS_MISSING = "assets-missing"
REDIRECT = "redirect"

# Account pages (their form field *names* are in dash_app.views)
LOGIN_FORM = "login-form"
LOGIN_ERROR = "login-error"
LOGIN_NOTICE = "login-notice"
REGISTER_FORM = "register-form"
REGISTER_ERROR = "register-error"
LOGOUT_PAGE_FORM = "logout-page-form"
RESET_FORM = "reset-form"
RESET_ERROR = "reset-error"

# Home
HOME_TABLES = "home-tables"
HOME_TOTALS = "home-totals"

# Governorate placeholder
GOV_REFRESH = "gov-refresh"
GOV_COUNTS = "gov-counts"

# Dash Pages internals (dash.page_container)
PAGES_LOCATION = "_pages_location"
PAGES_CONTENT = "_pages_content"
