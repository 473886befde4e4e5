"""Online registration: the form, the e-mail link (one-time, expiring, signed), the roles from data,
the same answer for a known address, and the applicant record left unconfirmed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from app.core.extensions import db
from models import Applicant, Executor
from models.applicants import EmailVerification
from tests.applicants.conftest import (
    STRONG_PASSWORD,
    csrf_of,
    latest_link,
    mails_to,
    post_registration,
    registration,
    user_named,
    verify,
)
from tests.conftest import count_rows
from tests.factories import new_case, sample_applicant
from tests.reading import page_text


def _office_name(app) -> str:
    from app.office.definition import current_office

    with app.test_request_context():
        return current_office().name


def test_register_verify_and_log_in(app, client, auth):
    values = registration()
    page = client.get("/public/register")
    assert page.status_code == 200
    assert "Daftar untuk permohonan daring" in page_text(page)

    rv = post_registration(client, values)
    assert rv.status_code == 302 and rv.headers["Location"].endswith("/public/register/sent")
    sent = client.get(rv.headers["Location"])
    assert "Periksa e-mail Anda" in page_text(sent)

    account = user_named(app, values["email"])
    assert account["active"] is False
    assert account["roles"] == {"Pemohon"}  # the applicant executor of the shipped services
    with app.app_context():
        record = db.session.scalar(select(Applicant).where(Applicant.nik == values["nik"]))
        # A claim, not a link: the counter confirms the identity first.
        assert (record.claimed_by_id, record.user_id) == (account["id"], None)
        assert record.name == "Rina Marlina" and record.phone == "+6281234567788"

    (mail,) = mails_to(app, values["email"])
    assert mail.channel == "email" and _office_name(app) in mail.body and _office_name(app) in mail.subject
    assert "48 jam" in mail.body

    # Not active yet: the login fails like a wrong password.
    auth.login(values["email"], STRONG_PASSWORD)
    assert client.get("/applicant/").status_code == 302  # still anonymous: to the login form

    link = latest_link(app, values["email"])
    shown = client.get(link)
    assert shown.status_code == 200 and "Aktifkan akun saya" in page_text(shown)
    assert user_named(app, values["email"])["active"] is False  # opening the link alone uses nothing
    done = verify(client, link)
    assert done.status_code == 200 and "Akun diaktifkan" in page_text(done)
    assert user_named(app, values["email"])["active"] is True

    again = client.post(link, data={"csrf_token": csrf_of(client, "/public/register")})
    assert again.status_code == 410 and "sudah digunakan" in page_text(again)
    assert client.get(link).status_code == 410

    assert auth.login(values["email"], STRONG_PASSWORD).status_code == 302
    home = client.get("/applicant/")
    assert home.status_code == 200
    text = page_text(home)
    assert "Identitas belum dikonfirmasi" in text
    assert values["nik"] not in home.get_data(as_text=True)  # masked until the counter confirms
    assert values["nik"][:4] + "********" + values["nik"][-4:] in text


def test_expired_and_tampered_links_say_so_and_change_nothing(app, client):
    values = registration()
    post_registration(client, values)
    link = latest_link(app, values["email"])

    token = link.rsplit("/", 1)[1]
    tampered = link[: -len(token)] + token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB")
    rv = client.get(tampered)
    assert rv.status_code == 404 and "tidak sah" in page_text(rv)
    rv = client.post(tampered, data={"csrf_token": csrf_of(client, "/public/register")})
    assert rv.status_code == 404 and user_named(app, values["email"])["active"] is False
    assert client.get("/public/register/confirm/" + "x" * 500).status_code == 404

    with app.app_context():
        db.session.execute(update(EmailVerification).values(expires_at=datetime.now(UTC) - timedelta(minutes=1)))
        db.session.commit()
    rv = client.get(link)
    assert rv.status_code == 410 and "kedaluwarsa" in page_text(rv)
    rv = client.post(link, data={"csrf_token": csrf_of(client, "/public/register")})
    assert rv.status_code == 410 and user_named(app, values["email"])["active"] is False

    # Registering again with the same address sends a fresh link (same answer); the old one is dead.
    rv = post_registration(client, registration(email=values["email"]))
    assert rv.status_code == 302 and rv.headers["Location"].endswith("/public/register/sent")
    fresh = latest_link(app, values["email"])
    assert fresh != link and client.get(link).status_code == 404
    assert verify(client, fresh).status_code == 200
    assert user_named(app, values["email"])["active"] is True


def test_a_known_address_gets_the_same_answer_and_its_owner_an_email(app, client, make_user):
    officer = make_user("Tim Teknis")
    known = user_named(app, officer)["email"]
    users_before = count_rows(app, app.appbuilder.sm.user_model)
    fresh = post_registration(client, registration())
    fresh_page = page_text(client.get(fresh.headers["Location"]))

    rv = post_registration(client, registration(email=known.upper()))
    assert rv.status_code == 302 and rv.headers["Location"] == fresh.headers["Location"]
    assert page_text(client.get(rv.headers["Location"])) == fresh_page
    assert count_rows(app, app.appbuilder.sm.user_model) == users_before + 1  # only the first one
    (notice,) = mails_to(app, known)
    assert "sudah memiliki akun" in notice.body and "/public/register/confirm/" not in notice.body
    assert user_named(app, officer)["roles"] == {"Tim Teknis"}  # nothing about the account changed


def test_bad_input_is_explained_per_field_and_typing_is_kept(app, client):
    before = count_rows(app, app.appbuilder.sm.user_model)
    values = registration(
        name="Budi Hartono",
        nik="1471019999990001",
        email="budi@",
        phone="12345",
        password="password12345",
        password_confirm="lain",
    )
    rv = post_registration(client, values)
    assert rv.status_code == 422
    html = rv.get_data(as_text=True)
    text = page_text(rv)
    assert "Pendaftaran berisi kesalahan" in text
    assert "alamat e-mail yang sah" in text
    assert "nomor ponsel Indonesia" in text
    # One message beside each wrong field: NIK, e-mail, mobile, password (the repeat waits for a valid one).
    assert html.count('class="help-block sp-field-error"') == 4
    assert 'value="Budi Hartono"' in html and 'value="1471019999990001"' in html and 'value="budi@"' in html
    assert "password12345" not in html  # passwords are never sent back
    assert count_rows(app, app.appbuilder.sm.user_model) == before

    rv = post_registration(client, registration(password_confirm=STRONG_PASSWORD + "x"))
    assert rv.status_code == 422 and "Kedua kata sandi tidak sama" in page_text(rv)
    assert count_rows(app, app.appbuilder.sm.user_model) == before


def test_a_post_without_csrf_token_stores_nothing(app, client):
    before = count_rows(app, app.appbuilder.sm.user_model)
    rv = client.post("/public/register", data=registration())
    assert rv.status_code == 400 and count_rows(app, app.appbuilder.sm.user_model) == before


def test_registration_posts_are_rate_limited(app, client):
    app.config["PUBLIC_FORM_RATE_LIMIT"] = "2 per minute"
    token = csrf_of(client, "/public/register")
    codes = [
        client.post("/public/register", data={**registration(nik="1"), "csrf_token": token}).status_code
        for _ in range(3)
    ]
    assert codes == [422, 422, 429]


def test_roles_come_from_the_loaded_definitions(app, client, lambda_service):
    values = registration()
    post_registration(client, values)
    assert user_named(app, values["email"])["roles"] == {"Pemohon", "Warga Lambda Uji"}


def test_registration_closed_without_an_applicant_executor(app, client):
    with app.app_context():
        db.session.execute(update(Executor).values(applicant=False))
        db.session.commit()
    rv = client.get("/public/register")
    assert rv.status_code == 403 and "Pendaftaran daring ditutup" in page_text(rv)
    assert "/public/register" not in client.get("/login/").get_data(as_text=True)
    assert "/public/register" not in client.get("/public/").get_data(as_text=True)
    before = count_rows(app, app.appbuilder.sm.user_model)
    assert (
        client.post(
            "/public/register", data={**registration(), "csrf_token": csrf_of(client, "/public/track")}
        ).status_code
        == 403
    )
    assert count_rows(app, app.appbuilder.sm.user_model) == before


def test_login_page_and_portal_link_to_registration(client):
    assert "/public/register" in client.get("/login/").get_data(as_text=True)
    assert "/public/register" in client.get("/public/").get_data(as_text=True)


def test_a_nik_registered_at_the_counter_is_only_claimed(app, client, auth, make_user):
    person = sample_applicant(name="Pemilik Asli")
    case_id = new_case(app, applicant=person)
    values = registration(nik=person["nik"], name="Orang Lain")
    rv = post_registration(client, values)
    assert rv.status_code == 302
    with app.app_context():
        record = db.session.scalar(select(Applicant).where(Applicant.nik == person["nik"]))
        assert record.name == "Pemilik Asli" and record.user_id is None  # the counter's record is untouched
        assert record.claimed_by_id == user_named(app, values["email"])["id"]
    assert verify(client, latest_link(app, values["email"])).status_code == 200
    auth.logout()
    auth.login(values["email"], STRONG_PASSWORD)
    assert client.get(f"/cases/{case_id}").status_code == 404
    assert "Pemilik Asli" not in client.get("/applicant/").get_data(as_text=True)
