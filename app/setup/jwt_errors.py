"""JWT refusals in the API's error shape `{"message": ...}` (flask-jwt-extended answers `{"msg": ...}`)."""

from __future__ import annotations

from flask import Flask, jsonify
from flask_babel import gettext as _

from app.setup.errors import error_texts


def _unauthorized(message: str):
    return jsonify(message=message), 401


def init_app(app: Flask) -> None:
    jwt = app.extensions.get("flask-jwt-extended")
    if jwt is None:
        return
    jwt.unauthorized_loader(lambda _reason: _unauthorized(error_texts(401)[1]))
    jwt.invalid_token_loader(lambda _reason: _unauthorized(_("The login token is not valid; log in again.")))
    jwt.expired_token_loader(lambda _header, _payload: _unauthorized(_("The login token has expired; log in again.")))
