"""JWT refusals in the API's error shape `{"message": ...}` (flask-jwt-extended answers `{"msg": ...}`)."""
from __future__ import annotations

from flask import Flask, jsonify


def _unauthorized(message: str):
    return jsonify(message=message), 401


def init_app(app: Flask) -> None:
    jwt = app.extensions.get("flask-jwt-extended")
    if jwt is None:
        return
    jwt.unauthorized_loader(lambda _reason: _unauthorized("Perlu login: token tidak ada."))
    jwt.invalid_token_loader(lambda _reason: _unauthorized("Token tidak sah."))
    jwt.expired_token_loader(lambda _header, _payload: _unauthorized("Token sudah kedaluwarsa; silakan login lagi."))
