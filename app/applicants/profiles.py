"""An applicant's own data: the applicant record they may read, their institution profiles, form prefill.

The application form (views.cases.forms) is prefilled from here:
- an applicant account: its applicant record (linked by the counter, or still its
  own claim, `claim_is_sandbox`) and one of its institution profiles;
- the counter (`cases.register`): the record and an institution found by the
  NIK search (app.applicants.lookup), chosen by id, never by NIK in the URL.
"""

from __future__ import annotations

from typing import Any

from flask_appbuilder.security.sqla.models import User
from flask_babel import gettext as _
from sqlalchemy import select

from app.cases.access import claim_is_sandbox, is_applicant_user
from app.cases.input import validate_institution
from app.core import audit
from app.core.errors import DomainError
from app.core.extensions import db
from app.core.parsing import bounded_id
from app.security.capabilities import CASES_REGISTER, has_capability
from models import Applicant, Case, Institution
from models.applicants import InstitutionProfile


def own_record(user: User) -> Applicant | None:
    """The applicant record this account may read: linked to it, or still only its own claim."""
    linked = db.session.scalar(select(Applicant).where(Applicant.user_id == user.id))
    if linked is not None:
        return linked
    claim = db.session.scalar(
        select(Applicant).where(Applicant.claimed_by_id == user.id, Applicant.user_id.is_(None)).limit(1)
    )
    return claim if claim is not None and claim_is_sandbox(claim, user) else None


def identity_confirmed(user: User) -> bool:
    return db.session.scalar(select(Applicant.id).where(Applicant.user_id == user.id)) is not None


def institution_profiles(user: User) -> list[InstitutionProfile]:
    return list(
        db.session.scalars(
            select(InstitutionProfile).where(InstitutionProfile.user_id == user.id).order_by(InstitutionProfile.name)
        )
    )


def own_profile(user: User, profile_id: Any) -> InstitutionProfile | None:
    """The account's profile with that id; None for anyone else's (the caller answers 404)."""
    pid = bounded_id(profile_id)
    profile = db.session.get(InstitutionProfile, pid) if pid is not None else None
    return profile if profile is not None and profile.user_id == user.id else None


def save_institution(user: User, data: Any, profile: InstitutionProfile | None = None) -> InstitutionProfile:
    """Add or change one of the account's institution profiles (the counter's rules and limits)."""
    values, errors = validate_institution({key: data.get(key) for key in ("name", "address", "license_no")}, "required")
    if errors or values is None:
        fields = {key.split(".", 1)[1]: message for key, message in errors.items()}
        raise DomainError(422, _("The institution has errors; please correct the marked fields."), fields)
    before = audit.snapshot(profile) if profile is not None else None
    if profile is None:
        profile = InstitutionProfile(user_id=user.id)
        db.session.add(profile)
    profile.name, profile.address, profile.license_no = values["name"], values["address"], values["license_no"]
    db.session.flush()
    audit.record(
        "applicant.institution", "institution_profile", profile.id, before=before, after=audit.snapshot(profile)
    )
    db.session.commit()
    return profile


def remember_institution(user: User, values: dict | None) -> None:
    """After an application, keep its institution as a profile when the account has none like it."""
    if not values or not values.get("name"):
        return
    for profile in institution_profiles(user):
        same_licence = values.get("license_no") and profile.license_no == values["license_no"]
        if same_licence or (profile.name or "").casefold() == values["name"].casefold():
            return
    db.session.add(
        InstitutionProfile(
            user_id=user.id, name=values["name"], address=values.get("address"), license_no=values.get("license_no")
        )
    )
    db.session.commit()


def _applicant_values(record: Applicant | None) -> dict[str, str]:
    if record is None:
        return {}
    return {
        "applicant.nik": record.nik or "",
        "applicant.name": record.name or "",
        "applicant.phone": record.phone or "",
        "applicant.email": record.email or "",
        "applicant.address": record.address or "",
    }


def _institution_values(item: Any) -> dict[str, str]:
    if item is None:
        return {}
    return {
        "institution.name": item.name or "",
        "institution.address": item.address or "",
        "institution.license_no": item.license_no or "",
    }


def counter_institutions(applicant: Applicant) -> list[Institution]:
    """The institutions of the applicant's cases, newest first, each once."""
    rows = db.session.scalars(
        select(Institution)
        .join(Case, Case.institution_id == Institution.id)
        .where(Case.applicant_id == applicant.id)
        .order_by(Case.id.desc())
    ).all()
    seen: dict[int, Institution] = {}
    for row in rows:
        seen.setdefault(row.id, row)
    return list(seen.values())


def prefill(user: User, args: Any, service: Any) -> dict[str, Any]:
    """The form's starting values and the institution choices, for a GET of the application form.

    Returns {"data": {input name: value}, "choices": [(id, name)], "chosen": id or None,
    "param": the query parameter naming a choice}.
    """
    result: dict[str, Any] = {"data": {}, "choices": [], "chosen": None, "param": None}
    wants_institution = getattr(service, "institution", "required") != "none"
    if is_applicant_user(user):
        result["data"].update(_applicant_values(own_record(user)))
        if wants_institution:
            profiles = institution_profiles(user)
            chosen = own_profile(user, args.get("profile")) if args.get("profile") else None
            chosen = chosen or (profiles[0] if profiles else None)
            result.update(choices=[(p.id, p.name) for p in profiles], param="profile")
            if chosen is not None:
                result["chosen"] = chosen.id
                result["data"].update(_institution_values(chosen))
        return result
    if not has_capability(user, CASES_REGISTER) or not args.get("applicant"):
        return result
    applicant_id = bounded_id(args.get("applicant"))
    applicant = db.session.get(Applicant, applicant_id) if applicant_id is not None else None
    if applicant is None:
        return result
    result["data"].update(_applicant_values(applicant))
    if wants_institution:
        institutions = counter_institutions(applicant)
        if applicant.user_id is not None:
            profiles = db.session.scalars(
                select(InstitutionProfile).where(InstitutionProfile.user_id == applicant.user_id)
            ).all()
        else:
            profiles = []
        wanted = bounded_id(args.get("institution"))
        chosen_item: Any = next((i for i in institutions if i.id == wanted), None)
        if chosen_item is None and args.get("profile"):
            pid = bounded_id(args.get("profile"))
            chosen_item = next((p for p in profiles if p.id == pid), None)
        if chosen_item is None:
            chosen_item = institutions[0] if institutions else (profiles[0] if profiles else None)
        result.update(choices=[(i.id, i.name) for i in institutions], param="institution")
        result["data"].update(_institution_values(chosen_item))
        result["chosen"] = getattr(chosen_item, "id", None) if isinstance(chosen_item, Institution) else None
    return result
