"""More of `flask demo`: complaints, survey answers and an online applicant's own cases.

Everything goes through the real engines (app.complaints.book, app.survey.ikm,
app.cases.workflow), so events, deadlines, audit rows and numbers are real.
Who acts is found from the data, never from a role name: the first active
account holding the permission or capability an action needs (officers before
administrators), and the online applicant is the demo account whose roles are
all applicant executor columns of the service definitions.
Each part adds rows only where there are none yet, so a second run adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from app.core.extensions import appbuilder, db
from app.core.timezone import office_tz
from models import Case, Complaint, Service, SurveyInvitation, SurveyResponse

APPLICANT = {
    "nik": "1471016607920008",
    "name": "Intan Permatasari",
    "phone": "081299887766",
    "email": None,
    "address": "Jl. Tuanku Tambusai, Pekanbaru",
}
APPLICANT_SCHOOL = {"name": "SMK Negeri 5 Pekanbaru", "address": "Pekanbaru", "license_no": "421.5/DISDIK/2019/021"}

# (channel, complainant, subject, weight, actions after intake); "public" is the web form.
COMPLAINTS: list[tuple[str, dict, str, str | None, list[str]]] = [
    (
        "public",
        {"name": "Hendra Wijaya", "email": "hendra@example.test"},
        "Status permohonan tidak berubah sejak dua minggu",
        None,
        [],
    ),
    ("telephone", {"name": "Maya Sari", "phone": "081277665544"}, "Petugas loket sulit dihubungi", "sedang", []),
    ("face_to_face", {"name": "Yusuf Hamdani"}, "Ruang tunggu loket terlalu sempit", "ringan", []),
    (
        "telephone",
        {"name": "Lina Marlina", "phone": "082188776655"},
        "Persyaratan di laman berbeda dengan di loket",
        "ringan",
        ["reply"],
    ),
    ("face_to_face", {"name": "Agus Salim"}, "Antrean pengambilan produk lama", "ringan", ["reply", "return"]),
    (
        "telephone",
        {"name": "Fitri Handayani", "phone": "085212345678"},
        "Informasi biaya layanan kurang jelas",
        "ringan",
        ["reply", "approve"],
    ),
    (
        "face_to_face",
        {"name": "Darmawan Putra"},
        "Dugaan pungutan di luar ketentuan",
        "berat",
        ["coordinate_mayor", "reply", "approve"],
    ),
]
ACTION_DATA: dict[str, dict[str, Any]] = {
    "coordinate_mayor": {"with": "asisten", "note": "Dilaporkan kepada Asisten untuk ditindaklanjuti."},
    "reply": {"text": "Terima kasih atas pengaduan Bapak/Ibu; telah kami tindak lanjuti."},
    "return": {"note": "Mohon tanggapan dilengkapi dengan langkah perbaikan."},
    "approve": {"note": "Tanggapan disetujui."},
}
# Scores u1-u9 of the paper forms: mostly 3 and 4, so the index reads "baik".
PAPER_SCORES = ["343433434", "334343343", "443434334", "333433343", "434343443", "343333434"]
PROFILES = [
    {"sex": "L", "age": "34", "education": "D4-S1", "occupation": "swasta"},
    {"sex": "P", "age": "41", "education": "SMA", "occupation": "wirausaha"},
    {"sex": "P", "age": "28", "education": "D4-S1", "occupation": "pns"},
]


def _accounts() -> list[Any]:
    """Active accounts, officers first and administrators last, oldest first."""
    admin = current_app.config.get("AUTH_ROLE_ADMIN", "Admin")
    users = [u for u in db.session.scalars(select(appbuilder().sm.user_model)).all() if u.active]
    return sorted(users, key=lambda u: (any(r.name == admin for r in u.roles), u.id))


def _holder(test: Callable[[Any], bool]) -> Any:
    user = next((u for u in _accounts() if test(u)), None)
    if user is None:
        raise RuntimeError("no active demo account may take this action: create the accounts first")
    return user


def _count(model: Any, *where: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _permitted(permission: str) -> Any:
    """The first account holding a permission of the complaint book."""
    from app.complaints import book

    return _holder(lambda u: book.holds(u, permission))


def add_complaints() -> int:
    """Complaints at every status of the book, once: only into an empty complaint table."""
    from app.complaints import book

    if _count(Complaint):
        return 0
    clerk = _permitted("can_sort")
    for index, (channel, person, subject, weight, actions) in enumerate(COMPLAINTS):
        received = datetime.now(office_tz()) - timedelta(days=2 * (len(COMPLAINTS) - index))
        data: dict[str, Any] = {
            "channel": channel,
            "complainant": person,
            "subject": subject,
            "description": f"{subject}. Mohon ditindaklanjuti.",
            "weight": weight,
            "received_at": received.date().isoformat(),  # the day a letter or call came in
        }
        c = book.create_complaint(data, source="public") if channel == "public" else book.create_complaint(data, clerk)
        for action in actions:
            book.act(c, _permitted(book.ACTIONS[action][1]), action, ACTION_DATA[action])
    return len(COMPLAINTS)


def _scores(digits: str) -> dict[str, str]:
    return {f"u{i + 1}": d for i, d in enumerate(digits)}


def add_survey_answers() -> int:
    """Survey answers, once: from the invitations of handed-over cases, then paper forms."""
    from app.security.capabilities import SURVEYS_ENTER, has_capability
    from app.survey import ikm

    if _count(SurveyResponse):
        return 0
    from app.cases.demo_data import _actor_lookup, walk

    added = 0
    # Completed sample cases are handed over: the handover gives each its one-time survey link.
    actor = _actor_lookup()
    for case_id in db.session.scalars(select(Case.id).where(Case.status == "completed").order_by(Case.id)).all():
        walk(case_id, 10**6, actor)
    tokens = db.session.scalars(
        select(SurveyInvitation.token).where(SurveyInvitation.used_at.is_(None)).order_by(SurveyInvitation.id)
    ).all()
    for index, token in enumerate(tokens):
        answer = {"scores": _scores(PAPER_SCORES[index % len(PAPER_SCORES)]), "respondent": PROFILES[index % 3]}
        ikm.submit_response({**answer, "suggestion": "Pelayanan sudah cepat."}, invitation_token=token)
        added += 1
    clerk = _holder(lambda u: has_capability(u, SURVEYS_ENTER))
    today = datetime.now(office_tz()).date()
    codes = db.session.scalars(select(Service.code).where(Service.active).order_by(Service.code)).all()
    for code in codes:
        for index, digits in enumerate(PAPER_SCORES):
            ikm.submit_response(
                {
                    "service": code,
                    "date": max(today.replace(month=1, day=1), today - timedelta(days=3 * index)).isoformat(),
                    "scores": _scores(digits),
                    "respondent": PROFILES[index % len(PROFILES)],
                },
                clerk,
            )
            added += 1
    return added


def applicant_account(usernames: Iterable[str]) -> Any:
    """The first of the demo accounts that is an online applicant (every role an applicant column)."""
    from app.cases.access import is_applicant_user

    sm = appbuilder().sm
    for name in usernames:
        user = sm.find_user(username=name)
        if user is not None and user.active and is_applicant_user(user):
            return user
    return None


def add_applicant_cases(usernames: Iterable[str]) -> int:
    """Two applications submitted online by the demo applicant account, once (while it owns none).

    Both show in the account's *Permohonan saya*: one at intake, one completed and waiting at the handover.
    """
    from app.cases import workflow
    from app.cases.demo_data import _actor_lookup, sample_form, walk
    from app.security.roles import user_can_act

    user = applicant_account(usernames)
    if user is None or _count(Case, Case.created_by_id == user.id):
        return 0
    services = db.session.scalars(select(Service).where(Service.active).order_by(Service.code)).all()
    service = next((s for s in services if s.steps and user_can_act(user, s.steps[0])), None)
    if service is None:
        return 0
    ids = []
    for _ in range(2):
        school = None if service.institution == "none" else APPLICANT_SCHOOL
        case = workflow.create_case(service, APPLICANT, school, sample_form(service), user)
        ids.append(case.id)
    # One still at intake, one ready to pick up: both wait on the applicant's own steps.
    walk(ids[-1], service.steps[-1].no, _actor_lookup())
    return len(ids)
