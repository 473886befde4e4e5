"""CSV exports: what a clerk opening the file in Excel (or a script reading it) gets."""

from __future__ import annotations

import csv
import io

from tests.registers.conftest import EVIL_FONT


def parse(rv) -> list[list[str]]:
    body = rv.get_data()
    assert body.startswith("\ufeff".encode("utf-8")), "Excel needs the UTF-8 byte-order mark"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def export(client, headers, name="cases", **args):
    query = {"format": "csv", **args}
    return client.get(f"/api/v1/registers/{name}/export", query_string=query, headers=headers)


def test_cases_csv_parses_back_to_the_register_rows(client, auth, make_user, sample):
    headers = auth.token(make_user("Kepala Bidang"))
    rv = export(client, headers)
    assert rv.status_code == 200
    assert rv.mimetype == "text/csv"
    assert "attachment" in rv.headers["Content-Disposition"]
    rows = parse(rv)
    assert rows[0][:4] == ["No.", "No. registrasi", "Diterima pada", "Layanan"]
    assert [r[1] for r in rows[1:]] == ["REG-001", "REG-002", "REG-003", "REG-004"]
    first = dict(zip(rows[0], rows[1], strict=False))
    assert first["Diterima pada"] == "2026-01-15 10:00"  # Asia/Jakarta, Excel-readable
    assert first["Pemohon"] == "Siti Aminah"
    assert first["Status"] == "Dalam proses"
    second = dict(zip(rows[0], rows[2], strict=False))
    assert second["Pemohon"] == EVIL_FONT  # user text comes back untouched
    assert second["Nomor surat"] == "001/TD-BKK/DPMPTSP/II/2026"


def test_a_formula_in_user_text_stays_text_in_excel(client, auth, make_user, sample):
    rows = parse(export(client, auth.token(make_user("Kepala Bidang"))))
    third = dict(zip(rows[0], rows[3], strict=False))
    assert third["Pemohon"] == '\'=HYPERLINK("http://x")'


def test_date_range_service_and_status_filters(client, auth, make_user, sample):
    headers = auth.token(make_user("Kepala Dinas"))
    feb = parse(export(client, headers, **{"from": "2026-02-01", "to": "2026-02-28"}))
    assert [r[1] for r in feb[1:]] == ["REG-002", "REG-003"]
    # `to` includes the whole day (office time zone).
    upto = parse(export(client, headers, to="2026-01-15"))
    assert [r[1] for r in upto[1:]] == ["REG-001"]
    service = parse(export(client, headers, service="SIP-X"))
    assert [r[1] for r in service[1:]] == ["REG-003"]
    status = parse(export(client, headers, status="in_progress", service="TD-BKK"))
    assert [r[1] for r in status[1:]] == ["REG-001"]
    none = parse(export(client, headers, **{"from": "2027-01-01"}))
    assert len(none) == 1  # the header only


def test_complaint_book_columns_and_status_filter(client, auth, make_user, sample):
    headers = auth.token(make_user("Petugas Pengaduan"))
    rows = parse(export(client, headers, "complaints"))
    assert rows[0] == [
        "No.",
        "Nomor pengaduan",
        "Diterima pada",
        "Pengadu",
        "Telepon",
        "Surel",
        "Alamat",
        "Saluran",
        "Bobot",
        "Perihal",
        "Status",
        "Batas waktu",
    ]
    book = [dict(zip(rows[0], r, strict=False)) for r in rows[1:]]
    assert [b["Nomor pengaduan"] for b in book] == ["ADU-001", "ADU-002"]
    assert book[0]["Saluran"] == "Telepon" and book[0]["Bobot"] == "Ringan"
    # The complaint book's one word for `closed` (models.complaint.ComplaintStatus), as on its screens.
    assert book[1]["Bobot"] == "Berat" and book[1]["Status"] == "Disetujui Sekretaris"
    closed = parse(export(client, headers, "complaints", status="closed"))
    assert [r[1] for r in closed[1:]] == ["ADU-002"]


def test_other_registers_export(client, auth, make_user, sample):
    head = auth.token(make_user("Sekretaris"))
    certs = parse(export(client, head, "certificates"))
    assert certs[1][1] == "001/TD-BKK/DPMPTSP/II/2026" and certs[1][-1] == "Berlaku"
    assert len(parse(export(client, head, "certificates", status="revoked"))) == 1
    surveys = parse(export(client, head, "surveys"))
    assert surveys[0][3:12] == [f"U{n}" for n in range(1, 10)]
    assert [r[3] for r in surveys[1:]] == ["4", "3"]
    staff = parse(export(client, auth.token(make_user("Kepegawaian")), "personnel"))
    assert staff[0][:3] == ["No.", "NIP", "Nama"] and staff[1][2] == "Andi Pegawai"


def test_screen_export_button_downloads_the_filtered_csv(client, reader, sample):
    reader("Front Office")
    rv = client.get("/registers/cases/export/csv?service=SIP-X")
    assert rv.status_code == 200
    assert [r[1] for r in parse(rv)[1:]] == ["REG-003"]


def test_identifiers_typed_in_the_console_are_guarded_against_formulas_too(app, client, auth, make_user, sample):
    """NIK, NIP and user names are free text in the console: an `=` there must not run in Excel."""
    from app.core.extensions import db
    from models import Applicant, Personnel

    with app.app_context():
        db.session.query(Applicant).filter_by(name="Siti Aminah").update({"nik": "=1+1"})
        db.session.query(Personnel).update({"nip": "@SUM(A1)"})
        db.session.commit()
    # The whole NIK is printed for the counter only (an administrator here); others read it masked.
    cases = parse(export(client, auth.token(make_user("Admin"))))
    assert dict(zip(cases[0], cases[1], strict=False))["NIK"] == "'=1+1"
    masked = parse(export(client, auth.token(make_user("Kepala Bidang"))))
    assert dict(zip(masked[0], masked[1], strict=False))["NIK"] == "****"
    staff = parse(export(client, auth.token(make_user("Kepegawaian")), "personnel"))
    assert staff[1][1] == "'@SUM(A1)"
