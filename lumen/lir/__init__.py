"""LIR: the register instruction set (`opcodes`), module data (`module`), lowering from
the AST (`lower.lower_program`), msgpack serialisation (`serialize`) and `disasm`."""

from lumen.lir.module import FORMAT_VERSION, Function, Instr, Module
from lumen.lir.opcodes import OP_INFO, Op, OpInfo

__all__ = ["FORMAT_VERSION", "Function", "Instr", "Module", "OP_INFO", "Op", "OpInfo"]
