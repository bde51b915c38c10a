"""The county's clock: what "today" is, in the county's own time zone.

Imports the standard library and models.orm.base only. Moments are stored in UTC; days that people
see and type (a delivery date, the end of a pledge's window, a dashboard's month) are the county's.
Between 00:00 and 03:30 Tehran time the UTC date is still yesterday, so "today" from the UTC clock
refused a delivery dated today. Every rule that needs today asks `county_today`.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from models.orm.base import utcnow

# The pilot county (Amol) is in Iran; a deployment for another county would set its own zone here.
COUNTY_TZ = ZoneInfo("Asia/Tehran")


def county_date(moment: datetime) -> date:
    """The county's calendar day of a moment (naive moments are taken as UTC, as stored)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(COUNTY_TZ).date()


def county_today() -> date:
    return county_date(utcnow())
