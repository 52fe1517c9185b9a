"""`NativeTier`: the VM's side of the native tier (see the package docstring)."""

from __future__ import annotations

from collections.abc import Callable

from lumen.jit import NO
from lumen.jit.native.types import (
    CONFLICT,
    INT_MAX,
    INT_MIN,
    UNSET,
    Inference,
    Refused,
    Spec,
    is_fn,
    static_reason,
    value_type,
)
from lumen.lir.opcodes import Op
from lumen.vm.values import Closure

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

MAX_OSR_VARIANTS = 3  # different register types seen at one loop header
SILENT = 1 << 62  # a counter value that never runs out


class NativeTier:
    def __init__(self, vm: Any, threshold: int) -> None:
        self.vm = vm
        self.threshold = threshold
        self._candidates: dict[int, bool] = {}
        self._inference: Inference | None = None
        self._backend: Any = None  # lumen.jit.native.backend.Backend, made on first use
        self._refused: set[int] = set()
        self._compiled: dict[int, Callable[..., Any]] = {}
        self._osr_units: dict[tuple[int, int, tuple[str, ...]], Any] = {}
        self._osr_tries: dict[tuple[int, int], int] = {}
        self._entry_spec: Spec | None = None  # the entry cell, compilable but not cached
        # The cached unit that ran the whole entry cell, as plain data: `lumen run`'s fast
        # path (lumen/cli/fast_run.py) records it so that the next run can call it directly.
        self.whole_entry: dict[str, Any] | None = None
        # The VM may make the Python tier first, which then counts down from "never":
        # arm its counters with our threshold (it disarms cells it compiles without hooks).
        pytier = getattr(vm, "pytier", None)
        counters = getattr(pytier, "counters", None)
        if isinstance(counters, list):
            counters[:] = [threshold] * len(counters)
        namespace = getattr(pytier, "ns", None)
        if isinstance(namespace, dict) and namespace.get("_HOT") is None:
            namespace["_HOT"], namespace["_OSR"] = self.hot, self.osr

    # ------------------------------------------------------------------ static check

    def candidate(self, code: Any) -> bool:
        """Cheap static check: supported ops and numeric/list parameter hints."""
        known = self._candidates.get(code.index)
        if known is None:
            known = static_reason(code.function) is None and not (
                self.threshold > 0 and _is_leaf(code.function))
            self._candidates[code.index] = known
        return known

    # ------------------------------------------------------------------ entry points

    def hot(self, index: int, args: tuple[Any, ...]) -> object:
        if index in self._refused or index in self._compiled:
            self._silence(index)
            return NO
        code = self.vm.codes[index]
        types = tuple(value_type(v) for v in args)
        if None in types:
            return self._refuse(index, f"{code.name}: an argument is not Int/Float/Bool, "
                                       "a list of them or a closure over them")
        try:
            spec = self.inference.function(index, types)  # type: ignore[arg-type]
            unit = self.backend.unit(spec)
        except Refused as why:
            return self._refuse(index, str(why))
        except Exception as exc:  # noqa: BLE001 - a compiler bug must not stop the program
            return self._refuse(index, f"internal: {type(exc).__name__}: {exc}")
        self._compiled[index] = self._install(index, unit, spec)
        self._report(f"jit: compiled {code.name} ({', '.join(spec.args)}) -> "
                     f"{spec.returns} after {self.threshold} calls and loop iterations")
        self._remember_entry()
        self._silence(index)
        return unit.run(args, len(self.vm.frames) + 1)

    def entry(self, index: int, args: tuple[Any, ...]) -> Callable[[], Any] | None:
        """The program's entry cell, about to run: a thunk that runs it natively when a unit
        for the whole cell is in the native code cache (an earlier run of the program
        compiled something, see `_remember_entry`), so the run keeps its data in native
        memory from the start; else None and the cell runs as usual (no compilation here:
        short programs must not pay for llvmlite)."""
        types = tuple(value_type(v) for v in args)
        if None in types or static_reason(self.vm.codes[index].function) is not None:
            return None
        try:
            spec = self.inference.function(index, types)  # type: ignore[arg-type]
            unit = self.backend.cached_unit(spec)
        except Refused:
            return None
        except Exception:  # noqa: BLE001 - a compiler bug must not stop the program
            return None
        if unit is None:
            self._entry_spec = spec
            return None
        self._compiled[index] = self._install(index, unit, spec)
        self._report(f"jit: compiled {self.vm.codes[index].name} ({', '.join(spec.args)}) -> "
                     f"{spec.returns} from its start (an earlier run of the program got hot)")
        self._silence(index)
        depth = len(self.vm.frames) + 1
        if unit.library_key is not None and not args:
            self.whole_entry = {"key": unit.library_key, "tag": unit.tag,
                                "returns": spec.returns, "max_depth": int(self.vm.max_depth),
                                "depth_left": int(self.vm.max_depth) - depth}
        return lambda: unit.run(args, depth)

    def _remember_entry(self) -> None:
        """Something got hot: compile the entry cell as a whole too, into the native code
        cache only, for the next run (see `entry`). When this run's units all came from the
        cache, llvmlite is loaded for it all the same, once per program: the cache no longer
        holds the entry cell (an evicted library) and otherwise never would again."""
        if self._entry_spec is None or self._backend is None:
            return
        if not self._backend.compiler_loaded:
            from lumen.jit.native import cache

            if not cache.can_store():  # it would be compiled again at every run
                return
        spec, self._entry_spec = self._entry_spec, None
        if spec is not None:
            try:
                self.backend.prepare(spec)
            except Exception:  # noqa: BLE001, S110 - an optimisation for later runs only
                pass

    def osr(self, index: int, pc: int, regs: tuple[Any, ...]) -> object:
        if index in self._refused:
            self._silence(index)
            return NO
        types = tuple(UNSET if v is None else (value_type(v) or CONFLICT) for v in regs)
        key = (index, pc, types)
        unit = self._osr_units.get(key)
        if unit is None:
            tries = self._osr_tries.get((index, pc), 0)
            if tries >= MAX_OSR_VARIANTS:
                return self._refuse(index, f"{self.vm.codes[index].name}: register types "
                                           f"keep changing at pc {pc}")
            self._osr_tries[(index, pc)] = tries + 1
            try:
                spec = self.inference.osr(index, pc, types)
                unit = self.backend.unit(spec)
            except Refused as why:
                return self._refuse(index, str(why))
            except Exception as exc:  # noqa: BLE001 - a compiler bug must not stop the program
                return self._refuse(index, f"internal: {type(exc).__name__}: {exc}")
            self._osr_units[key] = unit
            self._report(f"jit: compiled {self.vm.codes[index].name} at its loop (pc {pc}) "
                         f"-> {spec.returns}")
            self._remember_entry()
        return unit.run(regs, len(self.vm.frames) + 1)

    # ------------------------------------------------------------------ helpers

    @property
    def inference(self) -> Inference:
        if self._inference is None:
            self._inference = Inference(self.vm.module.functions)
        return self._inference

    @property
    def backend(self) -> Any:
        if self._backend is None:
            from lumen.jit.native.backend import Backend

            self._backend = Backend(self.vm, self.inference)
        return self._backend

    def _install(self, index: int, unit: Any, spec: Spec) -> Callable[..., Any]:
        """Route later calls of function `index` to native code behind a type guard."""
        pytier = getattr(self.vm, "pytier", None)
        fallback = pytier.callable_for(index) if pytier is not None else None
        wrapper = make_wrapper(unit, spec.args, fallback, self.vm)
        if pytier is not None:
            pytier.install(index, wrapper)
        return wrapper

    def _refuse(self, index: int, reason: str) -> object:
        self._refused.add(index)
        self._report(f"jit: {self.vm.codes[index].name} not compiled: {reason}")
        self._silence(index)
        self._candidates[index] = False
        return NO

    def _report(self, line: str) -> None:
        report = getattr(self.vm, "jit_report", None)
        if report is not None:
            report.append(line)

    def _silence(self, index: int) -> None:
        """Stop the Python tier's counters for `index` from asking again."""
        pytier = getattr(self.vm, "pytier", None)
        counters = getattr(pytier, "counters", None)
        if counters is None:
            namespace = getattr(pytier, "namespace", None)
            counters = namespace.get("_K") if isinstance(namespace, dict) else None
        if counters is not None and 0 <= index < len(counters):
            counters[index] = SILENT


def _is_leaf(function: Any) -> bool:
    """No loop and no call of another cell: too little work per call to repay the cost of
    entering native code from Python (measured: ctypes entry ~1 us vs a Python call ~0.1 us).
    A threshold of 0 still compiles such cells (it means "compile whatever you can")."""
    for pc, instr in enumerate(function.code):
        if instr.op in (Op.CALLCELL, Op.FORNEXT):
            return False
        if instr.op == Op.JMP and instr.a <= pc:
            return False
    return True


def make_wrapper(unit: Any, arg_types: tuple[str, ...], fallback: Callable[..., Any] | None,
                 vm: Any) -> Callable[..., Any]:
    """`f(*args)`: native when the arguments have the compiled types, else `fallback`."""
    params = [f"a{k}" for k in range(len(arg_types))]
    tests = []
    for name, t in zip(params, arg_types):
        if t == "Int":
            tests.append(f"type({name}) is int and {INT_MIN} <= {name} <= {INT_MAX}")
        elif t == "Float":
            tests.append(f"type({name}) is float")
        elif t == "Bool":
            tests.append(f"type({name}) is bool")
        elif is_fn(t):
            tests.append(f"type({name}) is Closure and value_type({name}) == {t!r}")
        else:
            tests.append(f"type({name}) is list and value_type({name}) == {t!r}")
    signature = ", ".join(params)
    source = (f"def native_cell({signature}):\n"
              f"    if {' and '.join(tests) or 'True'}:\n"
              f"        return run(({signature}{',' if params else ''}), len(frames) + 1)\n"
              f"    return fallback({signature})\n")
    namespace: dict[str, Any] = {"run": unit.run, "frames": vm.frames, "fallback": fallback,
                                 "value_type": value_type, "Closure": Closure}
    exec(compile(source, "<native wrapper>", "exec"), namespace)  # noqa: S102
    return namespace["native_cell"]  # type: ignore[no-any-return]
