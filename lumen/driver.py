"""The one place that chains the stages: source -> syntax -> sema -> lir -> vm.

The CLI, the tests and the language server call `check_file`, `compile_source` and
`run_file`. `compile_file` and `check_file` reuse the compile cache (lumen/compile_cache.py)
while the program's files and the toolchain are unchanged; `compile_source` never does.
Stages are imported lazily, inside functions, so that start-up stays fast and so that a
build in which a later stage does not exist yet still runs the earlier ones (a stage that
is missing is listed in `Compilation.unavailable`).

A Python exception escaping a stage is a bug of ours, never the user's: it becomes an
internal-error diagnostic (while compiling) or a runtime error of kind `internal` (while
running), and the traceback goes to a crash file (or to stderr when LUMEN_DEBUG=1).
"""

from __future__ import annotations

import importlib
import os
import sys
import time
from collections.abc import Callable, Iterable, Mapping

from lumen.source.unit import SourceError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any, NamedTuple

    from lumen.diagnostics import Diagnostic
    from lumen.diagnostics.render import RuntimeFrame
    from lumen.source.unit import SourceUnit
else:
    from lumen.plain_tuples import NamedTuple

DEFAULT_MAX_DEPTH = 100_000
INTERNAL_KIND = "internal"

# (module, attribute) of each stage's entry point.
_PARSE = ("lumen.syntax", "parse")
_LOAD_MODULES = ("lumen.modules", "load_program")
_ANALYZE = ("lumen.sema", "analyze")
_LOWER = ("lumen.lir.lower", "lower_program")
_VM = ("lumen.vm.interpreter", "VM")
_VM_OPTIONS = ("lumen.vm.options", "VMOptions")
_RUNTIME_ERROR = ("lumen.vm.errors", "LumenRuntimeError")
_PROGRAM_EXIT = ("lumen.vm.errors", "ProgramExit")


# ------------------------------------------------------------------------------ options

# The option and result records are NamedTuples rather than dataclasses: every `lumen run`
# creates these classes at start-up, and a NamedTuple class costs a seventh as much.


class CompileOptions(NamedTuple):
    """`analyze=False` stops after parsing (`lumen parse`); `lower=False` stops after
    analysis (`lumen check`). `buffers`: texts that stand for files (absolute path -> text),
    so imported modules an editor has open are read from its unsaved buffers."""

    analyze: bool = True
    lower: bool = True
    buffers: Mapping[str, str] | None = None


class RunOptions(NamedTuple):
    entry: str = "main"
    max_steps: int | None = None
    max_depth: int = DEFAULT_MAX_DEPTH
    jit: bool = True
    jit_threshold: int | None = None
    program_args: tuple[str, ...] = ()
    trace_dir: str | None = None
    replay: str | None = None  # a recorded run id: every tool call is served from its trace
    # Tools (§12.5): an explicit lumen.toml, and `--provider TOOL=P` / `--set P.KEY=V` items.
    config_path: str | None = None
    provider_overrides: tuple[str, ...] = ()
    setting_overrides: tuple[str, ...] = ()
    fast_tier: bool = True  # the Python tier (lumen/jit/pytier); off: interpreter only
    jit_verbose: bool = False  # collect the native tier's decisions in RunOutcome.jit_report


# ------------------------------------------------------------------------------ results


class Compilation(NamedTuple):
    """Everything the compile stages produced. `program`, `analysis` and `module` are None
    for stages that did not run (an earlier error, `lower=False`, or a missing stage)."""

    unit: SourceUnit | None
    program: Any = None
    analysis: Any = None
    module: Any = None
    diagnostics: tuple[Diagnostic, ...] = ()
    unavailable: tuple[str, ...] = ()
    imported: tuple[str, ...] = ()  # the files of the modules the program imports

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.is_error)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def path(self) -> str:
        return self.unit.path if self.unit else ""


class RuntimeFailure(NamedTuple):
    """A runtime error, in the shape renderers need. `kind` is a §9.11 kind name, or
    `internal` for a bug of the toolchain (then `crash_report` names the saved traceback)."""

    kind: str
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    stack: tuple[RuntimeFrame, ...] = ()
    crash_report: str | None = None
    hint: str | None = None  # what the user can do (tool errors: which lumen.toml section)


class RunOutcome(NamedTuple):
    """The result of `run_file`: compile errors (then nothing ran), a runtime failure, or
    the entry cell's value. `exit_status` is set when the program called `exit(code)`."""

    compilation: Compilation
    value: Any = None
    error: RuntimeFailure | None = None
    ran: bool = False
    exit_status: int | None = None
    jit_report: tuple[str, ...] = ()  # with RunOptions.jit_verbose: one line per decision
    trace_path: str | None = None  # with RunOptions.trace_dir: the trace file written
    # With a tool session: the run's tool-call, token and cost lines (`lumen run --verbose`).
    tool_summary: tuple[str, ...] = ()
    # The cached native unit that ran the whole entry cell (NativeTier.whole_entry), which
    # `lumen run` records for its fast path (lumen/cli/fast_run.py).
    native_entry: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.ran and self.error is None


# ------------------------------------------------------------------------------ stages


class _StageUnavailable(Exception):
    """A stage's module or entry point does not exist in this build."""


def _load_stage(entry: tuple[str, str]) -> Callable[..., Any]:
    module_name, attribute = entry
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        # Only the stage's own module being absent counts; a missing import inside an
        # existing stage is a bug and propagates.
        if exc.name and (module_name == exc.name or module_name.startswith(exc.name + ".")):
            raise _StageUnavailable(module_name) from None
        raise
    found = getattr(module, attribute, None)
    if found is None:
        raise _StageUnavailable(f"{module_name}.{attribute}")
    return found


def stage_available(entry: tuple[str, str]) -> bool:
    try:
        _load_stage(entry)
    except _StageUnavailable:
        return False
    return True


# ------------------------------------------------------------------------------ compile


def compile_file(path: str | Path, options: CompileOptions | None = None) -> Compilation:
    """Load `path` and compile it; a file that cannot be read is a compile error."""
    from lumen.source.reading import read_source_text

    options = options or CompileOptions()
    kind = _cache_kind(options)
    try:
        text = read_source_text(path)
        cached = None if kind is None else _cache_lookup(str(path), text, kind)
        if cached is not None:  # extraction, parse, analysis and lowering skipped entirely
            return Compilation(unit=cached.unit, module=cached.module,
                               diagnostics=cached.diagnostics, unavailable=cached.unavailable)
        from lumen.source import source_from_text

        unit = source_from_text(text, str(path))
    except SourceError as exc:
        return Compilation(unit=None, diagnostics=(exc.diagnostic,))
    except Exception as exc:  # a bug while extracting the source
        return Compilation(unit=None, diagnostics=(internal_error_diagnostic(exc, str(path), "reading"),))
    if kind is None:
        return compile_source(unit, options)
    state = _compile_unit(unit, options)
    compilation = state.result()
    _cache_store(unit, kind, compilation, state.program_unit)
    return compilation


def _cache_kind(options: CompileOptions) -> str | None:
    """Which compile-cache entry serves these options: `lir` (full compile), `check`
    (analysis only), None (parsing only: callers want the syntax tree itself)."""
    from lumen import compile_cache

    if not options.analyze:
        return None
    return compile_cache.KIND_RUN if options.lower else compile_cache.KIND_CHECK


def _cache_lookup(path: str, text: str, kind: str) -> Any:
    from lumen import compile_cache

    try:
        return compile_cache.lookup(path, text, kind)
    except Exception:  # the cache is an optimisation: any failure of it is a miss
        return None


def _cache_store(unit: SourceUnit, kind: str, compilation: Compilation, program_unit: Any) -> None:
    from lumen import compile_cache

    result = compile_cache.CachedCompilation(compilation.module, compilation.diagnostics,
                                             compilation.unavailable)
    try:
        compile_cache.store(unit, kind, result, program_unit)
    except Exception:  # best effort: an entry that cannot be written is just not cached
        pass


def check_file(path: str | Path, options: CompileOptions | None = None) -> Compilation:
    """What `lumen check` does: parse and analyse, without lowering or running."""
    return compile_file(path, options or CompileOptions(lower=False))


def parse_file(path: str | Path) -> Compilation:
    """What `lumen parse` does: read and parse only."""
    return compile_file(path, CompileOptions(analyze=False, lower=False))


def compile_source(unit: SourceUnit, options: CompileOptions | None = None) -> Compilation:
    """Run the compile stages over `unit`, stopping at the first stage that reports errors
    (parse errors skip analysis; any error skips lowering)."""
    return _compile_unit(unit, options or CompileOptions()).result()


def _compile_unit(unit: SourceUnit, options: CompileOptions) -> _CompileState:
    state = _CompileState(unit)
    try:
        _on_deep_stack(lambda: state.run(options))
    except Exception as exc:  # a bug in a stage: report it, never show a traceback
        state.diagnostics.append(internal_error_diagnostic(exc, unit.path, state.stage))
    return state


# The compile stages walk the tree recursively and a left-nested chain such as
# `1 + 1 + … + 1` is one level per operator: a few hundred terms exhaust Python's default
# limit. They run on a thread whose C stack is large enough for a far higher limit.
_COMPILE_RECURSION_LIMIT = 60_000
_COMPILE_STACK_BYTES = 512 * 1024 * 1024


def _on_deep_stack(work: Callable[[], None], limit: int = _COMPILE_RECURSION_LIMIT) -> None:
    """Run `work` on a thread with a large stack and raise what it raised."""
    import threading

    raised: list[BaseException] = []

    def target() -> None:
        try:
            work()
        except BaseException as exc:  # handed to the caller, which reports it
            raised.append(exc)

    previous_limit = sys.getrecursionlimit()
    previous_size = threading.stack_size()
    try:
        threading.stack_size(_COMPILE_STACK_BYTES)  # applies to threads started from now
    except (ValueError, RuntimeError):  # a platform without settable stacks: run here
        work()
        return
    sys.setrecursionlimit(max(previous_limit, limit))
    try:
        thread = threading.Thread(target=target, name="lumen-compile", daemon=True)
        thread.start()
        thread.join()
    finally:
        threading.stack_size(previous_size)
        sys.setrecursionlimit(previous_limit)
    if raised:
        raise raised[0]


class _CompileState:
    """What the stages produced so far (a plain class: no dataclass cost at start-up)."""

    def __init__(self, unit: SourceUnit) -> None:
        self.unit = unit
        self.program: Any = None
        self.analysis: Any = None
        self.module: Any = None
        self.program_unit: Any = None  # the imported modules (lumen.modules), for the cache
        self.stage = "reading the source"
        self.diagnostics: list[Diagnostic] = []
        self.unavailable: list[str] = []

    def run(self, options: CompileOptions) -> None:
        unit = self.unit
        self.diagnostics.extend(unit.diagnostics)
        self.stage = "parsing"
        parse = self._stage(_PARSE)
        if parse is None:  # without a parser nothing was checked: never report "clean"
            self.diagnostics.append(_missing_parser_diagnostic(unit.path))
            return
        parsed = parse(unit.code, unit.path, unit.docblocks)
        self.program = parsed.program
        self.diagnostics.extend(parsed.diagnostics)
        if self.program is None or self._has_errors() or not options.analyze:
            return
        program_unit = self._load_modules(options.buffers)
        if self._has_errors():
            return
        self.stage = "analysing"
        analyze = self._stage(_ANALYZE)
        if analyze is None:
            return
        # Each imported module is checked on its own, with its own directives (§15.3).
        for module in program_unit.imported if program_unit else ():
            analysis = analyze(module.program, file=module.path,
                               directives=collect_directives(module.unit, module.program),
                               **_imported_cells(module))
            self.diagnostics.extend(analysis.diagnostics)
        directives = collect_directives(unit, self.program)
        entry_imports = _imported_cells(program_unit.entry) if program_unit else {}
        self.analysis = analyze(self.program, file=unit.path, directives=directives,
                                **entry_imports)
        self.diagnostics.extend(self.analysis.diagnostics)
        if not options.lower or self._has_errors():
            return
        self.stage = "lowering"
        lower = self._stage(_LOWER)
        if lower is None:
            return
        if program_unit is None:
            self.module = lower(self.program, self.analysis, file=unit.path)
        else:
            imported = [(m.path, program_unit.lowered_declarations(m)) for m in program_unit.imported]
            self.module = lower(self.program, self.analysis, file=unit.path, imported=imported,
                                aliases=program_unit.aliases())
        self.diagnostics.extend(getattr(self.module, "diagnostics", ()) or ())

    def _load_modules(self, buffers: Mapping[str, str] | None) -> Any:
        """The program's imported modules (§15), or None for a single-file program."""
        from lumen.syntax import ast

        if not any(isinstance(item, ast.ImportDecl) for item in self.program.items):
            return None
        self.stage = "loading imported modules"
        load_program = self._stage(_LOAD_MODULES)
        if load_program is None:
            return None
        program_unit = load_program(self.unit, self.program, buffers)
        self.diagnostics.extend(program_unit.diagnostics)
        self.program_unit = program_unit
        return program_unit

    def _stage(self, entry: tuple[str, str]) -> Callable[..., Any] | None:
        try:
            return _load_stage(entry)
        except _StageUnavailable as missing:
            self.unavailable.append(str(missing))
            return None

    def _has_errors(self) -> bool:
        return any(d.is_error for d in self.diagnostics)

    def result(self) -> Compilation:
        ordered = sorted(self.diagnostics, key=lambda d: (d.file != self.unit.path, d.line, d.column))
        return Compilation(
            unit=self.unit,
            program=self.program,
            analysis=self.analysis,
            module=self.module,
            diagnostics=tuple(ordered),
            unavailable=tuple(self.unavailable),
            imported=tuple(m.path for m in self.program_unit.imported)
            if self.program_unit is not None else (),
        )


def _imported_cells(module: Any) -> dict[str, Any]:
    """The analysis argument for the cells `module`'s imports make visible (local name ->
    declaration, §15.3), or no argument when there are none."""
    from lumen.syntax import ast

    cells = {b.local_name: b.decl for b in module.bindings if isinstance(b.decl, ast.CellDecl)}
    return {"imported_cells": cells} if cells else {}


def _missing_parser_diagnostic(file: str) -> Diagnostic:
    from lumen.diagnostics import Diagnostic, ErrorCode
    from lumen.diagnostics.diagnostic import NO_SPAN

    return Diagnostic(
        code=ErrorCode.INTERNAL.value,
        message="this build of lumen has no parser (lumen.syntax.parse); nothing was checked",
        file=file,
        span=NO_SPAN,
    )


def collect_directives(unit: SourceUnit, program: Any) -> dict[str, str | None]:
    """The file's directives, merged: prose directives, top-level `@name value` directives
    and the bare attributes `@strict`/`@doc_mode`/`@deterministic` (§5.16), by line, the
    last one of a name winning. A value of None means the bare form (true)."""
    from lumen.source.directives import BOOLEAN_DIRECTIVES, normalize_directive_value
    from lumen.syntax import ast

    found: list[tuple[int, str, str | None]] = [(d.line, d.name, d.value) for d in unit.directives]
    for item in getattr(program, "items", ()):
        if isinstance(item, ast.Directive):
            found.append((item.span.line, item.name, normalize_directive_value(item.value)))
            continue
        for attribute in getattr(item, "attributes", ()) or ():
            if attribute.name in BOOLEAN_DIRECTIVES:
                value = normalize_directive_value(_strip_parens(attribute.args))
                found.append((attribute.span.line, attribute.name, value))
    found.sort(key=lambda entry: entry[0])
    return {name: value for _, name, value in found}


def _strip_parens(args: str | None) -> str | None:
    if args is None:
        return None
    text = args.strip()
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1]
    return text


# ------------------------------------------------------------------------------ run


def run_file(
    path: str | Path,
    options: RunOptions | None = None,
    compile_options: CompileOptions | None = None,
) -> RunOutcome:
    """Compile `path` and, when that succeeds, run its entry cell."""
    compilation = compile_file(path, compile_options or CompileOptions())
    return run_compilation(compilation, options or RunOptions())


def run_compilation(compilation: Compilation, options: RunOptions) -> RunOutcome:
    """Run a compiled program's entry cell (nothing runs when compilation failed)."""
    if not compilation.ok:
        return RunOutcome(compilation)
    if compilation.module is None:
        diagnostic = _unavailable_diagnostic(compilation, compilation.unavailable)
        return RunOutcome(_with_error(compilation, diagnostic))
    try:
        vm_class = _load_stage(_VM)
        runtime_error = _load_stage(_RUNTIME_ERROR)
        program_exit = _load_stage(_PROGRAM_EXIT)
        session = _tool_session(compilation, options)
        # Only a run with tools hands the VM a session (a VM stage may not take one).
        vm = vm_class(compilation.module, _vm_options(options)) if session is None \
            else vm_class(compilation.module, _vm_options(options), tools=session)
    except _StageUnavailable as missing:
        return RunOutcome(_with_error(compilation, _unavailable_diagnostic(compilation, [str(missing)])))
    except Exception as exc:  # a bug while setting up the VM: still a compile-side report
        if _is_config_error(exc):  # an invalid lumen.toml: E0902 at the key
            return RunOutcome(_with_error(compilation, exc.diagnostic()))  # type: ignore[attr-defined]
        if _is_trace_error(exc):  # no such recorded run, or an unwritable trace folder
            return RunOutcome(_with_error(compilation, _trace_diagnostic(exc, compilation.path)))
        diagnostic = internal_error_diagnostic(exc, compilation.path, "starting the VM")
        return RunOutcome(_with_error(compilation, diagnostic))
    outcome = _run_vm(compilation, options, vm, runtime_error, program_exit)
    if session is not None:
        outcome = _end_recording(session, outcome, options)
    return outcome


def native_failure_outcome(compilation: Compilation, state: list[int], trace: list[int]
                           ) -> RunOutcome:
    """The outcome of a run whose entry cell failed in cached native code called outside
    the VM (the fast path of `lumen run`, lumen/cli/fast_run.py): the error the VM reports
    for the same state record, with the VM's default options."""
    from lumen.jit.native.runtime import error_from_state

    try:
        vm = _load_stage(_VM)(compilation.module, _vm_options(RunOptions()))
        exc = vm._trimmed(error_from_state(vm, state, trace))
    except Exception as bug:  # a bug while rebuilding the error: reported, never a traceback
        return RunOutcome(compilation, error=internal_runtime_failure(bug, compilation.path),
                          ran=True)
    return RunOutcome(compilation, error=_runtime_failure(exc), ran=True)


def _is_config_error(exc: BaseException) -> bool:
    from lumen.runtime.config import ConfigError

    return isinstance(exc, ConfigError)


def _tool_session(compilation: Compilation, options: RunOptions) -> Any:
    """The run's tool session (lumen/runtime/session.py) when the program declares tools,
    records a trace or replays one; lumen.toml is searched from the current directory
    (§12.5). Raises ConfigError or TraceError."""
    wanted = options.trace_dir or options.replay or getattr(compilation.module, "tools", None)
    if not wanted:  # checked before any import: plain runs start as fast as before
        return None
    from lumen.runtime.config import Overrides
    from lumen.runtime.recording import open_recorded_session

    recording = _recording_options(compilation, options)

    overrides = Overrides(options.provider_overrides, options.setting_overrides)
    from pathlib import Path

    return open_recorded_session(recording, Path.cwd(), config_path=options.config_path,
                                 overrides=overrides)


def _recording_options(compilation: Compilation, options: RunOptions) -> Any:
    from lumen.runtime.recording import RunRecordingOptions

    return RunRecordingOptions(
        source_path=compilation.path, source_text=compilation.unit.text if compilation.unit else "",
        entry=options.entry, program_args=options.program_args,
        trace_dir=options.trace_dir, replay=options.replay)


def _end_recording(session: Any, outcome: RunOutcome, options: RunOptions) -> RunOutcome:
    """`error` or `cell_end`, then `run_end`; a trace that cannot be finished (its folder
    went away mid-run) is a warning, the run's outcome stands."""
    from lumen.runtime.recording import record_end

    try:
        record_end(session, _recording_options(outcome.compilation, options),
                   error=outcome.error, exit_status=outcome.exit_status)
    except Exception as exc:
        print(f"lumen: warning: the trace could not be completed ({exc})", file=sys.stderr)
    trace = getattr(session, "trace", None)
    return outcome._replace(tool_summary=tuple(session.summary_lines()),
                            trace_path=str(trace.path) if trace is not None else None)


def _is_trace_error(exc: BaseException) -> bool:
    from lumen.runtime.trace import TraceError

    return isinstance(exc, TraceError)


def _trace_diagnostic(exc: BaseException, file: str) -> Diagnostic:
    from lumen.runtime.recording import trace_error_diagnostic

    return trace_error_diagnostic(exc, file)  # type: ignore[arg-type, no-any-return]


def _run_vm(compilation: Compilation, options: RunOptions, vm: Any, runtime_error: Any,
            program_exit: Any) -> RunOutcome:

    def report() -> tuple[str, ...]:
        return tuple(getattr(vm, "jit_report", None) or ())

    try:
        value = vm.run(options.entry)  # on a deep stack of its own (lumen/vm/deep_stack.py)
    except runtime_error as exc:
        return RunOutcome(compilation, error=_runtime_failure(exc), ran=True,
                          jit_report=report())
    except program_exit as exc:  # `exit(code)`: the user's own choice, not a failure
        return RunOutcome(compilation, ran=True, exit_status=exc.status, jit_report=report())
    except BrokenPipeError:  # the reader of stdout went away (`| head`): the CLI ends quietly
        raise
    except Exception as exc:  # a bug in the VM: reported, never a traceback
        return RunOutcome(compilation, error=internal_runtime_failure(exc, compilation.path),
                          ran=True, jit_report=report())
    native_entry = getattr(getattr(vm, "native", None), "whole_entry", None)
    return RunOutcome(compilation, value=value, ran=True, jit_report=report(),
                      native_entry=native_entry)


def _vm_options(options: RunOptions) -> Any:
    options_class = _load_stage(_VM_OPTIONS)
    wanted: dict[str, Any] = {
        "max_steps": options.max_steps,
        "max_depth": options.max_depth,
        "jit": options.jit,
        "jit_threshold": options.jit_threshold,
        "program_args": list(options.program_args),
        "trace_dir": options.trace_dir,
        "fast_tier": options.fast_tier,
        "jit_verbose": options.jit_verbose,
    }
    accepted = set(options_class._fields)
    return options_class(**{k: v for k, v in wanted.items() if k in accepted})


def _with_error(compilation: Compilation, diagnostic: Diagnostic) -> Compilation:
    return Compilation(
        unit=compilation.unit,
        program=compilation.program,
        analysis=compilation.analysis,
        module=compilation.module,
        diagnostics=compilation.diagnostics + (diagnostic,),
        unavailable=compilation.unavailable,
    )


def _unavailable_diagnostic(compilation: Compilation, missing: Iterable[str]) -> Diagnostic:
    from lumen.diagnostics import Diagnostic, ErrorCode
    from lumen.diagnostics.diagnostic import NO_SPAN

    names = ", ".join(dict.fromkeys(missing)) or "the lowering"
    return Diagnostic(
        code=ErrorCode.INTERNAL.value,
        message=f"cannot run: this build of lumen lacks a stage ({names})",
        file=compilation.path,
        span=NO_SPAN,
        hint="`lumen check` still checks what the available stages cover",
    )


def _runtime_failure(exc: BaseException) -> RuntimeFailure:
    stack = tuple(_frame(entry) for entry in getattr(exc, "lumen_stack", ()) or ())
    return RuntimeFailure(
        kind=str(getattr(exc, "kind", "") or "runtime"),
        message=str(getattr(exc, "message", "") or exc),
        file=getattr(exc, "file", None),
        line=getattr(exc, "line", None),
        column=getattr(exc, "column", None),
        stack=stack,
        hint=getattr(exc, "hint", None),
    )


def _frame(entry: Any) -> RuntimeFrame:
    """One Lumen stack entry, whether the VM gives a tuple `(cell, file, line)`, an object
    with those attributes, or a plain string."""
    from lumen.diagnostics.render import RuntimeFrame

    if isinstance(entry, RuntimeFrame):
        return entry
    if isinstance(entry, tuple):
        cell, file, line = (tuple(entry) + (None, None, None))[:3]
        return RuntimeFrame(str(cell), file, line)
    if isinstance(entry, str):
        return RuntimeFrame(entry)
    cell = getattr(entry, "cell", None) or getattr(entry, "name", None) or str(entry)
    return RuntimeFrame(str(cell), getattr(entry, "file", None), getattr(entry, "line", None))


# ------------------------------------------------------------------------------ verification

# Only a file that mentions one of these, or imports cells that may have preconditions, can
# have anything to verify (checked before the compile cache's missing syntax tree is
# rebuilt, so other files pay nothing). Plain strings: `re` compiles them on first use.
_MAY_NEED_VERIFYING = r"\bwhere\b|^\s*@(assert|assume|invariant)\b"
_IMPORTS = r"^\s*(pub\s+)?import\b"


def _mentions(pattern: str, code: str) -> bool:
    import re

    return re.search(pattern, code, re.MULTILINE) is not None


def with_verification(compilation: Compilation, verbose: bool = False) -> Compilation:
    """`compilation` plus the static verifier's diagnostics (lumen/verify), as `lumen check`
    and the language server report them: only for a clean program with something to
    verify; results cached by the file's code when it has no imports."""
    unit = compilation.unit
    if unit is None or not compilation.ok:
        return compilation
    if not (_mentions(_MAY_NEED_VERIFYING, unit.code) or _mentions(_IMPORTS, unit.code)):
        return compilation
    try:
        found = _verification_diagnostics(compilation, unit, verbose)
    except Exception as exc:  # a bug of the verifier: reported, never a traceback
        found = (internal_error_diagnostic(exc, unit.path, "verifying"),)
    if not found:
        return compilation
    ordered = sorted((*compilation.diagnostics, *found),
                     key=lambda d: (d.file != unit.path, d.line, d.column))
    return compilation._replace(diagnostics=tuple(ordered))


def _verification_diagnostics(compilation: Any, unit: Any, verbose: bool) -> tuple[Any, ...]:
    """The verifier's diagnostics, from the `verify` cache when the file has no imports."""
    from lumen.compile_cache import toolchain_fingerprint
    from lumen.verify import has_obligations, imported_contracts, result_cache, verify

    key = None
    if not _mentions(_IMPORTS, unit.code):
        key = result_cache.key(unit.path, unit.code, toolchain_fingerprint(), verbose)
        cached = result_cache.lookup(key)
        if cached is not None:
            return cached
    program, analysis = compilation.program, compilation.analysis
    if program is None or analysis is None:  # a compile-cache hit carries no syntax tree
        fresh = compile_source(unit, CompileOptions(lower=False))
        if not fresh.ok or fresh.program is None or fresh.analysis is None:
            return ()
        program, analysis = fresh.program, fresh.analysis
    found: tuple[Any, ...] = ()
    imported = imported_contracts(unit, program)
    if imported or has_obligations(program, unit.code):
        found = verify(program, analysis, file=unit.path, code=unit.code, verbose=verbose,
                       imported_cells=imported).diagnostics
    if key is not None:
        result_cache.store(key, found)
    return found


# ------------------------------------------------------------------------------ crashes


def internal_error_diagnostic(exc: BaseException, file: str, doing: str) -> Diagnostic:
    """The compile-time report of a toolchain bug (the traceback is saved, not shown)."""
    from lumen.diagnostics import Diagnostic, ErrorCode
    from lumen.diagnostics.diagnostic import NO_SPAN

    where = save_crash_report(exc, f"while {doing} {file}")
    return Diagnostic(
        code=ErrorCode.INTERNAL.value,
        message=(
            f"internal compiler error while {doing} ({_describe(exc)}); please report it; "
            + _details_hint(where)
        ),
        file=file,
        span=NO_SPAN,
    )


def internal_runtime_failure(exc: BaseException, file: str) -> RuntimeFailure:
    where = save_crash_report(exc, f"while running {file}")
    message = f"internal error in the VM ({_describe(exc)}); please report it; {_details_hint(where)}"
    return RuntimeFailure(kind=INTERNAL_KIND, message=message, file=file, crash_report=where)


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _details_hint(where: str | None) -> str:
    if where is not None:
        return f"details in {where}"
    if os.environ.get("LUMEN_DEBUG") == "1":
        return "details printed above (LUMEN_DEBUG=1)"
    return "the crash report could not be saved; rerun with LUMEN_DEBUG=1 to see it"


def crash_directory() -> Path:
    from lumen.cache import cache_dir

    return cache_dir()


def save_crash_report(exc: BaseException, context: str) -> str | None:
    """Write the traceback to `crash-<timestamp>.txt` in the user cache folder
    (`lumen.cache.cache_dir()`, by default `~/.cache/lumen`) and return its path; with
    LUMEN_DEBUG=1 print it to stderr instead and return None."""
    import traceback  # only on a crash: it pulls in textwrap and linecache

    report = "".join(traceback.format_exception(exc))
    header = (
        f"lumen internal error {context}\n"
        f"python {sys.version.split()[0]} on {sys.platform}\n"
        f"command: {' '.join(sys.argv)}\n\n"
    )
    if os.environ.get("LUMEN_DEBUG") == "1":
        print(header + report, file=sys.stderr)
        return None
    stamp = time.strftime("%Y%m%d-%H%M%S") + f"-{os.getpid()}-{time.monotonic_ns() % 1_000_000:06d}"
    directory = crash_directory()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"crash-{stamp}.txt"
        path.write_text(header + report, encoding="utf-8")
    except OSError:
        return None
    return str(path)
