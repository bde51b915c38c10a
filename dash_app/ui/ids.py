"""Component ids of the shell (navbar, main area, footer), shared by dash_app.layout, pages and tests.

Imports nothing. Each area's own ids are in dash_app/pages/<area>/ids.py (the accounts' in
dash_app/ui/account_ids.py); Dash Pages' own ids are re-exported here for callbacks that follow the location.
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

# Navbar: the unread-notification count (dash_app.pages.citizen.my keeps it current)
NAV_NOTIFICATIONS = "nav-notifications"
NAV_UNREAD = "nav-unread"
NAV_ACCOUNT = "nav-account"

# Dash Pages internals (dash.page_container)
PAGES_LOCATION = "_pages_location"
PAGES_CONTENT = "_pages_content"

# The one place a failed callback says so (dash_app.ui.alerts.failure_region, filled by dash_app.on_callback_error)
CALLBACK_ERROR = "callback-error"

# The one-time-code forms (dash_app.ui.code_forms: /signup, /login/code, /forgot).
CODE_LOGIN_FORM = "code-login-form"
CODE_SEND = "code-send"
CODE_SENT = "code-sent"
CODE_FORM = "code-form"
CODE_CONFIRM = "code-confirm"
CODE_RESEND = "code-resend"
CODE_ERROR = "code-error"
