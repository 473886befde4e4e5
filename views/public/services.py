"""The published service standards, as the public reads them (no login)."""

from __future__ import annotations

from flask import abort, render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core.extensions import db
from app.documents.service_documents import COMPONENT_TITLES, fee_text, step_time
from models import Service, Step
from models.service import COMPONENT_KEYS


def active_services() -> list[Service]:
    return list(db.session.scalars(select(Service).where(Service.active.is_(True)).order_by(Service.name)))


def index():
    """Every active service with its cost, time and product; the other public tools."""
    return render_template("public/index.html", services=active_services(), fee_text=fee_text)


def _components(service: Service) -> list[dict]:
    """The standard's components in the order the document lists them."""
    by_key: dict[str, list[str]] = {}
    for item in sorted(service.components, key=lambda c: (c.key, c.position)):
        by_key.setdefault(item.key, []).append(item.text)
    return [
        {"key": key, "title": COMPONENT_TITLES.get(key, key), "items": by_key[key]}
        for key in COMPONENT_KEYS
        if by_key.get(key)
    ]


def service(code: str):
    """One service's whole published standard, with the link to its printable PDF."""
    found = db.session.scalar(
        select(Service)
        .where(Service.code == code, Service.active.is_(True))
        .options(
            selectinload(Service.components),
            selectinload(Service.requirements),
            selectinload(Service.steps).selectinload(Step.executors),
        )
    )
    if found is None:
        abort(404)
    steps = [
        {"step": s, "time": step_time(s), "executors": ", ".join(e.name for e in s.executors)} for s in found.steps
    ]
    return render_template(
        "public/service.html",
        service=found,
        components=_components(found),
        requirements=found.requirements,
        steps=steps,
        fee=fee_text(found),
    )
