"""Formatting Markdown-native files (`.lm.md`, §1.1): only the code changes.

Each fenced `lumen`/`lm` block is formatted on its own; the fence lines, the prose and
every other fence are copied byte for byte (line endings included). The whole unit is
parsed first, so a syntax error anywhere leaves the file alone. A block that does not
parse by itself (a construct running across two blocks) is left as written, and so is a
block whose lines are not all indented like its fence, or an unclosed last block.
A Markdown file without any lumen fence that reads as source (§1.1) is formatted as
plain source below its header of directive lines, which stays as written.
"""

from __future__ import annotations

from lumen.format.formatter import FormatResult, format_plain, syntax_errors
from lumen.source import is_markdown_path, source_from_text
from lumen.source.fences import Fence, closes_fence, opening_fence
from lumen.source.markdown import is_code_fence, split_header_directives


def format_file_text(text: str, path: str) -> FormatResult:
    """Format the content of the file at `path` (Markdown or plain by its suffix)."""
    if is_markdown_path(path):
        return format_markdown(text, path)
    return format_plain(text, path)


def format_markdown(text: str, path: str) -> FormatResult:
    unit = source_from_text(text, path)
    if unit.kind != "markdown":
        return _format_fenceless(text, path)
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


def _format_fenceless(text: str, path: str) -> FormatResult:
    """A Markdown file without lumen fences that reads as source (§1.1): its header
    directive lines are kept as they are, the rest is formatted as plain source."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    lines = text.split("\n")
    code_lines, _ = split_header_directives(lines)
    header = 0
    for number, (line, code) in enumerate(zip(lines, code_lines, strict=True), start=1):
        if line.strip() and line != code:
            header = number  # the last directive line taken out of the code
    result = format_plain("\n".join(lines[header:]), path)
    if result.text is None or not header:
        return result
    body = result.text
    return FormatResult("\n".join(lines[:header]) + "\n" + ("\n" if body else "") + body)
