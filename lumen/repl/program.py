"""The program one REPL entry compiles to, and the way back to the entry's line numbers.

    <the session's declarations>          (each from the entry that declared it)
    <cells of earlier entries whose lambdas are still bound>
    cell __repl_N(x: Int, names: list[String])     # the bindings so far
    <the entry's statements, declaration lines blanked, at the entry's own columns>
    let __repl_out = (x, names, fresh)             # every binding after the entry
    return (__repl_value, __repl_out)
    end

A trailing expression statement is prefixed with `let __repl_value = `, so the checker
infers its type and the cell returns its value. `SourceLine`s remember where each program
line came from, so diagnostics and runtime errors point into what the user typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from lumen.diagnostics import Diagnostic, Span
from lumen.diagnostics.diagnostic import NO_SPAN
from lumen.repl.entry import ENTRY_FILE, VALUE_NAME, Declaration, ParsedEntry, SourceLine

PROGRAM_FILE = "<repl>"
OUT_NAME = "__repl_out"
_VALUE_PREFIX = f"let {VALUE_NAME} = "


@dataclass(frozen=True, slots=True)
class EntryProgram:
    """The text to compile, its line origins, and the lines the checker's types are read
    from (`value_at`: the `let __repl_value`, `out_line`: the `let __repl_out`)."""

    cell_name: str
    lines: tuple[SourceLine, ...]
    names: tuple[str, ...]
    value_at: tuple[int, int] | None
    out_line: int
    cell_start: int  # index in `lines` of the entry cell's header

    @property
    def text(self) -> str:
        return "\n".join(line.code for line in self.lines) + "\n"

    def cell_lines(self, number: int) -> tuple[SourceLine, ...]:
        """The entry cell's lines, relabelled as entry `number`'s (to keep the cell)."""
        label = f"<repl#{number}>"
        return tuple(replace(line, origin=label) if line.origin == ENTRY_FILE else line
                     for line in self.lines[self.cell_start:])


def build_program(
    number: int,
    entry: ParsedEntry,
    declarations: Sequence[Declaration],
    kept_cells: Sequence[tuple[SourceLine, ...]],
    parameters: Sequence[tuple[str, str | None]],
) -> EntryProgram:
    """The program of entry `number`; `parameters` are the bindings so far with their
    annotations (None: untyped)."""
    lines: list[SourceLine] = []
    for declaration in declarations:
        lines.extend(declaration.lines)
    for cell in kept_cells:
        lines.extend(cell)
    cell_name = f"__repl_{number}"
    spelled = ", ".join(name if kind is None else f"{name}: {kind}" for name, kind in parameters)
    cell_start = len(lines)
    lines.append(SourceLine(f"cell {cell_name}({spelled})"))
    first_body_line = len(lines) + 1
    value_at = None
    for index, text in enumerate(entry.statement_lines, start=1):
        if entry.value_at is not None and index == entry.value_at[0]:
            column = entry.value_at[1]
            code = text[: column - 1] + _VALUE_PREFIX + text[column - 1:]
            lines.append(SourceLine(code, ENTRY_FILE, index, text, column, len(_VALUE_PREFIX)))
            value_at = (first_body_line + index - 1, column)
        else:
            lines.append(SourceLine(text, ENTRY_FILE, index, text))
    names = [name for name, _ in parameters]
    names += [name for name in entry.bound_names if name not in names]
    if names:
        out = f"let {OUT_NAME} = (" + ", ".join(names) + ("," if len(names) == 1 else "") + ")"
    else:
        out = f"let {OUT_NAME} = null"
    lines.append(SourceLine(out))
    out_line = len(lines)
    lines.append(SourceLine(f"return ({VALUE_NAME if value_at else 'null'}, {OUT_NAME})"))
    lines.append(SourceLine("end"))
    return EntryProgram(cell_name, tuple(lines), tuple(names), value_at, out_line, cell_start)


def origin_of(program: EntryProgram, line: int) -> SourceLine | None:
    if 1 <= line <= len(program.lines):
        return program.lines[line - 1]
    return None


def map_diagnostic(program: EntryProgram, diagnostic: Diagnostic) -> tuple[Diagnostic, str | None]:
    """The diagnostic in the coordinates of the entry that holds its line, and that line's
    text (None when there is none to show: generated lines, other files)."""
    if diagnostic.file != PROGRAM_FILE:
        return diagnostic, None
    source = origin_of(program, diagnostic.span.line)
    if source is None or source.origin is None:
        return replace(diagnostic, span=NO_SPAN), None
    span = diagnostic.span
    end_source = origin_of(program, span.end_line)
    same_origin = end_source is not None and end_source.origin == source.origin
    end_line = end_source.line if same_origin and end_source else source.line
    end_column = span.end_column if span.end_line != span.line else _column(source, span.end_column)
    mapped = Span(source.line, _column(source, span.column), end_line, end_column)
    return replace(diagnostic, file=source.origin, span=mapped), source.text


def map_position(program: EntryProgram, line: int | None, column: int | None
                 ) -> tuple[str | None, int | None, int | None, str | None]:
    """(file, line, column, source text) of a runtime position in the program."""
    source = origin_of(program, line or 0)
    if source is None or source.origin is None:
        return (PROGRAM_FILE if line else None), None, None, None
    return source.origin, source.line, _column(source, column or 0) or None, source.text


def _column(source: SourceLine, column: int) -> int:
    """A program column on `source`'s line as a column of what the user typed."""
    if not source.inserted or column <= source.inserted_at:
        return column
    return max(source.inserted_at, column - source.inserted)
