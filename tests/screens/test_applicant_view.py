"""An applicant account's day: its own words in the menu, only applicant actions, the server agreeing."""

from __future__ import annotations

import re

from tests.factories import advance, fetch
from tests.reading import menu_text, page_text
from tests.screens.conftest import csrf_from
from tests.screens.test_new_application import URL, _valid_form


def _actions(html: str) -> list[str]:
    return re.findall(r'class="panel [^"]*sp-action" data-action="(\w+)"', html)


def _apply(client) -> int:
    rv = client.post(URL, data=_valid_form(csrf_from(client.get(URL))))
    assert rv.status_code == 302
    return int(re.search(r"/cases/(\d+)$", rv.headers["Location"]).group(1))


def _post(app, client, case_id: int, action: str, **fields):
    """POST an action at the case's current version, as a forged form would where the page offers none."""
    page = client.get(URL)  # any form's token: the case page may offer none
    data = {"csrf_token": csrf_from(page), "action": action, "version": str(fetch(app, case_id)["version"]), **fields}
    return client.post(f"/cases/{case_id}/act", data=data, follow_redirects=True)


def test_applicant_menu_reads_my_applications_and_officers_keep_their_worklist(login_as, client):
    login_as("Pemohon")
    menu = menu_text(client.get("/").get_data(as_text=True))
    assert "Permohonan saya" in menu and "Daftar kerja saya" not in menu
    page = page_text(client.get("/cases/worklist/"))
    assert "Permohonan saya" in page and "Daftar kerja saya" not in page
    assert "My applications" in menu_text(client.get("/?lang=en").get_data(as_text=True))
    client.get("/?lang=id")

    login_as("Front Office")
    menu = menu_text(client.get("/").get_data(as_text=True))
    assert "Daftar kerja saya" in menu and "Permohonan saya" not in menu


def test_applicant_sees_only_submit_and_cancel_on_their_new_application(app, login_as, client):
    login_as("Pemohon")
    case_id = _apply(client)
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert _actions(html) == ["forward", "cancel"]
    text = page_text(client.get(f"/cases/{case_id}"))
    assert "Kirim permohonan" in text
    assert "Terima berkas dan teruskan" not in text and "Tolak" not in text

    # The server refuses what the page does not offer, and nothing changes.
    before = fetch(app, case_id)
    for action in ("reject", "return"):
        rv = _post(app, client, case_id, action, note="Saya tolak sendiri")
        assert rv.status_code == 200 and fetch(app, case_id) == before, action
    assert "Pemohon tidak dapat menolak permohonan" in page_text(_post(app, client, case_id, "reject", note="x"))

    # Submitting is the applicant's own forward: the office's verification comes next.
    rv = _post(app, client, case_id, "forward")
    assert fetch(app, case_id)["step"] == 2, page_text(rv)
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert _actions(html) == ["cancel"]  # the verification is the office's


def test_applicant_may_not_hand_over_to_themselves(app, login_as, client, auth):
    username = login_as("Pemohon")
    case_id = _apply(client)
    advance(app, case_id, 10)  # numbered, waiting at the handover (the applicant's role is an executor)
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert _actions(html) == []
    assert "Serahkan kepada pemohon" not in page_text(client.get(f"/cases/{case_id}"))

    before = fetch(app, case_id)
    rv = _post(app, client, case_id, "forward", received_by="Rahmat Hidayat", id_no="1471010101900007")
    assert "Langkah ini tugas kantor" in page_text(rv)
    assert fetch(app, case_id) == before

    # The API answers the same: 403, nothing written.
    refused = client.post(
        f"/api/v1/cases/{case_id}/act",
        headers=auth.token(username),
        json={
            "action": "forward",
            "version": before["version"],
            "data": {"received_by": "Rahmat Hidayat", "id_no": "1471010101900007"},
        },
    )
    assert refused.status_code == 403 and set(refused.json) == {"message"}
    assert fetch(app, case_id) == before
