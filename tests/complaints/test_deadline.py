"""Response deadlines in working days per weight, across the Nyepi/Idul Fitri 2026 holidays."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.complaints.conftest import act, new_complaint


@pytest.mark.parametrize(
    "received, weight, due_utc",
    [
        # Tue 17 Mar; 18-24 Mar are Nyepi, Idul Fitri and joint leave: 25,26,27,30,31 -> Tue 31 Mar 16:00 WIB.
        ("2026-03-17", "ringan", "2026-03-31T09:00:00+00:00"),
        # 14 working days also skip Good Friday 3 Apr: Tue 14 Apr 16:00 WIB.
        ("2026-03-17", "sedang", "2026-04-14T09:00:00+00:00"),
        # Fri 13 Mar: 16, 17, 25, 26, 27 -> Friday 27 Mar, when the office closes at 16:30 WIB.
        ("2026-03-13", "ringan", "2026-03-27T09:30:00+00:00"),
    ],
)
def test_deadline_counts_working_days_after_receipt(client, staff, received, weight, due_utc):
    c = new_complaint(client, staff["petugas"][1], weight=weight, received_at=received)
    assert c["due_at"] == due_utc


def test_sedang_deadline_comes_from_config(app, client, staff):
    app.config["COMPLAINT_DEADLINE_DAYS"] = {"ringan": 5, "sedang": 2, "berat": 60}
    c = new_complaint(client, staff["petugas"][1], weight="sedang", received_at="2026-03-17")
    assert c["due_at"] == "2026-03-26T09:00:00+00:00"


def test_overdue_complaint_is_marked_late_and_a_timely_one_is_not(client, staff):
    petugas = staff["petugas"][1]
    old = new_complaint(client, petugas, weight="ringan", received_at="2026-03-17")
    fresh = new_complaint(client, petugas, weight="berat")
    assert old["late"] is True and fresh["late"] is False
    replied = act(client, petugas, old["id"], "reply", text="Maaf terlambat.").json
    assert replied["late"] is True  # answered after the deadline stays late


def test_future_receipt_date_is_refused(client, staff):
    rv = client.post(
        "/api/v1/complaints/",
        headers=staff["petugas"][1],
        json={
            "channel": "face_to_face",
            "complainant": {"name": "A"},
            "subject": "s",
            "description": "d",
            "received_at": f"{datetime.now(UTC).year + 1}-01-05",
        },
    )
    assert rv.status_code == 422 and "masa depan" in rv.json["message"]
