"""Trust X-Forwarded-* from a known number of reverse proxies (PROXY_FIX_HOPS).

Behind nginx every request otherwise comes from the proxy's address: rate
limits would be shared by all visitors and the audit log would name the proxy.
Off by default, since trusting the headers without a proxy lets anyone fake them.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def init_app(app: Flask) -> None:
    hops = int(app.config.get("PROXY_FIX_HOPS") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
