"""The start page after login: the user's roles and a link to every screen they may open."""

from __future__ import annotations

from typing import Any

from flask_appbuilder import IndexView, expose
from flask_login import current_user

from views.console import console_models, user_may
from views.public import services as public_services


def menu_links(appbuilder: Any) -> list[dict]:
    """FAB menu entries the current user may see, grouped by menu category."""
    sm = appbuilder.sm
    groups = []
    for item in appbuilder.menu.get_list():
        children = item.childs or [item]
        links = [
            {"label": child.label, "url": child.get_url()}
            for child in children
            if child and child.name != "-" and sm.has_access("menu_access", child.name)
        ]
        if links:
            groups.append({"label": item.label, "links": links})
    return groups


def console_links() -> list[dict]:
    """Master-data tables the current user may list in the console."""
    from flask import url_for

    return [
        {
            "label": model.__console__.get("label", model.__name__),
            "url": url_for(f"console_{model.__name__.lower()}.index_view"),
        }
        for model in console_models()
        if user_may("list", model.__name__)
    ]


class HomeIndexView(IndexView):
    """Landing page: officers go here after login; anonymous visitors see the public portal (with a login link)."""

    index_template = "home/index.html"

    @expose("/")
    def index(self):
        if not current_user.is_authenticated:
            return public_services.index()
        return self.render_template(
            self.index_template,
            roles=[role.name for role in current_user.roles],
            groups=menu_links(self.appbuilder),
            console=console_links(),
        )
