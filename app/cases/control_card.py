"""The control card (kartu kendali): one append-only, hash-chained row per action.

Each row's hash covers its own fields and the previous row's hash, so an edit
made directly in the database (or a deleted row) breaks the chain and
`verify_chain` names the case. Rows are never updated or deleted by the app.

A row keeps the officer as they were when acting (name, paraf, NIP from their
personnel record), so a later edit of the record never rewrites the card.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from app.core.extensions import db
from models import Case, ControlCardEntry, Personnel, Step

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
# Added after rows were first written: hashed only when set, so every older row
# (which has none) keeps the hash it was written with.
OPTIONAL_HASHED_FIELDS = ("officer_nip", "acting_as")


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):  # aware, as models.base.UTCDateTime reads and writes it
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value


def row_hash(fields: dict[str, Any]) -> str:
    """sha256 over the canonical JSON (sorted keys, UTC timestamps) of the hashed fields."""
    payload = {name: _canonical(fields.get(name)) for name in HASHED_FIELDS}
    payload.update({name: fields[name] for name in OPTIONAL_HASHED_FIELDS if fields.get(name) is not None})
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


INITIALS_MAX = 20  # ControlCardEntry.officer_initial


def _name_words(name: str) -> list[str]:
    """The words of a name that make a paraf: no degrees after a comma ("S.E."), no "Dr."-style
    titles, nothing that does not start with a letter or digit ("(demo)")."""
    words = (name or "").split(",")[0].split()
    return [w for w in words if w[0].isalnum() and not (w.endswith(".") and len(w) <= 4)] or [
        w for w in (name or "").split() if w[0].isalnum()
    ]


def initials(name: str) -> str:
    """The default paraf: first letters of the officer's names ("Budi Santoso" -> "BS")."""
    return "".join(word[0] for word in _name_words(name)).upper()[:INITIALS_MAX]


def _candidates(name: str, base: str) -> list[str]:
    """Parafs to try, in order, when `base` is already another officer's on the same card:
    more letters of the last name ("JAKAMu", "JAKAMa"), then a number ("BS2")."""
    found = [base]
    words = _name_words(name)
    if words and base == initials(name):
        last = words[-1]
        found += [(base[:-1] + last[:k].capitalize())[:INITIALS_MAX] for k in range(2, len(last) + 1)]
    found += [f"{base[: INITIALS_MAX - len(str(n))]}{n}" for n in range(2, 100)]
    return found


def personnel_of(user_id: int | None) -> Personnel | None:
    """The personnel record linked to a user account, if any."""
    if user_id is None:
        return None
    return db.session.scalar(select(Personnel).where(Personnel.user_id == user_id))


def paraf(case: Case, officer_id: int | None, name: str, stored: str | None = None) -> str:
    """The officer's paraf on this case's card: never another officer's.

    An officer already on the card keeps the paraf they signed with; otherwise
    their stored paraf (personnel record) or their initials, lengthened until no
    other officer on the card has it (two "JAKAM"s cannot tell who acted).
    """
    rows = db.session.execute(
        select(ControlCardEntry.officer_id, ControlCardEntry.officer_name, ControlCardEntry.officer_initial).where(
            ControlCardEntry.case_id == case.id
        )
    ).all()

    def same(row: Any) -> bool:  # the account says who it is; without one, the name does
        return row.officer_id == officer_id if officer_id is not None else row.officer_name == name

    for row in rows:
        if same(row) and row.officer_initial:
            return row.officer_initial
    taken = {row.officer_initial for row in rows if row.officer_initial and not same(row)}
    base = (stored or "").strip()[:INITIALS_MAX] or initials(name) or "?"
    return next((c for c in _candidates(name, base) if c not in taken), base)


def officer_fields(case: Case, user_id: int | None, account_name: str) -> dict[str, Any]:
    """Who acted, as the card row keeps them: id, name, paraf and NIP at this moment.

    Name and NIP come from the personnel record linked to the account; without
    one, the account's name and no NIP (the card prints the dotted blank).
    """
    person = personnel_of(user_id)
    name = (person.name if person is not None else None) or account_name
    return {
        "officer_id": user_id,
        "officer_name": name,
        "officer_initial": paraf(case, user_id, name, person.paraf if person is not None else None),
        "officer_nip": person.nip if person is not None and person.nip else None,
    }


def standard_time(step: Step | None, recorded_minutes: int | None, locale: str | None = None) -> str:
    """A card row's standard time: the step's standard as the SOP writes it ("4 hari kerja"),
    else (a step since removed) the minutes recorded on the row. One text on screen and paper."""
    from app.calendar.working_days import office_day_minutes
    from app.core.formatting import format_duration

    day = office_day_minutes()
    if step is not None:
        if step.working_days is not None and not day:  # no calendar loaded: whole days still read as days
            return format_duration(step.working_days, 1, locale)
        minutes = step_minutes(step, day)
        if minutes is not None:
            return format_duration(minutes, day, locale)
    return format_duration(recorded_minutes, day, locale)


def standard_times(case: Case, locale: str | None = None) -> dict[int, str]:
    """{row seq: standard time} of the case's card, as screens and the printed card show it."""
    steps = {step.no: step for step in case.service.steps}
    return {e.seq: standard_time(steps.get(e.step_no), e.standard_minutes, locale) for e in case.control_card}


def step_minutes(step: Step, day_minutes: int | None) -> int | None:
    """A step's standard in working minutes; a working day counts as the office's day length."""
    if step.working_days is not None:
        return step.working_days * day_minutes if day_minutes else None
    if step.hours is not None:
        return step.hours * 60
    return step.minutes


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
        fields = {name: getattr(row, name) for name in HASHED_FIELDS + OPTIONAL_HASHED_FIELDS}
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
