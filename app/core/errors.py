"""One error type for a request our rules refuse: `DomainError`.

The engines (cases, complaints, survey, registers) each refused bad input with
a class of their own carrying the same three things, and every view translated
each of them into JSON or a flash message by hand. A refusal is one idea, so it
is one type: the per-domain classes (WorkflowError, ComplaintError,
SurveyError, RegisterError) are thin subclasses kept for their names, and
callers catch `DomainError` when any refusal will do.

- `message`: for people, already in the reader's language (the engines raise it
  with `gettext`, English msgid, Indonesian in the catalogs).
- `status`: the HTTP status the API answers (400/403/404/409/422).
- `fields`: per-field messages (`{"report.date": "..."}`), shown next to the
  field on a form and sent as `"errors"` by the API.

Under /api/ an uncaught DomainError becomes the JSON body DESIGN.md promises,
`{"message": ..., "errors": {...}}` (errors only when there are any), through
the handler in app.setup.errors; a screen that re-renders its form catches it
and calls `flash_error`. Either way nothing of the refused request is kept:
the session is rolled back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import flash

from app.core.extensions import db


class DomainError(Exception):
    """A request refused by our rules: `message` for people, `status` for HTTP, `fields` per field."""

    def __init__(self, status: int, message: Any, fields: Mapping[str, Any] | None = None):
        # str(): a lazy_gettext message is resolved now, in the language of the refused request.
        self.message = str(message)
        super().__init__(self.message)
        self.status = int(status)
        self.fields: dict[str, str] = {str(k): str(v) for k, v in (fields or {}).items()}

    @property
    def errors(self) -> dict[str, str]:
        """`fields` under the name the API body (and older callers) use."""
        return self.fields

    def body(self) -> dict[str, Any]:
        """The JSON answer: `{"message"}`, plus `{"errors": {field: message}}` when fields are named."""
        body: dict[str, Any] = {"message": self.message}
        if self.fields:
            body["errors"] = dict(self.fields)
        return body

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.status}, {self.message!r}, {self.fields!r})"


def flash_error(error: DomainError) -> None:
    """A screen's refusal: drop what the request changed and show the reason in the page's alert."""
    db.session.rollback()
    flash(error.message, "danger")
