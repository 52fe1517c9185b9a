"""Turns an inferred specialisation into a loaded `runtime.Unit`: from the native code
cache when possible (no llvmlite import), else compiled with llvmlite (and cached)."""

from __future__ import annotations

from lumen.cache import digest_of
from lumen.jit.native import cache
from lumen.jit.native.runtime import Shared, Unit
from lumen.jit.native.types import Inference, Spec

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

CODEGEN_VERSION = "10"


class Backend:
    def __init__(self, vm: Any, inference: Inference) -> None:
        self.vm = vm
        self.inference = inference
        self.shared = Shared(vm)
        self._compiler: Any = None

    @property
    def compiler_loaded(self) -> bool:
        """Whether this run has imported llvmlite (compiled a unit)."""
        return self._compiler is not None

    @property
    def compiler(self) -> Any:
        if self._compiler is None:
            from lumen.jit.native.compiler import Compiler

            self._compiler = Compiler()
        return self._compiler

    def reachable(self, root: Spec) -> list[Spec]:
        specs = self.inference.specs
        order, todo, seen = [], [root], set()
        while todo:
            spec = todo.pop()
            if spec.key in seen:
                continue
            seen.add(spec.key)
            order.append(spec)
            todo.extend(specs[key] for key in sorted(spec.callees))
        return order

    def key(self, root: Spec) -> str:
        """Content hash of everything the unit's machine code depends on but the machine."""
        parts = [CODEGEN_VERSION, repr(root.key)]
        for spec in self.reachable(root):
            fn = self.vm.module.functions[spec.index]
            parts.append(repr((spec.key, fn.name, fn.nregs, fn.code, fn.constants,
                               fn.params, fn.return_type)))
        return digest_of("\n".join(parts).encode())

    def cached_unit(self, root: Spec) -> Unit | None:
        """The unit for `root` from the native code cache, or None (never compiles)."""
        key = self.key(root)
        tag = key[:20]
        library = cache.load(key, tag)
        if library is None:
            return None
        unit = self._unit(library, tag, root)
        unit.library_key = key
        return unit

    def unit(self, root: Spec) -> Unit:
        unit = self._compiled(root, load=True)
        assert unit is not None
        return unit

    def prepare(self, root: Spec) -> None:
        """Compile `root` into the native code cache for a later run, without loading it."""
        self._compiled(root, load=False)

    def _compiled(self, root: Spec, load: bool) -> Unit | None:
        key = self.key(root)
        tag = key[:20]
        if not load and (cache.folder() is None or cache.find(key) is not None):
            return None  # nowhere to keep it, or already kept
        library = cache.load(key, tag) if load else None
        if library is not None:
            return self._unit(library, tag, root)
        from lumen.jit.native.codegen import build_unit

        ir_text, _entry = build_unit(self.vm.module.functions, tag, root,
                                     self.inference.specs)
        module = self.compiler.optimised(ir_text)
        # Machine code is generated once, as an object file: linked into the cache and
        # loaded from there like any cached unit (MCJIT only when it cannot be stored).
        stored = cache.folder() is not None and cache.store(
            key, tag, self.compiler.object_code(module))
        if not load:
            return None
        library = cache.load(key, tag) if stored else None
        if library is not None:
            return self._unit(library, tag, root)
        symbols = self.compiler.load(module)
        return Unit(self.shared, symbols, tag, root.args, root.returns, self.compiler,
                    osr=root.osr_pc >= 0)

    def _unit(self, library: Any, tag: str, root: Spec) -> Unit:
        def symbol(name: str) -> int:
            import ctypes

            return ctypes.cast(getattr(library, name), ctypes.c_void_p).value or 0

        return Unit(self.shared, symbol, tag, root.args, root.returns, library,
                    osr=root.osr_pc >= 0)
