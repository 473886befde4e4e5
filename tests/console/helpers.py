"""Helpers shared by the console tests."""

from __future__ import annotations

from tests.conftest import csrf_token


def post_form(client, form_url: str, data: dict, post_url: str | None = None):
    """POST like a browser: the token comes from the form page itself."""
    token = csrf_token(client, form_url)
    return client.post(post_url or form_url, data={**data, "csrf_token": token})
