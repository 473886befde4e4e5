"""Documents of a case walked through the real engine (tests/factories.py), not hand-made rows."""

from __future__ import annotations

from factories import advance, new_case, sample_applicant

from app.core.extensions import db
from models import Case
from tests.reading import pdf_text


def test_walked_case_prints_its_engine_number_signer_and_card_rows(app, client, auth, make_user):
    case_id = new_case(app, applicant=sample_applicant(name="Đặng Thị Mai"))
    advance(app, case_id, 10)  # numbered and signed, waiting for the handover
    with app.app_context():
        case = db.session.get(Case, case_id)
        number, signer, nip = case.certificate.number, case.certificate.signer_name, case.certificate.signer_nip
        officers = {e.officer_name for e in case.control_card}
        rows = len(case.control_card)
    auth.login(make_user("Front Office"))
    cert = pdf_text(client.get(f"/documents/case/{case_id}/certificate.pdf").data)
    assert number in cert and "Đặng Thị Mai" in cert and signer in cert
    assert nip and f"NIP. {nip}" in cert
    card = pdf_text(client.get(f"/documents/case/{case_id}/control-card.pdf").data)
    assert rows == 9
    for name in officers:
        assert name in card
    bap = pdf_text(client.get(f"/documents/case/{case_id}/bap.pdf").data)
    assert "BERITA ACARA PEMERIKSAAN" in bap and "MEMENUHI SYARAT" in bap
