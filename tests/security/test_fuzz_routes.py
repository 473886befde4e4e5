"""Finding 9: no route of the app answers 5xx to absurd input, as an administrator or anonymously.

Every rule of `app.url_map` is requested with its path parameters replaced by
huge, negative and Unicode-digit values and with absurd values for the common
query keys (a fixed sweep, so every route is covered), then Hypothesis explores
combinations (derandomized: the same examples on every run, so CI is stable).
With TESTING on an unhandled exception propagates, so a 500 fails the test
either as a status or as the exception itself.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import csrf_token

QUERY_KEYS = (
    "page",
    "step",
    "before",
    "from",
    "to",
    "status",
    "service",
    "q",
    "lang",
    "version",
    "id",
    "month",
    "format",
    "next",
    "sort",
    "page_size",
)
EVIL = (
    "9223372036854775808",
    "99999999999999999999",
    "²",
    "١٢٣",
    "-1",
    "0",
    "9" * 5000,
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "1e309",
    "NaN",
    "",
    " ",
    "%",
    "'\"<x>",
    "\u202e",
    "x" * 3000,
)
EVIL_JSON = (10**40, -(10**40), "²", 1e308, None, True, [], {}, "x" * 3000, [[[[[[]]]]]], {"a": {"b": {"c": 1}}})
# Routes that would end the session or are served from files, not code of ours.
SKIP_ENDPOINT = re.compile(r"logout|static")


def _rules(app):
    return sorted((r for r in app.url_map.iter_rules() if not SKIP_ENDPOINT.search(r.endpoint)), key=lambda r: r.rule)


def _path(rule, values: dict[str, str]) -> str:
    """The rule's path with each `<...>` replaced by its (URL-quoted) value."""

    def sub(match):
        name = match.group(1).split(":")[-1]
        return quote(values.get(name, "1"), safe="")

    return re.sub(r"<([^>]+)>", sub, rule.rule)


class Callers:
    """An administrator (session and bearer token) and an anonymous visitor on one app."""

    def __init__(self, app, auth_factory, admin: str):
        self.anonymous = app.test_client()
        self.admin = app.test_client()
        helper = auth_factory(self.admin)
        helper.login(admin)
        self.bearer = helper.token(admin)
        self.csrf = csrf_token(self.admin, "/cases/new/TD-BKK")

    def call(self, who: str, method: str, url: str, body):
        client = self.admin if who == "admin" else self.anonymous
        headers = self.bearer if who == "admin" and url.startswith("/api/") else {}
        try:
            if method == "GET":
                rv = client.get(url, headers=headers)
            elif url.startswith("/api/"):
                rv = client.post(url, data=json.dumps(body), content_type="application/json", headers=headers)
            else:
                form = body if isinstance(body, dict) else {"value": str(body)}
                form = {str(k): str(v) for k, v in form.items()}
                if who == "admin":
                    form["csrf_token"] = self.csrf
                rv = client.post(url, data=form, headers=headers)
        except Exception as exc:
            raise AssertionError(f"{who} {method} {url[:200]} raised {exc!r}") from exc
        assert rv.status_code < 500, f"{who} {method} {url[:200]} answered {rv.status_code}"
        return rv


@pytest.fixture
def callers(app, make_user):
    from tests.conftest import AuthActions

    return Callers(app, AuthActions, make_user("Admin"))


def _methods(rule) -> list[str]:
    return [m for m in ("GET", "POST") if m in rule.methods]


def test_every_route_survives_absurd_path_and_query_values(app, callers):
    """A fixed sweep: every rule, every method, absurd path parameters and query values."""
    query = urlencode({key: EVIL[i % len(EVIL)] for i, key in enumerate(QUERY_KEYS)})
    for rule in _rules(app):
        samples = ("9223372036854775808", "²") if rule.arguments else ("",)
        for n, sample in enumerate(samples):
            url = _path(rule, dict.fromkeys(rule.arguments, sample))
            for method in _methods(rule):
                # Anonymous callers are turned away before any parsing: one sample is enough.
                for who in ("admin", "anonymous") if n == 0 else ("admin",):
                    callers.call(
                        who,
                        method,
                        f"{url}?{query}" if method == "GET" else url,
                        {"version": "²", "page": 10**40, "note": "x" * 3000, "data": [[[]]]},
                    )


path_values = st.one_of(
    st.sampled_from(EVIL),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
)
query_values = st.dictionaries(st.sampled_from(QUERY_KEYS), path_values, max_size=5)
json_values = st.recursive(
    st.one_of(st.sampled_from(EVIL_JSON), st.integers(), st.floats(allow_nan=False), st.text(max_size=50)),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.sampled_from(
                (
                    "action",
                    "version",
                    "note",
                    "data",
                    "service",
                    "applicant",
                    "form",
                    "checked",
                    "report",
                    "scores",
                    "description",
                    "subject",
                )
            ),
            children,
            max_size=5,
        ),
    ),
    max_leaves=12,
)


@settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_fuzzed_requests_never_answer_5xx(app, callers, data):
    # The generated console (200 near-identical rules, covered by the sweep above) would crowd the sample.
    rules = [r for r in _rules(app) if not r.rule.startswith("/admin/")]
    rule = data.draw(st.sampled_from(rules), label="rule")
    values = {name: data.draw(path_values, label=name) for name in sorted(rule.arguments)}
    method = data.draw(st.sampled_from(_methods(rule)), label="method")
    who = data.draw(st.sampled_from(("admin", "anonymous")), label="who")
    url = _path(rule, values)
    if method == "GET":
        url += "?" + urlencode(data.draw(query_values, label="query"))
    body = data.draw(json_values, label="body") if method == "POST" else None
    callers.call(who, method, url, body)
