"""Appointing and revoking acting officials (Plt./Plh.): the rules, the rows, the audit.

Holders of the capability `delegations.manage` (and Admin) appoint a user to act
in a role's steps for a period of office dates, on a decree; the period starts and
ends by itself (app.delegation.effective). A delegation that has not ended may
be revoked early, with a reason. Each appointment and revocation writes one
audit row (`delegation.create`, `delegation.revoke`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_appbuilder.security.sqla.models import Role, User
from flask_babel import gettext as _

from app.core import audit
from app.core.errors import DomainError
from app.core.extensions import db
from app.core.parsing import bounded_id
from app.delegation.effective import office_today
from app.security.capabilities import DELEGATIONS_MANAGE, has_capability
from models import Executor, step_executor
from models.delegation import DECREE_NO_MAX, REASON_MAX, Delegation, DelegationKind

# A Plt./Plh. is appointed for a limited time (BKN's circular 1/2021: three months,
# extendable once); longer needs a new decree. DELEGATION_MAX_DAYS overrides it.
DEFAULT_MAX_DAYS = 180


class DelegationError(DomainError):
    """A delegation refused by the rules (message in the reader's language, fields per input)."""


def max_days() -> int:
    return int(current_app.config.get("DELEGATION_MAX_DAYS", DEFAULT_MAX_DAYS))


def may_manage(user: Any) -> bool:
    return has_capability(user, DELEGATIONS_MANAGE)


def delegable_roles() -> list[Role]:
    """Roles whose steps can be delegated: executor columns of some service step, not the applicant's."""
    names = (
        sa.select(Executor.name)
        .join(step_executor, step_executor.c.executor_id == Executor.id)
        .where(Executor.applicant.is_(False))
    )
    return list(db.session.scalars(sa.select(Role).where(Role.name.in_(names)).order_by(Role.name)))


def is_officer(user: User) -> bool:
    """An office account: one role at least, not only applicant roles. A citizen's account
    (self-registered, or linked at the counter) is never an acting official."""
    from app.cases.access import is_applicant_user

    return bool(user.roles) and not is_applicant_user(user)


def candidate_users() -> list[User]:
    """Active office accounts that may be appointed."""
    users = db.session.scalars(sa.select(User).where(User.active.is_(True)).order_by(User.first_name, User.id))
    return [user for user in users if is_officer(user)]


def user_label(user: User | None) -> str:
    if user is None:
        return "-"
    name = f"{user.first_name or ''} {user.last_name or ''}".strip()
    return f"{name} ({user.username})" if name else user.username


def _parse_date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None


def _parse_id(value: Any) -> int | None:
    return bounded_id(str(value or ""))


def validate(data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Cleaned values and {field: message}; nothing is written."""
    errors: dict[str, str] = {}
    role_id, user_id = _parse_id(data.get("role")), _parse_id(data.get("user"))
    role = db.session.get(Role, role_id) if role_id else None
    if role is None or role.id not in {r.id for r in delegable_roles()}:
        errors["role"] = _("Choose the role whose steps are delegated.")
    user = db.session.get(User, user_id) if user_id else None
    if user is None:
        errors["user"] = _("Choose the acting official.")
    elif not user.active:
        errors["user"] = _("This account is inactive; only an active account can be appointed.")
    elif not is_officer(user):
        errors["user"] = _("Only an officer's account can be appointed, not an applicant's.")
    elif role is not None and role in user.roles:
        errors["user"] = _("This user already holds the role %(role)s; no delegation is needed.", role=role.name)
    kind = str(data.get("kind") or "").strip()
    if kind not in DelegationKind.labels():
        errors["kind"] = _("Choose Plt. or Plh.")
    decree = " ".join(str(data.get("decree_no") or "").split())
    if not decree:
        errors["decree_no"] = _("The decree number is required.")
    elif len(decree) > DECREE_NO_MAX:
        errors["decree_no"] = _("The decree number may be at most %(n)d characters long.", n=DECREE_NO_MAX)
    start, end = _parse_date(data.get("start_date")), _parse_date(data.get("end_date"))
    today = office_today()
    if start is None:
        errors["start_date"] = _("Enter the first day as a date.")
    elif start < today:
        errors["start_date"] = _("The delegation cannot start before today.")
    if end is None:
        errors["end_date"] = _("Enter the last day as a date.")
    elif start is not None and end < start:
        errors["end_date"] = _("The last day cannot be before the first day.")
    elif start is not None and (end - start).days + 1 > max_days():
        errors["end_date"] = _(
            "A delegation may last at most %(n)d days; appoint again on a new decree for longer.", n=max_days()
        )
    if not errors and role is not None and user is not None and start is not None and end is not None:
        overlap = db.session.scalar(
            sa.select(Delegation.id).where(
                Delegation.role_id == role.id,
                Delegation.acting_user_id == user.id,
                Delegation.revoked_at.is_(None),
                Delegation.start_date <= end,
                Delegation.end_date >= start,
            )
        )
        if overlap is not None:
            errors["start_date"] = _("This user already acts in this role during part of that period.")
    values = {"role": role, "user": user, "kind": kind, "decree_no": decree, "start_date": start, "end_date": end}
    return values, errors


def _snapshot(row: Delegation) -> dict[str, Any]:
    return {
        "role": row.role.name if row.role is not None else None,
        "acting_user_id": row.acting_user_id,
        "kind": row.kind,
        "decree_no": row.decree_no,
        "start_date": row.start_date,
        "end_date": row.end_date,
        "revoked_at": row.revoked_at,
        "revoke_reason": row.revoke_reason,
    }


def create(data: Mapping[str, Any], by: User) -> Delegation:
    """Appoint an acting official; raises DelegationError (403/422) and writes nothing then."""
    if not may_manage(by):
        raise DelegationError(403, _("You may not appoint acting officials."))
    values, errors = validate(data)
    if errors:
        raise DelegationError(422, _("The delegation has errors; please correct the marked fields."), errors)
    row = Delegation(
        role=values["role"],
        acting_user_id=values["user"].id,
        kind=values["kind"],
        decree_no=values["decree_no"],
        start_date=values["start_date"],
        end_date=values["end_date"],
        granted_by_id=by.id,
        granted_at=datetime.now(UTC),
    )
    db.session.add(row)
    db.session.flush()
    audit.record("delegation.create", "delegation", row.id, after=_snapshot(row), user=by)
    db.session.commit()
    return row


def revoke(delegation_id: int, reason: Any, by: User) -> Delegation:
    """End a delegation early (from now on); one that ended or was revoked stays as it is."""
    if not may_manage(by):
        raise DelegationError(403, _("You may not revoke acting officials' delegations."))
    row = db.session.get(Delegation, delegation_id) if bounded_id(str(delegation_id)) else None
    if row is None:
        raise DelegationError(404, _("Delegation not found."))
    if row.state(office_today()) not in ("active", "future"):
        raise DelegationError(409, _("This delegation has already ended or been revoked."))
    text = " ".join(str(reason or "").split())
    if not text:
        raise DelegationError(422, _("Give the reason for revoking."), {"reason": _("This field is required.")})
    if len(text) > REASON_MAX:
        message = _("The reason may be at most %(n)d characters long.", n=REASON_MAX)
        raise DelegationError(422, message, {"reason": message})
    before = _snapshot(row)
    row.revoked_at = datetime.now(UTC)
    row.revoked_by_id = by.id
    row.revoke_reason = text
    audit.record("delegation.revoke", "delegation", row.id, before=before, after=_snapshot(row), user=by)
    db.session.commit()
    return row


def listing(today: date | None = None) -> dict[str, list[Delegation]]:
    """{"active": [...], "future": [...], "ended": [...]} (revoked ones count as ended), newest first within each."""
    today = today or office_today()
    rows = db.session.scalars(sa.select(Delegation).order_by(Delegation.start_date.desc(), Delegation.id.desc())).all()
    groups: dict[str, list[Delegation]] = {"active": [], "future": [], "ended": []}
    for row in rows:
        state = row.state(today)
        groups["ended" if state == "revoked" else state].append(row)
    return groups


def default_period() -> tuple[date, date]:
    today = office_today()
    return today, today + timedelta(days=6)
