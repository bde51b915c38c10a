"""Sentences for the error codes of accounts beyond registering and logging in: password-reset links,
changing one's password."""
from flask_babel import lazy_gettext as _l

MESSAGES = {
    "reset_link_invalid": _l("This password-reset link does not work. Ask the governorate for a new one."),
    "password_wrong": _l("Your current password is not right."),
    "password_unchanged": _l("The new password is the one you have now: choose another."),
}
