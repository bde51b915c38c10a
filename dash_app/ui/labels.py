"""Words and icons for the app's enumerations: kinds of help, project kinds and statuses, allocation statuses,
members' backgrounds, horizons; one label each.

Imports dash, dash_app.i18n, dash_app.layout (icons) and models.core.enums.
"""
from __future__ import annotations

from dash import html

from dash_app.i18n import _l
from dash_app.layout import icon
from models.core.enums import (
    AllocationStatus,
    HelpKind,
    Horizon,
    MemberBackground,
    ProjectKind,
    ProjectStatus,
)

KIND_LABEL = {
    HelpKind.FINANCIAL: _l("Money"),
    HelpKind.LOGISTICS: _l("Equipment and spaces"),   # one name per kind (the wording notes): not "Logistics"
    HelpKind.DESIGN: _l("Design"),
    HelpKind.EXECUTION: _l("Volunteer work"),        # not "Execution" (read as carrying out the project)
}
KIND_ICON = {HelpKind.FINANCIAL: "cash-coin", HelpKind.LOGISTICS: "truck", HelpKind.DESIGN: "rulers",
             HelpKind.EXECUTION: "tools"}
PROJECT_KIND_LABEL = {ProjectKind.PROBLEM: _l("Problem-oriented"), ProjectKind.TALENT: _l("Talent-oriented")}
PROJECT_STATUS_LABEL = {
    ProjectStatus.DRAFT: _l("Draft"),
    ProjectStatus.OPEN: _l("Open for help"),
    ProjectStatus.IN_PROGRESS: _l("In progress"),
    ProjectStatus.COMPLETED: _l("Completed"),
    ProjectStatus.CANCELLED: _l("Cancelled"),
}
ALLOCATION_STATUS_LABEL = {
    AllocationStatus.PROPOSED: _l("Proposed"),
    AllocationStatus.ACCEPTED: _l("Accepted"),
    AllocationStatus.DELIVERED: _l("Delivered"),
    AllocationStatus.REJECTED: _l("Rejected"),
    AllocationStatus.WITHDRAWN: _l("Withdrawn"),
}
TRANSITION_LABEL = {
    ProjectStatus.OPEN: _l("Publish"),
    ProjectStatus.IN_PROGRESS: _l("Start work"),
    ProjectStatus.COMPLETED: _l("Mark completed"),
    ProjectStatus.CANCELLED: _l("Cancel project"),
}
BACKGROUND_LABEL = {
    MemberBackground.AGENCY: _l("Agency manager or expert"),
    MemberBackground.ACADEMIC: _l("Academic"),
    MemberBackground.FIELD: _l("Field actor"),
    MemberBackground.ACTIVIST: _l("Social activist"),
    MemberBackground.GOVERNOR: _l("Governor or agency head"),
}
HORIZON_LABEL = {Horizon.SHORT: _l("Short term"), Horizon.MEDIUM: _l("Medium term"), Horizon.LONG: _l("Long term")}
STATUS_COLOUR = {"proposed": "info", "accepted": "primary", "delivered": "success", "rejected": "danger",
                 "withdrawn": "secondary", "draft": "secondary", "open": "success", "in_progress": "primary",
                 "completed": "dark", "cancelled": "danger"}


def _label(table: dict, value: object) -> str:
    """The label of an enumeration value (or its string); an unknown value is shown as it is."""
    for key, text in table.items():
        if value == key or value == key.value:
            return str(text)
    return "" if value is None else str(value)


def kind_label(kind: HelpKind | str) -> str:
    return _label(KIND_LABEL, kind)


def project_kind_label(kind: ProjectKind | str) -> str:
    return _label(PROJECT_KIND_LABEL, kind)


def project_status_label(status: ProjectStatus | str) -> str:
    return _label(PROJECT_STATUS_LABEL, status)


def allocation_status_label(status: AllocationStatus | str) -> str:
    return _label(ALLOCATION_STATUS_LABEL, status)


def transition_label(target: ProjectStatus | str) -> str:
    return _label(TRANSITION_LABEL, target)


def background_label(background: MemberBackground | str) -> str:
    return _label(BACKGROUND_LABEL, background)


def horizon_label(horizon: Horizon | str | None) -> str:
    return _label(HORIZON_LABEL, horizon) if horizon else ""


def kind_badge(kind: HelpKind | str) -> html.Span:
    return html.Span([icon(KIND_ICON[HelpKind(kind)], "me-1"), kind_label(kind)],
                     className="badge text-bg-light border fw-normal")


def status_badge(status: str) -> html.Span:
    """An allocation's or a project's status as a coloured badge."""
    name = allocation_status_label(status) if status in AllocationStatus._value2member_map_ \
        else project_status_label(status)
    return html.Span(name, className=f"badge text-bg-{STATUS_COLOUR.get(str(status), 'secondary')} ms-1 me-1")


__all__ = [
    "ALLOCATION_STATUS_LABEL", "BACKGROUND_LABEL", "HORIZON_LABEL", "KIND_ICON", "KIND_LABEL", "PROJECT_KIND_LABEL",
    "PROJECT_STATUS_LABEL", "TRANSITION_LABEL", "allocation_status_label", "background_label", "horizon_label",
    "kind_badge", "kind_label", "project_kind_label", "project_status_label", "status_badge", "transition_label",
]
