"""One-time codes sent to a phone or an e-mail address: register, sign in, reset a password (issue 23 item 1, 3).

Imports the standard library, sqlalchemy and models only. A code is 6 digits, valid CODE_VALID_FOR, allows
MAX_TRIES wrong guesses, works once, and only its HMAC is stored (the key is derived from SECRET_KEY and never
in the database, as the ballot links' are). Asking for codes is limited per number and per client address,
counted in the database so every web worker sees the same counts (flask-limiter adds its per-address limit on
the form, dash_app.ratelimit). `issue_code` returns the code to the caller, which queues the message
(models.messaging) in the same transaction; nothing here sends anything.

Who may get a code is not told: asking a sign-in or reset code for a login that has no account answers
like any other (`IssuedCode.code` is None and nothing is sent), so the form does not reveal who has an account.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from models.accounts.sessions import PASSWORD_CHANGED, end_sessions
from models.accounts.throttle import key_hash
from models.accounts.users import (
    check_password_strength,
    create_user,
    find_user_by_login,
    hash_password,
    normalise_login,
)
from models.audit.log import record
from models.core.ballot_links import BallotLinks
from models.core.capacity import lock_rows
from models.core.errors import ValidationError
from models.core.system_accounts import is_system_account
from models.orm.base import utcnow
from models.orm.codes import PURPOSES, OneTimeCode
from models.orm.people import User

CODE_DIGITS = 6
CODE_VALID_FOR = timedelta(minutes=2)
MAX_TRIES = 5
# Asking again: not within RESEND_AFTER of the last code for the same purpose to the same number; at most PER_NUMBER codes to one
# number and PER_ADDRESS from one address within LIMIT_WINDOW. SMS costs money and a phone is a person's.
RESEND_AFTER = timedelta(seconds=60)
PER_NUMBER = 5
PER_ADDRESS = 20
LIMIT_WINDOW = timedelta(hours=1)

# The key management of the ballot links (a key derived from SECRET_KEY per database), for another purpose.
_KEYS = BallotLinks("one-time-code")
code_key_from_secret = _KEYS.key_from_secret
configure_code_key = _KEYS.configure


@dataclass(frozen=True)
class IssuedCode:
    channel: str          # "sms" | "email"
    recipient: str        # the normalised phone or e-mail
    code: str | None      # None: nobody to send it to (no account for a sign-in or reset); send nothing
    user_id: int | None
    language: str


def channel_of(kind: str) -> str:
    return "sms" if kind == "phone" else "email"


def code_hash(key: bytes, purpose: str, recipient: str, code: str) -> str:
    return hmac.new(key, f"{purpose}:{recipient}:{code}".encode(), hashlib.sha256).hexdigest()


def new_code() -> str:
    return f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"


def _check_limits(session: Session, purpose: str, recipient: str, address_hash: str, now: datetime) -> None:
    since = now - LIMIT_WINDOW
    last = session.scalar(select(func.max(OneTimeCode.created_at)).where(OneTimeCode.recipient == recipient,
                                                                         OneTimeCode.purpose == purpose))
    if last is not None and now - last < RESEND_AFTER:
        raise ValidationError("code_too_soon", field="login",
                              seconds=int((RESEND_AFTER - (now - last)).total_seconds()) + 1)
    to_number = session.scalar(select(func.count()).select_from(OneTimeCode).where(
        OneTimeCode.recipient == recipient, OneTimeCode.created_at > since)) or 0
    if to_number >= PER_NUMBER:
        raise ValidationError("code_limit_number", field="login")
    from_address = session.scalar(select(func.count()).select_from(OneTimeCode).where(
        OneTimeCode.address_hash == address_hash, OneTimeCode.created_at > since)) or 0
    if from_address >= PER_ADDRESS:
        raise ValidationError("code_limit_address", field="login")


# Codes for an account the caller names (it knows whose they are): confirming a new e-mail address on /account,
# and voting without an account (the register entry's linked account, models.pb.census).
FOR_ACCOUNT = ("verify", "vote")


def _account_for(session: Session, purpose: str, kind: str, recipient: str) -> User | None:
    """The account a code is for; ValidationError for a registration to a login that is taken."""
    user = find_user_by_login(session, recipient)
    if purpose == "register":
        if user is not None:
            raise ValidationError("login_taken", field="login")
        return None
    if user is None or not user.is_active or is_system_account(user):
        return None
    return user


def issue_code(session: Session, *, purpose: str, login: object, address: str | None, language: str = "fa",
               account: User | None = None, now: datetime | None = None) -> IssuedCode:
    """A fresh code for `purpose` to the phone or e-mail `login`; the person's earlier unused codes for it stop
    working. ValidationError: an unreadable login ("login_invalid"), a taken one for "register", or a limit
    ("code_too_soon" with `seconds`, "code_limit_number", "code_limit_address").

    "verify" and "vote" codes are for `account`, which the caller found: a new e-mail address of the signed-in
    person (refused with "login_taken" when another account has it), or the phone of a register entry's
    account."""
    if purpose not in PURPOSES:
        raise ValidationError("code_purpose_invalid")
    kind, recipient = normalise_login(login if isinstance(login, str) else "")
    now = now or utcnow()
    if purpose in FOR_ACCOUNT:
        if account is None or not account.is_active:
            raise ValidationError("code_purpose_invalid")
        holder = find_user_by_login(session, recipient)
        if holder is not None and holder.id != account.id:
            raise ValidationError("login_taken", field="login")
        user: User | None = account
    else:
        user = _account_for(session, purpose, kind, recipient)
    address_hash = key_hash("code-addr", address or "unknown")
    _check_limits(session, purpose, recipient, address_hash, now)
    session.execute(update(OneTimeCode).where(OneTimeCode.recipient == recipient, OneTimeCode.purpose == purpose,
                                              OneTimeCode.used_at.is_(None), OneTimeCode.expires_at > now)
                    .values(expires_at=now))
    code = new_code()
    # A row even when nobody gets the code: the limits then count every request, whatever the login.
    session.add(OneTimeCode(purpose=purpose, channel=channel_of(kind), recipient=recipient, address_hash=address_hash,
                            code_hash=code_hash(_KEYS.key(session), purpose, recipient, code), created_at=now,
                            expires_at=now + CODE_VALID_FOR))
    session.flush()
    send = purpose == "register" or user is not None
    return IssuedCode(channel_of(kind), recipient, code if send else None, user.id if user is not None else None,
                      user.language if user is not None else language)


def check_code(session: Session, *, purpose: str, login: object, code: object,
               now: datetime | None = None) -> str | None:
    """Spend the live code for `purpose` and `login` when `code` is it: the normalised recipient, else None.

    A wrong guess counts (the caller commits it) and the MAX_TRIES-th ends the code; an expired, used or
    unknown code, or a malformed one, is None without saying which. Two requests with the right code at once:
    the row is locked, so only one spends it."""
    try:
        _kind, recipient = normalise_login(login if isinstance(login, str) else "")
    except ValidationError:
        return None
    typed = "".join(ch for ch in str(code or "") if not ch.isspace())
    typed = typed.translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789"))
    now = now or utcnow()
    row_id = session.scalar(select(OneTimeCode.id).where(
        OneTimeCode.recipient == recipient, OneTimeCode.purpose == purpose, OneTimeCode.used_at.is_(None),
        OneTimeCode.expires_at > now, OneTimeCode.attempts < MAX_TRIES).order_by(OneTimeCode.id.desc()).limit(1))
    if row_id is None or not (len(typed) == CODE_DIGITS and typed.isdigit()):
        return None
    lock_rows(session, OneTimeCode, [row_id])
    row = session.get(OneTimeCode, row_id, populate_existing=True)
    if row is None or row.used_at is not None or row.attempts >= MAX_TRIES:
        return None
    if not hmac.compare_digest(row.code_hash, code_hash(_KEYS.key(session), purpose, recipient, typed)):
        row.attempts += 1
        session.flush()
        return None
    row.used_at = now
    session.flush()
    return recipient


def is_phone_verified(user: User | None) -> bool:
    """The account's phone got a code that was confirmed (the resident register and one person, one vote
    rely on it)."""
    return user is not None and user.phone is not None and user.phone_verified_at is not None


def is_email_verified(user: User | None) -> bool:
    """The account's e-mail address got a code that was confirmed (notifications go by e-mail only then)."""
    return user is not None and user.email is not None and user.email_verified_at is not None


def _mark_verified(session: Session, user: User, recipient: str, now: datetime) -> None:
    if user.phone == recipient and user.phone_verified_at is None:
        user.phone_verified_at = now
        record(session, user.id, "user.phone_verified", user, before={"phone_verified_at": None},
               after={"phone_verified_at": now})
    if user.email == recipient and user.email_verified_at is None:
        user.email_verified_at = now
        record(session, user.id, "user.email_verified", user, before={"email_verified_at": None},
               after={"email_verified_at": now})


def change_email_with_code(session: Session, user_id: int, *, email: object, code: object,
                           now: datetime | None = None) -> User | None:
    """The signed-in person's new (or first, or unconfirmed) e-mail address takes effect, confirmed, with the
    "verify" code sent to it; None for a wrong code (the try is counted). Conflict-free: an address another
    account took meanwhile is ValidationError("login_taken")."""
    now = now or utcnow()
    recipient = check_code(session, purpose="verify", login=email, code=code, now=now)
    user = session.get(User, user_id)
    if recipient is None or user is None or not user.is_active or is_system_account(user):
        return None
    holder = find_user_by_login(session, recipient)
    if holder is not None and holder.id != user.id:
        raise ValidationError("login_taken", field="login")
    if user.email != recipient:
        # The addresses stay out of the audit log, which cannot forget them (delete my account erases them).
        before = {"had_email": user.email is not None}
        user.email = recipient
        user.email_verified_at = now
        record(session, user.id, "user.email_changed", user, before=before, after={"email_verified_at": now})
    else:
        _mark_verified(session, user, recipient, now)
    return user


def sign_in_with_code(session: Session, *, login: object, code: object, now: datetime | None = None) -> User | None:
    """The active account whose login got this sign-in code, else None; its phone counts as verified."""
    now = now or utcnow()
    recipient = check_code(session, purpose="sign_in", login=login, code=code, now=now)
    user = find_user_by_login(session, recipient) if recipient else None
    if user is None or not user.is_active or is_system_account(user):
        return None
    _mark_verified(session, user, recipient or "", now)
    return user


def register_with_code(session: Session, *, name: str, login: object, code: object, password: str | None,
                       language: str = "fa", now: datetime | None = None) -> User | None:
    """A new account for the login that got this registration code (None when the code is wrong: the caller
    commits the counted try). The account's rules are create_user's; `password` None or "" makes one without."""
    now = now or utcnow()
    if not isinstance(name, str) or not " ".join(name.split()):
        raise ValidationError("name_required", field="name")
    if password:
        kind, value = normalise_login(login if isinstance(login, str) else "")
        check_password_strength(password, login=value, name=name)  # before the code is spent
    recipient = check_code(session, purpose="register", login=login, code=code, now=now)
    if recipient is None:
        return None
    user = create_user(session, name=name, login=recipient, password=password or None, language=language)
    _mark_verified(session, user, recipient, now)
    return user


def reset_with_code(session: Session, *, login: object, code: object, new_password: object,
                    now: datetime | None = None) -> User | None:
    """Forgot password, self-service: set a new password with a reset code sent to the account's phone or
    e-mail; every session of the account ends. None for a wrong code (the try is counted); the password rule's
    ValidationError before the code is spent."""
    now = now or utcnow()
    password = new_password if isinstance(new_password, str) else ""
    user = find_user_by_login(session, login) if isinstance(login, str) else None
    check_password_strength(password, login=(user.email or user.phone or "") if user else "",
                            name=user.name if user else "")
    recipient = check_code(session, purpose="reset", login=login, code=code, now=now)
    if recipient is None or user is None or not user.is_active or is_system_account(user):
        return None
    user.password_hash = hash_password(password)
    record(session, user.id, "user.password_reset", user, after={"by": "code"})
    _mark_verified(session, user, recipient, now)
    end_sessions(session, user.id, reason=PASSWORD_CHANGED, now=now)
    return user


__all__ = ["CODE_VALID_FOR", "MAX_TRIES", "IssuedCode", "change_email_with_code", "check_code", "code_key_from_secret",
           "configure_code_key", "is_email_verified", "is_phone_verified", "issue_code", "register_with_code", "reset_with_code", "sign_in_with_code"]
