"""Markdown-native files (LANGUAGE.md §1.1): keep the `lumen`/`lm` fenced blocks, blank the rest.

Every non-code line becomes an empty line, so a code line keeps its original line and
column numbers and no source map is needed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lumen.source.directives import SourceDirective, parse_directive_line
from lumen.source.fences import Fence, closes_fence, opening_fence

CODE_INFO_STRINGS = frozenset({"lumen", "lm"})

# Words that may start a source line; a fence-less Markdown file whose first non-blank
# line starts with one of them (or with `@`) is source (§1.1).
_SOURCE_START_WORDS = (
    "cell record enum type const trait impl import pub extern macro mod use tool grant async "
    "let if for while loop match when return halt emit defer yield "
    "agent effect handler bind pipeline orchestration machine memory guardrail eval pattern"
).split()
_LOOKS_LIKE_SOURCE = re.compile(r"@|(?:" + "|".join(_SOURCE_START_WORDS) + r")(?=[\s(]|$)")


@dataclass(frozen=True, slots=True)
class MarkdownExtraction:
    """`code_lines` is parallel to the input lines (non-code lines are "")."""

    code_lines: tuple[str, ...]
    directives: tuple[SourceDirective, ...]
    has_code_fence: bool


def is_code_fence(fence: Fence) -> bool:
    return fence.info.lower() in CODE_INFO_STRINGS


def extract_markdown(lines: list[str]) -> MarkdownExtraction:
    """Split a Markdown file into code (lumen/lm blocks) and prose (everything else).

    Fences with any other info string are tracked too, so that their content, even a
    ```lumen line inside a longer outer fence, stays prose. A code block left open at the
    end of the file runs to the end, as in CommonMark.
    """
    code: list[str] = []
    directives: list[SourceDirective] = []
    has_code_fence = False
    open_fence: Fence | None = None
    open_is_code = False
    for number, line in enumerate(lines, start=1):
        if open_fence is not None:
            if closes_fence(line, open_fence):
                open_fence = None
                code.append("")
            else:
                code.append(line if open_is_code else "")
            continue
        fence = opening_fence(line)
        if fence is not None:
            open_fence, open_is_code = fence, is_code_fence(fence)
            has_code_fence = has_code_fence or open_is_code
            code.append("")
            continue
        if line.strip().startswith("@"):
            directive = parse_directive_line(line, number)
            if directive is not None:
                directives.append(directive)
        code.append("")
    return MarkdownExtraction(tuple(code), tuple(directives), has_code_fence)


def looks_like_source(lines: list[str]) -> bool:
    """True when the first non-blank line starts with `@` or a declaration/statement word."""
    for line in lines:
        stripped = line.strip()
        if stripped:
            return _LOOKS_LIKE_SOURCE.match(stripped) is not None
    return False


def split_header_directives(lines: list[str]) -> tuple[list[str], tuple[SourceDirective, ...]]:
    """For a fence-less Markdown file read as source: the unindented `@name value` lines
    before the first other code line are directives (blanked); later `@` lines are left
    to the parser, where they are attributes, labels or code-level directives."""
    code = list(lines)
    directives: list[SourceDirective] = []
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        if not line.startswith("@"):
            break
        directive = parse_directive_line(line, index + 1)
        if directive is None:
            break
        directives.append(directive)
        code[index] = ""
    return code, tuple(directives)
