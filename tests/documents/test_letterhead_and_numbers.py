"""The kop surat (emblem, lines, double rule), signers' NIPs, numbered letters, parafs, standard times."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import pytest
import sqlalchemy as sa
from doc_rows import make_case
from factories import advance, new_case, role_user
from pypdf import PdfReader
from pypdf.generic import ContentStream
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from sqlalchemy import func, select

from app import documents
from app.cases import control_card
from app.core.extensions import db
from app.core.timezone import office_tz
from app.documents.pdf import STATIC_DIR
from app.office.definition import OFFICES_DIR
from app.services.yaml_format import dump, parse
from models import Case, ControlCardEntry, DocumentNumber, Personnel
from tests.reading import pdf_text

SHIPPED = next(iter(sorted(OFFICES_DIR.glob("*.yaml"))))
FO_NIP = "198503152010011002"
KADIS_NIP = "197001012000031001"  # tests/factories.py gives the Kepala Dinas account this record
DOTS = "NIP. ...................."

pdfmetrics.registerFont(TTFont("LH-Bold", str(STATIC_DIR / "fonts" / "DejaVuSans-Bold.ttf")))
pdfmetrics.registerFont(TTFont("LH", str(STATIC_DIR / "fonts" / "DejaVuSans.ttf")))


def _office_doc() -> dict:
    return copy.deepcopy(parse(SHIPPED.read_text(encoding="utf-8"), SHIPPED.name))


def _load_office(runner, tmp_path: Path, doc: dict, name: str = "office.yaml"):
    path = tmp_path / name
    path.write_text(dump(doc), encoding="utf-8")
    return runner.invoke(args=["office", "load", "--replace", str(path)])


def _lines(data: bytes) -> list[tuple[str, float, float]]:
    """(text, x, font size) of each text run on page 1, in page coordinates."""
    found: list[tuple[str, float, float]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            found.append((text.strip(), cm[4] + tm[4], size))

    PdfReader(BytesIO(data)).pages[0].extract_text(visitor_text=visit)
    return found


def _centre_offset(data: bytes, text: str, bold: bool) -> float:
    """How far the printed line `text` sits from the centre of the page, in points."""
    page_width = float(PdfReader(BytesIO(data)).pages[0].mediabox.width)
    line, x, size = next(row for row in _lines(data) if row[0] == text)
    width = pdfmetrics.stringWidth(line, "LH-Bold" if bold else "LH", size)
    return abs(x + width / 2 - page_width / 2)


def _full_width_rules(data: bytes) -> list[tuple[float, float]]:
    """(line width, y) of every horizontal stroke spanning the text width on page 1, top to bottom."""
    reader = PdfReader(BytesIO(data))
    page = reader.pages[0]
    content = ContentStream(page.get_contents(), reader)
    width, start, rules = 1.0, None, []
    for operands, op in content.operations:
        if op == b"w":
            width = float(operands[0])
        elif op == b"m":
            start = (float(operands[0]), float(operands[1]))
        elif op == b"l" and start is not None:
            x, y = float(operands[0]), float(operands[1])
            if abs(y - start[1]) < 0.01 and abs(x - start[0]) > 400:
                rules.append((width, y))
    return rules


def _images(data: bytes) -> list[tuple[int, int]]:
    return [image.image.size for image in PdfReader(BytesIO(data)).pages[0].images]


def _year() -> int:
    return datetime.now(UTC).astimezone(office_tz()).year


# --- Letterhead ---------------------------------------------------------------------------------


def test_shipped_letterhead_has_emblem_government_line_office_contacts_and_double_rule(app):
    with app.app_context():
        data = documents.control_card_pdf(db.session.get(Case, make_case()))
    text = pdf_text(data)
    assert "PEMERINTAH KOTA PEKANBARU" in text
    assert "DINAS PENANAMAN MODAL DAN PELAYANAN TERPADU SATU PINTU KOTA" in text.replace("\n", " ")
    assert "Jalan Jenderal Sudirman No. 464 Pekanbaru · Telp. (0761) 28262 · Fax (0761) 42003" in text
    assert "E-mail: dpmpstspekanbaru@gmail.com · Website: www.dpmpstspekanbaru.go.id" in text
    # The emblem (the shipped placeholder shield, taller than wide) is the card's only image.
    assert len(_images(data)) == 1 and _images(data)[0][1] > _images(data)[0][0]
    # Kop surat: a thick rule directly over a thin one, before anything else is ruled.
    (thick, y1), (thin, y2) = _full_width_rules(data)[:2]
    assert thick >= 2 and thin <= 1 and 0 < y1 - y2 < 5
    # The emblem sits left, the lines stay centred on the page.
    assert _centre_offset(data, "PEMERINTAH KOTA PEKANBARU", bold=True) < 3


def test_every_document_carries_the_same_letterhead(app):
    with app.app_context():
        case = db.session.get(Case, make_case())
        pdfs = [
            documents.certificate_pdf(case),
            documents.control_card_pdf(case),
            documents.bap_pdf(case),
            documents.assignment_letter_pdf(case),
            documents.reminder_letter_pdf(case),
            documents.standard_pdf(case.service),
        ]
    for data in pdfs:
        assert "PEMERINTAH KOTA PEKANBARU" in pdf_text(data)
        assert [w for w, _ in _full_width_rules(data)[:2]] == [2.5, 0.75]


def test_an_office_without_emblem_prints_its_own_letterhead_centred(app, runner, tmp_path):
    doc = _office_doc()
    doc.update(
        code="DINAS-UJI",
        name="Dinas Perizinan Kabupaten Contoh",
        letterhead=["PEMERINTAH KABUPATEN CONTOH", "PROVINSI UJI COBA"],
        address="Jl. Merdeka 1 Contoh",
        phone="(0700) 1234",
    )
    for key in ("emblem", "fax", "website"):
        doc.pop(key, None)
    result = _load_office(runner, tmp_path, doc)
    assert result.exit_code == 0, result.output
    with app.app_context():
        data = documents.control_card_pdf(db.session.get(Case, make_case()))
    text = pdf_text(data)
    assert "PEMERINTAH KABUPATEN CONTOH" in text and "PROVINSI UJI COBA" in text
    assert "DINAS PERIZINAN KABUPATEN CONTOH" in text
    assert "Jl. Merdeka 1 Contoh · Telp. (0700) 1234" in text and "Fax" not in text
    assert "E-mail: dpmpstspekanbaru@gmail.com" in text and "Website" not in text
    assert "PEKANBARU" not in text.split("KARTU KENDALI")[0]
    assert _images(data) == []
    assert [w for w, _ in _full_width_rules(data)[:2]] == [2.5, 0.75]
    for line in ("PEMERINTAH KABUPATEN CONTOH", "PROVINSI UJI COBA", "DINAS PERIZINAN KABUPATEN CONTOH"):
        assert _centre_offset(data, line, bold=True) < 3, line


def test_emblem_may_be_an_absolute_path_and_must_be_an_existing_png_or_jpeg(app, runner, tmp_path):
    doc = _office_doc()
    doc["emblem"] = "no-such-emblem.png"
    result = _load_office(runner, tmp_path, doc)
    assert result.exit_code != 0 and "office.yaml: emblem: tidak ada berkas gambar di" in result.output
    fake = tmp_path / "emblem.png"
    fake.write_text("not an image", encoding="utf-8")
    doc["emblem"] = str(fake)
    result = _load_office(runner, tmp_path, doc)
    assert result.exit_code != 0 and "office.yaml: emblem: harus berupa gambar PNG atau JPEG" in result.output
    with app.app_context():  # nothing written: the shipped emblem still prints
        assert _images(documents.control_card_pdf(db.session.get(Case, make_case(numbered=False)))) == [(240, 288)]
    # A JPEG elsewhere on disk, named by its absolute path, prints.
    from PIL import Image

    jpeg = tmp_path / "lambang.jpg"
    Image.new("RGB", (50, 60), "grey").save(jpeg, format="JPEG")
    doc["emblem"] = str(jpeg)
    result = _load_office(runner, tmp_path, doc)
    assert result.exit_code == 0, result.output
    with app.app_context():
        data = documents.control_card_pdf(db.session.get(Case, make_case()))
    assert _images(data) == [(50, 60)]


# --- NIPs ----------------------------------------------------------------------------------------


def _link_personnel(app, role: str, name: str, nip: str | None, paraf: str | None = None) -> int:
    with app.app_context():
        user = role_user(app, role)
        db.session.add(Personnel(name=name, nip=nip, position=role, user_id=user.id, paraf=paraf))
        db.session.commit()
        return user.id


def test_card_rows_keep_the_nip_the_officer_had_when_acting(app):
    _link_personnel(app, "Front Office", "Siti Rahmawati, S.E.", FO_NIP)
    case_id = new_case(app)
    advance(app, case_id, 4)
    with app.app_context():
        case = db.session.get(Case, case_id)
        first = case.control_card[0]
        assert (first.officer_name, first.officer_initial, first.officer_nip) == ("Siti Rahmawati, S.E.", "SR", FO_NIP)
        card = pdf_text(documents.control_card_pdf(case))
        assert f"NIP. {FO_NIP}" in card
        assert DOTS in card  # the Tim Teknis officer has no personnel record: the dotted blank
        # A later edit of the personnel record does not rewrite the card, and the chain still holds.
        person = db.session.scalar(select(Personnel).where(Personnel.nip == FO_NIP))
        person.nip, person.name = "199001012015012001", "Siti R. (pindah)"
        db.session.commit()
        db.session.expire_all()
        card = pdf_text(documents.control_card_pdf(db.session.get(Case, case_id)))
        assert f"NIP. {FO_NIP}" in card and "199001012015012001" not in card and "pindah" not in card
        assert control_card.verify_chain(case_id) is True
        # The NIP is part of the row's hash: changing it in the database breaks the chain.
        db.session.execute(
            sa.text("UPDATE control_card_entry SET officer_nip = '199001012015012001' WHERE case_id = :c AND seq = 1"),
            {"c": case_id},
        )
        db.session.commit()
        assert control_card.verify_chain(case_id) is False


def test_rows_written_before_the_nip_existed_still_verify(app):
    """A row without NIP hashes exactly as before the field was added (no rewrite of old chains)."""
    fields = dict.fromkeys(control_card.HASHED_FIELDS)
    fields.update(case_id=1, seq=1, officer_name="Budi", outcome="forward")
    assert control_card.row_hash(fields) == control_card.row_hash(dict(fields, officer_nip=None))
    assert control_card.row_hash(fields) != control_card.row_hash(dict(fields, officer_nip=FO_NIP))


def test_letters_signed_by_the_head_print_the_heads_name_and_nip(app):
    case_id = new_case(app)
    advance(app, case_id, 10)  # the Kepala Dinas account (with its personnel record) signed
    with app.app_context():
        case = db.session.get(Case, case_id)
        for data in (documents.assignment_letter_pdf(case), documents.certificate_pdf(case)):
            text = pdf_text(data)
            assert "Dr. H. Kepala Dinas, M.Si" in text and f"NIP. {KADIS_NIP}" in text


def test_without_a_personnel_record_the_signature_keeps_the_dotted_blanks(app):
    with app.app_context():
        text = pdf_text(documents.assignment_letter_pdf(db.session.get(Case, make_case())))
    assert "NIP. ...................................." in text


# --- Numbered letters ----------------------------------------------------------------------------


def test_assignment_letter_and_bap_get_one_stable_number_each(app):
    year = _year()
    with app.app_context():
        first, second = db.session.get(Case, make_case()), db.session.get(Case, make_case(numbered=False))
        letters = [pdf_text(documents.assignment_letter_pdf(first)) for _ in range(2)]
        assert all(f"Nomor: 001/ST/TD-BKK/{year}" in text for text in letters)
        assert f"Nomor: 002/ST/TD-BKK/{year}" in pdf_text(documents.assignment_letter_pdf(second))
        assert f"Nomor: 001/ST/TD-BKK/{year}" in pdf_text(documents.assignment_letter_pdf(first))
        baps = [pdf_text(documents.bap_pdf(second)) for _ in range(2)]
        assert all(f"Nomor: 001/BAP/TD-BKK/{year}" in text for text in baps)
        per_case = db.session.execute(
            select(DocumentNumber.case_id, DocumentNumber.kind, func.count()).group_by(
                DocumentNumber.case_id, DocumentNumber.kind
            )
        ).all()
        assert sorted(n for *_, n in per_case) == [1, 1, 1]


def test_another_service_counts_its_own_numbers_in_the_offices_format(app, runner, tmp_path):
    doc = _office_doc()
    doc["document_numbers"] = {"assignment_letter": "ST-{seq:04d}/{code}/{month_roman}/{year}"}
    assert _load_office(runner, tmp_path, doc).exit_code == 0
    case_id = new_case(app, "IPDH")
    with app.app_context():
        case = db.session.get(Case, case_id)
        text = pdf_text(documents.assignment_letter_pdf(case))
        number = db.session.scalar(select(DocumentNumber.number).where(DocumentNumber.case_id == case_id))
    assert number.startswith("ST-0001/IPDH/") and number.endswith(f"/{_year()}")
    assert f"Nomor: {number}" in text


@pytest.mark.parametrize(
    "formats, where, reason",
    [
        ({"assignment_letter": "ST/{code}/{year}"}, "document_numbers.assignment_letter", "'{seq}'"),
        ({"bap": "{seq:03d}/BAP/{year}"}, "document_numbers.bap", "'{code}'"),
        ({"bap": "{seq}/{kode}"}, "document_numbers.bap", "penanda '{kode}' tidak dikenal"),
        ({"receipt": "{seq}/{code}"}, "document_numbers.receipt", "kunci tidak dikenal 'receipt'"),
    ],
)
def test_a_bad_number_format_is_refused_with_file_path_reason(app, runner, tmp_path, formats, where, reason):
    doc = _office_doc()
    doc["document_numbers"] = formats
    result = _load_office(runner, tmp_path, doc)
    assert result.exit_code != 0
    assert f"office.yaml: {where}: " in result.output and reason in result.output


# --- Parafs and standard times ---------------------------------------------------------------------


def _act(case: Case, user_id: int, account_name: str, stored: str | None = None) -> ControlCardEntry:
    now = datetime.now(UTC)
    return control_card.append(
        case,
        **control_card.officer_fields(case, user_id, account_name),
        step_no=case.current_step_no,
        step_kind="task",
        role="JF",
        received_at=now,
        acted_at=now,
        outcome="forward",
        note=None,
        standard_minutes=None,
        spent_minutes=0,
        late=False,
    )


def test_two_officers_on_one_card_never_share_a_paraf(app, make_user):
    names = ("JF Analis Kebijakan Ahli Muda", "JF Analis Kebijakan Ahli Madya", "Joko Anwar Kusuma Adi Mulyono")
    users = [make_user("Front Office", first_name=n.rsplit(" ", 1)[0], last_name=n.rsplit(" ", 1)[1]) for n in names]
    case_id = new_case(app)
    with app.app_context():
        case = db.session.get(Case, case_id)
        ids = [app.appbuilder.sm.find_user(username=u).id for u in users]
        rows = [_act(case, uid, name) for uid, name in zip(ids, names, strict=True)]
        again = _act(case, ids[0], names[0])  # the first officer acts again: same paraf as before
        db.session.commit()
        parafs = [row.officer_initial for row in rows]
        assert parafs[0] == "JAKAM" and len(set(parafs)) == 3, parafs
        assert again.officer_initial == parafs[0]
        assert control_card.verify_chain(case_id) is True
        text = pdf_text(documents.control_card_pdf(case))
    for paraf in parafs:
        assert paraf in text


def test_a_stored_paraf_from_the_personnel_record_is_used(app):
    _link_personnel(app, "Front Office", "Siti Rahmawati", FO_NIP, paraf="SRW")
    case_id = new_case(app)
    advance(app, case_id, 2)
    with app.app_context():
        assert db.session.get(Case, case_id).control_card[0].officer_initial == "SRW"


def test_a_steps_standard_reads_the_same_on_paper_and_on_screen(app, client, auth, make_user):
    """Four working days that span Friday's longer hours are 2070 working minutes, yet the
    standard is "4 hari kerja" on the printed card, the SOP and the case page alike."""
    with app.app_context():
        case = db.session.get(Case, make_case())
        row = case.control_card[1]
        row.standard_minutes = 3 * 510 + 540
        db.session.commit()
        case_id = case.id
        card = pdf_text(documents.control_card_pdf(case))
        sop = pdf_text(documents.standard_pdf(case.service))
    assert "4 hari kerja" in card and "4 hari 30 menit" not in card
    assert "4 hari kerja" in sop
    auth.login(make_user("Kepala Bidang"))
    page = client.get(f"/cases/{case_id}?lang=id").get_data(as_text=True)
    assert "4 hari kerja" in page and "4 hari 30 menit" not in page


# --- Numbers under concurrency ---------------------------------------------------------------------


def _issue_letters(url: str, instance: str, shared: int, own: int, queue) -> None:
    """One worker process: prints the shared case's surat tugas (a race for its first number),
    then its own case's."""
    from app import create_app
    from app.cases.numbering import document_number

    app = create_app(
        {
            "APP_ENV": "test",
            "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE_PATH": instance,
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"timeout": 60}} if url.startswith("sqlite") else {},
        }
    )
    with app.app_context():
        now = datetime.now(UTC)
        got = [
            document_number(db.session.get(Case, case_id), "assignment_letter", now).number for case_id in (shared, own)
        ]
        db.engine.dispose()
    queue.put(got)


@pytest.mark.slow
def test_letters_printed_at_once_from_several_processes_get_one_number_each_without_gaps(app, database_url, tmp_path):
    import multiprocessing

    workers = 4
    with app.app_context():
        shared, *own = (make_case(numbered=False) for _ in range(workers + 1))
        db.session.commit()
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [
        ctx.Process(target=_issue_letters, args=(database_url, str(tmp_path), shared, mine, queue)) for mine in own
    ]
    for proc in procs:
        proc.start()
    results = [queue.get(timeout=300) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    assert len({first for first, _ in results}) == 1  # one number for the shared case, whoever printed first
    numbers = sorted([results[0][0]] + [mine for _, mine in results])
    assert numbers == [f"{n:03d}/ST/TD-BKK/{_year()}" for n in range(1, workers + 2)]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DocumentNumber)) == workers + 1
