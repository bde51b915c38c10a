"""Sentences for the error codes of accounts beyond registering and logging in: password-reset links,
changing one's password."""
from flask_babel import lazy_gettext as _l

MESSAGES = {
    "reset_link_invalid": _l("This password-reset link does not work. Ask the governorate for a new one."),
    "password_wrong": _l("Your current password is not right."),
    "password_unchanged": _l("The new password is the one you have now: choose another."),
    "last_governorate_staff": _l("You are the governorate's only active officer: make another person staff first, "
                                 "then you can delete your account."),
    "account_deleted": _l("Its owner deleted this account; it cannot be used again."),
    "first_password_stale": _l("To set your first password, sign in again with a code (or use “Forgot your "
                               "password?”): it is set only within %(minutes)s minutes of signing in."),
    "email_invalid": _l("Enter an e-mail address such as name@example.com."),
    "email_unchanged": _l("This address is already yours and confirmed."),
    "delete_confirm_wrong": _l("Type the word shown to confirm that you want your account deleted."),
}
