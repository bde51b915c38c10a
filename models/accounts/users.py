"""Accounts: password hashing, login normalisation, registration, authentication and the roles of a user.

Imports the standard library, sqlalchemy and models only; never dash, flask or anything web.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.audit.log import record
from models.core.errors import NotFound, ValidationError
from models.orm.base import utcnow
from models.orm.people import User

# --- passwords --------------------------------------------------------------------------------
# scrypt with N=2^15, r=8, p=1: 32 MiB of memory per hash (OWASP's recommended minimum).
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**15, 8, 1
_SCRYPT_MAXMEM = 64 * 1024 * 1024

PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128
# Added to the list below: sequences it lacks, and the app's and county's names.
_LOCAL_COMMON = frozenset(
    {
        "abcdefgh", "87654321", "12341234", "123123123", "hamyar123", "hamyar1405", "amol1405",
        "hamyar@123", "amol@1405",
    }
)
_COMMON_PASSWORDS: frozenset[str] | None = None


def common_passwords() -> frozenset[str]:
    """The 30,000 most used passwords of the zxcvbn package (MIT; its list comes from leaked password
    dumps, most common first), shipped inside the package: nothing is fetched at run time. Lower case."""
    global _COMMON_PASSWORDS
    if _COMMON_PASSWORDS is None:
        from zxcvbn.frequency_lists import FREQUENCY_LISTS

        _COMMON_PASSWORDS = frozenset(p.casefold() for p in FREQUENCY_LISTS["passwords"]) | _LOCAL_COMMON
    return _COMMON_PASSWORDS


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, salt: bytes | None = None) -> str:
    """A self-describing scrypt hash: ``scrypt$N$r$p$salt$hash`` (base64).

    `salt` is for reproducible demo data only; real accounts get a fresh random salt.
    """
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P,
        maxmem=_SCRYPT_MAXMEM, dklen=32,
    )
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password_hash: str, password: str) -> bool:
    """True when `password` matches `password_hash`; False for a wrong password or a malformed hash."""
    try:
        scheme, n, r, p, salt_b64, digest_b64 = password_hash.split("$")
        if scheme != "scrypt":
            return False
        salt = base64.b64decode(salt_b64)
        expected = base64.b64decode(digest_b64)
        digest = hashlib.scrypt(
            password.encode("utf-8"), salt=salt, n=int(n), r=int(r), p=int(p),
            maxmem=max(_SCRYPT_MAXMEM, 256 * int(n) * int(r)), dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest, expected)


# The password_hash of an account without a password (it signs in with a one-time code only). Nothing verifies
# against it, nor against any hash that is not scrypt (the demo's "!seeded", the budget account's).
NO_PASSWORD = ""


def has_password(user: User) -> bool:
    return (user.password_hash or "").startswith("scrypt$")


# A hash to verify against when the login is unknown, so both cases take the same time.
_DUMMY_HASH: str | None = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password(secrets.token_hex(8))
    return _DUMMY_HASH


def check_password_strength(password: str, *, login: str = "", name: str = "") -> None:
    """Raise ValidationError(field="password") when the password is too weak."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise ValidationError("password_too_short", field="password", minimum=PASSWORD_MIN_LENGTH)
    if len(password) > PASSWORD_MAX_LENGTH:
        raise ValidationError("password_too_long", field="password", maximum=PASSWORD_MAX_LENGTH)
    folded = to_latin_digits(password).casefold()
    if folded in common_passwords() or len(set(folded)) < 3:
        raise ValidationError("password_too_common", field="password")
    for other in (login, name):
        other = to_latin_digits(other).casefold().strip()
        if other and (folded == other or (len(other) >= 6 and other in folded)):
            raise ValidationError("password_like_login", field="password")


# --- logins ------------------------------------------------------------------------------------
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE_JUNK = re.compile(r"[\s\-().\u200c\u200f\u200e]")


def to_latin_digits(text: str) -> str:
    """Persian (۰–۹) and Arabic-Indic (٠–٩) digits as Latin ones; everything else unchanged."""
    return text.translate(_DIGITS)


def normalise_login(text: str) -> tuple[str, str]:
    """("phone", "+989121234567") or ("email", "name@example.org"); ValidationError("login_invalid") else.

    Iranian mobiles are accepted as 09xx…, 9xx…, 989xx…, +989xx… or 00989xx…, in any digits.
    Other international numbers need a leading + (or 00) and 8–15 digits.
    """
    raw = to_latin_digits((text or "").strip())
    if not raw:
        raise ValidationError("login_required", field="login")
    if "@" in raw:
        email = raw.lower()
        if len(email) > 254 or not _EMAIL.match(email):
            raise ValidationError("login_invalid", field="login")
        return "email", email
    phone = _PHONE_JUNK.sub("", raw)
    if phone.startswith("00"):
        phone = "+" + phone[2:]
    international = phone.startswith("+")
    digits = phone.lstrip("+")
    if not digits.isdigit():
        raise ValidationError("login_invalid", field="login")
    if not international:
        if len(digits) == 11 and digits.startswith("09"):
            return "phone", "+98" + digits[1:]
        if len(digits) == 10 and digits.startswith("9"):
            return "phone", "+98" + digits
        if len(digits) == 12 and digits.startswith("989"):
            return "phone", "+" + digits
        raise ValidationError("login_invalid", field="login")
    if digits.startswith("98"):
        national = digits[2:].removeprefix("0")
        if len(national) == 10 and national.startswith("9"):
            return "phone", "+98" + national
        raise ValidationError("login_invalid", field="login")
    if 8 <= len(digits) <= 15:
        return "phone", "+" + digits
    raise ValidationError("login_invalid", field="login")


def find_user_by_login(session: Session, login: str) -> User | None:
    try:
        kind, value = normalise_login(login)
    except ValidationError:
        return None
    column = User.phone if kind == "phone" else User.email
    return session.scalars(select(User).where(column == value)).one_or_none()


# --- operations --------------------------------------------------------------------------------
LANGUAGES = ("fa", "en")
NAME_MAX_LENGTH = 60  # a sane name: the admin's users table and the chair's queue stay readable


def create_user(
    session: Session,
    *,
    name: str,
    login: str,
    password: str | None,
    language: str = "fa",
    is_governorate: bool = False,
    actor_id: int | None = None,
) -> User:
    """Register a person; ValidationError(code, field=...) names the first input that is wrong.

    `password` None makes an account without one, which signs in by a one-time code only (issue 23); an
    empty or weak password is refused as ever."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError("name_required", field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError("name_too_long", field="name", maximum=NAME_MAX_LENGTH)
    kind, value = normalise_login(login)
    if find_user_by_login(session, value) is not None:
        raise ValidationError("login_taken", field="login")
    if password is not None:
        check_password_strength(password, login=value, name=name)
    if language not in LANGUAGES:
        raise ValidationError("language_invalid", field="language")
    user = User(
        name=name,
        phone=value if kind == "phone" else None,
        email=value if kind == "email" else None,
        password_hash=hash_password(password) if password is not None else NO_PASSWORD,
        language=language,
        is_governorate=is_governorate,
    )
    session.add(user)
    record(session, actor_id, "user.register", user)  # record() flushes, which gives user.id
    return user


def authenticate(session: Session, login: str, password: str) -> User | None:
    """The active user with this login and password, else None (in about the same time either way)."""
    user = find_user_by_login(session, login)
    if user is None or not user.is_active or not has_password(user):
        verify_password(_dummy_hash(), password or "")
        return None
    if not verify_password(user.password_hash, password or ""):
        return None
    return user


# An account made without a password (signed up or registered with a one-time code) sets its first one on
# /account without a current password, but only in a session opened with a code this recently: a browser left
# signed in (or a remembered cookie) is not proof of holding the phone, a fresh code is.
FIRST_PASSWORD_WITHIN = timedelta(minutes=10)


def change_password(session: Session, user_id: int, current: object, new: object, *,
                    signed_in_at: datetime | None = None, now: datetime | None = None) -> User:
    """The person sets a new password, proving the current one (audited). The caller ends the person's
    sessions (models.accounts.sessions.end_sessions): every old session and remember-me cookie stops.

    An account without a password sets its first one without a current one when `signed_in_at` (when this
    session was opened) is within FIRST_PASSWORD_WITHIN: ValidationError("first_password_stale") otherwise.
    ValidationError("password_wrong", field="current") for a wrong current password; the password rule's
    errors (field="password") for a weak new one, or "password_unchanged" when it is the current one.
    """
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise NotFound("user_not_found")
    current = current if isinstance(current, str) else ""
    new = new if isinstance(new, str) else ""
    if has_password(user):
        if not verify_password(user.password_hash, current):
            raise ValidationError("password_wrong", field="current")
    else:
        now = now or utcnow()
        if signed_in_at is None or not (timedelta(0) <= now - signed_in_at <= FIRST_PASSWORD_WITHIN):
            raise ValidationError("first_password_stale", field="password",
                                  minutes=int(FIRST_PASSWORD_WITHIN.total_seconds() // 60))
        current = ""
    check_password_strength(new, login=user.email or user.phone or "", name=user.name)
    if new == current:
        raise ValidationError("password_unchanged", field="password")
    first = not has_password(user)
    user.password_hash = hash_password(new)
    record(session, user_id, "user.password_set" if first else "user.password_changed", user)
    return user


def set_language(session: Session, user_id: int, language: str, *, actor_id: int | None = None) -> User:
    """Change a user's preferred language (audited)."""
    if language not in LANGUAGES:
        raise ValidationError("language_invalid", field="language")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("user_not_found")
    if user.language != language:
        before = {"language": user.language}
        user.language = language
        record(session, actor_id if actor_id is not None else user_id, "user.set_language", user,
               before=before, after={"language": language})
    return user
