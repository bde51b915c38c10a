"""A project's indicators: each one's baseline and target, and its measured values over time (the curve).

Imports sqlalchemy and models' foundation only. Values come from the chair's progress updates
(models.results.progress); the curve starts at the baseline.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.audit.log import record
from models.core.errors import ValidationError
from models.orm.results import Indicator, ProgressUpdate
from models.results.common import a_date, number, reporting_project, text

MAX_INDICATORS = 12


@dataclass
class IndicatorInput:
    name: object
    target: object
    unit: object = ""
    baseline: object = None
    source: object = ""
    baseline_on: object = None
    target_on: object = None


@dataclass
class Curve:
    """One indicator as the project page draws it: (date, value) points from the baseline on, and the target."""

    indicator_id: int
    name: str
    unit: str
    baseline: float | None
    target: float
    source: str
    baseline_on: date | None
    target_on: date | None
    points: list[tuple[date, float]] = field(default_factory=list)

    @property
    def latest(self) -> float | None:
        return self.points[-1][1] if self.points else self.baseline

    @property
    def share_reached(self) -> float | None:
        """How far from the baseline to the target the latest value is (0..1), None without a baseline."""
        if self.baseline is None or self.latest is None or self.target == self.baseline:
            return None
        return max(0.0, min(1.0, (self.latest - self.baseline) / (self.target - self.baseline)))


def add_indicator(session: Session, actor_id: int, project_id: object, data: IndicatorInput) -> Indicator:
    """The chair states one baseline -> target indicator of the project (audited "indicator.added")."""
    project = reporting_project(session, actor_id, project_id)
    count = len(list(session.scalars(select(Indicator.id).where(Indicator.project_id == project.id))))
    if count >= MAX_INDICATORS:
        raise ValidationError("too_many_indicators", maximum=MAX_INDICATORS)
    baseline_on = a_date(data.baseline_on, "baseline_on", required=False)
    target_on = a_date(data.target_on, "target_on", required=False)
    if baseline_on and target_on and target_on < baseline_on:
        raise ValidationError("target_before_baseline", field="target_on")
    indicator = Indicator(project_id=project.id, name=text(data.name, "indicator_name", 200, required=True),
                          unit=text(data.unit, "unit", 60), baseline=number(data.baseline, "baseline", required=False),
                          target=number(data.target, "target"), source=text(data.source, "source", 200),
                          baseline_on=baseline_on, target_on=target_on)
    if indicator.baseline is not None and indicator.baseline == indicator.target:
        raise ValidationError("target_equals_baseline", field="target")
    session.add(indicator)
    record(session, actor_id, "indicator.added", indicator, table_id=project.table_id)
    return indicator


def curves(session: Session, project_id: int) -> list[Curve]:
    """Each indicator of the project with its measured values in date order (two statements)."""
    indicators = list(session.scalars(select(Indicator).where(Indicator.project_id == project_id)
                                      .order_by(Indicator.id)))
    out = {i.id: Curve(i.id, i.name, i.unit, i.baseline, i.target, i.source, i.baseline_on, i.target_on)
           for i in indicators}
    if not out:
        return []
    rows = session.execute(select(ProgressUpdate.indicator_id, ProgressUpdate.measured_on, ProgressUpdate.value)
                           .where(ProgressUpdate.indicator_id.in_(list(out)))
                           .order_by(ProgressUpdate.measured_on, ProgressUpdate.id))
    for indicator_id, day, value in rows:
        if indicator_id is not None and day is not None and value is not None:  # the CHECKs make them so
            out[indicator_id].points.append((day, value))
    for curve in out.values():
        if curve.baseline is not None and curve.baseline_on is not None:
            curve.points.insert(0, (curve.baseline_on, curve.baseline))
    return list(out.values())
