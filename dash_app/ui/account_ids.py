"""Component ids of the account pages (log in, log out, register, reset, /account), shared by pages and tests.

Here in ui, not in pages/accounts, because several account pages import them and a page imports no other
module of the pages package.

Imports nothing. The forms' field *names* are in dash_app.views.
"""
from __future__ import annotations

LOGIN_FORM = "login-form"
LOGIN_ERROR = "login-error"
LOGIN_NOTICE = "login-notice"
REGISTER_FORM = "register-form"
REGISTER_ERROR = "register-error"
LOGOUT_PAGE_FORM = "logout-page-form"
RESET_FORM = "reset-form"
RESET_ERROR = "reset-error"
RESET_LOCATION = "reset-location"
RESET_ERROR_CODE = "reset-error-code"
RESET_BODY = "reset-body"
ACCOUNT_SESSIONS = "account-sessions"
ACCOUNT_LOGOUT_EVERYWHERE = "account-logout-everywhere"
ACCOUNT_PASSWORD_FORM = "account-password-form"
ACCOUNT_PASSWORD_ERROR = "account-password-error"
ACCOUNT_PASSWORD_NOTICE = "account-password-notice"
ACCOUNT_SHOW_NAME = "account-show-name"            # the "show my name publicly" switch (issue 20 item 13)
ACCOUNT_SHOW_NAME_STATUS = "account-show-name-status"
# The one-time-code forms' ids (issue 23) live with their builder's shared ids (dash_app.ui.ids).
UNSUBSCRIBE_FORM = "unsubscribe-form"
UNSUBSCRIBE_DONE = "unsubscribe-done"
UNSUBSCRIBE_ERROR = "unsubscribe-error"
ACCOUNT_PREFS = "account-prefs"
ACCOUNT_PREF_CHANNEL = "account-pref-channel"      # pattern id {"type": ..., "group": ...}
ACCOUNT_PREF_FREQUENCY = "account-pref-frequency"  # pattern id {"type": ..., "group": ...}
ACCOUNT_PREFS_STATUS = "account-prefs-status"
# Self-service on /account (issue 23 item 3): download my data, delete my account, e-mail confirmation
ACCOUNT_DOWNLOAD = "account-download"
ACCOUNT_DOWNLOAD_JSON = "account-download-json"
ACCOUNT_DOWNLOAD_ZIP = "account-download-zip"
ACCOUNT_DOWNLOAD_STATUS = "account-download-status"
ACCOUNT_DELETE_OPEN = "account-delete-open"
ACCOUNT_DELETE_MODAL = "account-delete-modal"
ACCOUNT_DELETE_CANCEL = "account-delete-cancel"
ACCOUNT_DELETE_FORM = "account-delete-form"
ACCOUNT_DELETE_ERROR = "account-delete-error"
ACCOUNT_EMAIL_FORM = "account-email-form"
ACCOUNT_EMAIL_CODE_FORM = "account-email-code-form"
ACCOUNT_EMAIL_ERROR = "account-email-error"
ACCOUNT_EMAIL_NOTICE = "account-email-notice"
