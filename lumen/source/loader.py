"""Reading a file and turning it into a `SourceUnit` (LANGUAGE.md §1.1-§1.3)."""

from __future__ import annotations

from pathlib import Path

from lumen.diagnostics import Diagnostic, ErrorCode
from lumen.diagnostics.diagnostic import NO_SPAN, Span
from lumen.source.directives import SourceDirective
from lumen.source.markdown import extract_markdown, looks_like_source, split_header_directives
from lumen.source.plain import MarkdownBlock, scan_markdown_blocks
from lumen.source.unit import DocBlock, SourceError, SourceKind, SourceUnit

MARKDOWN_SUFFIXES = (".lm.md", ".lumen.md", ".md", ".markdown")


def is_markdown_path(path: str) -> bool:
    return path.lower().endswith(MARKDOWN_SUFFIXES)


def load_source(path: str | Path) -> SourceUnit:
    """Read and extract `path`. Raises `SourceError` when the file is missing or is not
    UTF-8 text; problems inside the file are `SourceUnit.diagnostics`."""
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise SourceError(_file_error(ErrorCode.FILE_NOT_FOUND, name, f"file not found: {name}")) from None
    except IsADirectoryError:
        raise SourceError(_file_error(ErrorCode.FILE_UNREADABLE, name, f"is a directory: {name}")) from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise SourceError(
            _file_error(ErrorCode.FILE_UNREADABLE, name, f"cannot read {name}: {reason}")
        ) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SourceError(
            Diagnostic(
                code=ErrorCode.FILE_UNREADABLE.value,
                message=f"file is not valid UTF-8 text (byte 0x{data[exc.start]:02x})",
                file=name,
                span=Span.point(line, column),
                hint="save the file with UTF-8 encoding",
            )
        ) from None
    return source_from_text(text, name)


def source_from_text(text: str, path: str) -> SourceUnit:
    """Extract the code of `text` as if it were the content of the file `path` (the suffix
    decides Markdown or plain)."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    lines = text.split("\n")
    directives: tuple[SourceDirective, ...] = ()
    kind: SourceKind = "plain"
    code_lines: list[str] | tuple[str, ...] = lines
    if is_markdown_path(path):
        extraction = extract_markdown(lines)
        if extraction.has_code_fence or not looks_like_source(lines):
            kind = "markdown"
            code_lines, directives = extraction.code_lines, extraction.directives
        else:
            code_lines, directives = split_header_directives(lines)
    # Markdown blocks: the body of a plain file, or ``` lines inside a longer lumen fence.
    scan = scan_markdown_blocks(code_lines, path)
    return SourceUnit(
        path=path,
        text=text,
        code="\n".join(scan.code_lines),
        kind=kind,
        directives=directives,
        docblocks=_docblocks(scan.blocks),
        diagnostics=scan.diagnostics,
    )


def _docblocks(blocks: tuple[MarkdownBlock, ...]) -> tuple:
    if not blocks:
        return ()
    return tuple(DocBlock(b.start_line, b.end_line, b.text) for b in blocks)


def _file_error(code: ErrorCode, path: str, message: str) -> Diagnostic:
    return Diagnostic(code=code.value, message=message, file=path, span=NO_SPAN)
