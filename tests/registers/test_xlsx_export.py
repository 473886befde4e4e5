"""XLSX exports, the semicolon CSV for Indonesian Excel, and the late column of the cases register."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import openpyxl

from tests.registers.conftest import EVIL_FONT


def export(client, headers, name="cases", fmt="xlsx", **args):
    return client.get(f"/api/v1/registers/{name}/export", query_string={"format": fmt, **args}, headers=headers)


def sheet_rows(rv) -> list[list]:
    assert rv.status_code == 200, rv.get_data(as_text=True)[:300]
    assert rv.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert rv.headers["Content-Disposition"].rstrip('"').endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(rv.get_data()))
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "A2"  # the header row stays on screen
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def siti_nik(app) -> str:
    from app.core.extensions import db
    from models import Applicant

    with app.app_context():
        nik = db.session.query(Applicant.nik).filter_by(name="Siti Aminah").scalar()
    assert len(nik) == 16 and nik.isdigit()
    return nik


def test_cases_xlsx_keeps_the_nik_as_text_and_dates_as_dates(app, client, auth, make_user, sample):
    nik = siti_nik(app)
    rows = sheet_rows(export(client, auth.token(make_user("Admin"))))
    assert rows[0][:4] == ["No.", "No. registrasi", "Diterima pada", "Layanan"]
    assert [r[1] for r in rows[1:]] == ["REG-001", "REG-002", "REG-003", "REG-004"]
    first = dict(zip(rows[0], rows[1], strict=False))
    assert first["No."] == 1
    # The whole 16-digit NIK as text (never 1,47E+15), for the counter's reader.
    assert first["NIK"] == nik
    # A real Excel date, in office time (10:00 in Jakarta is 03:00 UTC).
    assert first["Diterima pada"] == datetime(2026, 1, 15, 10, 0)
    assert first["Status"] == "Dalam proses"
    assert first["Langkah"] == 2
    second = dict(zip(rows[0], rows[2], strict=False))
    assert second["Pemohon"] == EVIL_FONT
    assert second["Nomor surat"] == "001/TD-BKK/DPMPTSP/II/2026"
    third = dict(zip(rows[0], rows[3], strict=False))
    # A string cell, never a formula: no apostrophe needed.
    assert third["Pemohon"] == '=HYPERLINK("http://x")'


def test_xlsx_cells_have_the_right_types(app, client, auth, make_user, sample):
    nik_text = siti_nik(app)
    rv = export(client, auth.token(make_user("Admin")))
    sheet = openpyxl.load_workbook(io.BytesIO(rv.get_data())).worksheets[0]
    header = [c.value for c in sheet[1]]
    row = sheet[2]
    nik = row[header.index("NIK")]
    assert nik.data_type == "s" and nik.value == nik_text
    received = row[header.index("Diterima pada")]
    assert received.is_date and isinstance(received.value, datetime)


def test_xlsx_masks_the_nik_and_follows_the_filters(app, client, auth, make_user, sample):
    from app.cases.access import mask_nik

    nik = siti_nik(app)
    headers = auth.token(make_user("Kepala Bidang"))
    rows = sheet_rows(export(client, headers, service="TD-BKK", status="in_progress"))
    assert [r[1] for r in rows[1:]] == ["REG-001"]
    assert dict(zip(rows[0], rows[1], strict=False))["NIK"] == mask_nik(nik) != nik
    assert len(sheet_rows(export(client, headers, **{"from": "2027-01-01"}))) == 1  # the header only


def test_phone_numbers_and_surveys_in_xlsx(client, auth, make_user, sample):
    book = sheet_rows(export(client, auth.token(make_user("Petugas Pengaduan")), "complaints"))
    first = dict(zip(book[0], book[1], strict=False))
    assert first["Telepon"] == "+6281234567890" and first["Saluran"] == "Telepon"
    assert first["Batas waktu"] is None
    surveys = sheet_rows(export(client, auth.token(make_user("Admin")), "surveys"))
    answer = dict(zip(surveys[0], surveys[1], strict=False))
    assert answer["Tanggal"] == datetime(2026, 2, 1) and answer["U1"] == 4


def test_xlsx_is_refused_without_the_register_like_csv(client, auth, make_user, reader, sample):
    headers = auth.token(make_user("Front Office"))
    rv = export(client, headers, "complaints")
    assert rv.status_code == 403 and rv.json["message"] == "Anda tidak berhak membaca register ini."
    assert export(client, {}, "cases").status_code == 401
    reader("Front Office")
    assert client.get("/registers/complaints/export/xlsx").status_code == 403
    rv = client.get("/registers/cases/export/xlsx?service=SIP-X")
    assert [r[1] for r in sheet_rows(rv)[1:]] == ["REG-003"]


def test_semicolon_csv_splits_right(client, auth, make_user, sample):
    headers = auth.token(make_user("Kepala Bidang"))
    for args in ({"sep": "semicolon"}, {"delimiter": ";"}):
        body = export(client, headers, fmt="csv", **args).get_data().decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(body), delimiter=";"))
        assert rows[0][:4] == ["No.", "No. registrasi", "Diterima pada", "Layanan"]
        assert len({len(r) for r in rows}) == 1
        first = dict(zip(rows[0], rows[1], strict=False))
        assert first["Pemohon"] == "Siti Aminah" and first["Diterima pada"] == "2026-01-15 10:00"
    # The default stays a comma.
    plain = export(client, headers, fmt="csv").get_data().decode("utf-8-sig")
    assert plain.splitlines()[0].startswith("No.,No. registrasi,")


def test_screen_offers_the_semicolon_csv(client, reader, sample):
    reader("Front Office")
    rv = client.get("/registers/cases/export/csv?sep=semicolon&service=SIP-X")
    assert rv.status_code == 200
    rows = list(csv.reader(io.StringIO(rv.get_data().decode("utf-8-sig")), delimiter=";"))
    assert [r[1] for r in rows[1:]] == ["REG-003"]


def _late_rows(app, client, auth, make_user, fmt):
    """REG-001 in progress and past its step's due time; REG-002 completed with a late control-card row."""
    from app.core.extensions import db
    from models import Case, ControlCardEntry

    with app.app_context():
        past = datetime.now(UTC) - timedelta(days=2)
        db.session.query(Case).filter_by(registration_no="REG-001").update({"step_due_at": past})
        db.session.query(Case).filter_by(registration_no="REG-003").update(
            {"step_due_at": datetime.now(UTC) + timedelta(days=2)}
        )
        done = db.session.query(Case).filter_by(registration_no="REG-002").one()
        db.session.add(
            ControlCardEntry(
                case_id=done.id,
                seq=1,
                step_no=1,
                received_at=past - timedelta(days=5),
                acted_at=past,
                outcome="forward",
                late=True,
                hash="x" * 64,
            )
        )
        db.session.commit()
    return export(client, auth.token(make_user("Kepala Bidang")), fmt=fmt)


def test_late_column_in_csv_and_xlsx(app, client, auth, make_user, sample):
    rv = _late_rows(app, client, auth, make_user, "csv")
    rows = list(csv.reader(io.StringIO(rv.get_data().decode("utf-8-sig"))))
    late = {r[1]: dict(zip(rows[0], r, strict=False))["Terlambat"] for r in rows[1:]}
    assert late == {"REG-001": "Ya", "REG-002": "Ya", "REG-003": "Tidak", "REG-004": "Tidak"}
    sheet = sheet_rows(export(client, auth.token(make_user("Kepala Bidang"))))
    assert {r[1]: dict(zip(sheet[0], r, strict=False))["Terlambat"] for r in sheet[1:]} == late


def test_late_column_in_the_pdf(app, client, auth, make_user, sample):
    from pypdf import PdfReader

    rv = _late_rows(app, client, auth, make_user, "pdf")
    assert rv.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(rv.get_data())).pages)
    assert "Terlambat" in text, text[:600]
    assert "Ya" in text and "Tidak" in text


def test_late_matches_the_worklist_definition(app, sample):
    """The register's SQL and the worklist's `is_late` agree on open cases."""
    import sqlalchemy as sa

    from app.cases.lateness import late_clause
    from app.core.extensions import db
    from models import Case
    from views.cases.display import is_late

    with app.app_context():
        at = datetime.now(UTC)
        db.session.query(Case).filter_by(registration_no="REG-001").update({"step_due_at": at - timedelta(hours=1)})
        db.session.commit()
        for case, late in db.session.execute(sa.select(Case, late_clause(at))).all():
            if case.status == "in_progress":
                assert bool(late) == is_late(case, at), case.registration_no
