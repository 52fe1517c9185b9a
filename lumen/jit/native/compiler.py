"""LLVM IR text -> machine code (the only module that imports `llvmlite.binding`).

`Compiler` owns one target machine and one MCJIT engine per VM; every unit is added to
that engine. `object_code` gives the same unit as an ELF object for the on-disk cache.
"""

from __future__ import annotations

from collections.abc import Callable

import llvmlite.binding as llvm

_initialised = False


def _initialise() -> None:
    global _initialised
    if not _initialised:
        llvm.initialize_native_target()
        llvm.initialize_native_asmprinter()
        _initialised = True


class Compiler:
    def __init__(self, opt_level: int = 3) -> None:
        _initialise()
        target = llvm.Target.from_default_triple()
        self.target_machine = target.create_target_machine(
            cpu=llvm.get_host_cpu_name(), features=llvm.get_host_cpu_features().flatten(),
            opt=opt_level, reloc="pic", codemodel="default")
        self.opt_level = opt_level
        self.engine = llvm.create_mcjit_compiler(llvm.parse_assembly(""), self.target_machine)

    def optimised(self, ir_text: str) -> llvm.ModuleRef:
        module = llvm.parse_assembly(ir_text)
        module.triple = self.target_machine.triple
        module.data_layout = str(self.target_machine.target_data)
        module.verify()
        tuning = llvm.create_pipeline_tuning_options(speed_level=self.opt_level)
        builder = llvm.create_pass_builder(self.target_machine, tuning)
        builder.getModulePassManager().run(module, builder)
        return module

    def load(self, module: llvm.ModuleRef) -> Callable[[str], int]:
        """Add `module` to the engine; the address of each exported symbol."""
        self.engine.add_module(module)
        self.engine.finalize_object()
        return self.engine.get_function_address

    def object_code(self, module: llvm.ModuleRef) -> bytes:
        return bytes(self.target_machine.emit_object(module))

    @staticmethod
    def identity() -> str:
        """What the machine code depends on besides the IR (cache keys)."""
        _initialise()
        return "|".join((llvm.get_process_triple(), llvm.get_host_cpu_name(),
                         llvm.get_host_cpu_features().flatten(),
                         ".".join(map(str, llvm.llvm_version_info))))
