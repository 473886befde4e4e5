"""The community satisfaction survey (SKM) and its index (IKM), PermenPANRB 14/2017.

Nine elements u1-u9, each answered 1-4. For a set of respondents:

    NRR per element   = sum of the element's scores / respondents
    IKM               = sum over elements of (NRR x weight) x 25

The weight is 0.11, the regulation's rounding of 1/9 (so nine perfect 4s give
99.00, not 100); config IKM_WEIGHT_EXACT uses exactly 1/9 instead.

Grading at two decimals: the index is computed exactly (Decimal), rounded once
half-up to two decimals, and that rounded value is compared with the lower
bound of each band: A >= 88.31 (sangat baik), B >= 76.61 (baik),
C >= 65.00 (kurang baik), otherwise D (tidak baik). So 88.305 grades A and
88.3049 grades B; with weight 0.11 an index may fall below 25.00 (all 1s give
24.75), which is still D. An element is graded the same way on NRR x 25, and
an element graded C or D needs a follow-up plan (SurveyFollowUp), as the
standard's performance-evaluation component a.4 asks.

Every answer records its source: `invited` (the one-time link handed over
with the product), `paper` (a paper form an officer typed in) or `open` (the
public form without a link, which anyone may post any number of times). The
official index counts invited and paper answers only; open-form answers are
kept and reported apart (`compute_ikm(..., sources=("open",))`).
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask import current_app
from flask_appbuilder.security.sqla.models import User
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from app.core import audit
from app.core.errors import DomainError
from app.core.extensions import db
from app.core.parsing import bounded_date, bounded_int, text_error
from app.core.timezone import office_tz
from models import Service, SurveyFollowUp, SurveyInvitation, SurveyResponse
from models.survey import ELEMENTS, SOURCES, SOURCES_OFFICIAL

ELEMENT_NAMES = {
    "u1": "Persyaratan",
    "u2": "Sistem, mekanisme dan prosedur",
    "u3": "Waktu penyelesaian",
    "u4": "Biaya/tarif",
    "u5": "Produk spesifikasi jenis pelayanan",
    "u6": "Kompetensi pelaksana",
    "u7": "Perilaku pelaksana",
    "u8": "Penanganan pengaduan, saran dan masukan",
    "u9": "Sarana dan prasarana",
}
# (lower bound of the band at two decimals, letter, label), best first.
BANDS = (
    (Decimal("88.31"), "A", "sangat baik"),
    (Decimal("76.61"), "B", "baik"),
    (Decimal("65.00"), "C", "kurang baik"),
)
LOWEST = ("D", "tidak baik")
FOLLOW_UP_GRADES = ("C", "D")
SEXES = {"L": "Laki-laki", "P": "Perempuan"}
EDUCATIONS = {
    "SD": "SD ke bawah",
    "SMP": "SMP",
    "SMA": "SMA",
    "D1-D3": "D1-D3",
    "D4-S1": "D4/S1",
    "S2": "S2",
    "S3": "S3",
}
OCCUPATIONS = {
    "pns": "PNS",
    "tni": "TNI",
    "polri": "POLRI",
    "swasta": "Swasta",
    "wirausaha": "Wirausaha",
    "pelajar": "Pelajar/Mahasiswa",
    "lainnya": "Lainnya",
}
TWO_PLACES = Decimal("0.01")
TEXT_LABELS = {"suggestion": _l("Suggestion"), "plan": _l("Follow-up plan"), "responsible": _l("Responsible")}


class SurveyError(DomainError):
    """A survey answer or query refused (app.core.errors): `SurveyError(status, message, fields)`."""


def weight() -> Decimal:
    """0.11 as the regulation rounds 1/9, or exactly 1/9 with IKM_WEIGHT_EXACT."""
    return Decimal(1) / Decimal(9) if current_app.config.get("IKM_WEIGHT_EXACT") else Decimal("0.11")


def round2(value: Any) -> Decimal:
    """Half-up to two decimals; floats go through their shortest repr (88.305 stays 88.305)."""
    return Decimal(str(value)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def grade(ikm: Any) -> tuple[str, str]:
    """(letter, label) of an index 0-100, compared at two decimals (see module docstring)."""
    value = round2(ikm)
    for lower, letter, label in BANDS:
        if value >= lower:
            return letter, label
    return LOWEST


def _service(code: Any) -> Service:
    service = db.session.scalar(select(Service).where(Service.code == str(code or "").strip()))
    if service is None:
        raise SurveyError(422, _("Service type not found."))
    return service


def _scores(raw: Any) -> dict[str, int]:
    if not isinstance(raw, dict):
        raise SurveyError(422, _("The scores of the elements (u1-u9) are required."))
    out = {}
    for key in ELEMENTS:
        value = raw.get(key)
        if value is None or value == "":
            raise SurveyError(
                422,
                _(
                    "The score of element %(element)s (%(name)s) is required.",
                    element=key.upper(),
                    name=ELEMENT_NAMES[key],
                ),
            )
        if isinstance(value, bool) or str(value).strip() not in {"1", "2", "3", "4"}:
            raise SurveyError(422, _("The score of element %(element)s must be 1, 2, 3 or 4.", element=key.upper()))
        out[key] = int(str(value).strip())
    unknown = set(raw) - set(ELEMENTS)
    if unknown:
        raise SurveyError(422, _("Unknown elements: %(elements)s.", elements=", ".join(sorted(map(str, unknown)))))
    return out


def _respondent(raw: Any) -> dict:
    """The profile is optional on paper forms; what is given must be valid."""
    raw = raw or {}
    if not isinstance(raw, dict):
        raise SurveyError(422, _("The respondent's profile must be an object."))
    out: dict[str, Any] = {"sex": None, "age": None, "education": None, "occupation": None}
    for key, choices, message in (
        ("sex", SEXES, _("Sex must be L or P.")),
        ("education", EDUCATIONS, _("Unknown education.")),
        ("occupation", OCCUPATIONS, _("Unknown occupation.")),
    ):
        value = raw.get(key)
        if value not in (None, ""):
            if not isinstance(value, str) or value not in choices:
                raise SurveyError(422, message)
            out[key] = value
    age = raw.get("age")
    if age not in (None, ""):
        out["age"] = bounded_int(age if isinstance(age, int) else str(age), 15, 100)
        if out["age"] is None:
            raise SurveyError(422, _("The respondent's age must be 15 to 100 years."))
    return out


def _limited(raw: Any, name: str, key: str) -> str | None:
    """Free text, stripped; SurveyError 422 naming the limit when it is longer (None when empty)."""
    text = str(raw or "").strip()
    error = text_error(text, key)
    if error:
        raise SurveyError(422, f"{TEXT_LABELS[name]}: {error}", {name: error})
    return text or None


def _answer_date(raw: Any) -> date:
    today = datetime.now(office_tz()).date()
    if raw in (None, ""):
        return today
    value = bounded_date(str(raw))
    if value is None:
        raise SurveyError(422, _("The survey date must be written YYYY-MM-DD."))
    if value > today:
        raise SurveyError(422, _("The survey date must not be in the future."))
    return value


def submit_response(data: dict, user: User | None = None, invitation_token: str | None = None) -> SurveyResponse:
    """Store one answered questionnaire and commit.

    With `invitation_token` (the public link) the service and case come from
    the invitation, which is spent atomically: a second use is refused (409).
    With a `user` it is a paper form typed in by an officer.
    """
    if not isinstance(data, dict):
        raise SurveyError(400, _("The survey data must be a JSON object."))
    scores = _scores(data.get("scores"))
    profile = _respondent(data.get("respondent"))
    suggestion = _limited(data.get("suggestion"), "suggestion", "survey.suggestion")
    case_id = None
    if invitation_token:
        inv = db.session.scalar(select(SurveyInvitation).where(SurveyInvitation.token == str(invitation_token)))
        if inv is None:
            raise SurveyError(404, _("Unknown survey link."))
        # A conditional UPDATE spends the token once even under concurrent submits.
        spent = db.session.execute(
            update(SurveyInvitation)
            .where(SurveyInvitation.id == inv.id, SurveyInvitation.used_at.is_(None))
            .values(used_at=datetime.now(UTC))
        ).rowcount
        if spent != 1:
            db.session.rollback()
            raise SurveyError(409, _("This survey link has already been used."))
        service_id, case_id, source, answered = inv.service_id, inv.case_id, "invited", datetime.now(office_tz()).date()
    else:
        service_id = _service(data.get("service")).id
        answered = _answer_date(data.get("date"))
        source = "paper" if user is not None else "open"
    row = SurveyResponse(
        service_id=service_id,
        case_id=case_id,
        date=answered,
        source=source,
        suggestion=suggestion,
        entered_by_id=getattr(user, "id", None),
        **scores,
        **profile,
    )
    db.session.add(row)
    db.session.flush()
    audit.record("survey.response", "SurveyResponse", row.id, after=audit.snapshot(row), user=user)
    db.session.commit()
    return row


def create_invitation(case: Any) -> str:
    """The one-time survey token for a case (the same one if it already has it).

    Added to the caller's transaction (the handover), which commits.
    """
    # No flush here: flushing the caller's half-made change to the case would
    # bump its optimistic version twice in one action.
    with db.session.no_autoflush:
        inv = db.session.scalar(select(SurveyInvitation).where(SurveyInvitation.case_id == case.id))
    if inv is None:  # added earlier in this same transaction?
        inv = next((o for o in db.session.new if isinstance(o, SurveyInvitation) and o.case_id == case.id), None)
    if inv is None:
        inv = SurveyInvitation(token=secrets.token_urlsafe(32), case_id=case.id, service_id=case.service_id)
        db.session.add(inv)
    return inv.token


def invitation_status(token: str) -> SurveyInvitation | None:
    """The invitation behind a token (None when unknown), for the public form."""
    return db.session.scalar(select(SurveyInvitation).where(SurveyInvitation.token == str(token or "")))


def compute_ikm(
    service_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    sources: tuple[str, ...] = SOURCES_OFFICIAL,
) -> dict:
    """The index over the answers in the period (bounds inclusive), per service or all.

    Counts the official sources (invited, paper) unless `sources` says
    otherwise. Returns respondents, nrr (4 decimals), per-element details, ikm
    (2 decimals) and its grade; with no respondents ikm and grade are None.
    """
    if not set(sources) <= set(SOURCES):
        raise ValueError(f"unknown survey source in {sources!r}")
    cols = [func.count(SurveyResponse.id)] + [func.sum(getattr(SurveyResponse, u)) for u in ELEMENTS]
    stmt = select(*cols).where(SurveyResponse.source.in_(sources))
    if service_id is not None:
        stmt = stmt.where(SurveyResponse.service_id == service_id)
    if date_from is not None:
        stmt = stmt.where(SurveyResponse.date >= date_from)
    if date_to is not None:
        stmt = stmt.where(SurveyResponse.date <= date_to)
    n, *sums = db.session.execute(stmt).one()
    result: dict[str, Any] = {
        "respondents": n,
        "weight": float(weight()),
        "nrr": {},
        "elements": [],
        "ikm": None,
        "grade": None,
        "label": None,
        "sources": list(sources),
        "service_id": service_id,
        "from": date_from,
        "to": date_to,
    }
    if not n:
        return result
    w = weight()
    total = Decimal(0)
    for key, s in zip(ELEMENTS, sums, strict=False):
        nrr = Decimal(int(s)) / Decimal(n)
        total += nrr * w
        letter, label = grade(nrr * 25)
        result["nrr"][key] = float(nrr.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))
        result["elements"].append(
            {
                "element": key,
                "name": ELEMENT_NAMES[key],
                "sum": int(s),
                "nrr": result["nrr"][key],
                "score": float(round2(nrr * 25)),
                "grade": letter,
                "label": label,
                "needs_follow_up": letter in FOLLOW_UP_GRADES,
            }
        )
    ikm = round2(total * 25)
    result["ikm"] = float(ikm)
    result["grade"], result["label"] = grade(ikm)
    return result


def compute_open(service_id: int | None = None, date_from: date | None = None, date_to: date | None = None) -> dict:
    """The open public form's answers over the period, computed like the index but never part of it."""
    return compute_ikm(service_id, date_from, date_to, sources=("open",))


def follow_ups(service_id: int | None, date_from: date | None, date_to: date | None) -> list:
    """Follow-up plans recorded for the service and overlapping the period."""
    stmt = select(SurveyFollowUp).order_by(SurveyFollowUp.element, SurveyFollowUp.id)
    if service_id is not None:
        stmt = stmt.where(SurveyFollowUp.service_id == service_id)
    if date_from is not None:
        stmt = stmt.where(SurveyFollowUp.period_to >= date_from)
    if date_to is not None:
        stmt = stmt.where(SurveyFollowUp.period_from <= date_to)
    return list(db.session.scalars(stmt))


def add_follow_up(data: dict, user: User) -> SurveyFollowUp:
    """Record a follow-up plan for one element of one service's period, and commit."""
    service = _service(data.get("service"))
    element = data.get("element")
    if element not in ELEMENTS:
        raise SurveyError(422, _("Unknown element."))
    period_from = bounded_date(str(data.get("period_from")))
    period_to = bounded_date(str(data.get("period_to")))
    target = bounded_date(str(data["target_date"])) if data.get("target_date") else None
    if period_from is None or period_to is None or (data.get("target_date") and target is None):
        raise SurveyError(422, _("Dates must be written YYYY-MM-DD."))
    if period_to < period_from:
        raise SurveyError(422, _("The end of the period must not be before its start."))
    plan = _limited(data.get("plan"), "plan", "survey.plan")
    if not plan:
        raise SurveyError(422, _("The follow-up plan is required."))
    responsible = _limited(data.get("responsible"), "responsible", "survey.responsible")
    nrr = compute_ikm(service.id, period_from, period_to)["nrr"].get(element)
    row = SurveyFollowUp(
        service_id=service.id,
        element=element,
        period_from=period_from,
        period_to=period_to,
        nrr=nrr,
        plan=plan,
        responsible=responsible,
        target_date=target,
        created_by_id=getattr(user, "id", None),
    )
    db.session.add(row)
    db.session.flush()
    audit.record("survey.follow_up", "SurveyFollowUp", row.id, after=audit.snapshot(row), user=user)
    db.session.commit()
    return row
