"""The shipped TD-BKK definition says what the published standard says."""

from __future__ import annotations

from sqlalchemy import select

from app.core.extensions import db
from models import Service

# Komponen 1 of the published standard, item by item as printed.
SOURCE_REQUIREMENTS = [
    "Mengisi Formulir isian data permohonan",
    "Foto Copy izin operasional pendirian lembaga/ sekolah kejuruan",
    "Pas Photo 4x6 2 lembar (penanggungjawab BKK)",
    "Foto Copy KTP penanggungjawab BKK",
    "Keterangan luas ruangan kantor untuk kegiatan antar kerja",
    "Struktur organisasi BKK",
    "Rencana penempatan tenaga kerja selama 1 tahun",
    "Pengetahuan tentang BKK (jika ada perubahan/perbedaan/ketidaksesuaian, maka mengacu pada peraturan "
    "perundang-undangan yang berlaku)",
]

# DESIGN.md's reading of the SOP table: executors, kind, time, return.
EXPECTED_STEPS = {
    1: (["pemohon", "front_office"], "intake", ("minutes", 3), None),
    2: (["front_office"], "verify", ("minutes", 35), "applicant"),
    3: (["tim_teknis"], "inspect", ("working_days", 4), "2"),
    4: (["back_office"], "draft", ("minutes", 3), None),
    5: (["jf_analis_ahli_muda"], "approve", ("minutes", 5), "4"),
    6: (["jf_analis_ahli_madya"], "approve", ("minutes", 10), "4"),
    7: (["sekretaris"], "approve", ("minutes", 10), "4"),
    8: (["kepala_dinas"], "sign", ("working_days", 1), "4"),
    9: (["back_office"], "number", ("minutes", 3), None),
    10: (["pemohon", "front_office"], "handover", ("minutes", 1), None),
}


def _service() -> Service:
    return db.session.scalar(select(Service).where(Service.code == "TD-BKK"))


def test_the_standard_facts(app):
    with app.app_context():
        s = _service()
        assert s.name == "Tanda Daftar Bursa Kerja Khusus"
        assert s.product == "Surat Tanda Daftar Bursa Kerja Khusus"
        assert (s.fee, s.completion_working_days) == (0, 6)
        assert s.number_format == "{seq:03d}/TD-BKK/DPMPTSP/{month_roman}/{year}"
        assert [e.name for e in s.executors] == [
            "Pemohon",
            "Front Office",
            "Back Office",
            "Tim Teknis",
            "JF Analis Kebijakan Ahli Muda",
            "JF Analis Kebijakan Ahli Madya",
            "Sekretaris",
            "Kepala Dinas",
        ]
        assert [e.applicant for e in s.executors] == [True] + [False] * 7


def test_eight_requirements_in_the_source_wording(app):
    with app.app_context():
        reqs = _service().requirements
        assert [r.code for r in reqs] == [
            "formulir",
            "izin_operasional",
            "pas_foto",
            "ktp",
            "luas_ruangan",
            "struktur_organisasi",
            "rencana_penempatan",
            "pengetahuan_bkk",
        ]
        assert all(r.required for r in reqs)
        assert reqs[1].name == "Foto Copy izin operasional pendirian lembaga/ sekolah kejuruan"
        assert {r.code for r in reqs if r.document} >= {"izin_operasional", "pas_foto", "ktp", "struktur_organisasi"}
        assert not reqs[0].document  # the form is typed in, not scanned
        assert [r.name for r in reqs] == SOURCE_REQUIREMENTS


def test_ten_steps_with_times_executors_and_returns(app):
    with app.app_context():
        steps = _service().steps
        assert [s.no for s in steps] == list(range(1, 11))
        for s in steps:
            executors, kind, (unit, value), returns_to = EXPECTED_STEPS[s.no]
            order = {e.code: i for i, e in enumerate(_service().executors)}
            assert sorted((e.code for e in s.executors), key=order.get) == executors, s.no
            assert s.kind == kind, s.no
            assert getattr(s, unit) == value, s.no
            assert [k for k in ("minutes", "hours", "working_days") if getattr(s, k) is not None] == [unit]
            assert s.returns_to == returns_to, s.no
        assert steps[2].input == "Surat tugas, persyaratan pemohon" and steps[2].output == "BAP"
        assert steps[9].output == "Berkas Dokumen"
        # Split words of the extraction are joined, nothing else changed.
        assert all("T anda" not in s.activity for s in steps)
        assert steps[3].activity == (
            "Petugas membuat Berkas Surat Tanda Daftar Bursa Kerja Khusus sesuai hasil BAP dari tim teknis."
        )


def test_every_component_of_the_standard(app):
    with app.app_context():
        items: dict[str, list[str]] = {}
        for c in _service().components:
            items.setdefault(c.key, []).append(c.text)
        counts = {k: len(v) for k, v in items.items()}
        assert counts == {
            "legal_basis": 3,
            "facilities": 11,
            "competency": 3,
            "internal_supervision": 4,
            "personnel": 2,
            "service_guarantee": 2,
            "security_guarantee": 2,
            "performance_evaluation": 3,
            "complaint_handling": 11,
        }
        assert items["legal_basis"][0] == "Undang-Undang Nomor 25 tahun 2009 tentang Pelayanan Publik;"
        assert items["facilities"][-1] == "Transportasi"
        assert "sms" in items["service_guarantee"][0]
        assert "08117515133" in items["complaint_handling"][0]


def test_form_asks_what_the_requirements_need(app):
    with app.app_context():
        fields = {f.name: (f.type, f.required) for f in _service().form_fields}
        assert fields == {"luas_ruangan_m2": ("decimal", True), "rencana_penempatan": ("integer", True)}
