"""The control card (kartu kendali): one append-only, hash-chained row per action.

Each row's hash covers its own fields and the previous row's hash, so an edit
made directly in the database (or a deleted row) breaks the chain and
`verify_chain` names the case. Rows are never updated or deleted by the app.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from app.core.extensions import db
from models import Case, ControlCardEntry

HASHED_FIELDS = (
    "case_id",
    "seq",
    "step_no",
    "step_kind",
    "role",
    "officer_id",
    "officer_name",
    "officer_initial",
    "received_at",
    "acted_at",
    "outcome",
    "note",
    "standard_minutes",
    "spent_minutes",
    "late",
    "prev_hash",
)


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):  # aware, as models.base.UTCDateTime reads and writes it
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value


def row_hash(fields: dict[str, Any]) -> str:
    """sha256 over the canonical JSON (sorted keys, UTC timestamps) of the hashed fields."""
    payload = {name: _canonical(fields.get(name)) for name in HASHED_FIELDS}
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def initials(name: str) -> str:
    """The officer's paraf on the card: first letters of their names ("Budi Santoso" -> "BS")."""
    return "".join(part[0] for part in (name or "").split() if part[0].isalnum()).upper()[:20]


def append(case: Case, **fields: Any) -> ControlCardEntry:
    """Add the next row of `case`'s card to the current transaction.

    The caller has already locked the case (its version bump is in the same
    flush), so two actions cannot both take the same `seq`; the unique
    (case_id, seq) constraint is the last guard.
    """
    last = db.session.execute(
        select(ControlCardEntry.seq, ControlCardEntry.hash)
        .where(ControlCardEntry.case_id == case.id)
        .order_by(ControlCardEntry.seq.desc())
        .limit(1)
    ).first()
    values = dict(fields, case_id=case.id, seq=(last.seq + 1) if last else 1, prev_hash=last.hash if last else None)
    entry = ControlCardEntry(**values, hash=row_hash(values))
    db.session.add(entry)
    return entry


def verify_chain(case: Case | int) -> bool:
    """True when every row of the case's card still matches its hash and links to its predecessor."""
    case_id = case if isinstance(case, int) else case.id
    rows = db.session.scalars(
        select(ControlCardEntry)
        .where(ControlCardEntry.case_id == case_id)
        .order_by(ControlCardEntry.seq)
        .execution_options(populate_existing=True)
    ).all()
    prev = None
    for expected_seq, row in enumerate(rows, start=1):
        fields = {name: getattr(row, name) for name in HASHED_FIELDS}
        if row.seq != expected_seq or row.prev_hash != prev or row_hash(fields) != row.hash:
            return False
        prev = row.hash
    return True


def broken_cases() -> list[Case]:
    """Every case whose card fails verification (used by `flask cases verify-chain`)."""
    case_ids = db.session.scalars(
        select(ControlCardEntry.case_id).group_by(ControlCardEntry.case_id).order_by(func.min(ControlCardEntry.case_id))
    ).all()
    broken = [case_id for case_id in case_ids if not verify_chain(case_id)]
    if not broken:
        return []
    return list(db.session.scalars(select(Case).where(Case.id.in_(broken)).order_by(Case.id)))
