"""The catalogue of logistics items (issue 16 item 1): what the forms offer, what the governorate adds.

Imports sqlalchemy and models only. An item is a vehicle by type, a space or a piece of equipment
(models.orm.items); logistics needs name one and may accept substitutes, logistics pledges name one, and
matching pairs them only on the same item or an accepted substitute (docs/matching.md#logistics-items).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.audit.log import record, snapshot
from models.core.errors import Conflict, NotFound, ValidationError
from models.core.permissions import require_governorate
from models.orm.items import ITEM_CATEGORIES, LogisticsItem

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


@dataclass(frozen=True)
class ItemChoice:
    id: int
    slug: str
    name_fa: str
    name_en: str
    category: str

    def name(self, lang: str) -> str:
        return self.name_fa if lang == "fa" else self.name_en


def item_choices(session: Session, *, include_retired: bool = False) -> list[ItemChoice]:
    """The catalogue in the forms' order: by category (vehicles, spaces, equipment, other), then id."""
    q = select(LogisticsItem)
    if not include_retired:
        q = q.where(LogisticsItem.active.is_(True))
    rows = sorted(session.scalars(q), key=lambda i: (ITEM_CATEGORIES.index(i.category), i.id))
    return [ItemChoice(i.id, i.slug, i.name_fa, i.name_en, i.category) for i in rows]


def active_item(session: Session, item_id: object, field: str = "item") -> LogisticsItem:
    """The catalogue item with this id, still offered; ValidationError("item_unknown") otherwise."""
    if isinstance(item_id, bool) or not isinstance(item_id, int):
        raise ValidationError("item_unknown", field=field)
    item = session.get(LogisticsItem, item_id)
    if item is None or not item.active:
        raise ValidationError("item_unknown", field=field)
    return item


def add_item(session: Session, actor_id: int, slug: str, name_fa: str, name_en: str, category: str) -> LogisticsItem:
    """The governorate extends the catalogue; audited."""
    require_governorate(session, actor_id)
    slug = slug.strip().lower() if isinstance(slug, str) else ""
    if not SLUG.match(slug):
        raise ValidationError("item_slug_invalid", field="slug")
    if category not in ITEM_CATEGORIES:
        raise ValidationError("item_category_unknown", field="category")
    names = [n.strip() if isinstance(n, str) else "" for n in (name_fa, name_en)]
    if not all(names) or any(len(n) > 120 for n in names):
        raise ValidationError("item_name_required", field="name")
    if session.scalar(select(LogisticsItem.id).where(LogisticsItem.slug == slug)) is not None:
        raise Conflict("item_exists")
    item = LogisticsItem(slug=slug, name_fa=names[0], name_en=names[1], category=category, active=True)
    session.add(item)
    session.flush()
    record(session, actor_id, "logistics_item.created", item)
    return item


def _names(name_fa: object, name_en: object) -> list[str]:
    names = [n.strip() if isinstance(n, str) else "" for n in (name_fa, name_en)]
    if not all(names) or any(len(n) > 120 for n in names):
        raise ValidationError("item_name_required", field="name")
    return names


def _item(session: Session, item_id: object) -> LogisticsItem:
    item = session.get(LogisticsItem, item_id) if isinstance(item_id, int) and not isinstance(item_id, bool) else None
    if item is None:
        raise NotFound("item_not_found")
    return item


def rename_item(session: Session, actor_id: int, item_id: object, name_fa: str, name_en: str) -> LogisticsItem:
    """New Persian and English names (a translation fixed, a clearer word); the slug, which instances and
    needs carry, stays. Audited with both names before and after; nothing is recorded when nothing changes."""
    require_governorate(session, actor_id)
    item = _item(session, item_id)
    names = _names(name_fa, name_en)
    if [item.name_fa, item.name_en] == names:
        return item
    before = snapshot(item, ["name_fa", "name_en"])
    item.name_fa, item.name_en = names
    record(session, actor_id, "logistics_item.renamed", item, before=before,
           after={"name_fa": names[0], "name_en": names[1]})
    return item


def reactivate_item(session: Session, actor_id: int, item_id: object) -> LogisticsItem:
    """A retired item offered on the forms again; audited."""
    require_governorate(session, actor_id)
    item = _item(session, item_id)
    if item.active:
        return item
    item.active = True
    record(session, actor_id, "logistics_item.reactivated", item, before={"active": False}, after={"active": True})
    return item


def retire_item(session: Session, actor_id: int, item_id: object) -> LogisticsItem:
    """No longer offered on the forms; needs and pledges that name it keep it (and still match on it)."""
    require_governorate(session, actor_id)
    item = session.get(LogisticsItem, item_id) if isinstance(item_id, int) and not isinstance(item_id, bool) else None
    if item is None:
        raise NotFound("item_not_found")
    before = snapshot(item, ["active"])
    item.active = False
    record(session, actor_id, "logistics_item.retired", item, before=before, after={"active": False})
    return item
