"""Reading a file and turning it into a `SourceUnit` (LANGUAGE.md §1.1-§1.3)."""

from __future__ import annotations

from pathlib import Path

from lumen.source.directives import SourceDirective
from lumen.source.markdown import extract_markdown, looks_like_source, split_header_directives
from lumen.source.plain import MarkdownBlock, scan_markdown_blocks
from lumen.source.reading import normalize_text, read_source_text
from lumen.source.unit import DocBlock, SourceKind, SourceUnit

MARKDOWN_SUFFIXES = (".lm.md", ".lumen.md", ".md", ".markdown")


def is_markdown_path(path: str) -> bool:
    return path.lower().endswith(MARKDOWN_SUFFIXES)


def load_source(path: str | Path) -> SourceUnit:
    """Read and extract `path`. Raises `SourceError` when the file is missing or is not
    UTF-8 text; problems inside the file are `SourceUnit.diagnostics`."""
    return source_from_text(read_source_text(path), str(path))


def source_from_text(text: str, path: str) -> SourceUnit:
    """Extract the code of `text` as if it were the content of the file `path` (the suffix
    decides Markdown or plain)."""
    text = normalize_text(text)
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
