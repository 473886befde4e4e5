"""Prometheus metrics at `/metrics`, with the Prometheus project's own `prometheus_client`.

Why the bare client and not prometheus-flask-exporter: we need two things it does
not give for free, gauges computed from the database at scrape time and labels
from the URL rule only, and the client's multiprocess mode (gunicorn) works the
same either way; one well-kept dependency instead of two.

* `sp_http_requests_total{method,route,status}` and
  `sp_http_request_duration_seconds{method,route}`: `route` is the URL rule
  (`/cases/<int:case_id>`), never the raw path, so the number of series is bounded
  by the app's routes (a path no rule matches counts as `unmatched`).
* `sp_outbox_queued{channel}`: notifications waiting to be sent (app.notify.outbox).
* `sp_cases_late`: cases late now, by `app.cases.lateness.running_late_clause`,
  the one definition of late the worklist and dashboard use.
  Both gauges are counted when scraped (two indexed COUNTs), so they are exact
  whatever process changed the data.
* Under gunicorn set PROMETHEUS_MULTIPROC_DIR (gunicorn.conf.py does): each worker
  writes its counters to files there and a scrape adds them up.

Access: only from the networks in METRICS_ALLOW (default loopback) or with
`Authorization: Bearer <METRICS_TOKEN>`; anyone else gets a 404, as if there were
no such page.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import time
from collections.abc import Iterable, Iterator
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Flask, Response, abort, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from app.core.extensions import db

log = logging.getLogger(__name__)

EXTENSION = "sp_metrics"
DEFAULT_ALLOW = "127.0.0.1/32 ::1"
# Pages answer in tens of milliseconds; exports and PDFs take seconds.
BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

bp = Blueprint("ops_metrics", __name__)


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


class DatabaseGauges(Collector):
    """The gauges read from the database at scrape time."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def describe(self) -> Iterator[GaugeMetricFamily]:
        # Registering asks for the names: answer without touching the database (start-up never does).
        yield GaugeMetricFamily("sp_outbox_queued", "Notifications queued, not yet sent", labels=["channel"])
        yield GaugeMetricFamily("sp_cases_late", "Cases whose step in hand is past its due time now")

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from app.cases.lateness import running_late_clause
        from app.notify.outbox import CHANNELS
        from models import Case, OutboxMessage

        outbox = GaugeMetricFamily("sp_outbox_queued", "Notifications queued, not yet sent", labels=["channel"])
        late = GaugeMetricFamily("sp_cases_late", "Cases whose step in hand is past its due time now")
        try:
            with self.app.app_context():
                queued = dict(
                    db.session.execute(
                        sa.select(OutboxMessage.channel, sa.func.count())
                        .where(OutboxMessage.status == "queued")
                        .group_by(OutboxMessage.channel)
                    ).all()
                )
                late_now = db.session.scalar(sa.select(sa.func.count()).select_from(Case).where(running_late_clause()))
                db.session.rollback()
        except Exception as exc:  # the database is down: no gauge beats a wrong one (readyz says why)
            log.warning("metrics: database gauges unavailable: %s", type(exc).__name__)
            return
        for channel in sorted(set(CHANNELS) | set(queued)):
            outbox.add_metric([channel], queued.get(channel, 0))
        late.add_metric([], late_now or 0)
        yield outbox
        yield late


class AppMetrics:
    """The request metrics of one app (tests build many apps in one process: one registry each)."""

    def __init__(self, app: Flask) -> None:
        self.multiprocess = multiprocess_dir()
        # In multiprocess mode the values live in files; the registry here is only for one process.
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "sp_http_requests_total",
            "HTTP requests answered, by URL rule, method and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        # No status label on the histogram: buckets x routes x methods is enough series.
        self.latency = Histogram(
            "sp_http_request_duration_seconds",
            "Time to produce the response, by URL rule and method",
            ["method", "route"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.gauges = DatabaseGauges(app)
        if not self.multiprocess:
            self.registry.register(self.gauges)

    def scrape(self) -> bytes:
        if not self.multiprocess:
            return generate_latest(self.registry)
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=self.multiprocess)
        registry.register(self.gauges)
        return generate_latest(registry)


def route_of() -> str:
    """The URL rule the request matched: bounded, unlike the path (ids, typos, scanners)."""
    rule = request.url_rule
    return rule.rule if rule is not None else "unmatched"


def _start() -> None:
    g.metrics_started = time.perf_counter()


def _observe(response: Response) -> Response:
    metrics: AppMetrics | None = current_app.extensions.get(EXTENSION)
    started = g.get("metrics_started")
    if metrics is None:
        return response
    route = route_of()
    metrics.requests.labels(request.method, route, str(response.status_code)).inc()
    # No start time: refused before the before-request hooks (a URL value preprocessor's 404).
    if started is not None:
        metrics.latency.labels(request.method, route).observe(time.perf_counter() - started)
    return response


def allowed_networks(value: Any) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """METRICS_ALLOW as networks: addresses or CIDRs separated by spaces or commas."""
    items: Iterable[str] = value.replace(",", " ").split() if isinstance(value, str) else (value or [])
    return [ipaddress.ip_network(item.strip(), strict=False) for item in items]


def may_scrape() -> bool:
    token = str(current_app.config.get("METRICS_TOKEN") or "")
    sent = request.headers.get("Authorization", "")
    if token and sent.startswith("Bearer ") and hmac.compare_digest(sent[7:].strip().encode(), token.encode()):
        return True
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 from a dual-stack socket
    return any(address in network for network in current_app.extensions[EXTENSION + "_allow"])


@bp.get("/metrics")
def metrics_view() -> Response:
    if not may_scrape():
        abort(404)
    body = current_app.extensions[EXTENSION].scrape()
    return Response(body, headers={"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"})


def init_app(app: Flask) -> None:
    from app.setup.health import exempt

    app.config.setdefault("METRICS_ALLOW", DEFAULT_ALLOW)
    app.config.setdefault("METRICS_TOKEN", "")
    # A typo in METRICS_ALLOW stops the start-up here, not the first scrape.
    app.extensions[EXTENSION + "_allow"] = allowed_networks(app.config["METRICS_ALLOW"])
    app.extensions[EXTENSION] = AppMetrics(app)
    app.register_blueprint(bp)
    exempt(app, bp)
    app.before_request(_start)
    app.after_request(_observe)
