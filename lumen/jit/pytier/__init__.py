"""The Python tier: LIR cells compiled to Python functions whose locals are the registers.

`PyTier(vm).compile(code)` turns one cell into Python source (emit.py: CFG -> structured
control flow -> per-opcode templates), compiles it into the namespace all cells of the VM
share and returns the function, or None when the cell must stay interpreted (the reason is
kept in `reasons`). Cells call each other through the globals `C{index}`: a first-call
trampoline, the compiled function, a wrapper around `vm.call_interpreted`, or whatever the
native tier `install`s.

Debugging: `LUMEN_PYTIER_DUMP=1` prints each generated function to stderr.
"""

from __future__ import annotations

from collections.abc import Callable

from lumen.jit.pytier.emit import (
    Unsupported,
    compile_source,
    observed_hints,
    param_hints,
    safe_name,
)
from lumen.jit.pytier.inference import Kinds
from lumen.vm.frames import Code
from lumen.vm.values import BuiltinRef, Closure

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# Counter value for cells the native tier should never be asked about.
_NEVER = 1 << 62
# Below this call-depth limit cells stay interpreted (exact `call depth exceeded N`).
_MIN_DEPTH = 10_000


class PyTier:
    def __init__(self, vm: Any) -> None:
        from lumen.jit.pytier.runtime import build_namespace

        self.vm = vm
        self.codes: tuple[Code, ...] = vm.codes
        self.reasons: dict[int, str] = {}  # function index -> why it stays interpreted
        self.sources: dict[int, str] = {}
        # generated function name (`F3`, `G3`, `E3`, `GE3`) -> LIR pc per Python line
        self.line_tables: dict[str, list[int]] = {}
        self.compiled: dict[int, Callable[..., Any] | None] = {}
        native = getattr(vm, "native", None)
        threshold = native.threshold if native is not None else _NEVER
        self.counters: list[int] = [threshold] * len(self.codes)
        self.ns: dict[str, Any] = build_namespace(self)
        self._bound: dict[tuple[str, Any], str] = {}
        self.entries: dict[int, Callable[..., Any] | None] = {}
        self.call_sites = 0
        for index in range(len(self.codes)):
            self.ns[f"C{index}"] = self._trampoline(index)

    # ---------------------------------------------------------------- contract

    def compile(self, code: Code) -> Callable[..., Any] | None:
        index = code.index
        if index in self.compiled:
            return self.compiled[index]
        self.compiled[index] = None  # recursion through bind_* never recompiles
        code.tier_tried = True
        if self.vm.max_depth < _MIN_DEPTH:
            # Only the interpreter counts call depth exactly; a small limit is a test of it.
            self.reasons[index] = f"max_depth {self.vm.max_depth} below {_MIN_DEPTH}"
            return None
        native_tier = self.vm.native
        native = native_tier is not None and self._native_candidate(code)
        if native:
            # The VM may start the native tier after this one: bind its hooks now.
            self.ns["_HOT"], self.ns["_OSR"] = native_tier.hot, native_tier.osr
            self.counters[index] = native_tier.threshold
        try:
            hints = param_hints(code)
            if hints:
                # Arguments that fail the entry guard on declared types run this one.
                self.ns[f"_G{index}"] = self._define(code, native, False, None)
            fn = self._define(code, native, False, hints)
        except Unsupported as exc:
            self.reasons[index] = str(exc)
            return None
        except (SyntaxError, RecursionError, MemoryError) as exc:  # e.g. nesting limits
            self.reasons[index] = f"python compile failed: {type(exc).__name__}: {exc}"
            return None
        if not native:
            self.counters[index] = _NEVER
        fn = self._traced(code, fn)
        self.compiled[index] = fn
        code.fast = fn
        self.ns[f"C{index}"] = fn
        return fn

    def callable_for(self, index: int) -> Callable[..., Any]:
        return self.ns[f"C{index}"]

    def install(self, index: int, fn: Callable[..., Any]) -> None:
        self.ns[f"C{index}"] = fn
        self.codes[index].fast = fn

    # ---------------------------------------------------------------- calls from generated code

    def _native_candidate(self, code: Code) -> bool:
        try:
            return bool(self.vm.native.candidate(code))
        except Exception:  # noqa: BLE001 - a broken candidate check must not stop the cell
            return False

    def _trampoline(self, index: int) -> Callable[..., Any]:
        def first_call(*args: Any) -> Any:
            return self.resolve(index)(*args)

        return first_call

    def resolve(self, index: int) -> Callable[..., Any]:
        """The callable for cell `index` after its first call: compiled or interpreted."""
        code = self.codes[index]
        fn = code.fast if code.tier_tried and index not in self.compiled else None
        if fn is None:
            fn = self.compile(code) if index not in self.compiled else self.compiled[index]
        if fn is None:
            fn = code.fast or self._interpreted(code)
        self.ns[f"C{index}"] = fn
        return fn

    def _interpreted(self, code: Code) -> Callable[..., Any]:
        vm = self.vm

        if code.variadic:
            # The registers already hold the packed rest list: run them as they are.
            padding = [None] * (code.nregs - code.nparams - code.ncaptures)

            def run_interpreted(*args: Any) -> Any:
                return vm._run_frame(code, [*args, *padding])
        else:
            def run_interpreted(*args: Any) -> Any:
                return vm.call_interpreted(code, list(args))

        return run_interpreted

    def call_value(self, fn: Any, positional: list[Any], named: dict[str, Any] | None) -> Any:
        """Any Lumen callable (the interpreter's `_call_value`, which uses `code.fast`)."""
        return self.vm._call_value(fn, positional, named)

    def new_call_site(self) -> int:
        """A fresh inline cache `_ic{n}` (the callee's Code) / `_ie{n}` (its entry)."""
        site = self.call_sites
        self.call_sites += 1
        self.ns[f"_ic{site}"] = None
        self.ns[f"_ie{site}"] = None
        return site

    def call_site_miss(self, site: int, fn: Any, args: list[Any]) -> Any:
        if type(fn) is Closure:
            code = fn.func
            if len(args) == code.nparams and not code.variadic:
                entry = self.entry_for(code, args, fn.captures)
                if entry is not None:
                    self.ns[f"_ic{site}"] = code
                    self.ns[f"_ie{site}"] = entry
                    return entry(*args, fn.captures)
        return self.vm._call_value(fn, args, None)

    def entry_for(self, code: Code, args: list[Any] | None = None,
                  captures: tuple[Any, ...] = ()) -> Callable[..., Any] | None:
        """The closure entry of a compiled cell (compiled on first use), or None. It is
        specialised to the kinds of `args` and `captures` (the first call's) behind a guard."""
        index = code.index
        if index in self.entries:
            return self.entries[index]
        self.entries[index] = None
        if self.compile(code) is None:
            return None
        native = self.counters[index] != _NEVER
        hints = observed_hints(code, args or [], captures)
        if hints:
            self.ns[f"_GE{index}"] = self._define(code, native, True, None)
        entry = self._traced(code, self._define(code, native, True, hints))
        self.entries[index] = entry
        return entry

    def _traced(self, code: Code, fn: Callable[..., Any]) -> Callable[..., Any]:
        """`fn` itself, or in a run that records calls (lumen/runtime/call_trace.py) `fn`
        wrapped to report them; decided per VM, so untraced code is never wrapped."""
        tracer = getattr(self.vm, "call_tracer", None)
        return fn if tracer is None else tracer.wrap(code.name, fn)

    def _define(self, code: Code, native: bool, entry: bool,
                hints: Kinds | None) -> Callable[..., Any]:
        """Compiles one variant of `code` and records its line table (and, for `F`, its
        source: `lumen run --verbose` and tests read it)."""
        name, source, pcs = compile_source(self, code, native, entry=entry, hints=hints)
        self.line_tables[name] = pcs
        if name.startswith("F"):
            self.sources[code.index] = source
        return self._exec(code, source, name)

    def locate_overflow(self, error: Any, tb: Any) -> None:
        """Give a `stack overflow` that Python's recursion limit raised in generated code the
        position and Lumen stack of the generated frames in the traceback `tb`, mapped to
        cells and lines through their line tables (the VM trims the stack to its limit)."""
        found: list[tuple[int, int]] = []
        while tb is not None:
            f_code = tb.tb_frame.f_code
            table = self.line_tables.get(f_code.co_name) if f_code.co_filename.startswith(
                "<pytier ") else None
            if table is not None:
                index = int(f_code.co_name.lstrip("GEF"))
                found.append((index, table[tb.tb_lineno] if tb.tb_lineno < len(table) else 0))
            tb = tb.tb_next
        positions = []
        for index, pc in reversed(found):
            code = self.codes[index]
            line, column = code.line_at(pc)
            if error.line is None:
                error.file, error.line, error.column = code.file, line, column
            error.lumen_stack.append((code.name, code.file, line))
            positions.append((code.file, line, column))
        error.frame_positions = positions  # innermost first, as the Lumen stack

    def _exec(self, code: Code, source: str, name: str) -> Callable[..., Any]:
        """Runs `source` in the shared namespace and takes the function `name` out of it."""
        exec(compile(source, f"<pytier {code.name}>", "exec"), self.ns)
        return self.ns.pop(name)

    def run_registers(self, code: Code, regs: list[Any]) -> Any:
        fn = self.resolve(code.index)
        return fn(*regs[:code.nparams + code.ncaptures])

    # ---------------------------------------------------------------- namespace bindings

    def _bind(self, prefix: str, key: Any, value: Any) -> str:
        name = self._bound.get((prefix, key))
        if name is None:
            name = f"_{prefix}{len(self._bound)}"
            self._bound[(prefix, key)] = name
            self.ns[name] = value
        return name

    def bind_value(self, value: Any) -> str:
        return self._bind("v", (type(value).__name__, repr(value), id(value)), value)

    def bind_builtin(self, name: str, spec: Any) -> str:
        return self._bind("b" + safe_name(name) + "_", name, spec.fn)

    def bind_builtin_ref(self, name: str) -> str:
        return self._bind("ref", name, BuiltinRef(name))

    def bind_code(self, index: int) -> str:
        return self._bind("code", index, self.codes[index])
