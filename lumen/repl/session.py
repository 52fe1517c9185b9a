"""A REPL session: the declarations and bindings so far, and running one entry.

Every entry is compiled as a whole program (lumen/repl/program.py) from the declarations
accumulated as source plus the entry, and run in a fresh VM; the values of earlier `let`s
arrive as the entry cell's parameters (lumen/repl/carry.py), so earlier entries are never
run again. An entry is all or nothing: when it fails to compile or stops with a runtime
error, neither its declarations nor its bindings are kept.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any, TextIO

from lumen.diagnostics import Diagnostic
from lumen.repl import carry
from lumen.repl.entry import ENTRY_FILE, Declaration, ParsedEntry, SourceLine, parse_entry
from lumen.repl.input import parse_command
from lumen.repl.program import (
    EntryProgram,
    build_program,
    map_diagnostic,
    map_position,
)

HELP_TEXT = """\
Enter Lumen statements, expressions and declarations. An expression shows its value and
type; `let` bindings, cells, records, enums and other declarations stay for later entries
(declaring a name again replaces it). A block continues until it is closed (`end`, a
bracket) or a blank line is entered.

  :type EXPR    show the type of EXPR without running it   (:t)
  :bindings     list the bindings and their types          (:b)
  :reset        forget every declaration and binding
  :help         this text                                   (:h, :?)
  :quit         leave (also Ctrl-D)                         (:q, :exit)
"""


@dataclass(slots=True)
class Binding:
    name: str
    value: Any
    type: Any  # lumen.sema.types.Type, or None when unknown


class QuitRequest(Exception):
    """`:quit`, or the program called `exit(code)`."""

    def __init__(self, status: int = 0) -> None:
        super().__init__(status)
        self.status = status


class ReplSession:
    """Runs entries; writes values to `out` and diagnostics to `err`."""

    def __init__(self, out: TextIO | None = None, err: TextIO | None = None,
                 color: bool | None = None) -> None:
        self.out = out if out is not None else sys.stdout
        self.err = err if err is not None else sys.stderr
        if color is None:
            from lumen.diagnostics.render import should_use_color

            color = should_use_color(self.err)
        self.color = color
        self.reset()

    def reset(self) -> None:
        self.count = 0
        self.declarations: dict[str, Declaration] = {}
        self.bindings: dict[str, Binding] = {}
        self.kept_cells: dict[int, tuple[SourceLine, ...]] = {}
        self.processes: Any = None  # process state (memory, machines) lives on across VMs

    # ------------------------------------------------------------------ entry points

    def execute(self, text: str) -> bool:
        """Run one entry or `:command`; False when it failed. Raises QuitRequest."""
        if not text.strip():
            return True
        try:
            return self._execute(text)
        except (QuitRequest, KeyboardInterrupt):
            raise
        except Exception as exc:  # a bug of ours: the session goes on, no traceback
            from lumen.driver import save_crash_report

            where = save_crash_report(exc, "in the REPL")
            detail = f"details in {where}" if where else "details printed above"
            self._complain(f"lumen: internal error ({type(exc).__name__}); please report it; {detail}")
            return False

    def _execute(self, text: str) -> bool:
        command = parse_command(text)
        if command is None:
            return self.run_entry(text)
        if command.name == "quit":
            raise QuitRequest(0)
        if command.name == "help":
            self._say(HELP_TEXT.rstrip("\n"))
            return True
        if command.name == "type":
            return self.show_type(command.argument)
        if command.name == "reset":
            self.reset()
            self._say("session reset")
            return True
        if command.name == "bindings":
            self._show_bindings()
            return True
        self._complain(f"unknown command ':{command.name}' (try :help)")
        return False

    def run_entry(self, text: str) -> bool:
        self.count += 1
        number = self.count
        entry = parse_entry(text, number)
        if not entry.ok:
            self._report_plain(entry.diagnostics, text)
            return False
        program, compilation = self._compile(number, entry)
        if compilation is None:
            return False
        self._report(program, [d for d in compilation.diagnostics if not d.is_error], current_only=True)
        if entry.has_statements:
            result = self._run(program, compilation.module)
            if result is None:
                return False
            self._remember(number, program, compilation, result)
        self._commit_declarations(entry)
        return True

    def show_type(self, expression: str) -> bool:
        """`:type EXPR`: compile EXPR as the value of an entry, without running it."""
        if not expression.strip():
            self._complain(":type needs an expression, e.g. :type 1 + 2")
            return False
        entry = parse_entry(expression, self.count + 1)
        if entry.ok and (entry.declarations or entry.value_at is None):
            self._complain(f"not an expression: {expression.strip()}")
            return False
        if not entry.ok:
            self._report_plain(entry.diagnostics, expression)
            return False
        program, compilation = self._compile(self.count + 1, entry)
        if compilation is None:
            return False
        value_type = self._let_type(compilation, program.value_at)
        self._say(f"{expression.strip()} : {_render_type(value_type)}")
        return True

    # ------------------------------------------------------------------ compiling

    def _compile(self, number: int, entry: ParsedEntry) -> tuple[EntryProgram, Any]:
        """Compile the entry's program; on errors report them and return (program, None).
        Parameters are annotated with the bindings' types; should an annotation itself not
        compile (a type since redeclared), the entry is retried with untyped parameters."""
        declarations = dict(self.declarations)
        for declaration in entry.declarations:
            declarations[declaration.key] = declaration
        program = compilation = None
        for annotate in (True, False):
            program = build_program(number, entry, list(declarations.values()),
                                    list(self.kept_cells.values()), self._parameters(annotate))
            compilation = _compile_text(program.text)
            if compilation.ok or not annotate or not _errors_on_line(compilation, program.cell_start + 1):
                break
        assert program is not None and compilation is not None
        if not compilation.ok:
            self._report(program, compilation.errors, current_only=False)
            return program, None
        return program, compilation

    def _parameters(self, annotate: bool) -> list[tuple[str, str | None]]:
        declared = {key for key in self.declarations if key.isidentifier()}
        return [(b.name, carry.annotation(b.type, declared) if annotate and b.type is not None else None)
                for b in self.bindings.values()]

    # ------------------------------------------------------------------ running

    def _run(self, program: EntryProgram, module: Any) -> tuple[Any, Any] | None:
        """Run the entry cell; (value, bindings tuple), or None after reporting a failure."""
        from lumen.vm.errors import LumenRuntimeError, ProgramExit
        from lumen.vm.interpreter import VM
        from lumen.vm.options import VMOptions

        # The interpreter alone: it runs on this thread, so Ctrl-C stops a runaway loop,
        # and entries are too short for the compiling tiers to pay off.
        vm = VM(module, VMOptions(jit=False, fast_tier=False))
        if self.processes is not None:
            vm.processes = self.processes
        codes_by_name = {code.function.name: code for code in vm.codes}
        arguments = []
        for binding in self.bindings.values():
            try:
                arguments.append(carry.rebind(binding.value, codes_by_name))
            except carry.NotCarried:
                arguments.append(None)
                self._complain(f"note: '{binding.name}' refers to a function that no longer exists; it is null now")
        try:
            result = vm.run(program.cell_name, arguments)
        except LumenRuntimeError as exc:
            self._report_runtime_error(program, exc)
            return None
        except ProgramExit as exc:
            raise QuitRequest(exc.status) from None
        except KeyboardInterrupt:
            self.out.flush()
            self._complain("interrupted")
            return None
        except RecursionError:
            self._complain("runtime error[limits]: stack overflow")
            return None
        except Exception as exc:  # a bug of ours: reported, never a traceback
            from lumen.driver import internal_runtime_failure

            failure = internal_runtime_failure(exc, ENTRY_FILE)
            self._complain(f"runtime error[{failure.kind}]: {failure.message}")
            return None
        finally:
            self.processes = vm.processes
        if type(result) is not tuple or len(result) != 2:  # a top-level `return`
            return result, None
        return result

    def _remember(self, number: int, program: EntryProgram, compilation: Any,
                  result: tuple[Any, Any]) -> None:
        value, outs = result
        if outs is not None:
            types = self._let_type(compilation, (program.out_line, 1))
            items = getattr(types, "items", None) or (None,) * len(program.names)
            values = outs if isinstance(outs, tuple) else ()
            self.bindings = {name: Binding(name, v, t)
                             for name, v, t in zip(program.names, values, items)}
            self._keep_cells(number, program)
        if program.value_at is not None and value is not None:
            value_type = self._let_type(compilation, program.value_at)
            self._show_value(value, value_type)

    def _keep_cells(self, number: int, program: EntryProgram) -> None:
        """Keep the cells of exactly the entries whose lambdas are still bound."""
        wanted: set[int] = set()
        for binding in self.bindings.values():
            wanted |= carry.entries_referenced(binding.value)
        kept = {n: cell for n, cell in self.kept_cells.items() if n in wanted}
        if number in wanted:
            kept[number] = program.cell_lines(number)
        self.kept_cells = kept

    def _commit_declarations(self, entry: ParsedEntry) -> None:
        for declaration in entry.declarations:
            self.declarations[declaration.key] = declaration

    @staticmethod
    def _let_type(compilation: Any, position: tuple[int, int] | None) -> Any:
        if position is None or compilation.analysis is None:
            return None
        return compilation.analysis.let_types.get(position)

    # ------------------------------------------------------------------ output

    def _show_value(self, value: Any, value_type: Any) -> None:
        from lumen.vm.render import quoted

        shown = quoted(value)
        self.out.write(f"{shown} : {_render_type(value_type)}\n" if value_type is not None else shown + "\n")
        self.out.flush()

    def _show_bindings(self) -> None:
        if not self.bindings:
            self._say("no bindings")
            return
        for binding in self.bindings.values():
            self._say(f"{binding.name} : {_render_type(binding.type)}")

    def _say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def _complain(self, text: str) -> None:
        self.out.flush()
        self.err.write(text + "\n")
        self.err.flush()

    def _report_plain(self, diagnostics: tuple[Diagnostic, ...], text: str) -> None:
        """Diagnostics already in the coordinates of the entry `text` (syntax errors)."""
        from lumen.diagnostics.render import render_diagnostic

        lines = text.split("\n")
        for diagnostic in diagnostics:
            source = lines[diagnostic.line - 1] if 1 <= diagnostic.line <= len(lines) else None
            self._complain(render_diagnostic(diagnostic, source, self.color))

    def _report(self, program: EntryProgram, diagnostics: Any, current_only: bool) -> None:
        from lumen.diagnostics.render import render_diagnostic

        for diagnostic in diagnostics:
            mapped, source = map_diagnostic(program, diagnostic)
            if current_only and mapped.file != ENTRY_FILE:
                continue  # warnings of earlier entries were shown then
            self._complain(render_diagnostic(mapped, source, self.color))

    def _report_runtime_error(self, program: EntryProgram, exc: Any) -> None:
        from lumen.diagnostics.render import RuntimeFrame, render_runtime_error

        file, line, column, source = map_position(program, exc.line, exc.column)
        stack = []
        for cell, frame_file, frame_line in getattr(exc, "lumen_stack", ()) or ():
            shown_file, shown_line, _, _ = map_position(program, frame_line, 0) \
                if frame_file == ENTRY_FILE else (frame_file, frame_line, None, None)
            stack.append(RuntimeFrame(_cell_label(str(cell), program), shown_file, shown_line))
        text = render_runtime_error(exc.kind, exc.message, file=file, line=line, column=column,
                                    stack=stack, source_line=source, color=self.color)
        self._complain(text)
        if getattr(exc, "hint", None):
            self._complain(f"  hint: {exc.hint}")


def _compile_text(text: str) -> Any:
    from lumen.driver import compile_source
    from lumen.source import source_from_text

    return compile_source(source_from_text(text, ENTRY_FILE))


def _errors_on_line(compilation: Any, line: int) -> bool:
    return any(d.line == line for d in compilation.errors)


def _render_type(value_type: Any) -> str:
    if value_type is None:
        return "?"
    from lumen.sema.types import render

    return render(value_type)


def _cell_label(cell: str, program: EntryProgram) -> str:
    """`__repl_7` is the entry itself; `__repl_3.<lambda#1>` a lambda of entry 3."""
    head, dot, rest = cell.partition(".")
    if head == program.cell_name:
        return ENTRY_FILE + dot + rest
    if head.startswith(carry.ENTRY_CELL_PREFIX) and head[len(carry.ENTRY_CELL_PREFIX):].isdigit():
        return f"<repl#{head[len(carry.ENTRY_CELL_PREFIX):]}>" + dot + rest
    return cell
