"""Delivery backends of the outbox: log, an HTTP SMS gateway, SMTP e-mail.

A backend gets one message and either returns a provider reference or raises
DeliveryError; retrying and bookkeeping are the outbox's job (app/notify/outbox.py).
"""

from __future__ import annotations

import logging
import smtplib
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from email.message import EmailMessage
from typing import Any, Protocol

logger = logging.getLogger("app.notify.outbox")


class DeliveryError(Exception):
    """The message did not reach the provider; it will be retried."""


class Backend(Protocol):
    def send(self, message: Any) -> str | None:
        """Deliver `message` (an OutboxMessage); return the provider's reference."""


class LogBackend:
    """Writes the message to the app log; the outbox row itself is the record.

    The default everywhere, and always the backend of letters, which are printed
    from the outbox rather than transmitted.
    """

    def send(self, message: Any) -> str | None:
        logger.info(
            "outbox %s #%s to %s: %s%s",
            message.channel,
            message.id,
            message.recipient,
            f"[{message.subject}] " if message.subject else "",
            message.body,
        )
        return "log"


def _gateway_number(e164: str, style: str) -> str:
    """Gateways differ in how they want the number: `+62812...`, `62812...` or `0812...`."""
    national = e164.removeprefix("+62")
    return {"+62": "+62" + national, "62": "62" + national, "0": "0" + national}[style]


class HttpSmsBackend:
    """An SMS gateway taking the number and the text as query or form parameters.

    Indonesian gateways (zenziva and the like) want e.g.
    `userkey=..&passkey=..&to=0812..&message=..`: the static credentials come from
    NOTIFY_HTTP_PARAMS, the names of the two message fields are configurable.
    """

    def __init__(self, config: Mapping[str, Any]):
        self.url = config.get("NOTIFY_HTTP_URL") or ""
        if not self.url:
            raise DeliveryError("NOTIFY_HTTP_URL is not set")
        self.method = (config.get("NOTIFY_HTTP_METHOD") or "POST").upper()
        if self.method not in {"GET", "POST"}:
            raise DeliveryError(f"NOTIFY_HTTP_METHOD must be GET or POST, not {self.method}")
        self.static = urllib.parse.parse_qsl(config.get("NOTIFY_HTTP_PARAMS") or "", keep_blank_values=True)
        self.to_param = config.get("NOTIFY_HTTP_TO_PARAM") or "to"
        self.message_param = config.get("NOTIFY_HTTP_MESSAGE_PARAM") or "message"
        self.number_style = config.get("NOTIFY_HTTP_NUMBER_STYLE") or "+62"
        self.timeout = float(config.get("NOTIFY_HTTP_TIMEOUT") or 10)

    def send(self, message: Any) -> str | None:
        params = [
            *self.static,
            (self.to_param, _gateway_number(message.recipient, self.number_style)),
            (self.message_param, message.body),
        ]
        encoded = urllib.parse.urlencode(params)
        if self.method == "GET":
            sep = "&" if "?" in self.url else "?"
            request = urllib.request.Request(self.url + sep + encoded, method="GET")
        else:
            request = urllib.request.Request(
                self.url,
                data=encoded.encode(),
                method="POST",
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
        try:
            # urlopen raises HTTPError for every non-2xx answer it does not follow.
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status = response.status
                answer = response.read(2000).decode("utf-8", "replace").strip()
        except urllib.error.HTTPError as exc:
            raise DeliveryError(f"gateway answered HTTP {exc.code}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise DeliveryError(f"gateway unreachable: {exc}") from exc
        if not 200 <= status < 300:
            raise DeliveryError(f"gateway answered HTTP {status}")
        return answer[:200] or str(status)


class SmtpBackend:
    """E-mail over SMTP (NOTIFY_SMTP_HOST, _PORT, _USER, _PASSWORD, _STARTTLS, _FROM)."""

    def __init__(self, config: Mapping[str, Any]):
        self.host = config.get("NOTIFY_SMTP_HOST") or ""
        if not self.host:
            raise DeliveryError("NOTIFY_SMTP_HOST is not set")
        self.port = int(config.get("NOTIFY_SMTP_PORT") or 25)
        self.user = config.get("NOTIFY_SMTP_USER") or ""
        self.password = config.get("NOTIFY_SMTP_PASSWORD") or ""
        self.starttls = bool(config.get("NOTIFY_SMTP_STARTTLS"))
        self.sender = config.get("NOTIFY_SMTP_FROM") or "noreply@localhost"
        self.timeout = float(config.get("NOTIFY_HTTP_TIMEOUT") or 10)

    def send(self, message: Any) -> str | None:
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = message.recipient
        mail["Subject"] = message.subject or ""
        mail["Message-ID"] = f"<outbox-{message.id}@{self.sender.rpartition('@')[2] or 'localhost'}>"
        mail.set_content(message.body)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.user:
                    smtp.login(self.user, self.password)
                smtp.send_message(mail)
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"SMTP: {exc}") from exc
        return mail["Message-ID"]


# channel: (config key, {name: factory})
_BACKENDS: dict[str, tuple[str | None, dict[str, Callable[[Mapping[str, Any]], Backend]]]] = {
    "sms": ("NOTIFY_BACKEND", {"log": lambda config: LogBackend(), "http": HttpSmsBackend}),
    "email": ("NOTIFY_EMAIL_BACKEND", {"log": lambda config: LogBackend(), "smtp": SmtpBackend}),
    "letter": (None, {"log": lambda config: LogBackend()}),
}


def backend_for(channel: str, config: Mapping[str, Any]) -> Backend:
    """The backend of a channel: sms per NOTIFY_BACKEND, email per NOTIFY_EMAIL_BACKEND.

    A misspelt backend name is a delivery error, never a silent fall-back to the
    log, which would mark messages sent that nobody received.
    """
    if channel not in _BACKENDS:
        raise DeliveryError(f"unknown channel {channel!r}")
    key, factories = _BACKENDS[channel]
    name = (config.get(key) if key else None) or "log"
    if name not in factories:
        raise DeliveryError(f"{key}={name!r} is not one of {', '.join(factories)}")
    return factories[name](config)
