"""The generated master-data console (Flask-Admin at /admin/).

One generic view class; `build_views()` makes one view per model that carries
`__console__` metadata and column `info` (label, choices). Every request is
checked against FAB permission pairs (`can_list`, `can_add`, `can_edit`,
`can_delete`, `can_export` on the model's class name), so the console shares
FAB's login, roles and grants.

`__console__` keys (app.security.roles.check_declarations refuses any other key at
start-up, so a misspelt "hidden" cannot quietly show what it was meant to hide):

- "label": the screen's name (an English msgid);
- "category": its menu, else CATEGORIES by model module, else "Master data";
- "list": the list columns; "relation.column" shows one column of a related
  row (the applicant's name, not the applicant's NIK), labelled like the
  relation. The related rows of a page are loaded in the page's own query;
- "search": searchable columns (the first one also finds the row from other
  screens' relation filters, so it is a plain column);
- "filters": columns or many-to-one relations (filtered by the related row's
  first searchable column);
- "readonly": records a procedure writes (the case engine, the complaint
  book): the console only lists, shows and exports them, newest first;
- "capabilities": {capability: [console actions]} (app.security.capabilities);
- "hidden": columns and relations never shown: not in the list, the details
  page, the CSV export or a form (hashes, tokens, personal identifiers).
  A hidden name in "list", "search" or "filters", or reached through
  "relation.column" from another model, is refused at start-up;
- "lookups": {relation: name of a LOOKUPS restriction}: what a form's
  search-as-you-type may offer for that relation (an applicant's login is
  looked up among self-service accounts only, by username; never officers).

A column's `info` may name a CHECKS rule (`"check": "nik"`): the form refuses
a value the rule refuses, with the rule's message next to the field, the same
check the counter and the API apply (an unknown name stops the app). It may name
LABELS (`"labels": "weekday"`): the words the list, details page, export and
filter show for stored codes (an unknown code shows as stored), and HELP
(`"help": "number_format"`): the help under its form field, with an example
made from the value being edited. A `"choices"` vocabulary does both the words
and the form's choices.

Times read `07.30` and timestamps `28 November 2026 14.05` in office time.

The details page shows the list columns first, then every other column and
many-to-one relation; the CSV export every column, then the list's relations.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

from flask import abort, current_app, flash, g, redirect, request
from flask_admin import Admin, AdminIndexView, expose
from flask_admin.babel import gettext as admin_gettext
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.ajax import QueryAjaxModelLoader
from flask_admin.contrib.sqla.filters import FilterConverter
from flask_admin.contrib.sqla.typefmt import DEFAULT_FORMATTERS
from flask_admin.form import SecureForm
from flask_admin.model import filters as admin_filters
from flask_admin.model.typefmt import DETAIL_FORMATTERS
from flask_admin.theme import Bootstrap4Theme
from flask_babel import gettext, lazy_gettext, ngettext
from flask_login import current_user
from flask_wtf.csrf import _FlaskFormCSRF
from markupsafe import Markup, escape
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import RelationshipDirection
from wtforms.validators import ValidationError

from app.cases.numbering import format_number
from app.core.audit import AuditAction, record, snapshot
from app.core.extensions import appbuilder, db, real_app
from app.core.formatting import format_date, format_datetime
from app.core.nik import nik_problem
from app.core.timezone import office_tz
from app.security.roles import DeclarationError, console_actions
from app.setup.i18n import catalog_directory
from models import Model
from models.vocabulary import Vocabulary

# Menu category by model module; a model may name its own with __console__["category"].
CATEGORIES = {
    "service": "Services",
    "calendar": "Working calendar",
    "people": "People",
    "case": "Cases",
    "complaint": "Complaints",
    "survey": "Satisfaction survey",
    "audit": "Records",
    "notification": "Records",
}
# Flask-Admin view method -> the console action it performs.
VIEW_ACTIONS = {
    "index_view": "list",
    "details_view": "list",
    "create_view": "add",
    "edit_view": "edit",
    "ajax_update": "edit",
    "delete_view": "delete",
    "action_view": "delete",  # the only bulk action is delete
    "export": "export",
}
NEVER_IN_FORMS = ("created_at", "updated_at", "definition_hash")
# Column `info["check"]` -> the rule its form field goes through: a message for a bad value, None for a good one.
CHECKS: dict[str, Callable[[Any], str | None]] = {"nik": nik_problem}
# A CSV cell starting with one of these is a formula to Excel/LibreOffice.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Weekday numbers as OfficeHours and the working calendar count them (0 = Monday).
WEEKDAYS = (
    lazy_gettext("Monday"),
    lazy_gettext("Tuesday"),
    lazy_gettext("Wednesday"),
    lazy_gettext("Thursday"),
    lazy_gettext("Friday"),
    lazy_gettext("Saturday"),
    lazy_gettext("Sunday"),
)
# Column `info["labels"]` -> (stored value, label) pairs for codes that are not a
# form's choices: audit actions are written by the code, weekdays are numbers.
LABELS: dict[str, Callable[[], list[tuple[Any, Any]]]] = {
    "audit_action": lambda: list(AuditAction.labels().items()),
    "weekday": lambda: list(enumerate(WEEKDAYS)),
    "complaint_event": lambda: list(_complaint_event_labels().items()),
    "audit_object": lambda: _object_labels(),
}


def _object_labels() -> list[tuple[Any, Any]]:
    # An audit row names its object by class (`Service`) or table (`case`): both read as the
    # console screen's name for that model.
    pairs: list[tuple[Any, Any]] = []
    for model in console_models():
        label = _label(model.__console__.get("label", model.__name__))
        pairs += [(model.__name__, label), (model.__tablename__, label)]
    return pairs


def _complaint_event_labels() -> dict[str, Any]:
    # The complaint page's own words for its events (imported late: views.complaints loads after us).
    from views.complaints import EVENT_LABELS

    return EVENT_LABELS


# The certificate number format shown as an example (the 7th certificate of the current month).
EXAMPLE_NUMBER_FORMAT = "{seq:03d}/{month_roman}/{year}"
EXAMPLE_CODE = "ABC"  # a new service has no code yet
# What each placeholder of app.services.schema.NUMBER_PLACEHOLDERS writes.
PLACEHOLDER_HELP = {
    "seq": lazy_gettext("{seq} the number in the service and year ({seq:03d} writes it with three digits: 007)"),
    "code": lazy_gettext("{code} the service's code"),
    "year": lazy_gettext("{year} the year"),
    "month": lazy_gettext("{month} the month (01 to 12)"),
    "month_roman": lazy_gettext("{month_roman} the month in Roman numerals (I to XII)"),
}


def number_format_help(current: Any, row: Any) -> Markup:
    """What a certificate number format may contain (the placeholders a service definition
    accepts) and the number it gives, filled by app.cases.numbering."""
    from app.services.schema import NUMBER_PLACEHOLDERS

    parts = [str(PLACEHOLDER_HELP.get(name, "{" + name + "}")) for name in NUMBER_PLACEHOLDERS]
    text = gettext("Placeholders: %(list)s. Any other text is printed as written.", list="; ".join(parts))
    code = getattr(row, "code", None) or EXAMPLE_CODE
    now = datetime.now(office_tz())
    shown = current if isinstance(current, str) and current.strip() else EXAMPLE_NUMBER_FORMAT
    try:
        number = format_number(shown, 7, now, code)
    except (KeyError, ValueError, IndexError, AttributeError):
        # The stored format does not fill (a misspelt placeholder): show the example's.
        shown = EXAMPLE_NUMBER_FORMAT
        number = format_number(shown, 7, now, code)
    example = gettext("Example: %(format)s gives %(number)s for the 7th certificate.", format=shown, number=number)
    # Flask-Admin prints a field's description unescaped: the stored format is escaped here.
    return escape(text) + Markup(" ") + escape(example)


# Column `info["help"]` -> the help under its form field, given the value being edited and its
# row (None on a new row).
HELP: dict[str, Callable[[Any, Any], Any]] = {"number_format": number_format_help}


def format_clock(value: time) -> str:
    """A time of day as people write it in Indonesia: `07.30` (not `07:30:00`)."""
    return f"{value.hour:02d}.{value.minute:02d}"


class ConsoleForm(SecureForm):
    """SecureForm with Flask-WTF's token, so the global CSRFProtect and the form
    agree on one `csrf_token` instead of rejecting each other's."""

    class Meta(SecureForm.Meta):
        csrf_class = _FlaskFormCSRF
        csrf_field_name = "csrf_token"

        @property
        def csrf_secret(self) -> Any:
            return current_app.config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key

        @property
        def csrf_time_limit(self) -> Any:
            return current_app.config.get("WTF_CSRF_TIME_LIMIT")

        def get_translations(self, form: Any) -> Any:
            return _WTFormsMessages()


class _WTFormsMessages:
    """WTForms ships no Indonesian: its validation messages come from our catalogs."""

    def gettext(self, string: str) -> str:
        return gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return ngettext(singular, plural, n)


def user_may(action: str, model_name: str) -> bool:
    """Does the logged-in user hold `can_<action>` on the model?"""
    if not current_user.is_authenticated:
        return False
    return appbuilder().sm.has_access(f"can_{action}", model_name)


def console_visible() -> bool:
    """Whether the navbar offers the console: the user may list at least one model."""
    return any(user_may("list", cls.__name__) for cls in console_models())


def _login_redirect():
    return redirect(appbuilder().get_url_for_login_with(request.full_path))


class ConsoleFilterConverter(FilterConverter):
    """Flask-Admin's filters, plus the timestamp columns (models.base.UTCDateTime).

    The list shows timestamps in office time, so a typed filter time is office
    time too: Flask-Admin parses it naive, and the office zone is attached here
    (the column refuses naive datetimes rather than guess their zone).
    """

    @admin_filters.convert("utcdatetime")
    def conv_utc_datetime(self, column: Any, name: str, **kwargs: Any) -> list:
        return [_in_office_time(flt) for flt in self.conv_datetime(column, name, **kwargs)]


def _in_office_time(flt: Any) -> Any:
    parse = flt.clean

    def clean(value: str) -> Any:
        parsed = parse(value)
        if isinstance(parsed, datetime):
            return parsed.replace(tzinfo=office_tz())
        if isinstance(parsed, list):
            return [d.replace(tzinfo=office_tz()) if isinstance(d, datetime) else d for d in parsed]
        return parsed

    flt.clean = clean
    return flt


class ConsoleModelView(ModelView):
    """The one generic master-data view; everything model-specific comes from metadata."""

    form_base_class = ConsoleForm
    filter_converter = ConsoleFilterConverter()
    simple_list_pager = True  # never COUNT(*) a large table to draw the pager
    page_size = 50
    can_view_details = True
    export_types = ["csv"]
    # datetime before date: Flask-Admin takes the first isinstance match, and an
    # audit time needs its hour (office time zone), not just the day.
    column_type_formatters = {
        **DEFAULT_FORMATTERS,
        datetime: lambda view, value, name=None: format_datetime(value),
        date: lambda view, value, name=None: format_date(value),
        time: lambda view, value, name=None: format_clock(value),
    }
    # The details page shows booleans as words (Flask-Admin prints Python's True/False).
    column_type_formatters_detail = {
        **DETAIL_FORMATTERS,
        bool: lambda view, value, name=None: admin_gettext("Yes") if value else admin_gettext("No"),
        datetime: lambda view, value, name=None: format_datetime(value),
        date: lambda view, value, name=None: format_date(value),
        time: lambda view, value, name=None: format_clock(value),
    }
    # The export writes times the same way (Flask-Admin's export formatters are its list ones otherwise).
    column_type_formatters_export = {**DEFAULT_FORMATTERS, time: lambda view, value, name=None: format_clock(value)}
    # Column -> HELP rule (set per screen by view_options).
    form_help: dict[str, str] = {}

    def __init__(self, model: Any, **kwargs: Any) -> None:
        self.permission_name = model.__name__
        self.actions_offered = console_actions(model)
        super().__init__(model, db, **kwargs)

    # --- permissions: FAB pairs decide, per request ---
    def _allowed(self, action: str) -> bool:
        return action in self.actions_offered and user_may(action, self.permission_name)

    @property
    def can_create(self) -> bool:
        return self._allowed("add")

    @property
    def can_edit(self) -> bool:
        return self._allowed("edit")

    @property
    def can_delete(self) -> bool:
        return self._allowed("delete")

    @property
    def can_export(self) -> bool:
        return self._allowed("export")

    def is_accessible(self) -> bool:
        return self._allowed("list")

    def _handle_view(self, name: str, **kwargs: Any):
        if not current_user.is_authenticated:
            return _login_redirect()
        needed = VIEW_ACTIONS.get(name, "list")
        if name == "ajax_lookup":
            needed = "add" if self._allowed("add") else "edit"
        if not self._allowed("list") or not self._allowed(needed):
            abort(403)
        return None

    def get_export_value(self, model: Any, name: Any) -> Any:
        """Exported text that a spreadsheet would run as a formula is kept as text (leading ')."""
        value = super().get_export_value(model, name)
        if isinstance(value, str) and value.startswith(FORMULA_START):
            return "'" + value
        return value

    # --- help under form fields, made from the row being edited ---
    def _with_help(self, form: Any, obj: Any) -> Any:
        for name, rule in self.form_help.items():
            if name in form:
                form[name].description = HELP[rule](getattr(obj, name, None), obj)
        return form

    def create_form(self, obj: Any = None) -> Any:
        return self._with_help(super().create_form(obj), None)

    def edit_form(self, obj: Any = None) -> Any:
        return self._with_help(super().edit_form(obj), obj)

    # --- audit: before/after of every change, in the same transaction ---
    def update_model(self, form: Any, model: Any) -> bool:
        g.console_before = snapshot(model)
        return super().update_model(form, model)

    def on_model_change(self, form: Any, model: Any, is_created: bool) -> None:
        db.session.flush()  # a new row needs its id for the audit entry
        record(
            "console.create" if is_created else "console.update",
            self.permission_name,
            model.id,
            before=None if is_created else g.pop("console_before", None),
            after=snapshot(model),
        )

    def on_model_delete(self, model: Any) -> None:
        record("console.delete", self.permission_name, model.id, before=snapshot(model))

    def handle_view_exception(self, exc: Exception) -> bool:
        if isinstance(exc, IntegrityError):
            flash(
                lazy_gettext(
                    "Not saved: the record conflicts with existing data "
                    "(a value that must be unique is already used, or it is still referenced)."
                ),
                "error",
            )
            return True
        return super().handle_view_exception(exc)


class ConsoleIndexView(AdminIndexView):
    """The console's start page: the master-data tables the user may open."""

    def is_visible(self) -> bool:
        return False

    def _handle_view(self, name: str, **kwargs: Any):
        if not current_user.is_authenticated:
            return _login_redirect()
        return None

    @expose("/")
    def index(self):
        views = [v for v in self.admin._views if isinstance(v, ConsoleModelView) and v.is_accessible()]
        return self.render("console/index.html", console_views=views)


def console_models() -> list[Any]:
    """Every mapped class that declares `__console__`, ordered by label."""
    classes = [m.class_ for m in Model.registry.mappers if "__console__" in m.class_.__dict__]
    return sorted(classes, key=lambda cls: cls.__console__.get("label", cls.__name__))


def _label(text: str) -> Any:
    return lazy_gettext(text)


def check_hidden(model: Any) -> None:
    """Refuse at start-up a screen that would show a "hidden" column (keys and
    capabilities are checked by app.security.roles.check_declarations)."""
    meta = model.__console__
    where = f"{model.__name__}.__console__"
    attrs = model.__mapper__.attrs
    hidden = set(meta.get("hidden", ()))
    for name in sorted(hidden):
        if name not in attrs:
            raise ValueError(f"{where}: hidden {name!r} is not a column or relation of the model")
    for key in ("list", "search", "filters"):
        for name in meta.get(key) or ():
            if name in hidden:
                raise ValueError(f"{where}: {key} names the hidden {name!r}")
            if "." in name:
                head, tail = name.split(".", 1)
                rel = model.__mapper__.relationships.get(head)
                if rel is None or "." in tail or tail not in rel.mapper.attrs:
                    raise ValueError(f"{where}: {key} names {name!r}, not 'relation.column' of the model")
                if tail in getattr(rel.mapper.class_, "__console__", {}).get("hidden", ()):
                    raise ValueError(f"{where}: {key} names {name!r}, hidden on {rel.mapper.class_.__name__}")


def _checked_field(model: Any, column: str, rule: str) -> dict[str, Any]:
    """The form arguments that run CHECKS[rule] on a column (surrounding spaces dropped first)."""
    if rule not in CHECKS:
        raise DeclarationError(f"{model.__name__}.{column}: unknown check {rule!r}; known: {', '.join(CHECKS)}")
    problem = CHECKS[rule]

    def validate(form: Any, field: Any) -> None:
        if field.data not in (None, "") and (message := problem(field.data)):
            raise ValidationError(message)

    return {"validators": [validate], "filters": [lambda value: value.strip() if isinstance(value, str) else value]}


def _many_to_one(mapper: Any, name: str) -> bool:
    rel = mapper.relationships.get(name)
    return rel is not None and rel.direction is RelationshipDirection.MANYTOONE


def view_options(model: Any) -> dict[str, Any]:
    """Flask-Admin options for one model, read from its metadata."""
    check_hidden(model)
    meta = model.__console__
    mapper = model.__mapper__
    readonly = bool(meta.get("readonly"))
    hidden = list(meta.get("hidden", ()))
    listed = list(meta.get("list") or ())
    labels: dict[str, Any] = {}
    choices: dict[str, list] = {}
    shown: dict[str, list] = {}  # labels for codes, not offered as a form's choices
    form_help: dict[str, str] = {}
    form_args: dict[str, dict] = {}
    for attr in mapper.column_attrs:
        info = attr.columns[0].info
        if "check" in info:
            form_args[attr.key] = _checked_field(model, attr.key, info["check"])
        if "label" in info:
            labels[attr.key] = _label(info["label"])
        if "choices" in info:
            # A vocabulary (models/vocabulary.py) brings its own labels; a plain tuple is translated as is.
            choices[attr.key] = [
                (str(value), value.label if isinstance(value, Vocabulary) else _label(value))
                for value in info["choices"]
            ]
        if "labels" in info:
            if info["labels"] not in LABELS:
                raise DeclarationError(
                    f"{model.__name__}.{attr.key}: unknown labels {info['labels']!r}; known: {', '.join(LABELS)}"
                )
            shown[attr.key] = LABELS[info["labels"]]()
        if "help" in info:
            if info["help"] not in HELP:
                raise DeclarationError(
                    f"{model.__name__}.{attr.key}: unknown help {info['help']!r}; known: {', '.join(HELP)}"
                )
            form_help[attr.key] = info["help"]
    # The timestamps every table inherits carry no label of their own.
    for name, label in (
        ("created_at", lazy_gettext("Created at")),
        ("updated_at", lazy_gettext("Updated at")),
        ("id", lazy_gettext("ID")),
    ):
        if name in mapper.attrs:
            labels.setdefault(name, label)
    ajax_refs: dict[str, dict] = {}
    excluded = [name for name in NEVER_IN_FORMS if name in mapper.attrs]
    excluded += [name for name in hidden if name not in excluded]
    filters: list[str] = []
    relation_search: dict[str, str] = {}
    for rel in mapper.relationships:
        labels.setdefault(rel.key, _label(rel.key.replace("_", " ").capitalize()))
        if rel.direction is RelationshipDirection.ONETOMANY:
            if rel.key not in excluded:
                excluded.append(rel.key)  # edited on their own screens, never as a giant multi-select
            continue
        target = rel.mapper.class_
        searched = getattr(target, "__console__", {}).get("search") or ()
        fields = [name for name in searched if "." not in name] or _text_columns(target)
        if not readonly and rel.key not in hidden:  # a record screen has no form to look rows up for
            restriction = (meta.get("lookups") or {}).get(rel.key)
            if restriction is not None and restriction not in LOOKUPS:
                raise DeclarationError(
                    f"{model.__name__}.__console__['lookups'][{rel.key!r}]: unknown lookup "
                    f"{restriction!r}; known: {', '.join(LOOKUPS)}"
                )
            ajax_refs[rel.key] = (
                RestrictedLoader(rel.key, db.session, target, LOOKUPS[restriction])
                if restriction
                else {"fields": fields, "page_size": 20}
            )
        relation_search[rel.key] = fields[0]
    for name in meta.get("filters", []):
        # A relationship is filtered by the related row's first searchable field.
        if name in relation_search:
            path = f"{name}.{relation_search[name]}"
            labels.setdefault(path, labels[name])
            filters.append(path)
        else:
            filters.append(name)
    # "relation.column": labelled like the relation, which it stands for on the details page.
    shown_through = set()
    for name in listed + list(meta.get("search") or ()):
        if "." in name:
            head = name.split(".", 1)[0]
            labels.setdefault(name, labels[head])
            if name in listed:
                shown_through.add(head)
    related = [name for name in listed if _many_to_one(mapper, name) or "." in name]
    # Details: the list's columns first, then every other column and many-to-one relation.
    rest = [a.key for a in mapper.column_attrs if not a.columns[0].foreign_keys and not a.columns[0].primary_key]
    rest += [
        r.key
        for r in mapper.relationships
        if r.direction is RelationshipDirection.MANYTOONE and r.key not in shown_through
    ]
    details = listed + [name for name in rest if name not in listed]
    export = [a.key for a in mapper.column_attrs if a.key not in NEVER_IN_FORMS]
    export += [name for name in related if name not in export]
    # The related rows a page shows come in the page's query (no query per row).
    heads = dict.fromkeys(name.split(".", 1)[0] for name in related)
    joined = [getattr(model, head) for head in heads if _many_to_one(mapper, head)]
    options = {
        "name": _label(meta.get("label", model.__name__)),
        "category": _label(meta.get("category") or CATEGORIES.get(model.__module__.rsplit(".", 1)[-1], "Master data")),
        "endpoint": f"console_{model.__name__.lower()}",
        "column_list": listed or None,
        "column_searchable_list": meta.get("search"),
        "column_filters": filters or None,
        "column_labels": labels,
        "column_choices": {**choices, **shown},
        "form_choices": choices,
        "form_help": form_help,
        "form_args": form_args or None,
        "form_excluded_columns": excluded,
        "form_ajax_refs": ajax_refs,
        "column_details_list": [name for name in details if name not in hidden],
        "column_export_list": [name for name in export if name not in hidden],
        # Also given as exclusions: Flask-Admin applies them whatever list a subclass sets.
        "column_details_exclude_list": hidden or None,
        "column_export_exclude_list": hidden or None,
        "column_exclude_list": hidden or None,
        "column_select_related_list": joined or None,
    }
    if readonly:
        # Records: newest first, read off the primary key (no sort over a large table).
        options["column_default_sort"] = (mapper.primary_key[0].key, True)
    return options


class RestrictedLoader(QueryAjaxModelLoader):
    """A relation lookup limited to the rows a restriction allows, searched on its own fields."""

    def __init__(self, name: str, session: Any, model: Any, restriction: dict) -> None:
        self.restrict = restriction["query"]
        super().__init__(
            name,
            session,
            model,
            fields=restriction["fields"],
            page_size=20,
            minimum_input_length=restriction.get("minimum_input_length", 0),
        )

    def get_query(self) -> Any:
        return self.restrict(super().get_query())

    def get_one(self, pk: Any) -> Any:
        # A posted id outside the restriction is treated as no choice at all. The form
        # posts text; PostgreSQL compares no integer column with text, so convert first.
        try:
            key = self.model.id.type.python_type(pk)
        except (TypeError, ValueError):
            return None
        return self.get_query().filter(self.model.id == key).one_or_none()


def _self_service_accounts(query: Any) -> Any:
    """Accounts whose every role is an applicant executor column (app.cases.access), active ones."""
    from flask_appbuilder.security.sqla.models import Role, User, assoc_user_role
    from sqlalchemy import exists, select

    from models import Executor

    applicant_roles = select(Executor.name).where(Executor.applicant.is_(True))
    other_role = exists().where(
        assoc_user_role.c.user_id == User.id, assoc_user_role.c.role_id == Role.id, Role.name.not_in(applicant_roles)
    )
    return query.filter(User.active.is_(True), User.roles.any(), ~other_role)


# name -> {"query": narrows the lookup query, "fields": searched columns}
LOOKUPS: dict[str, dict] = {
    "self_service_accounts": {"query": _self_service_accounts, "fields": ["username"], "minimum_input_length": 3},
}


def _text_columns(model: Any) -> list[str]:
    keys = [a.key for a in model.__mapper__.column_attrs]
    preferred = [k for k in ("username", "code", "name", "first_name", "last_name", "email") if k in keys]
    return preferred or [keys[0]]


def build_views() -> list[ConsoleModelView]:
    """One ConsoleModelView per console model, configured from its metadata."""
    views = []
    for model in console_models():
        options = view_options(model)
        cls = type(
            f"{model.__name__}Console",
            (ConsoleModelView,),
            {k: v for k, v in options.items() if k not in {"name", "category", "endpoint"} and v is not None},
        )
        views.append(cls(model, name=options["name"], category=options["category"], endpoint=options["endpoint"]))
    return views


def register(appbuilder: Any) -> None:
    app = real_app()
    admin = Admin(
        app,
        name=lazy_gettext("Master data"),
        url="/admin",
        index_view=ConsoleIndexView(name=lazy_gettext("Master data"), url="/admin"),
        # Not fluid: the same centred container as the FAB screens (console/base.html).
        theme=Bootstrap4Theme(base_template="console/base.html", fluid=False),
        translations_path=catalog_directory("console", app),
    )
    for view in build_views():
        admin.add_view(view)

    @app.context_processor
    def _appbuilder_context() -> dict:
        return {"appbuilder": appbuilder, "console_visible": console_visible}
