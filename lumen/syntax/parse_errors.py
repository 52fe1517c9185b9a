"""Running the parser: syntax errors -> friendly diagnostics, and error recovery.

Recovery: after a syntax error, the top-level item that contains it (from the nearest
line above that starts at column 1 to the next line at column 1 that starts a new item)
is blanked out, keeping line numbers, and the unit is parsed again. Each round reports
one error, so independent errors in different items are all reported (at most
`MAX_DIAGNOSTICS`), and an error never causes follow-on noise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from lumen.diagnostics import Diagnostic, ErrorCode, Span
from lumen.syntax import ast
from lumen.syntax.docblocks import DocBlock
from lumen.syntax.messages import describe_syntax_error

MAX_DIAGNOSTICS = 10


class _Run:
    """One compilation unit being parsed (shared by its interpolation fragments)."""

    def __init__(self, file: str) -> None:
        from lumen.syntax.parser import get_parser

        self.file = file
        self.loaded = get_parser()
        self.diagnostics: list[Diagnostic] = []

    def run(
        self, code: str, start: str, line_offset: int = 0, column_offset: int = 0
    ) -> Any:
        """Parse `code` from rule `start`; raises `ParseFailure` on a syntax error."""
        from lumen.syntax.build import BuildContext
        from lumen.syntax.lexer import LayoutLexer
        from lumen.syntax.scanner import Scanner

        tables = self.loaded.tables
        scanner = Scanner(code, self.file, tables, self.diagnostics, line_offset, column_offset)
        tokens = scanner.scan()
        lexer = LayoutLexer(
            tokens, code.split("\n"), self.file, self.diagnostics, tables, line_offset
        )
        builder = self.loaded.builder
        saved = builder.context
        builder.context = BuildContext(self.file, self.diagnostics, self.parse_fragment)
        try:
            result = self.loaded.driver.parse(start, lexer.lex)
        except Exception as error:
            error.lumen_lexer = lexer  # type: ignore[attr-defined]
            error.lumen_unclosed = scanner.unclosed  # type: ignore[attr-defined]
            raise
        finally:
            builder.context = saved
        return result

    def parse_fragment(self, text: str, line: int, column: int) -> ast.Expr | None:
        """An interpolated expression `{text}` located at (line, column)."""
        from lumen.syntax.lalr import ParseFailure as UnexpectedInput

        try:
            return self.run(text, "expr_start", line - 1, column - 1)
        except UnexpectedInput as error:
            self.diagnostics.append(
                describe_syntax_error(error, text, self.file, context="string interpolation")
            )
            return None


def parse_with_recovery(
    code: str, file: str, docblocks: Sequence[DocBlock] = ()
) -> Any:
    from lumen.syntax.parser import ParseResult

    try:
        program, diagnostics = _parse_program(code, file)
        if docblocks:
            program = attach_docblocks(program, code, docblocks)
        return ParseResult(program, tuple(diagnostics))
    except Exception as error:  # a bug in the parser must not surface as a traceback
        internal = Diagnostic(
            ErrorCode.INTERNAL.value,  # a toolchain fault: never kept in the compile cache
            f"internal parser error ({type(error).__name__}: {error}); please report it",
            file, Span(1, 1, 1, 2),
        )
        return ParseResult(ast.Program(()), (internal,))


def _parse_program(code: str, file: str) -> tuple[ast.Program, list[Diagnostic]]:
    from lumen.syntax.lalr import ParseFailure as UnexpectedInput

    seen: set[tuple[str, int, int, str]] = set()
    reported: list[Diagnostic] = []

    def report(diagnostic: Diagnostic) -> None:
        key = (diagnostic.code, diagnostic.span.line, diagnostic.span.column, diagnostic.message)
        if key not in seen:
            seen.add(key)
            reported.append(diagnostic)

    lines = code.split("\n")
    program = ast.Program(())
    for _ in range(MAX_DIAGNOSTICS + 1):
        run = _Run(file)
        try:
            program = run.run("\n".join(lines), "start")
        except UnexpectedInput as error:
            for diagnostic in run.diagnostics:
                report(diagnostic)
            report(describe_syntax_error(error, "\n".join(lines), file))
            if not _blank_failed_item(lines, _error_line(error, len(lines))):
                break
            continue
        for diagnostic in run.diagnostics:
            report(diagnostic)
        break
    reported.sort(key=lambda d: (d.span.line, d.span.column))
    return program, reported[:MAX_DIAGNOSTICS]


def _error_line(error: Any, line_count: int) -> int:
    token = getattr(error, "token", None)
    if token is not None and getattr(token, "type", "") != "$END" and token.line:
        return int(token.line)
    line = getattr(error, "line", None)
    if isinstance(line, int) and line > 0 and getattr(token, "type", "") != "$END":
        return line
    return line_count


_ITEM_CONTINUATIONS = ("end", "else", ")", "]", "}", "with")


def _starts_item(line: str) -> bool:
    stripped = line.strip()
    if not stripped or line[0] in " \t" or stripped.startswith("#"):
        return False
    word = stripped.split(None, 1)[0]
    return not word.startswith(_ITEM_CONTINUATIONS) or word.startswith("end_")


def _blank_failed_item(lines: list[str], error_line: int) -> bool:
    """Blank the top-level item around `error_line` (1-based). False if nothing changed."""
    index = min(max(error_line - 1, 0), len(lines) - 1)
    start = index
    while start > 0 and not _starts_item(lines[start]):
        start -= 1
    end = index + 1
    while end < len(lines) and not _starts_item(lines[end]):
        end += 1
    changed = False
    for position in range(start, end):
        if lines[position].strip():
            lines[position] = ""
            changed = True
    return changed


def parse_single_expression(
    code: str, file: str
) -> tuple[ast.Expr | None, tuple[Diagnostic, ...]]:
    from lumen.syntax.lalr import ParseFailure as UnexpectedInput

    try:
        run = _Run(file)
        try:
            expr = run.run(code, "expr_start")
        except UnexpectedInput as error:
            run.diagnostics.append(describe_syntax_error(error, code, file))
            return None, tuple(run.diagnostics)
        return expr, tuple(run.diagnostics)
    except Exception as error:
        internal = Diagnostic(
            ErrorCode.INTERNAL.value,  # a toolchain fault: never kept in the compile cache
            f"internal parser error ({type(error).__name__}: {error}); please report it",
            file, Span(1, 1, 1, 2),
        )
        return None, (internal,)


_DOC_TARGETS = (ast.CellDecl, ast.RecordDecl, ast.EnumDecl, ast.HandlerDecl, ast.TypeAlias)


def attach_docblocks(
    program: ast.Program, code: str, docblocks: Sequence[DocBlock]
) -> ast.Program:
    """Give each docblock's text to the declaration that follows it after blank lines
    only (§1.2)."""
    lines = code.split("\n")
    items = list(program.items)
    for block in docblocks:
        for position, item in enumerate(items):
            line = item.span.line
            if line <= block.end_line:
                continue
            between = lines[block.end_line:line - 1]
            if isinstance(item, _DOC_TARGETS) and not any(text.strip() for text in between):
                items[position] = replace(item, doc=block.text)
            break
    return replace(program, items=tuple(items))
