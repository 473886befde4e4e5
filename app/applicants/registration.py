"""Public registration of applicant accounts, verified by an e-mail link.

- Who may register: the roles of the executors marked `applicant: true` in the
  active services (data, never a name in code). Without any, registration is closed.
- The answer never tells whether an e-mail address is already registered: a new
  address gets an account (inactive) and a verification link; a known address
  gets nothing new, and its owner an e-mail saying someone tried (with a fresh
  link when that account still waits for its verification).
- The link is signed (itsdangerous, SECRET_KEY) and its random part is stored
  hashed with an expiry (`APPLICANT_VERIFY_HOURS`, 48): it works once; a used,
  expired or altered link says which.
- The applicant record (NIK, name, phone) is created as the account's *claim*
  (Applicant.claimed_by_id), never linked: the counter confirms the person's
  identity (app.cases.workflow.confirm_applicant_identity) before any case the
  counter registered under that NIK becomes visible to the account. A NIK that
  the counter already registered, or another account already claimed, is left
  as it is (the answer is the same).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app, url_for
from flask_appbuilder.exceptions import PasswordComplexityValidationError
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, func, select, update
from werkzeug.security import generate_password_hash

from app.cases.input import EMAIL_RE, SHORT_MAX_CHARS
from app.core import audit
from app.core.errors import DomainError
from app.core.extensions import db
from app.core.nik import nik_problem
from app.core.parsing import text_error
from app.core.phone import phone_or_none
from app.core.urls import public_base_url
from models import Applicant, Executor, Service, ServiceExecutor
from models.applicants import EmailVerification

VERIFY_SALT = "sp-backoffice applicant e-mail verification v1"
DEFAULT_VERIFY_HOURS = 48
PASSWORD_MAX = 200  # longer is refused before hashing


class RegistrationError(DomainError):
    """A registration refused by our rules (422 with per-field messages, 403 when closed)."""


@dataclass
class Verification:
    """What a verification link turned out to be: `state` is ok, used, expired or invalid."""

    state: str
    user_id: int | None = None


def applicant_role_names() -> list[str]:
    """The roles an online applicant gets: every applicant executor column of an active service."""
    rows = db.session.scalars(
        select(Executor.name)
        .join(ServiceExecutor, ServiceExecutor.executor_id == Executor.id)
        .join(Service, Service.id == ServiceExecutor.service_id)
        .where(Executor.applicant.is_(True), Service.active.is_(True))
        .distinct()
    )
    return sorted(set(rows))


def registration_open() -> bool:
    return bool(applicant_role_names())


def verify_hours() -> int:
    return int(current_app.config.get("APPLICANT_VERIFY_HOURS", DEFAULT_VERIFY_HOURS))


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def validate(data: Any) -> tuple[dict, dict]:
    """(clean values, Indonesian message per field) of the registration form."""
    get = data.get if hasattr(data, "get") else (lambda _key, _default=None: None)
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    clean["name"] = _text(get("name"))
    if not clean["name"]:
        errors["name"] = _("This field is required.")
    elif problem := text_error(clean["name"], "applicant.name"):
        errors["name"] = problem
    clean["nik"] = _text(get("nik"))
    if len(clean["nik"]) > SHORT_MAX_CHARS:
        errors["nik"] = _("At most %(n)d characters.", n=SHORT_MAX_CHARS)
    elif problem := nik_problem(clean["nik"]):
        errors["nik"] = problem
    clean["email"] = _text(get("email")).lower()
    if not clean["email"]:
        errors["email"] = _("This field is required.")
    elif problem := text_error(clean["email"], "applicant.email"):
        errors["email"] = problem
    elif not EMAIL_RE.match(clean["email"]):
        errors["email"] = _("Must be a valid e-mail address.")
    raw_phone = _text(get("phone"))
    clean["phone"] = phone_or_none(raw_phone) if len(raw_phone) <= SHORT_MAX_CHARS else None
    if clean["phone"] is None:
        errors["phone"] = _("Must be an Indonesian mobile number, e.g. 081234567890.")
    password = str(get("password") or "")
    confirm = str(get("password_confirm") or "")
    if len(password) > PASSWORD_MAX:
        errors["password"] = _("At most %(n)d characters.", n=PASSWORD_MAX)
    else:
        try:
            from app.security.manager import check_password

            check_password(password, [clean["email"], clean["name"]])
        except PasswordComplexityValidationError as refused:
            errors["password"] = str(refused)
    if "password" not in errors and password != confirm:
        errors["password_confirm"] = _("The two passwords are not the same.")
    clean["password"] = password
    return clean, errors


def _now() -> datetime:
    return datetime.now(UTC)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(str(current_app.config["SECRET_KEY"]), salt=VERIFY_SALT)


def _hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def _new_link(user_id: int) -> str:
    """A fresh link for the account (added to the caller's transaction); older unused links stop working.

    They are deleted, so a row with `used_at` always means "this account was verified by it".
    """
    now = _now()
    db.session.execute(
        delete(EmailVerification).where(EmailVerification.user_id == user_id, EmailVerification.used_at.is_(None))
    )
    nonce = secrets.token_urlsafe(24)
    db.session.add(
        EmailVerification(
            user_id=user_id, token_hash=_hash(nonce), created_at=now, expires_at=now + timedelta(hours=verify_hours())
        )
    )
    token = _serializer().dumps({"n": nonce})
    return public_base_url() + url_for("applicant_public.confirm", token=token)


def _office_name() -> str:
    from app.office.definition import current_office

    return current_office().name


def _mail(recipient: str, subject: str, body: str) -> None:
    from app.notify.outbox import enqueue

    enqueue("email", recipient, body, subject=subject)


def _send_link(recipient: str, name: str, link: str) -> None:
    with force_locale("id"):
        office = _office_name()
        subject = _("Confirm your e-mail address: %(office)s", office=office)
        body = _(
            "Hello %(name)s,\n\nThank you for registering for online applications at %(office)s. "
            "Open this link within %(hours)d hours to activate your account (it works once):\n\n%(link)s\n\n"
            "If you did not register, ignore this message: the account stays inactive.",
            name=name,
            office=office,
            hours=verify_hours(),
            link=link,
        )
    _mail(recipient, subject, body)


def _send_attempt_notice(user: Any, link: str | None) -> None:
    """The owner of a known address learns that someone tried to register with it."""
    with force_locale("id"):
        office = _office_name()
        subject = _("Registration attempt with your e-mail address: %(office)s", office=office)
        body = _(
            "Hello,\n\nSomeone tried to register an online account at %(office)s with this e-mail address, "
            "which already has an account. Nothing was changed. If it was you, log in with your account "
            "(or ask the office to reset your password). If it was not you, you may ignore this message.",
            office=office,
        )
        if link:
            body += "\n\n" + _(
                "Your account is not active yet. Open this link within %(hours)d hours to activate it:\n\n%(link)s",
                hours=verify_hours(),
                link=link,
            )
    _mail(user.email, subject, body)


def _never_verified(user_id: int) -> bool:
    """An online registration still waiting for its first verification (not an account switched off later)."""
    rows = db.session.scalars(select(EmailVerification.used_at).where(EmailVerification.user_id == user_id)).all()
    return bool(rows) and all(used is None for used in rows)


def _claim_record(values: dict, user_id: int) -> None:
    """The account's unconfirmed claim on the applicant record of its NIK (never a link)."""
    applicant = db.session.scalar(select(Applicant).where(Applicant.nik == values["nik"]))
    if applicant is None:
        db.session.add(
            Applicant(
                nik=values["nik"],
                name=values["name"],
                phone=values["phone"],
                email=values["email"],
                claimed_by_id=user_id,
            )
        )
    elif applicant.user_id is None and applicant.claimed_by_id is None:
        # Registered at the counter: the record stays the counter's; the claim waits for the identity check.
        applicant.claimed_by_id = user_id


def register(data: Any) -> None:
    """Validate and register; the same outcome whether or not the e-mail address is known.

    Raises RegistrationError (422 with fields; 403 when registration is closed).
    """
    roles = applicant_role_names()
    if not roles:
        raise RegistrationError(403, closed_message())
    values, errors = validate(data)
    if errors:
        raise RegistrationError(422, _("The registration has errors; please correct the marked fields."), errors)
    sm = current_app.appbuilder.sm  # type: ignore[attr-defined]
    user_model = sm.user_model
    # Hash the password on every path, so the answer takes as long for a known address.
    hashed = generate_password_hash(
        values["password"],
        method=current_app.config.get("FAB_PASSWORD_HASH_METHOD", "scrypt"),
        salt_length=current_app.config.get("FAB_PASSWORD_HASH_SALT_LENGTH", 16),
    )
    known = db.session.scalar(
        select(user_model).where(
            (func.lower(user_model.email) == values["email"]) | (func.lower(user_model.username) == values["email"])
        )
    )
    if known is not None:
        waiting = not known.active and _never_verified(known.id)
        link = _new_link(known.id) if waiting else None
        if known.email:
            _send_attempt_notice(known, link)
        audit.record("applicant.register_attempt", "user", known.id, after={"email": values["email"]})
        db.session.commit()
        return
    first, _sep, last = values["name"].partition(" ")
    user = sm.add_user(
        username=values["email"],
        first_name=first[:64],
        last_name=(last or first)[:64],
        email=values["email"],
        role=[sm.find_role(name) for name in roles if sm.find_role(name) is not None],
        hashed_password=hashed,
        commit=False,
    )
    if not user:
        db.session.rollback()
        raise RegistrationError(422, _("The account could not be created; please try again."))
    user.active = False
    _claim_record(values, user.id)
    _send_link(values["email"], values["name"], _new_link(user.id))
    audit.record("applicant.register", "user", user.id, after={"email": values["email"], "roles": roles}, user=user)
    db.session.commit()


def closed_message() -> str:
    return _("Online registration is closed: no service accepts online applications at the moment.")


def check_link(token: str) -> tuple[Verification, EmailVerification | None]:
    """What the link is, without using it."""
    if not isinstance(token, str) or len(token) > 300:
        return Verification("invalid"), None
    try:
        payload = _serializer().loads(token, max_age=verify_hours() * 3600)
    except SignatureExpired:
        return Verification("expired"), None
    except BadSignature:
        return Verification("invalid"), None
    nonce = payload.get("n") if isinstance(payload, dict) else None
    if not isinstance(nonce, str):
        return Verification("invalid"), None
    row = db.session.scalar(select(EmailVerification).where(EmailVerification.token_hash == _hash(nonce)))
    if row is None:
        return Verification("invalid"), None
    if row.used_at is not None:
        return Verification("used", row.user_id), row
    if row.expires_at <= _now():
        return Verification("expired", row.user_id), row
    return Verification("ok", row.user_id), row


def verify(token: str) -> Verification:
    """Use the link: activate its account once. Any other state changes nothing."""
    result, row = check_link(token)
    if result.state != "ok" or row is None:
        return result
    sm = current_app.appbuilder.sm  # type: ignore[attr-defined]
    # One UPDATE decides, so two clicks at the same moment activate once.
    used = db.session.execute(
        update(EmailVerification)
        .where(EmailVerification.id == row.id, EmailVerification.used_at.is_(None))
        .values(used_at=_now())
    ).rowcount
    if not used:
        db.session.rollback()
        return Verification("used", result.user_id)
    user = sm.get_user_by_id(row.user_id)
    user.active = True
    audit.record("applicant.verified", "user", user.id, after={"active": True}, user=user)
    db.session.commit()
    return result
