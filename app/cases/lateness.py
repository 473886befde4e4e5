"""When a case is late: the one definition the worklist, the case lists and the registers share.

A case is **late** when

- its step clock runs (status in CLOCK_STATUSES) and its current step is past
  its due time (`step_due_at` before now): what the worklist and the case
  lists show (`views.cases.display.is_late`, the "late" filter);
- its clock has stopped (completed, rejected, waiting, ...) and any row of its
  control card was recorded late (`ControlCardEntry.late`): the case was late
  at some step on its way.

An open case that was late at an earlier step but is on time now is not late:
the worklist speaks of the step in hand. `late_clause` is the same rule in SQL
for the registers (the "Late" column of the cases register).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from models.case import CaseStatus

# Statuses whose step clock runs: only these can be late now.
CLOCK_STATUSES = (CaseStatus.IN_PROGRESS.value,)


def late_clause(at: datetime | None = None) -> Any:
    """A boolean SQL expression over `Case`: whether the case is late at `at` (now by default)."""
    from models import Case, ControlCardEntry

    card_late = sa.exists().where(ControlCardEntry.case_id == Case.id, ControlCardEntry.late.is_(True))
    return sa.case((Case.status.in_(CLOCK_STATUSES), running_late_clause(at)), else_=card_late)


def running_late_clause(at: datetime | None = None) -> Any:
    """Late now, as a WHERE clause on `Case`: the step in hand is past due while its clock runs.

    The first half of `late_clause`, and what `views.cases.display.is_late` says of
    one row: the worklist's late count and the dashboard's late cases use it.
    """
    from models import Case

    at = at or datetime.now(UTC)
    return sa.and_(Case.status.in_(CLOCK_STATUSES), Case.step_due_at.is_not(None), Case.step_due_at < at)
