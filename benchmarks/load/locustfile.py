"""Simulated office users for `make loadtest` (run by benchmarks/load/run.py, headless).

Environment (set by run.py):

* LOAD_HOSTS: comma-separated base URLs; users are dealt round-robin over them
  (two app instances, or two baseline instances)
* LOAD_POOLS: the JSON written by benchmarks/load/prepare.py
* LOAD_WAIT: "min,max" think time in seconds between an officer's tasks
* LOAD_EXPORT_FROM / LOAD_EXPORT_TO: the date filter of the register export

User classes, picked on locust's command line:

* the office mix: Officer (worklist, open a case, tick a requirement, forward a
  case at its step, download a PDF), Head (export a filtered register as CSV),
  Citizen (public tracking with number and key);
* the worklist-only comparison, no think time: Worklist (our page), BareWorklist
  (bare Flask + psycopg, benchmarks/load/bare_app.py), PeerWorklist (FAB's generic
  ModelView list, benchmarks/load/fab_peer.py).
"""

from __future__ import annotations

import copy
import itertools
import json
import os
import random
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from gevent.lock import Semaphore
from locust import HttpUser, between, constant, task

HOSTS = [h for h in os.environ.get("LOAD_HOSTS", "http://127.0.0.1:8001").split(",") if h]
_next_host = itertools.count()
POOLS: dict[str, Any] = json.loads(Path(os.environ["LOAD_POOLS"]).read_text()) if os.environ.get("LOAD_POOLS") else {}
_wait = [float(x) for x in os.environ.get("LOAD_WAIT", "0.5,2").split(",")]
THINK = between(_wait[0], _wait[-1])
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
VERSION = re.compile(r'name="version"[^>]*value="(\d+)"')
CASE_LINK = re.compile(r'href="/cases/(\d+)"')
ALERT = re.compile(r'class="alert[^"]*alert-(?:danger|warning|info)[^"]*"[^>]*>(.*?)</div>', re.S)
TITLE = re.compile(r"<title>(.*?)</title>", re.S)
TAGS = re.compile(r"<[^>]+>|\s+")
# Officers are dealt the accounts in turn; each account's act and tick pools are shared by its users.
_next_officer = itertools.count()
_sessions: dict[tuple[str, str], list[Any]] = {}
_login_locks: defaultdict[tuple[str, str], Semaphore] = defaultdict(Semaphore)


def _deal_host(user: HttpUser) -> None:
    """Round-robin: each new user talks to the next instance for its whole life."""
    user.client.base_url = HOSTS[next(_next_host) % len(HOSTS)]


def _csrf(text: str) -> str | None:
    match = CSRF.search(text)
    return match.group(1) if match else None


def _login(user: HttpUser, username: str) -> None:
    """Log in once per account and instance; its other simulated users share the session cookie.

    Officers stay logged in all day: a login per simulated user would turn the test
    into a password-hashing storm at spawn time, which is not the office's mix.
    """
    key = (user.client.base_url, username)
    with _login_locks[key]:
        if key in _sessions:
            # The cookie objects themselves, domain and path included: a plain name=value copy
            # made a second "session" cookie beside the one the server sets next, and the
            # jar could send the stale one, losing the success message of the action before
            # (seen as "refused" forwards at 50+ users, whose actions were in fact applied).
            for cookie in _sessions[key]:
                user.client.cookies.set_cookie(copy.copy(cookie))
            return
        page = user.client.get("/login/", name="login page")
        with user.client.post(
            "/login/",
            data={"username": username, "password": POOLS["password"], "csrf_token": _csrf(page.text) or ""},
            name="login",
            catch_response=True,
        ) as rv:
            if "/login" in rv.url:
                rv.failure(f"login refused for {username}")
                return
        _sessions[key] = [copy.copy(cookie) for cookie in user.client.cookies]


def _saved(rv: Any) -> None:
    """An action's answer (after its redirect) must flash success, not a refusal."""
    if rv.status_code != 200:
        rv.failure(f"HTTP {rv.status_code}")
    elif "alert-danger" in rv.text or "alert-success" not in rv.text:
        # The page's own refusal, so the report says why (a stale version, an unmet need...).
        said = ALERT.search(rv.text) or TITLE.search(rv.text)
        reason = TAGS.sub(" ", said.group(1)).replace("×", "").strip()[:120] if said else "no success message"
        reason = f"{reason} (at {rv.url.split('/', 3)[-1]})"
        rv.failure(f"refused: {reason}")


class Officer(HttpUser):
    """An officer at their step: the worklist most, then cases, ticks, forwards and PDFs."""

    host = HOSTS[0]
    weight = 8
    wait_time = THINK

    def on_start(self) -> None:
        _deal_host(self)
        officers = POOLS["officers"]
        self.account = officers[next(_next_officer) % len(officers)]
        _login(self, self.account["username"])
        self.seen: list[int] = []

    @task(4)
    def worklist(self) -> None:
        rv = self.client.get("/cases/worklist/", name="worklist")
        self.seen = [int(x) for x in CASE_LINK.findall(rv.text)] or self.seen

    @task(3)
    def open_case(self) -> None:
        pool = self.seen or POOLS["documents"]
        self.client.get(f"/cases/{random.choice(pool)}", name="open case")

    @task(1)
    def tick_requirement(self) -> None:
        lines = self.account["tick"]
        if not lines:
            return self.open_case()
        case_id, line_id = lines.pop()
        page = self.client.get(f"/cases/{case_id}", name="open case")
        with self.client.post(
            f"/cases/{case_id}/requirements/{line_id}",
            data={"tick": "1", "checked": "1", "csrf_token": _csrf(page.text) or ""},
            name="tick requirement",
            catch_response=True,
        ) as rv:
            _saved(rv)

    @task(1)
    def act(self) -> None:
        cases = self.account["act"]
        if not cases:
            return self.worklist()
        case_id = cases.pop()
        page = self.client.get(f"/cases/{case_id}", name="open case")
        version = VERSION.search(page.text)
        with self.client.post(
            f"/cases/{case_id}/act",
            data={
                "action": "forward",
                "version": version.group(1) if version else "",
                "csrf_token": _csrf(page.text) or "",
            },
            name="forward case",
            catch_response=True,
        ) as rv:
            _saved(rv)

    @task(1)
    def document(self) -> None:
        case_id = random.choice(POOLS["documents"])
        with self.client.get(
            f"/documents/case/{case_id}/control-card.pdf", name="control card PDF", catch_response=True
        ) as rv:
            if rv.status_code == 200 and not rv.content.startswith(b"%PDF"):
                rv.failure("not a PDF")


class Head(HttpUser):
    """The head of office exports a week of the case register as CSV."""

    host = HOSTS[0]
    weight = 1
    wait_time = THINK

    def on_start(self) -> None:
        _deal_host(self)
        _login(self, POOLS["admin"])

    @task
    def export(self) -> None:
        params = {"from": os.environ.get("LOAD_EXPORT_FROM", ""), "to": os.environ.get("LOAD_EXPORT_TO", "")}
        with self.client.get(
            "/registers/cases/export/csv", params=params, name="export register CSV", catch_response=True
        ) as rv:
            if rv.status_code == 200 and "text/csv" not in rv.headers.get("Content-Type", ""):
                rv.failure(f"not CSV: {rv.headers.get('Content-Type')}")


class Citizen(HttpUser):
    """An applicant tracks a case with the number and key on the receipt, from their own address."""

    host = HOSTS[0]
    weight = 2
    wait_time = THINK

    def on_start(self) -> None:
        _deal_host(self)

    @task
    def track(self) -> None:
        # Citizens come from many addresses (the instances trust one proxy hop, as behind nginx).
        address = {"X-Forwarded-For": f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"}
        page = self.client.get("/public/track", name="tracking form", headers=address)
        number = random.choice(POOLS["tracking"])
        with self.client.post(
            "/public/track",
            data={"number": number, "key": POOLS["tracking_key"], "csrf_token": _csrf(page.text) or ""},
            headers=address,
            name="tracking result",
            catch_response=True,
        ) as rv:
            if rv.status_code == 200 and "sp-public-result" not in rv.text:
                rv.failure("case not found")


class Worklist(HttpUser):
    """Our worklist page, back to back (the comparison with the baselines)."""

    host = HOSTS[0]
    wait_time = constant(0)

    def on_start(self) -> None:
        _deal_host(self)
        _login(self, POOLS["worklist_user"])

    @task
    def worklist(self) -> None:
        self.client.get("/cases/worklist/", name="worklist")


class BareWorklist(HttpUser):
    """The same SQL behind a bare Flask + psycopg endpoint: the ceiling."""

    host = HOSTS[0]
    wait_time = constant(0)

    def on_start(self) -> None:
        _deal_host(self)

    @task
    def worklist(self) -> None:
        self.client.get("/worklist", name="worklist")


class PeerWorklist(HttpUser):
    """FAB's generic ModelView list of the case table: the peer."""

    host = HOSTS[0]
    wait_time = constant(0)

    def on_start(self) -> None:
        _deal_host(self)
        _login(self, POOLS["admin"])

    @task
    def worklist(self) -> None:
        self.client.get("/peercaseview/list/", name="worklist")
