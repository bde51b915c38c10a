"""The public figures of referrals (issue 21 item 4), per table and per organization over the referrals sent to
it: shown on /referrals (models.voice.referrals re-exports them) and published by the open data
(models.opendata), so that both read one definition.

Imports sqlalchemy and models.orm only. **received**; **answered on time**: the first answer given by the end
of the first deadline, out of the referrals *due* (answered, or past the first deadline); **median days to
answer**: calendar days from sending to the first answer; **adopted**: among the referrals with an answer,
those whose latest answer's decision is "accepted" or "will act" (`ADOPTED`).
"""
from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.core.clock import county_date
from models.orm.referrals import Referral, ReferralAnswer

ADOPTED = frozenset({"accepted", "will_act"})


@dataclass(frozen=True)
class Figures:
    received: int
    due: int               # answered, or past the first deadline
    on_time: int           # first answer by the end of the first deadline
    median_days: float | None
    answered: int
    adopted: int

    @property
    def adopted_share(self) -> float | None:
        return self.adopted / self.answered if self.answered else None

    @property
    def on_time_share(self) -> float | None:
        return self.on_time / self.due if self.due else None


@dataclass(frozen=True)
class FigureRow:
    """One referral, as the figures need it."""

    received: date
    first_due: date
    first_answered: date | None
    first_on_time: bool
    last_decision: str | None


def summarise(rows: Iterable[FigureRow], today: date) -> Figures:
    rows = list(rows)
    answered = [r for r in rows if r.first_answered is not None]
    due = [r for r in rows if r.first_answered is not None or r.first_due < today]
    days = [(r.first_answered - r.received).days for r in answered if r.first_answered is not None]
    return Figures(received=len(rows), due=len(due), on_time=sum(r.first_on_time for r in answered),
                   median_days=statistics.median(days) if days else None, answered=len(answered),
                   adopted=sum(r.last_decision in ADOPTED for r in answered))


def figures(session: Session, today: date) -> dict[tuple[str, int], Figures]:
    """{("table", id) or ("organization", id): its figures} over every referral sent to it."""
    answers: dict[int, list[ReferralAnswer]] = {}
    for a in session.scalars(select(ReferralAnswer).order_by(ReferralAnswer.referral_id, ReferralAnswer.round)):
        answers.setdefault(a.referral_id, []).append(a)
    grouped: dict[tuple[str, int], list[FigureRow]] = {}
    for ref in session.scalars(select(Referral)):
        got = answers.get(ref.id, [])
        key = ("organization", ref.organization_id) if ref.organization_id is not None else ("table", ref.table_id)
        grouped.setdefault(key, []).append(FigureRow(  # type: ignore[arg-type]  # one of the two is set
            county_date(ref.received_at), ref.first_due_on, county_date(got[0].answered_at) if got else None,
            bool(got and got[0].on_time), got[-1].decision if got else None))
    return {key: summarise(rows, today) for key, rows in grouped.items()}

__all__ = ["ADOPTED", "FigureRow", "Figures", "figures", "summarise"]
