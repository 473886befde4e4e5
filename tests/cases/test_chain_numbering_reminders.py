"""Control-card tamper detection, parallel certificate numbering, uncollected reminders."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from app.cases.control_card import verify_chain
from app.cases.numbering import NumberingError, format_number, issue_certificate
from app.core.extensions import db
from models import Case, CertificateCounter, OutboxMessage, Service
from tests.factories import advance, new_case

WORKERS, PER_WORKER = 4, 10


def test_verify_chain_names_a_case_whose_card_was_edited_in_the_database(app, runner):
    intact, tampered = new_case(app), new_case(app)
    advance(app, intact, 4)
    advance(app, tampered, 4)
    ok = runner.invoke(args=["cases", "verify-chain"])
    assert ok.exit_code == 0 and "utuh" in ok.output
    with app.app_context():
        db.session.execute(
            sa.text("UPDATE control_card_entry SET late = :late, spent_minutes = 1 WHERE case_id = :case AND seq = 2"),
            {"late": True, "case": tampered},
        )
        db.session.commit()
        assert verify_chain(intact) is True
        assert verify_chain(tampered) is False
        number = db.session.get(Case, tampered).registration_no
    bad = runner.invoke(args=["cases", "verify-chain"])
    assert bad.exit_code == 1
    assert number in bad.output and f"berkas {tampered} " in bad.output
    assert f"berkas {intact} " not in bad.output


def test_verify_chain_detects_a_deleted_row(app):
    case_id = new_case(app)
    advance(app, case_id, 4)
    with app.app_context():
        db.session.execute(sa.text("DELETE FROM control_card_entry WHERE case_id = :c AND seq = 1"), {"c": case_id})
        db.session.commit()
        assert verify_chain(case_id) is False


def _draw_numbers(url: str, instance: str, count: int, queue) -> None:
    """One worker process: its own app and engine on the shared database."""
    from app import create_app
    from app.cases.numbering import next_certificate_number

    app = create_app(
        {
            "APP_ENV": "test",
            "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE_PATH": instance,
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"timeout": 60}} if url.startswith("sqlite") else {},
        }
    )
    drawn = []
    with app.app_context():
        service = db.session.scalar(select(Service).where(Service.code == "TD-BKK"))
        when = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
        for _ in range(count):
            seq, number = next_certificate_number(service, when)
            db.session.commit()
            drawn.append((seq, number))
        db.engine.dispose()
    queue.put(drawn)


@pytest.mark.slow
def test_parallel_numbering_from_several_processes_has_no_duplicates_and_no_gaps(app, database_url, tmp_path):
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [
        ctx.Process(target=_draw_numbers, args=(database_url, str(tmp_path), PER_WORKER, queue)) for _ in range(WORKERS)
    ]
    for proc in procs:
        proc.start()
    results = [queue.get(timeout=300) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    seqs = sorted(seq for drawn in results for seq, _ in drawn)
    numbers = {number for drawn in results for _, number in drawn}
    print(f"\n{WORKERS} processes drew {len(seqs)} numbers: {seqs[0]}..{seqs[-1]}")
    assert seqs == list(range(1, WORKERS * PER_WORKER + 1))
    assert len(numbers) == WORKERS * PER_WORKER
    assert "040/TD-BKK/DPMPTSP/XI/2026" in numbers
    with app.app_context():
        assert db.session.scalar(select(CertificateCounter.last_seq)) == WORKERS * PER_WORKER


def test_number_format_and_one_number_per_case(app):
    assert (
        format_number("{seq:03d}/TD-BKK/DPMPTSP/{month_roman}/{year}", 7, datetime(2026, 12, 31, 18, 0, tzinfo=UTC))
        == "007/TD-BKK/DPMPTSP/I/2027"
    )
    case_id = new_case(app)
    advance(app, case_id, 10)
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.certificate.signer_nip == "197001012000031001"
        assert len(case.certificate.verify_token) >= 43
        with pytest.raises(NumberingError):
            issue_certificate(case, datetime.now(UTC))
        db.session.rollback()
        assert db.session.scalar(select(CertificateCounter.last_seq)) == 1


def test_remind_uncollected_queues_one_letter_per_case(app, runner):
    old, recent, collected = new_case(app), new_case(app), new_case(app)
    for case_id in (old, recent):
        advance(app, case_id, 10)
    advance(app, collected, 11)
    with app.app_context():
        long_ago = datetime.now(UTC) - timedelta(days=40)
        for case_id in (old, collected):
            db.session.get(Case, case_id).completed_at = long_ago
        db.session.commit()
    first = runner.invoke(args=["cases", "remind-uncollected"])
    assert first.exit_code == 0 and first.output.startswith("1 surat")
    second = runner.invoke(args=["cases", "remind-uncollected"])
    assert second.exit_code == 0 and second.output.startswith("0 surat")
    with app.app_context():
        letters = db.session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "letter")).all()
        assert [m.case_id for m in letters] == [old]
        case = db.session.get(Case, old)
        assert case.applicant.name in letters[0].recipient and case.registration_no in letters[0].body
        assert case.reminder_queued_at is not None
