"""Documents of a service and of the complaint book: the standard, the reply letter."""

from __future__ import annotations

from typing import Any

from models import Complaint, Service, Step
from models.service import COMPONENT_KEYS

# Headings of the published components, as the source document words them.
COMPONENT_TITLES = {
    "legal_basis": "Dasar Hukum",
    "facilities": "Sarana, prasarana, dan/atau fasilitas",
    "competency": "Kompetensi pelaksana",
    "internal_supervision": "Pengawasan internal",
    "personnel": "Jumlah pelaksana",
    "service_guarantee": "Jaminan pelayanan",
    "security_guarantee": "Jaminan keamanan dan keselamatan pelayanan",
    "performance_evaluation": "Evaluasi kinerja pelaksana",
    "complaint_handling": "Penanganan pengaduan, saran, dan masukan",
}


def step_time(step: Step | None) -> str:
    """A step's standard time as the SOP table writes it: `35 menit kerja`, `4 hari kerja`.

    The control card's one formatter (app.cases.control_card.standard_time), so the
    SOP, the printed card and the card on screen read the same.
    """
    from app.cases.control_card import standard_time

    return standard_time(step, None, "id") if step is not None else ""


def fee_text(service: Service) -> str:
    from app.core.formatting import format_rupiah

    if not service.fee:
        return "Pelayanan ini tidak berbiaya (GRATIS)"
    return format_rupiah(service.fee)


def _components(service: Service) -> list[dict[str, Any]]:
    by_key: dict[str, list[str]] = {}
    for item in sorted(service.components, key=lambda c: (c.key, c.position)):
        by_key.setdefault(item.key, []).append(item.text)
    return [
        {"title": COMPONENT_TITLES.get(key, key), "items": by_key[key]} for key in COMPONENT_KEYS if by_key.get(key)
    ]


def standard_pdf(service: Service) -> bytes:
    """The service standard regenerated from data: components, requirements, SOP table."""
    from app.documents import render

    executors = service.executors
    rows = []
    for step in service.steps:
        marked = {e.id for e in step.executors}
        rows.append(
            {
                "step": step,
                "marks": [e.id in marked for e in executors],
                "time": step_time(step),
            }
        )
    return render(
        "standard",
        service=service,
        components=_components(service),
        requirements=service.requirements,
        executors=executors,
        rows=rows,
        fee=fee_text(service),
    )


def complaint_reply_letter_pdf(complaint: Complaint) -> bytes:
    """The letter answering a complaint (its reply text, to the complainant)."""
    from app.documents import render
    from app.documents.case_documents import head_signer

    return render("complaint_reply", complaint=complaint, signer=head_signer())
