"""The NIK's structure (app.core.nik), and that a refused NIK stores nothing.

Province, regency/city, district, date of birth DDMMYY (women +40 on the day)
and serial: each bad part is named in the message the person reads.
"""

from __future__ import annotations

import pytest

from app.core.extensions import db
from app.core.nik import nik_problem
from models import Applicant, Case
from tests.conftest import count_rows
from tests.factories import sample_applicant

GOOD = [
    "1471015203850001",  # Riau, Pekanbaru, district 01, a woman born 12-03-85, serial 0001
    "1471012107790002",  # a man born 21-07-79
    "3171014101000001",  # Jakarta, a woman born 01-01-00
    "1101010101000001",  # Aceh, the first province code
    "9601017112990001",  # Papua Barat Daya (2022), a woman born 31-12-99
    "9401012902000001",  # Papua Tengah, 29 February 2000
    "6501012902960001",  # Kalimantan Utara, 29 February 1996
    " 1471015203850001 ",  # spaces around are not part of it
]
# (NIK, Indonesian message, English message)
BAD = [
    (
        "0000000000000000",
        "Dua angka pertama NIK (00) bukan kode provinsi di Indonesia.",
        "The NIK's first two digits (00) are not an Indonesian province code.",
    ),
    (
        "2001015203850001",
        "Dua angka pertama NIK (20) bukan kode provinsi di Indonesia.",
        "The NIK's first two digits (20) are not an Indonesian province code.",
    ),
    (
        "9701015203850001",
        "Dua angka pertama NIK (97) bukan kode provinsi di Indonesia.",
        "The NIK's first two digits (97) are not an Indonesian province code.",
    ),
    (
        "1400015203850001",
        "Kode kabupaten/kota pada NIK (angka ke-3 dan ke-4) tidak boleh 00.",
        "The NIK's regency/city code (digits 3-4) cannot be 00.",
    ),
    (
        "1471005203850001",
        "Kode kecamatan pada NIK (angka ke-5 dan ke-6) tidak boleh 00.",
        "The NIK's district code (digits 5-6) cannot be 00.",
    ),
    (
        "1471010001900001",
        "Tanggal lahir pada NIK (angka ke-7 s.d. ke-12, HHBBTT, tanggal perempuan ditambah 40) "
        "bukan tanggal yang ada: 000190.",
        "The NIK's date of birth (digits 7-12, DDMMYY, women add 40 to the day) is not a real date: 000190.",
    ),
    (
        "1471013201900001",
        None,
        "The NIK's date of birth (digits 7-12, DDMMYY, women add 40 to the day) is not a real date: 320190.",
    ),
    (
        "1471014001900001",
        None,
        "The NIK's date of birth (digits 7-12, DDMMYY, women add 40 to the day) is not a real date: 400190.",
    ),
    (
        "1471017201900001",
        None,
        "The NIK's date of birth (digits 7-12, DDMMYY, women add 40 to the day) is not a real date: 720190.",
    ),
    (
        "1471013104900001",
        None,
        "The NIK's date of birth (digits 7-12, DDMMYY, women add 40 to the day) is not a real date: 310490.",
    ),
    (
        "1471012913900001",
        None,
        "The NIK's date of birth (digits 7-12, DDMMYY, women add 40 to the day) is not a real date: 291390.",
    ),
    (
        "1471012902970001",
        None,
        "The NIK's date of birth (digits 7-12, DDMMYY, women add 40 to the day) is not a real date: 290297.",
    ),
    (
        "1471015203850000",
        "Nomor urut pada NIK (empat angka terakhir) tidak boleh 0000.",
        "The NIK's serial number (last four digits) cannot be 0000.",
    ),
    ("147101520385000", "NIK harus tepat 16 angka.", "NIK must be exactly 16 digits."),
    ("14710152038500011", "NIK harus tepat 16 angka.", "NIK must be exactly 16 digits."),
    ("1471-0152-0385-0001", "NIK harus tepat 16 angka.", "NIK must be exactly 16 digits."),
    ("١٤٧١٠١٥٢٠٣٨٥٠٠٠١", "NIK harus tepat 16 angka.", "NIK must be exactly 16 digits."),  # Arabic-Indic digits
    ("", "NIK harus tepat 16 angka.", "NIK must be exactly 16 digits."),
]


@pytest.mark.parametrize("nik", GOOD)
def test_a_well_formed_nik_passes(app, nik):
    with app.test_request_context("/"):
        assert nik_problem(nik) is None


@pytest.mark.parametrize(("nik", "indonesian", "english"), BAD)
def test_each_bad_part_is_named_in_both_languages(app, nik, indonesian, english):
    with app.test_request_context("/?lang=en"):
        assert nik_problem(nik) == english
    with app.test_request_context("/?lang=id"):
        problem = nik_problem(nik)
        assert problem is not None and problem != english
        if indonesian:
            assert problem == indonesian


def test_the_api_refuses_a_malformed_nik_and_stores_nothing(app, api, staff):
    applicants, cases = count_rows(app, Applicant), count_rows(app, Case)
    rv = api.create(staff["Front Office"], applicant=sample_applicant(nik="0000000000000000"))
    assert rv.status_code == 422
    assert rv.json["errors"] == {"applicant.nik": "Dua angka pertama NIK (00) bukan kode provinsi di Indonesia."}
    rv = api.create(staff["Front Office"], applicant=sample_applicant(nik="1471015203850000"))
    assert rv.json["errors"]["applicant.nik"] == "Nomor urut pada NIK (empat angka terakhir) tidak boleh 0000."
    assert (count_rows(app, Applicant), count_rows(app, Case)) == (applicants, cases)
    assert api.create(staff["Front Office"], applicant=sample_applicant(nik="1471015203850001")).status_code == 201
    with app.app_context():
        assert db.session.query(Applicant).filter_by(nik="1471015203850001").count() == 1


def test_a_nik_field_of_the_service_form_gets_the_same_check(app):
    from app.cases.input import clean_value

    with app.test_request_context("/?lang=en"):
        assert clean_value("nik", "1471005203850001") == (None, "The NIK's district code (digits 5-6) cannot be 00.")
        assert clean_value("nik", " 1471015203850001") == ("1471015203850001", None)
