"""Start-up checks of the certificate signing settings (app/signing).

* Production names its backend explicitly (SIGNING_BACKEND=local|http, or none for an office
  that signs on paper), and a signing one its trust roots; `local` must open its PKCS#12 now,
  not at the first certificate of the day.
* A demo or development server without SIGNING_BACKEND signs with the DEMO key `flask demo`
  made under instance/signing/ (app.signing.demo), when it is there.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from app.signing import BACKENDS, SigningError

DEMO_ENVS = ("demo", "development")


def check(config) -> None:
    """Raise app.ConfigurationError for settings the app must not start with."""
    from app import ConfigurationError

    env = config.get("APP_ENV")
    chosen = str(config.get("SIGNING_BACKEND") or "").strip().lower()
    if chosen and chosen not in BACKENDS:
        raise ConfigurationError(f"SIGNING_BACKEND={chosen!r}: expected one of {', '.join(BACKENDS)}")
    if env != "production":
        return
    if not chosen:
        raise ConfigurationError(
            "SIGNING_BACKEND must be set when APP_ENV=production: local (the office's PKCS#12 key, "
            "SIGNING_PKCS12), http (a remote signing service, SIGNING_HTTP_URL) or none (certificates "
            "are signed on paper)"
        )
    if chosen == "none":
        return
    if not config.get("SIGNING_TRUST_ROOTS"):
        raise ConfigurationError(
            "SIGNING_TRUST_ROOTS must name the CA certificate(s) of the signing key when certificates "
            "are signed electronically: the public check trusts only them"
        )
    from app.signing import build_signer

    try:
        build_signer(config)
    except SigningError as exc:
        raise ConfigurationError(f"SIGNING_BACKEND={chosen}: {exc}") from exc


def init_app(app: Flask) -> None:
    if app.config.get("APP_ENV") in DEMO_ENVS and not app.config.get("SIGNING_BACKEND"):
        from app.signing.demo import demo_files

        files = demo_files(Path(app.config["INSTANCE_PATH"]))
        if files.exist():
            app.config.update(files.config())
    check(app.config)
