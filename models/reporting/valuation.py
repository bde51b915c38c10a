"""Valuation rates: what the governorate counts one unit of in-kind help as worth, in rials.

Imports sqlalchemy and models only. With them money and in-kind help add up to one figure on the dashboard.
An empty `item` is the kind's default rate; a logistics item ("وانت") may have its own.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.audit.log import record
from models.core.enums import HelpKind
from models.core.errors import Conflict, NotFound, ValidationError
from models.core.permissions import require_governorate
from models.orm.base import utcnow
from models.orm.valuation import ValuationRate

# --- the governorate's operations on rates ------------------------------------------------------

ITEM_MAX = 200


def list_rates(session: Session) -> list[ValuationRate]:
    """Every rate: each kind's default first, then its items by name."""
    return list(session.scalars(select(ValuationRate).order_by(ValuationRate.kind, ValuationRate.item)))


def _positive_int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValidationError("rate_not_positive", field="rials_per_unit")
    if value > 10**15:
        raise ValidationError("rate_too_large", field="rials_per_unit")
    return value


def set_rate(session: Session, actor_id: int, kind: object, item: str, rials_per_unit: object) -> ValuationRate:
    """Create or change the rate of a kind (item "") or of one item of it; a positive whole number of rials."""

    require_governorate(session, actor_id)
    try:
        hk = HelpKind(kind if isinstance(kind, str) else "")
    except ValueError:
        raise ValidationError("kind_unknown", field="kind") from None
    if hk is HelpKind.FINANCIAL:
        raise ValidationError("rate_not_for_money", field="kind")
    item = " ".join(item.split()) if isinstance(item, str) else ""
    if len(item) > ITEM_MAX:
        raise ValidationError("text_too_long", field="item", maximum=ITEM_MAX)
    rate_value = _positive_int(rials_per_unit)
    rate = session.scalar(select(ValuationRate).where(ValuationRate.kind == hk, ValuationRate.item == item))
    if rate is None:
        rate = ValuationRate(kind=hk, item=item, rials_per_unit=rate_value, set_by_id=actor_id, set_at=utcnow())
        session.add(rate)
        record(session, actor_id, "valuation.set", rate, before=None)
    elif rate.rials_per_unit != rate_value:
        before = {"kind": hk.value, "item": item, "rials_per_unit": rate.rials_per_unit}
        rate.rials_per_unit = rate_value
        rate.set_by_id = actor_id
        rate.set_at = utcnow()
        record(session, actor_id, "valuation.set", rate, before=before)
    return rate


def remove_rate(session: Session, actor_id: int, rate_id: object) -> None:
    """Remove an item's own rate (the kind's default applies again); a kind's default rate stays."""

    require_governorate(session, actor_id)
    rate = session.get(ValuationRate, rate_id) if isinstance(rate_id, int) and not isinstance(rate_id, bool) else None
    if rate is None:
        raise NotFound("rate_not_found")
    if rate.item == "":
        raise Conflict("default_rate_required")
    before = {"kind": rate.kind.value, "item": rate.item, "rials_per_unit": rate.rials_per_unit}
    session.delete(rate)
    record(session, actor_id, "valuation.removed", rate, before=before, after={"removed": True})
