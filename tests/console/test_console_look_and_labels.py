"""One look, readable codes (issue 10): the console wears the FAB screens' navbar, font and
width, and shows words where the database stores codes.

The audit log lists the newest entry first with its action in words (an unknown code
as written), the outbox its status in words, office hours their weekday by name and
times as `07.30`, timestamps as `28 November 2026 14.05`, and the certificate number
format form explains its placeholders with an example number.
"""

from __future__ import annotations

import html as html_lib
import re
from datetime import datetime

import pytest
from sqlalchemy import select

from app.cases.numbering import format_number
from app.core import audit
from app.core.extensions import db
from app.core.timezone import office_tz
from models import AuditLog, OfficeHours, OutboxMessage, Service
from tests.e2e.conftest import login, screenshot
from tests.factories import advance, new_case

AUDIT = "/admin/console_auditlog/"
OUTBOX = "/admin/console_outboxmessage/"
HOURS = "/admin/console_officehours/"
NAVBAR = re.compile(r'<nav class="navbar navbar-default sp-navbar".*?</nav>', re.S)
TIMESTAMP = re.compile(r"^\d{1,2} [A-Z][a-z]+ \d{4} \d{2}\.\d{2}$")


def _navbar(page: str) -> str:
    match = NAVBAR.search(page)
    assert match, "no officers' navbar on the page"
    return re.sub(r"\s+", " ", match.group(0))


def _rows(page: str) -> list[list[str]]:
    """The list's body rows as the cells' text (the row-action cells are empty)."""
    table = page.split('class="table table-striped table-bordered table-hover model-list"', 1)[1]
    body = table.split("</thead>", 1)[1].split("</table>", 1)[0]
    rows = []
    for row in re.findall(r"<tr.*?</tr>", body, re.S):
        cells = [re.sub(r"<[^>]+>", " ", cell) for cell in re.findall(r"<td.*?</td>", row, re.S)]
        rows.append([html_lib.unescape(re.sub(r"\s+", " ", c)).strip() for c in cells])
    return rows


def test_the_console_wears_the_same_navbar_as_the_fab_screens(app, client, auth, make_user):
    auth.login(make_user("Admin"))
    fab = client.get("/users/userinfo/").get_data(as_text=True)
    console = client.get(AUDIT).get_data(as_text=True)
    assert _navbar(console) == _navbar(fab)
    assert "SP-Backoffice" in _navbar(console) and "Data induk" in _navbar(console)
    for sheet in ("css/app.css", "css/fontawesome/fontawesome.min.css"):
        assert sheet in fab and sheet in console
    assert "css/console.css" in console and "container-fluid" not in console.split("<main", 1)[1][:200]


def test_the_audit_log_lists_the_newest_first_with_actions_in_words(app, client, auth, make_user):
    case_id = new_case(app)
    advance(app, case_id, 3)  # registered, then forwarded twice
    with app.app_context():
        audit.record("custom.thing", "case", case_id)  # a code no label names
        db.session.commit()
        newest = db.session.scalars(select(AuditLog.action).order_by(AuditLog.id.desc())).all()
    auth.login(make_user("Admin"))
    rows = _rows(client.get(AUDIT).get_data(as_text=True))
    actions = [row[3] for row in rows]  # buttons, time, user, action, ...
    assert newest[0] == "custom.thing" and actions[0] == "custom.thing"  # the newest first, as written
    with app.test_request_context():
        assert actions == [audit.action_label(code, "id") for code in newest[: len(actions)]]
    assert "Berkas diteruskan" in actions and "Berkas didaftarkan" in actions
    assert not any(re.fullmatch(r"[a-z_]+\.[a-z_]+", a) for a in actions[1:]), actions
    objects = {row[4] for row in rows}  # the object's kind reads as its console screen's name
    assert not objects & {"case", "Service", "Office"}, objects
    assert any(TIMESTAMP.match(c) for c in rows[0]), rows[0]

    client.get("/lang/en")
    english = [row[3] for row in _rows(client.get(AUDIT).get_data(as_text=True))]
    assert "Case forwarded" in english and "Case registered" in english


def test_the_outbox_shows_its_status_and_channel_in_words(app, client, auth, make_user):
    case_id = new_case(app)
    advance(app, case_id, 10)  # numbered: the "ready for collection" SMS is queued
    auth.login(make_user("Admin"))
    rows = _rows(client.get(OUTBOX).get_data(as_text=True))
    cells = [c for row in rows for c in row]
    assert "Menunggu dikirim" in cells and "queued" not in cells
    assert "SMS" in cells and "sms" not in cells
    # Its details page names every field in Indonesian: none of the columns' own names.
    with app.app_context():
        message_id = db.session.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id))
    details = client.get(f"{OUTBOX}details/?id={message_id}").get_data(as_text=True)
    for label in ("Kunci deduplikasi", "Diklaim oleh", "Diklaim pada", "Referensi penyedia", "Permohonan"):
        assert label in details
    for raw in ("Dedupe Key", "Locked By", "Locked At", "Provider Ref"):
        assert raw not in details


def test_office_hours_read_as_weekday_names_and_dotted_times(app, client, auth, make_user):
    with app.app_context():
        hours = db.session.scalars(select(OfficeHours).order_by(OfficeHours.weekday)).all()
        expected = [(h.weekday, f"{h.opens:%H.%M}", f"{h.closes:%H.%M}") for h in hours]
    assert expected, "the bootstrap loads the office hours"
    names = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
    auth.login(make_user("Admin"))
    page = client.get(HOURS).get_data(as_text=True)
    rows = _rows(page)
    shown = {tuple(c for c in row if c) for row in rows}
    for weekday, opens, closes in expected:
        assert (names[weekday], opens, closes) in shown
    assert not re.search(r"\d{2}:\d{2}:\d{2}", page) and "0 = Senin" not in page


@pytest.mark.parametrize("code", ["TD-BKK", "IPDH"])
def test_the_number_format_field_explains_its_placeholders_with_an_example(app, client, auth, make_user, code):
    with app.app_context():
        service = db.session.scalar(select(Service).where(Service.code == code))
        service_id, number_format = service.id, service.number_format
    example = format_number(number_format, 7, datetime.now(office_tz()))
    auth.login(make_user("Admin"))
    page = html_lib.unescape(client.get(f"/admin/console_service/edit/?id={service_id}").get_data(as_text=True))
    assert "{seq}" in page and "{year}" in page and "{month_roman}" in page
    assert f"Contoh: {number_format} menghasilkan {example} untuk surat ke-7." in page
    new = client.get("/admin/console_service/new/").get_data(as_text=True)
    sample = format_number("{seq:03d}/{month_roman}/{year}", 7, datetime.now(office_tz()))
    assert f"menghasilkan {sample}" in html_lib.unescape(new)


def test_a_service_defined_here_gets_its_own_example_number(app, client, auth, make_user, runner, tmp_path):
    """Any definition, not only the shipped ones: its own format fills the example."""
    import yaml

    from tests.definitions.test_any_service import THIRD

    path = tmp_path / "uji-zeta.yaml"
    path.write_text(yaml.safe_dump(THIRD, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(args=["service", "load", str(path)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        service_id = db.session.scalar(select(Service.id).where(Service.code == THIRD["code"]))
    year = datetime.now(office_tz()).year
    auth.login(make_user("Admin"))
    page = html_lib.unescape(client.get(f"/admin/console_service/edit/?id={service_id}").get_data(as_text=True))
    assert f"Contoh: {{seq:04d}}/ZETA/{{year}} menghasilkan 0007/ZETA/{year} untuk surat ke-7." in page


def test_an_unknown_code_reads_as_written_and_a_known_one_in_either_language(app):
    with app.test_request_context():
        assert audit.action_label("case.forward", "id") == "Berkas diteruskan"
        assert audit.action_label("case.forward", "en") == "Case forwarded"
        assert audit.action_label("no.such_code") == "no.such_code"


# --- In a browser: the same navbar box, font and colours; nothing scrolls sideways ---

LOOK = """() => {
  const nav = document.querySelector('nav.sp-navbar');
  const brand = document.querySelector('.sp-brand');
  const box = (el) => { const r = el.getBoundingClientRect(); return [Math.round(r.left), Math.round(r.top), Math.round(r.width), Math.round(r.height)]; };
  const style = getComputedStyle(document.body);
  return {
    nav: box(nav), brand: box(brand),
    navColour: getComputedStyle(nav).backgroundColor,
    font: style.fontFamily, size: style.fontSize,
    sideways: document.documentElement.scrollWidth > window.innerWidth,
  };
}"""


@pytest.mark.parametrize("width", [1366, 390])
def test_a_console_page_looks_like_a_fab_page_in_a_browser(chromium, live_server, app, make_user, width):
    username = make_user("Admin")
    context = chromium.new_context(base_url=live_server.url, viewport={"width": width, "height": 900}, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        login(page, username)
        page.goto("/users/userinfo/")
        fab = page.evaluate(LOOK)
        screenshot(page, f"console-look-fab-{width}.png")
        page.goto(HOURS)
        console = page.evaluate(LOOK)
        screenshot(page, f"console-look-console-{width}.png")
        page.goto(AUDIT)
        audit_look = page.evaluate(LOOK)
        screenshot(page, f"console-look-audit-{width}.png")
        # The FAB menus open on the console page too (Bootstrap 4's script on Bootstrap 3 markup).
        if width < 768:
            page.click("nav.sp-navbar .navbar-toggle")
        menu = page.locator("nav.sp-navbar .navbar-nav > li.dropdown").first
        menu.locator("> a.dropdown-toggle").click()
        first_item = menu.locator(".dropdown-menu a").first
        first_item.wait_for(state="visible")
        screenshot(page, f"console-look-menu-{width}.png")
        with app.app_context():
            service_id = db.session.scalar(select(Service.id).order_by(Service.id))
        page.goto(f"/admin/console_service/edit/?id={service_id}")
        form_look = page.evaluate(LOOK)
        screenshot(page, f"console-look-form-{width}.png")
    finally:
        context.close()
    for key in ("nav", "brand", "navColour", "font", "size"):
        assert console[key] == fab[key], (key, console[key], fab[key])
    assert not any(look["sideways"] for look in (fab, console, audit_look, form_look))
