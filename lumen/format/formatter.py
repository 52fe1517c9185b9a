"""`format_plain`: Lumen source text -> its canonical form, every comment kept.

The program is printed by the AST printer (`lumen.syntax.printer`), which knows nothing
of comments; the printed text is parsed again to find where each anchor landed
(`anchors.py`), the comments are placed relative to the anchors (`placement.py`), and
the rows are assembled here. Three safety checks guard every result (the gdtoolkit
recipe): the output parses to the same tree, every comment survives, and nothing else
is reported. When a check fails the file is left alone (`FormatResult.failure`); a
first failure is retried with every comment on a line of its own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from lumen.diagnostics import Diagnostic
from lumen.format.anchors import Anchor, TreeMismatch, find_anchors
from lumen.format.comments import (
    Comment,
    block_comments,
    collect_comments,
    indented_lines,
    scan_tokens,
)
from lumen.format.literals import keep_literal_spellings
from lumen.format.parens import keep_grouping_parens
from lumen.format.placement import Placement, SourceLines, place_comments
from lumen.format.wrap import wrap_long_lines
from lumen.source.plain import scan_markdown_blocks
from lumen.syntax import ast as A
from lumen.syntax import parse
from lumen.syntax.printer import INDENT, print_program

# Raw tokens: a comment cannot be appended to a row they continue past (strings, macro
# and `on_*` bodies) or to any row they cover (role text, payload lines).
_SPANNING_TOKENS = frozenset({"STRING", "MACRO", "ON_BLOCK"})
_COVERING_TOKENS = frozenset({"ROLE", "PROTOCOL", "ATTRIBUTE"})
_RECURSION_LIMIT = 60_000  # what the driver allows the compile stages


@dataclass(frozen=True, slots=True)
class FormatResult:
    """`text`: the formatted source (None when it could not be formatted).
    `diagnostics`: the syntax errors that prevented formatting (the user's to fix).
    `failure`: why a file without syntax errors was left alone (a formatter bug)."""

    text: str | None
    diagnostics: tuple[Diagnostic, ...] = ()
    failure: str | None = None


@dataclass(slots=True)
class _Entry:
    """Comment lines to emit before or after a printed row."""

    order: tuple[int, int]
    lines: list[str]
    blank_before: bool


@dataclass(slots=True)
class _Rows:
    before: dict[int, list[_Entry]] = field(default_factory=dict)
    after: dict[int, list[_Entry]] = field(default_factory=dict)
    trailing: dict[int, list[tuple[Comment, Placement]]] = field(default_factory=dict)
    final: list[_Entry] = field(default_factory=list)

    def add(self, table: dict[int, list[_Entry]], row: int, entry: _Entry) -> None:
        table.setdefault(row, []).append(entry)


def format_plain(text: str, file: str) -> FormatResult:
    """Format the text of a plain source file (or of one code block)."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    lines = text.split("\n")
    scan = scan_markdown_blocks(lines, file)
    if scan.diagnostics:
        return FormatResult(None, scan.diagnostics)
    code = "\n".join(scan.code_lines)
    return format_code(code, file, block_comments(lines, scan.blocks))


def syntax_errors(code: str, file: str) -> tuple[tuple[Diagnostic, ...], A.Program]:
    result = parse(code, file)
    return tuple(d for d in result.diagnostics if d.is_error), result.program


def format_code(code: str, file: str, blocks: Sequence[Comment] = ()) -> FormatResult:
    """`code` is the unit's code (Markdown blocks blanked; `blocks` holds them)."""
    from lumen.vm.deep_stack import on_deep_stack

    # parser, printer and tree walks recurse once per nesting level (`1 + 1 + ... + 1`)
    try:
        result: FormatResult = on_deep_stack(lambda: _format_code(code, file, blocks),
                                             _RECURSION_LIMIT)
    except RecursionError:
        return FormatResult(None, failure="the program is nested too deeply to format")
    return result


def _format_code(code: str, file: str, blocks: Sequence[Comment]) -> FormatResult:
    errors, program = syntax_errors(code, file)
    if errors:
        return FormatResult(None, errors)
    try:
        printed, printed_program = _printed_form(code, file, program)
        printed_lines = printed.split("\n")
        anchors = find_anchors(program, printed_program, printed_lines)
    except TreeMismatch as mismatch:
        return FormatResult(None, failure=str(mismatch))
    comments = sorted([*collect_comments(code, file), *blocks], key=lambda c: (c.line, c.column))
    placements, anchor_blanks = place_comments(
        anchors, comments, SourceLines(code, comments), printed_lines
    )
    kinds = _row_kinds(printed, file)
    failure = ""
    for allow_trailing in (True, False):
        output = _assemble(printed_lines, anchors, placements, anchor_blanks, kinds, allow_trailing)
        failure = _verify(output, file, program, comments)
        if not failure:
            return FormatResult(output)
    return FormatResult(None, failure=failure)


def _printed_form(code: str, file: str, program: A.Program) -> tuple[str, A.Program]:
    """The program printed without comments, literals spelled and grouping parentheses
    kept as in `code`, long rows wrapped; with its tree as parsed back (positions in the
    printed text)."""
    printed = print_program(program)
    printed_program = _read_back(printed, file, program, "the printed program")
    spelled = keep_literal_spellings(code, program, printed, printed_program)
    if spelled != printed:
        printed = spelled
        printed_program = _read_back(printed, file, program, "a literal's spelling")
    grouped = keep_grouping_parens(code, program, printed, printed_program, file)
    if grouped != printed:
        try:  # on a mismatch, drop the parentheses rather than refuse the file
            printed_program = _read_back(grouped, file, program, "a kept parenthesis")
            printed = grouped
        except TreeMismatch:
            pass
    wrapped = wrap_long_lines(printed, file)
    if wrapped != printed:
        try:  # on a mismatch, keep the long rows rather than refuse the file
            return wrapped, _read_back(wrapped, file, program, "a wrapped line")
        except TreeMismatch:
            pass
    return printed, printed_program


def _read_back(text: str, file: str, program: A.Program, what: str) -> A.Program:
    errors, reread = syntax_errors(text, file)
    if errors or reread != program:
        raise TreeMismatch(f"{what} does not read back as the same program")
    return reread


# ------------------------------------------------------------------ assembly


def _indent_of(line: str) -> str:
    return line[:len(line) - len(line.lstrip())]


@dataclass(frozen=True, slots=True)
class _RowKinds:
    """`no_trailing`: rows whose end is not code (a comment appended there would change
    text). `verbatim`: rows inside a multi-line token (string lines, even empty ones,
    are copied as they are)."""

    no_trailing: frozenset[int]
    verbatim: frozenset[int]


def _row_kinds(printed: str, file: str) -> _RowKinds:
    no_trailing: set[int] = set()
    verbatim: set[int] = set()
    for token in scan_tokens(printed, file):
        if token.end_line > token.line:
            verbatim.update(range(token.line, token.end_line - 1))  # rows strictly inside
        if token.type in _SPANNING_TOKENS:
            no_trailing.update(range(token.line - 1, token.end_line - 1))
        elif token.type in _COVERING_TOKENS and (token.type == "ROLE" or token.end_line > token.line):
            no_trailing.update(range(token.line - 1, token.end_line))
    return _RowKinds(frozenset(no_trailing), frozenset(verbatim))


def _assemble(
    printed_lines: list[str], anchors: list[Anchor], placements: list[Placement],
    anchor_blanks: dict[int, bool], kinds: _RowKinds, allow_trailing: bool,
) -> str:
    rows = _Rows()
    for placement in placements:
        _place_one(rows, printed_lines, anchors, placement, kinds.no_trailing, allow_trailing)
    _resolve_trailing(rows, printed_lines, anchors)
    blank_rows = {anchors[i].row_first for i, blank in anchor_blanks.items() if blank}
    out: list[str] = []

    def blank() -> None:
        if out and out[-1]:
            out.append("")

    def emit(entries: list[_Entry]) -> None:
        for entry in sorted(entries, key=lambda e: e.order):
            if entry.blank_before:
                blank()
            out.extend(entry.lines)

    for row, text in enumerate(printed_lines):
        if row in kinds.verbatim:
            out.append(text)
            continue
        emit(rows.before.get(row, []))
        if not text:
            blank()
            continue
        if row in blank_rows:
            blank()
        for comment, _ in rows.trailing.get(row, []):
            text += "  " + comment.lines[0]
        out.append(text)
        emit(rows.after.get(row, []))
    emit(rows.final)
    while out and not out[-1]:
        out.pop()
    while out and not out[0]:
        out.pop(0)
    return "\n".join(out) + "\n" if out else ""


def _place_one(
    rows: _Rows, printed_lines: list[str], anchors: list[Anchor], placement: Placement,
    unsafe: frozenset[int], allow_trailing: bool,
) -> None:
    comment, where = placement.comment, placement.where
    order = (comment.line, comment.column)
    if where == "end":
        rows.final.append(_Entry(order, indented_lines(comment, ""), placement.blank_before))
        return
    anchor = anchors[placement.anchor]
    indent = _indent_of(printed_lines[anchor.row_first])
    if where in ("head", "tail", "keyword"):
        row = {"head": anchor.row_head, "tail": anchor.row_last}.get(where, anchor.row_first - 1)
        if allow_trailing and row not in unsafe:
            rows.trailing.setdefault(row, []).append((comment, placement))
            return
        where = "after" if where == "tail" else "before"
    if where == "inside":
        closing = printed_lines[anchor.row_last].strip()
        if anchor.row_last > anchor.row_first and closing.startswith("end"):
            entry = _Entry(order, indented_lines(comment, indent + INDENT), placement.blank_before)
            rows.add(rows.before, anchor.row_last, entry)
            return
        where = "before"
    if where == "before":
        entry = _Entry(order, indented_lines(comment, indent), placement.blank_before)
        rows.add(rows.before, anchor.row_first, entry)
    else:
        # indented like the row it follows: an anchor's last row may be its parent's too
        indent = _indent_of(printed_lines[anchor.row_last])
        entry = _Entry(order, indented_lines(comment, indent), placement.blank_before)
        rows.add(rows.after, anchor.row_last, entry)


def _resolve_trailing(rows: _Rows, printed_lines: list[str], anchors: list[Anchor]) -> None:
    """One trailing comment per row (the last in the source); the others move above
    their anchor."""
    for row, items in rows.trailing.items():
        if len(items) < 2:
            continue
        items.sort(key=lambda item: (item[0].line, item[0].column))
        for comment, placement in items[:-1]:
            anchor = anchors[placement.anchor]
            indent = _indent_of(printed_lines[anchor.row_first])
            entry = _Entry((comment.line, comment.column), indented_lines(comment, indent), False)
            rows.add(rows.before, anchor.row_first, entry)
        rows.trailing[row] = items[-1:]


# ------------------------------------------------------------------ checks


def _verify(output: str, file: str, program: A.Program, comments: Sequence[Comment]) -> str:
    """Why `output` is not a faithful formatting of `program` ("" when it is)."""
    lines = output.split("\n")
    scan = scan_markdown_blocks(lines, file)
    if scan.diagnostics:
        return "a Markdown block lost its fence"
    code = "\n".join(scan.code_lines)
    errors, reread = syntax_errors(code, file)
    if errors:
        return f"the output does not parse ({errors[0].message})"
    if reread != program:
        return "the output reads as a different program"
    kept = [*collect_comments(code, file), *block_comments(lines, scan.blocks)]
    if Counter(c.key for c in kept) != Counter(c.key for c in comments):
        return "a comment was lost or changed"
    return ""
