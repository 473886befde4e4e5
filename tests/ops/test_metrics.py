"""/metrics: request counts by URL rule, the outbox and lateness gauges, and who may read it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from app import create_app
from app.cases.lateness import CLOCK_STATUSES
from app.core.extensions import db
from app.notify.outbox import enqueue
from models import Case
from tests.definitions.test_any_service import THIRD
from tests.factories import new_case

ROOT = Path(__file__).resolve().parents[2]


def scrape(client, **kwargs) -> dict[tuple[str, tuple], float]:
    rv = client.get("/metrics", **kwargs)
    assert rv.status_code == 200, rv.status_code
    assert rv.headers["Content-Type"].startswith("text/plain")
    values = {}
    for family in text_string_to_metric_families(rv.get_data(as_text=True)):
        for sample in family.samples:
            values[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return values


def requests_of(values, route: str, status: str = "200", method: str = "GET") -> float:
    key = ("sp_http_requests_total", (("method", method), ("route", route), ("status", status)))
    return values.get(key, 0.0)


def test_requests_are_counted_by_url_rule_not_by_path(app, client, make_user):
    before = scrape(client)
    for case_id in (11, 12, 13):
        client.get(f"/api/v1/cases/{case_id}")  # three paths, one rule, no login: 401
    client.get("/no/such/page/4711")
    client.get("/healthz")
    after = scrape(client)
    rules = {dict(labels)["route"] for (name, labels) in after if name == "sp_http_requests_total"}
    assert not any("11" in rule or "4711" in rule for rule in rules), rules
    rule = next(r for r in rules if r.startswith("/api/v1/cases/<"))
    statuses = {
        dict(labels)["status"]
        for (name, labels) in after
        if name == "sp_http_requests_total" and dict(labels)["route"] == rule
    }
    total = sum(requests_of(after, rule, s) - requests_of(before, rule, s) for s in statuses)
    assert total == 3
    assert requests_of(after, "unmatched", "404") - requests_of(before, "unmatched", "404") == 1
    assert requests_of(after, "/healthz") - requests_of(before, "/healthz") == 1
    count = ("sp_http_request_duration_seconds_count", (("method", "GET"), ("route", "/healthz")))
    assert after[count] - before.get(count, 0) == 1


def test_outbox_gauge_counts_queued_messages_by_channel(app, client):
    with app.app_context():
        enqueue("sms", "0812-3456-789", "satu")
        enqueue("sms", "0812-3456-780", "dua")
        enqueue("email", "warga@example.test", "tiga", subject="Uji")
        sent = enqueue("letter", "Jl. Uji 1", "sudah dikirim")
        sent.status = "sent"
        db.session.commit()
    values = scrape(client)
    assert values[("sp_outbox_queued", (("channel", "sms"),))] == 2
    assert values[("sp_outbox_queued", (("channel", "email"),))] == 1
    assert values[("sp_outbox_queued", (("channel", "letter"),))] == 0


def test_late_gauge_counts_cases_past_their_step_due_time(app, client, runner, make_user, tmp_path):
    # Any service: TD-BKK and one written here, whose first step is done by its own role.
    path = tmp_path / "uji-zeta.yaml"
    path.write_text(yaml.safe_dump(THIRD, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(args=["service", "load", str(path)])
    assert result.exit_code == 0, result.output
    assert scrape(client)[("sp_cases_late", ())] == 0
    receiver = make_user("Juru Terima Zeta")
    cases = [new_case(app), new_case(app), new_case(app, THIRD["code"], user=receiver)]
    now = datetime.now(UTC)
    with app.app_context():
        rows = [db.session.get(Case, case_id) for case_id in cases]
        assert all(row.status in CLOCK_STATUSES for row in rows)
        rows[0].step_due_at = now - timedelta(hours=2)  # late
        rows[1].step_due_at = now + timedelta(days=2)  # on time
        rows[2].step_due_at = now - timedelta(minutes=5)  # late, the other service
        db.session.commit()
    assert scrape(client)[("sp_cases_late", ())] == 2


def test_metrics_are_a_404_from_elsewhere_without_the_token(app_config):
    app = create_app({**app_config, "METRICS_TOKEN": "s3cret-scrape-token"})
    client = app.test_client()
    outside = {"environ_base": {"REMOTE_ADDR": "203.0.113.9"}}
    try:
        assert client.get("/metrics", **outside).status_code == 404
        wrong = {"Authorization": "Bearer not-the-token"}
        assert client.get("/metrics", headers=wrong, **outside).status_code == 404
        good = {"Authorization": "Bearer s3cret-scrape-token"}
        assert ("sp_cases_late", ()) in scrape(client, headers=good, **outside)
        # Loopback is allowed by default (a Prometheus agent on the same machine).
        assert ("sp_cases_late", ()) in scrape(client)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_metrics_allow_takes_networks(app_config):
    app = create_app({**app_config, "METRICS_ALLOW": "10.8.0.0/16, 192.0.2.7"})
    client = app.test_client()
    try:
        assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.8.3.4"}).status_code == 200
        assert client.get("/metrics", environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 200
        assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.9.0.1"}).status_code == 404
        assert client.get("/metrics").status_code == 404  # loopback no longer listed
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


SCRIPT = textwrap.dedent(
    """
    import sys
    from app import create_app
    app = create_app({"APP_ENV": "test", "SQLALCHEMY_DATABASE_URI": sys.argv[1], "INSTANCE_PATH": sys.argv[2],
                      "UPLOAD_DIR": sys.argv[2] + "/uploads"})
    client = app.test_client()
    if sys.argv[3] == "scrape":
        sys.stdout.write(client.get("/metrics").get_data(as_text=True))
    else:
        for _ in range(int(sys.argv[3])):
            assert client.get("/healthz").status_code == 200
    """
)


@pytest.mark.slow
def test_gunicorn_workers_add_up_in_multiprocess_mode(database_url, tmp_path):
    """Each process writes its counts to PROMETHEUS_MULTIPROC_DIR; a scrape in any one adds them up."""
    folder = tmp_path / "prometheus"
    folder.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder)}

    def run(arg: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT, database_url, str(tmp_path), arg],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    run("3")
    run("4")
    text = run("scrape")
    values = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    assert values[("sp_http_requests_total", (("method", "GET"), ("route", "/healthz"), ("status", "200")))] == 7
    assert values[("sp_outbox_queued", (("channel", "sms"),))] == 0
