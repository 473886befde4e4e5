"""A real SMS gateway stand-in: an HTTP server on 127.0.0.1 at a random port."""

from __future__ import annotations

import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class Gateway:
    """Records every request it gets; answers with the scripted statuses, then 200."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.script: list[int] = []
        self.always: int | None = None
        self._lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                parsed = urllib.parse.urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode() if length else parsed.query
                with gateway._lock:
                    gateway.requests.append(
                        {"method": self.command, "path": parsed.path, "params": dict(urllib.parse.parse_qsl(raw))}
                    )
                    status = gateway.script.pop(0) if gateway.script else (gateway.always or 200)
                body = b'{"status":"1","messageId":"m-%d"}' % len(gateway.requests)
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _handle

            def log_message(self, *args) -> None:  # keep the test output clean
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms/send"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def messages(self, param: str = "message") -> list[str]:
        with self._lock:
            return [r["params"].get(param) for r in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join()


@pytest.fixture
def gateway():
    gw = Gateway()
    yield gw
    gw.close()


@pytest.fixture
def sms_over_http(app, gateway):
    """Route SMS to the local gateway, zenziva-style credentials in static params."""
    app.config.update(
        NOTIFY_BACKEND="http",
        NOTIFY_HTTP_URL=gateway.url,
        NOTIFY_HTTP_METHOD="POST",
        NOTIFY_HTTP_PARAMS="userkey=kantor&passkey=rahasia",
        NOTIFY_MAX_ATTEMPTS=3,
    )
    return gateway
