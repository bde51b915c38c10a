"""Issue 21: what a citizen reads on /my about their citizen proposals and key cores, in Persian and English."""
from __future__ import annotations

from tests.web.conftest import app, web_db  # noqa: F401 (fixtures)


def test_every_proposal_and_core_event_has_its_own_sentence(app):  # noqa: F811
    from dash_app.i18n import _
    from dash_app.pages.citizen.my import _CORE_EVENTS, _PROPOSAL_EVENTS, notification_text

    with app.test_request_context("/"):
        fallback = _("Something changed in your contributions.")
        for event in _PROPOSAL_EVENTS:
            text = str(notification_text("citizen_proposal", {"event": event, "title": "Flooded alley",
                                                              "reason": "abuse"}, "en"))
            assert "Flooded alley" in text and text != fallback, event
        assert "Weavers" in str(notification_text("key_core", {"event": "added", "name": "Weavers"}, "en"))
        assert str(notification_text("citizen_proposal", {"event": "nonsense"}, "en")) == fallback
        adopted = str(notification_text("citizen_proposal", {"event": "adopted", "title": "کوچه"}, "fa"))
        assert "هستهٔ کلیدی" in adopted and "«کوچه»" in adopted
        assert set(_CORE_EVENTS) == {"added", "task"}
