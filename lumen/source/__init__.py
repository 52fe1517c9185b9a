"""Source files -> `SourceUnit`: Markdown extraction, Markdown blocks, directives (§1)."""

from lumen.source.directives import (
    BOOLEAN_DIRECTIVES,
    KNOWN_DIRECTIVES,
    SourceDirective,
    normalize_directive_value,
    parse_bool_directive,
)
from lumen.source.loader import is_markdown_path, load_source, source_from_text
from lumen.source.unit import SourceError, SourceUnit

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
    "source_from_text",
]
