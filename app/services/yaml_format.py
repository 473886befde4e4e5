"""Reading and writing service definition YAML.

PyYAML follows YAML 1.1, where `no`, `yes`, `on` and `off` are booleans: the
step key `no:` would silently become `False`. Both the loader and the dumper
here use YAML 1.2's booleans (true/false only), and the loader refuses a key
given twice instead of keeping the last one.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from flask_babel import gettext as _

from app.services.definition import DefinitionError

_BOOL_TAG = "tag:yaml.org,2002:bool"
_YAML12_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")


def _yaml12_booleans(cls: Any) -> None:
    cls.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL_TAG]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    cls.add_implicit_resolver(_BOOL_TAG, _YAML12_BOOL, list("tTfF"))


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans that refuses duplicate keys."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict:
    loader.flatten_mapping(node)
    result: dict = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, _("duplicate key '%(key)s'", key=key), key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=deep)
    return result


def _construct_bool(loader: _Loader, node: yaml.ScalarNode) -> bool:
    return loader.construct_scalar(node).lower() == "true"


_yaml12_booleans(_Loader)


def read_file(path: Path) -> tuple[Any, str]:
    """(parsed document, file name) of a definition file; DefinitionError naming the file if unreadable."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError(path.name, "", _("cannot read file: %(error)s", error=exc)) from None
    return parse(text, path.name), path.name


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(_BOOL_TAG, _construct_bool)


class _Dumper(yaml.SafeDumper):
    """Multi-line text as literal blocks, so an exported file reads like the source."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_yaml12_booleans(_Dumper)
_Dumper.add_representer(str, _represent_str)


def parse(text: str, filename: str) -> Any:
    """YAML text to plain data; a syntax error names its line."""
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = _("line %(n)d", n=mark.line + 1) if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise DefinitionError(filename, where, _("invalid YAML: %(problem)s", problem=problem)) from None


def dump(document: dict) -> str:
    """A document as YAML, keys in the given order, Indonesian text unescaped."""
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
