"""Formatting Markdown-native files (`.lm.md`, §1.1): only the code changes.

Each fenced `lumen`/`lm` block is formatted on its own; the fence lines, the prose and
every other fence are copied byte for byte (line endings included). The whole unit is
parsed first, so a syntax error anywhere leaves the file alone. A block that does not
parse by itself (a construct running across two blocks) is left as written, and so is a
block whose lines are not all indented like its fence, or an unclosed last block.
A Markdown file without any lumen fence that reads as source (§1.1) is left alone too.
"""

from __future__ import annotations

from lumen.format.formatter import FormatResult, format_plain, syntax_errors
from lumen.source import is_markdown_path, source_from_text
from lumen.source.fences import Fence, closes_fence, opening_fence
from lumen.source.markdown import is_code_fence


def format_file_text(text: str, path: str) -> FormatResult:
    """Format the content of the file at `path` (Markdown or plain by its suffix)."""
    if is_markdown_path(path):
        return format_markdown(text, path)
    return format_plain(text, path)


def format_markdown(text: str, path: str) -> FormatResult:
    unit = source_from_text(text, path)
    if unit.kind != "markdown":
        return FormatResult(text)
    if unit.diagnostics:
        return FormatResult(None, unit.diagnostics)
    errors, _ = syntax_errors(unit.code, path)
    if errors:
        return FormatResult(None, errors)
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.split(newline)
    out: list[str] = []
    failures: list[str] = []
    index = 0
    while index < len(lines):
        fence = opening_fence(lines[index])
        if fence is None:
            out.append(lines[index])
            index += 1
            continue
        close = index + 1
        while close < len(lines) and not closes_fence(lines[close], fence):
            close += 1
        content = lines[index + 1:close]
        if is_code_fence(fence) and close < len(lines):
            content = _format_block(content, fence, path, failures)
        out.append(lines[index])
        out.extend(content)
        if close < len(lines):
            out.append(lines[close])
        index = close + 1
    if failures:
        return FormatResult(None, failure=failures[0])
    return FormatResult(newline.join(out))


def _format_block(content: list[str], fence: Fence, path: str, failures: list[str]) -> list[str]:
    """The block's lines formatted, kept at the fence's indentation."""
    indent = " " * (fence.column - 1)
    if any(line.strip() and not line.startswith(indent) for line in content):
        return content
    result = format_plain("\n".join(line[len(indent):] for line in content), path)
    if result.text is None:
        if result.failure:
            failures.append(result.failure)
        return content
    formatted = result.text.split("\n")[:-1]  # the text ends with one newline
    return [indent + line if line else "" for line in formatted]
