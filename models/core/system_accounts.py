"""The system accounts: users that are not people (the governorate's own PB budget).

Imports sqlalchemy and models.orm only. Publishing a PB cycle funds its winners from a pledge of the
"governorate budget" account (models.pb.cycles); that money is public, not citizens' help, so the
roll-ups (home page, dashboard) count it apart, and the account is neither a participating citizen,
nor listed among users, nor can it be deactivated or made staff.
"""
from __future__ import annotations

from sqlalchemy import select

from models.orm.people import User

BUDGET_USER_EMAIL = "governorate-budget@hamyar.invalid"
#: The name the account was created with (both languages; pages show their own words instead).
BUDGET_USER_NAME = "Governorate budget / بودجه فرمانداری"


def system_user_ids():
    """A subquery of the system accounts' ids (for `.in_()` / `.not_in()`)."""
    return select(User.id).where(User.email == BUDGET_USER_EMAIL).scalar_subquery()


def is_system_account(user: User | None) -> bool:
    return user is not None and (user.email or "") == BUDGET_USER_EMAIL


def is_budget_name(name: object) -> bool:
    """The stored name of the budget account (as read into a plain row, without its e-mail)."""
    return isinstance(name, str) and name.strip() in (BUDGET_USER_NAME, "بودجه فرمانداری", "Governorate budget")


__all__ = ["BUDGET_USER_EMAIL", "BUDGET_USER_NAME", "is_budget_name", "is_system_account", "system_user_ids"]
