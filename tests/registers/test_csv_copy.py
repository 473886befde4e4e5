"""CSV by PostgreSQL's COPY: the very same file, byte for byte, as the Python writer's.

A clerk must not be able to tell which path wrote the register: the labels in
the reader's language, office-time dates, the masked NIK, the apostrophe in
front of formula-looking text, quoting of commas, semicolons, quotes and line
breaks, empty cells for missing values, the `;` separator, the filters. Every
register is exported through both paths on the same tricky data and compared.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from app.core.extensions import db
from tests.conftest import BACKEND
from tests.registers.conftest import utc

# Cells that trip CSV writers: formulas, quotes, line breaks, separators, empty text.
TRICKY = [
    '=HYPERLINK("http://x";"klik")',
    "+62 812-3456",
    "-5",
    "@SUM(A1)",
    "\tTab di depan",
    "\rCR di depan",
    'Kata "kutip", koma; titik koma',
    "Baris satu\nBaris dua\r\nBaris tiga",
    "",
    " spasi di tepi ",
    "Éléonore Ñandú — 日本",
    "'sudah berapostrof",
]


@pytest.fixture
def tricky(app, sample):
    """More rows on top of the shared sample: every tricky text in every kind of column."""
    from models import (
        Applicant,
        Case,
        Certificate,
        Complaint,
        Institution,
        Personnel,
        Service,
        SurveyResponse,
    )

    now = datetime.now(UTC)
    with app.app_context():
        td = db.session.query(Service).filter_by(code="TD-BKK").one()
        niks = ["=1+1", " 1471 ", "", "-14710101019000", "12345678", "123456789", "\t1471010101", "@"]
        niks += ["1471 0101 ", "\u00a01471010101\u3000", '1"2,3;4\n5', "+6281234567890"]
        statuses = ["in_progress", "completed", "rejected", "returned", "in_progress"]
        for i, text in enumerate(TRICKY):
            person = Applicant(nik=niks[i], name=text)
            place = Institution(name=TRICKY[-1 - i]) if i % 3 else None
            db.session.add_all([person, *([place] if place else [])])
            db.session.flush()
            case = Case(
                registration_no=f"TRK-{i:03d}",
                service_id=td.id,
                applicant_id=person.id,
                institution_id=place.id if place else None,
                # Around midnight in the office, either side of a month's end.
                received_at=datetime(2026, 4, 30, 16, 55, tzinfo=UTC) + timedelta(minutes=i),
                status=statuses[i % len(statuses)],
                current_step_no=i if i % 4 else None,
                due_at=utc(2026, 5, 10 + i) if i % 2 else None,
                # A running clock long past due (late) or far ahead (on time): never near "now".
                step_due_at=now + timedelta(days=-30 if i % 2 else 30),
                completed_at=utc(2026, 5, 3, 20) if i % 5 == 1 else None,
            )
            db.session.add(case)
            db.session.flush()
            if i % 4 == 1:
                db.session.add(
                    Certificate(
                        case_id=case.id,
                        service_id=td.id,
                        year=2026,
                        seq=100 + i,
                        number=f"{100 + i}/TD-BKK/V/2026",
                        issued_at=utc(2026, 5, 4),
                        signer_name=TRICKY[(i + 3) % len(TRICKY)],
                        revoked_at=utc(2026, 5, 6) if i % 8 == 1 else None,
                        verify_token=f"tok-trk-{i}",
                    )
                )
            db.session.add(
                Complaint(
                    number=f"ADU-T{i:02d}",
                    channel=("telephone", "letter", "counter", "bogus")[i % 4],
                    complainant_name=text or "x",
                    complainant_phone=TRICKY[(i + 1) % len(TRICKY)][:20] if i % 2 else None,
                    complainant_email=TRICKY[(i + 2) % len(TRICKY)] if i % 3 else None,
                    complainant_address=TRICKY[(i + 5) % len(TRICKY)],
                    weight=("ringan", "berat", None)[i % 3],
                    subject=TRICKY[(i + 7) % len(TRICKY)],
                    description="d",
                    status=("received", "closed")[i % 2],
                    received_at=utc(2026, 4, 1 + i, 18),
                    due_at=utc(2026, 4, 15 + i) if i % 2 else None,
                    service_id=td.id,
                )
            )
            db.session.add(
                SurveyResponse(
                    service_id=td.id,
                    date=date(2026, 4, 1 + i),
                    **{f"u{n}": (n + i) % 4 + 1 for n in range(1, 10)},
                    sex=("L", "P")[i % 2],
                    age=20 + i if i % 3 else None,
                    education="S1",
                    occupation=text or None,
                    source=("paper", "open")[i % 2],
                )
            )
            db.session.add(
                Personnel(
                    nip=f"=19800101{i:02d}" if i % 2 else None,
                    name=text or "Tanpa nama",
                    position=TRICKY[(i + 4) % len(TRICKY)] or None,
                    rank=TRICKY[(i + 6) % len(TRICKY)],
                    education="S1",
                    competencies=TRICKY[(i + 8) % len(TRICKY)],
                )
            )
        db.session.commit()


def both_paths(app, name: str, filters, lang: str, reveal_nik: bool, delimiter: str) -> tuple[bytes, bytes]:
    """The register's CSV from the automatic path and from the forced Python path, same request language."""
    from app.registers import REGISTERS
    from app.registers.csv_export import iter_csv

    out = []
    for use_copy in (None, False):
        with app.test_request_context(f"/?lang={lang}"):
            out.append(
                b"".join(
                    iter_csv(
                        REGISTERS[name],
                        filters,
                        chunk_rows=7,
                        reveal_nik=reveal_nik,
                        delimiter=delimiter,
                        use_copy=use_copy,
                    )
                )
            )
    return out[0], out[1]


def cases():
    from app.registers import Filters

    every = [(name, Filters()) for name in ("cases", "certificates", "complaints", "surveys", "personnel")]
    filtered = [
        ("cases", Filters(date_from=date(2026, 5, 1), date_to=date(2026, 5, 1))),
        ("cases", Filters(service="TD-BKK", status="in_progress")),
        ("certificates", Filters(status="revoked")),
        ("complaints", Filters(status="closed", date_to=date(2026, 4, 6))),
        ("surveys", Filters(status="open")),
        ("surveys", Filters(date_from=date(2026, 4, 3), service="TD-BKK")),
    ]
    return every + filtered


@pytest.mark.skipif(BACKEND != "postgresql", reason="COPY is PostgreSQL's")
@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("delimiter", [",", ";"])
def test_copy_writes_every_register_byte_for_byte_as_the_python_writer(app, tricky, lang, delimiter):
    from app.registers import REGISTERS, Filters
    from app.registers.pg_copy import copy_plan, iter_copy

    for name, filters in cases():
        for reveal_nik in (False, True):
            fast, python = both_paths(app, name, filters, lang, reveal_nik, delimiter)
            assert fast == python, (name, filters, lang, reveal_nik, delimiter)
            # The rows really come from COPY here (no silent fall-back to Python): COPY alone
            # writes the same bytes as the Python file after its BOM and header line.
            with app.test_request_context(f"/?lang={lang}"), db.engine.connect() as conn:
                plan = copy_plan(REGISTERS[name], filters, conn.dialect, reveal_nik, delimiter)
                assert plan is not None, name
                copied = b"".join(iter_copy(conn, plan, chunk_bytes=100))
            assert python.split(b"\r\n", 1)[1] == copied, (name, filters)
        assert python.count(b"\r\n") > 1 or filters != Filters(), f"{name}: no rows to compare"


@pytest.mark.skipif(BACKEND != "postgresql", reason="COPY is PostgreSQL's")
def test_the_copied_file_reads_back_as_the_clerk_expects(app, tricky):
    """Not just equal to the Python file: the cells a clerk sees in Excel (English, `;`)."""
    from app.registers import Filters

    fast, _ = both_paths(app, "cases", Filters(date_from=date(2026, 5, 1), date_to=date(2026, 5, 1)), "en", False, ";")
    assert fast.startswith("\ufeff".encode()) and b"\r\n" in fast
    rows = list(csv.reader(io.StringIO(fast.decode("utf-8-sig"), newline=""), delimiter=";"))
    head = rows[0]
    assert head[:3] == ["No", "Registration no.", "Received at"]
    by_no = {r[1]: dict(zip(head, r, strict=True)) for r in rows[1:]}
    # 16:55 UTC on 30 April is 23:55 in Jakarta: from 17:00 UTC on it is 1 May, and only those are in.
    assert sorted(by_no) == [f"TRK-{i:03d}" for i in range(5, len(TRICKY))]
    assert by_no["TRK-005"]["Received at"] == "2026-05-01 00:00"
    assert [r[0] for r in rows[1:]] == [str(n) for n in range(1, len(rows))]
    texts = {r["Applicant"] for r in by_no.values()}
    assert "Baris satu\nBaris dua\r\nBaris tiga" in texts
    # A leading CR is guarded; text already starting with an apostrophe is left alone; empty stays empty.
    assert "'\rCR di depan" in texts and "'sudah berapostrof" in texts and "" in texts
    assert {r["Late"] for r in by_no.values()} <= {"Yes", "No (on time)"}


def test_the_python_path_can_be_forced_and_agrees_on_any_database(app, tricky):
    """On SQLite there is no COPY: the automatic path is the Python one; the switch changes nothing there."""
    from app.registers import Filters

    fast, python = both_paths(app, "complaints", Filters(), "id", False, ",")
    assert fast == python
    assert python.count(b"ADU-T") == len(TRICKY)


@pytest.mark.skipif(BACKEND != "postgresql", reason="COPY is PostgreSQL's")
def test_download_through_the_api_uses_copy_and_matches_the_forced_python_file(app, client, auth, make_user, tricky):
    headers = auth.token(make_user("Kepala Bidang"))
    query = {"format": "csv", "sep": "semicolon", "_l_": "en"}
    fast = client.get("/api/v1/registers/cases/export", query_string=query, headers=headers)
    assert fast.status_code == 200
    body = fast.get_data()  # read to the end: the stream holds its request context until then
    app.config["REGISTER_CSV_COPY"] = False
    try:
        python = client.get("/api/v1/registers/cases/export", query_string=query, headers=headers)
        assert python.status_code == 200
        assert body == python.get_data()
    finally:
        app.config.pop("REGISTER_CSV_COPY")
    assert b"Registration no.;" in body and b"TRK-011;" in body


@pytest.mark.skipif(BACKEND != "postgresql", reason="COPY is PostgreSQL's")
def test_a_download_dropped_halfway_leaves_the_connection_usable(app, tricky):
    """A clerk closing the browser mid-download stops the COPY; the pooled connection keeps working."""
    import sqlalchemy as sa

    from app.registers import REGISTERS, Filters
    from app.registers.pg_copy import copy_plan, iter_copy

    with app.test_request_context("/"), db.engine.connect() as conn:
        plan = copy_plan(REGISTERS["cases"], Filters(), conn.dialect, False, ",")
        assert plan is not None
        chunks = iter_copy(conn, plan, chunk_bytes=1)
        assert next(chunks).startswith(b"1,REG-001,")
        chunks.close()
        conn.rollback()
        assert conn.execute(sa.text("select count(*) from applicant")).scalar_one() >= len(TRICKY)
