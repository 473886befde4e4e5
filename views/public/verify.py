"""Public check of a certificate (the QR code on it points here); no login.

Known and unknown tokens get the same page shape: a token that matches nothing
is simply "not found", whatever its form, so the page tells nothing about
which tokens exist. Tokens are 32 random bytes, so they cannot be guessed.
"""

from __future__ import annotations

from flask_appbuilder import BaseView, expose
from sqlalchemy import select

from app.core.extensions import db
from models import Certificate

TOKEN_MAX = 64  # the column's length: anything longer cannot match


class PublicVerifyView(BaseView):
    """Is this certificate genuine and still valid?"""

    route_base = "/public/verify"

    @expose("/<string:token>")
    def verify(self, token: str):
        """Valid, revoked or not found; number, holder and date when found."""
        cert = None
        if len(token) <= TOKEN_MAX:
            cert = db.session.scalar(select(Certificate).where(Certificate.verify_token == token))
        status = "not_found" if cert is None else cert.status
        html = self.render_template("documents/pages/verify.html", cert=cert, status=status)
        return html, 404 if cert is None else 200


def register(appbuilder) -> None:
    appbuilder.add_view_no_menu(PublicVerifyView())
