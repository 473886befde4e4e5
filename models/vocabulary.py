"""One vocabulary per domain: the values a column stores and the words shown for them.

Each vocabulary is a `StrEnum` next to its model (CaseStatus in models/case.py,
ComplaintStatus in models/complaint.py, ...). Its members equal the strings the
database stores, so columns stay plain strings, and each carries its one
translatable label: screens, registers, documents and the console all read the
label from here, never from a table of their own.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, cast

from flask_babel import force_locale
from flask_babel.speaklater import LazyString


class Vocabulary(StrEnum):
    """Members are declared as `NAME = "stored_value", _l("English label")`."""

    label: LazyString

    def __new__(cls, value: str, label: LazyString):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def labels(cls) -> dict[str, LazyString]:
        """Stored value -> label, in declaration order (for choices and filters)."""
        return {member.value: member.label for member in cls}

    @classmethod
    def label_of(cls, value: Any, locale: str | None = None) -> str:
        """The label of a stored value in the current language (or `locale`, for the documents
        printed in one language whatever the screen's); an unknown value shows as stored."""
        member = cast(Vocabulary | None, cls._value2member_map_.get(value) if isinstance(value, str) else None)
        if member is None:
            return "" if value is None else str(value)
        if locale is None:
            return str(member.label)
        with force_locale(locale):
            return str(member.label)
