"""The public address printed on receipts, survey links and certificate QR codes.

`PUBLIC_BASE_URL` when set (production requires it: app._check_config). A demo or
development server without it prints the address the current request came to
(`request.host_url`), so a server on another host or port prints its own; outside
a request (CLI, jobs) it falls back to `SERVER_NAME`, then to the local default,
and logs a warning.
"""

from __future__ import annotations

import logging

from flask import current_app, has_app_context, has_request_context, request

LOCAL_DEFAULT = "http://127.0.0.1:5000"

log = logging.getLogger(__name__)


def public_base_url() -> str:
    """The site's public address, without a trailing slash."""
    from config import Config

    config = current_app.config if has_app_context() else {"PUBLIC_BASE_URL": Config.PUBLIC_BASE_URL}
    configured = (config.get("PUBLIC_BASE_URL") or "").strip()
    if configured:
        return configured.rstrip("/")
    if has_request_context():
        return request.host_url.rstrip("/")
    server = config.get("SERVER_NAME")
    base = f"{config.get('PREFERRED_URL_SCHEME') or 'http'}://{server}" if server else LOCAL_DEFAULT
    log.warning("PUBLIC_BASE_URL is not set and there is no request to read the address from: printing %s", base)
    return base
