"""A refused BAP or handover receipt: the case page again (422), what was typed kept, each field's message beside it."""

from __future__ import annotations

import re

from tests.factories import advance, new_case
from tests.screens.conftest import csrf_from
from tests.screens.test_case_page import _version


def _post_act(client, case_id, action, lang="", **fields):
    page = client.get(f"/cases/{case_id}")
    data = {"csrf_token": csrf_from(page), "action": action, "version": _version(page.get_data(as_text=True)), **fields}
    return client.post(f"/cases/{case_id}/act{lang}", data=data)


def _form(html: str, action: str) -> str:
    """The HTML of one action's form on the case page."""
    start = html.index(f'data-action="{action}"')
    return html[start : html.index("</form>", start)]


def _error_after(html: str, name: str) -> str:
    """The message shown in the form group of the input called `name` ("" when none)."""
    block = html[html.index(f'name="{name}"') :]
    block = block[: block.index("</div>")]
    match = re.search(r'class="help-block sp-field-error">([^<]+)<', block)
    return match.group(1).strip() if match else ""


def test_bap_without_date_keeps_the_findings_and_names_the_date(app, login_as, client, load_case):
    case_id = new_case(app)
    advance(app, case_id, 3)
    login_as("Tim Teknis")
    before = load_case(case_id)
    findings = "Ruang kantor 24 m2 <sesuai> & papan nama terpasang."
    rv = _post_act(
        client,
        case_id,
        "forward",
        date="",
        findings=findings,
        recommendation="tidak_memenuhi",
        team="Andi Saputra\nRina Marlina",
        note="Dicek bersama kepala sekolah.",
    )
    assert rv.status_code == 422
    html = rv.get_data(as_text=True)
    form = _form(html, "forward")
    # What was typed is still in the fields (escaped), nothing else is invented.
    assert ">Ruang kantor 24 m2 &lt;sesuai&gt; &amp; papan nama terpasang.</textarea>" in form
    assert ">Andi Saputra\nRina Marlina</textarea>" in form
    assert '<option value="tidak_memenuhi" selected>' in form
    assert ">Dicek bersama kepala sekolah.</textarea>" in form
    # Each field's own message beside it; the alert names the missing field.
    assert _error_after(form, "date").lower().endswith("wajib diisi.")  # "This field is required."
    assert _error_after(form, "findings") == ""
    assert "alert-danger" in html and "Berita Acara Pemeriksaan (BAP) belum lengkap: Tanggal pemeriksaan." in html
    # The other actions' forms stay empty, and nothing was stored.
    assert "Dicek bersama" not in _form(html, "return")
    assert load_case(case_id) == before


def test_bap_errors_in_english(app, login_as, client, load_case):
    case_id = new_case(app)
    advance(app, case_id, 3)
    login_as("Tim Teknis")
    rv = _post_act(
        client, case_id, "forward", lang="?lang=en", date="31-12-2026", findings="", recommendation="memenuhi", team=""
    )
    assert rv.status_code == 422
    form = _form(rv.get_data(as_text=True), "forward")
    assert _error_after(form, "date") == "Must be a date (YYYY-MM-DD)."
    assert _error_after(form, "findings") == "This field is required."
    assert _error_after(form, "team") == "Name at least one member of the technical team."
    assert 'value="31-12-2026"' in form
    assert load_case(case_id)[1] == 3


def test_refused_handover_keeps_the_receiver_and_names_the_missing_id(app, login_as, client, load_case):
    case_id = new_case(app)
    advance(app, case_id, 10)
    login_as("Front Office")
    before = load_case(case_id)
    rv = _post_act(client, case_id, "forward", received_by="Rahmat Hidayat", id_no="")
    assert rv.status_code == 422
    form = _form(rv.get_data(as_text=True), "forward")
    assert 'value="Rahmat Hidayat"' in form
    assert _error_after(form, "id_no") == "Nomor identitas penerima wajib diisi."
    assert _error_after(form, "received_by") == ""
    assert load_case(case_id) == before


def test_return_without_reason_shows_the_note_message(app, login_as, client, load_case):
    case_id = new_case(app)
    advance(app, case_id, 5)
    login_as("JF Analis Kebijakan Ahli Muda")
    rv = _post_act(client, case_id, "return", note="")
    assert rv.status_code == 422
    assert _error_after(_form(rv.get_data(as_text=True), "return"), "note").lower().endswith("wajib diisi.")
    assert load_case(case_id)[1] == 5
