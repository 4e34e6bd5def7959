"""Due-process deadlines, from settings and the city's working-day calendar."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .workdays import WorkCalendar


@dataclass(frozen=True)
class Deadlines:
    """Working days allowed (configurable: REPAIR_DECISION_DAYS, REPAIR_FEEDBACK_DAYS,
    OBJECTION_ANSWER_DAYS) and whether filing an objection pauses the effect at once
    (OBJECTION_SUSPENDS_AT_FILING)."""

    calendar: WorkCalendar
    repair_decision_days: int = 3
    repair_feedback_days: int = 10
    objection_answer_days: int = 20
    objection_suspends_at_filing: bool = False

    def repair_feedback_due(self, submitted: dt.date) -> dt.date:
        return self.calendar.add_working_days(submitted, self.repair_feedback_days)

    def repair_decision_due(self, accepted: dt.date) -> dt.date:
        return self.calendar.add_working_days(accepted, self.repair_decision_days)

    def objection_answer_due(self, submitted: dt.date) -> dt.date:
        return self.calendar.add_working_days(submitted, self.objection_answer_days)
