"""Declarative metadata is checked at start-up: a misspelt capability or console key stops the app."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from app.security.roles import DeclarationError, check_declarations
from models import Holiday


class _View:
    capability_grants = {"can_list": ["cases.raed_all"]}


class _RoleView:
    role_grants = {"can_list": ["Some Role"]}


def test_the_shipped_declarations_pass(app):
    check_declarations(app.appbuilder)


@pytest.mark.parametrize(
    "view, says",
    [
        (_View(), "_View.capability_grants['can_list']: unknown capability 'cases.raed_all'"),
        (_RoleView(), "_RoleView: role_grants names roles"),
    ],
)
def test_a_view_naming_an_unknown_capability_or_a_role_stops_the_app(view, says):
    with pytest.raises(DeclarationError) as refused:
        check_declarations(SimpleNamespace(baseviews=[view]))
    assert says in str(refused.value)


@pytest.mark.parametrize(
    "console, says",
    [
        ({"label": "Holidays", "serach": ["name"]}, "Holiday.__console__: unknown key 'serach'"),
        ({"capabilities": {"console.reed": ["list"]}}, "unknown capability 'console.reed'"),
        ({"capabilities": {"console.read": ["lst"]}}, "unknown action 'lst'"),
    ],
)
def test_a_misspelt_console_declaration_stops_the_app(monkeypatch, console, says):
    monkeypatch.setattr(Holiday, "__console__", console)
    with pytest.raises(DeclarationError) as refused:
        check_declarations(SimpleNamespace(baseviews=[]))
    assert says in str(refused.value)
