"""Source files -> `SourceUnit`: Markdown extraction, Markdown blocks, directives (§1).

The names below are imported on first use (PEP 562), so that a compile-cache hit, which
needs only `reading` and `unit`, does not import the extraction modules.
"""

from __future__ import annotations

from importlib import import_module

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from lumen.source.directives import (
        BOOLEAN_DIRECTIVES,
        KNOWN_DIRECTIVES,
        SourceDirective,
        normalize_directive_value,
        parse_bool_directive,
    )
    from lumen.source.loader import is_markdown_path, load_source, source_from_text
    from lumen.source.reading import read_source_text
    from lumen.source.unit import SourceError, SourceUnit

_HOME = {
    "BOOLEAN_DIRECTIVES": "directives",
    "KNOWN_DIRECTIVES": "directives",
    "SourceDirective": "directives",
    "normalize_directive_value": "directives",
    "parse_bool_directive": "directives",
    "is_markdown_path": "loader",
    "load_source": "loader",
    "source_from_text": "loader",
    "read_source_text": "reading",
    "SourceError": "unit",
    "SourceUnit": "unit",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"lumen.source.{home}"), name)


__all__ = [
    "BOOLEAN_DIRECTIVES",
    "KNOWN_DIRECTIVES",
    "SourceDirective",
    "SourceError",
    "SourceUnit",
    "is_markdown_path",
    "load_source",
    "normalize_directive_value",
    "parse_bool_directive",
    "read_source_text",
    "source_from_text",
]
