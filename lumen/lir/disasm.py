"""Readable listing of an LIR module (`lumen emit --lir`)."""

from __future__ import annotations

from lumen.lir.module import Function, Module
from lumen.lir.opcodes import OP_INFO


def _operand(kind: str, value: int, function: Function) -> str:
    if kind == "R":
        return f"r{value}"
    if kind == "K":
        shown = repr(function.constants[value]) if 0 <= value < len(function.constants) \
            else "?"
        return f"k{value}({shown})"
    if kind == "J":
        return f"->{value}"
    if kind == "F":
        return f"f{value}"
    if kind == "I":
        return str(value)
    return ""


def disassemble_function(function: Function, index: int | None = None) -> str:
    params = ", ".join(("..." if p.variadic else "") + p.name + ("=?" if p.has_default else "")
                       for p in function.params)
    flags = [flag for flag, on in (("generator", function.is_generator),
                                   ("lambda", function.is_lambda)) if on]
    header = f"function {'f' + str(index) + ' ' if index is not None else ''}" \
             f"{function.name}({params}) regs={function.nregs}"
    if function.captures:
        header += f" captures=({', '.join(function.captures)})"
    if flags:
        header += f" [{', '.join(flags)}]"
    lines = [header]
    last_line = None
    for pc, instr in enumerate(function.code):
        info = OP_INFO[instr.op]
        operands = [_operand(kind, value, function)
                    for kind, value in zip(info.format, (instr.a, instr.b, instr.c))
                    if kind != "-"]
        line = function.lines[pc][0] if pc < len(function.lines) else 0
        marker = f"; line {line}" if line != last_line else ""
        last_line = line
        lines.append(f"  {pc:4d}  {instr.op.name:<12} {' '.join(operands):<40} {marker}"
                     .rstrip())
    return "\n".join(lines)


def disassemble(module: Module) -> str:
    parts = [f"; LIR module {module.file!r} (format {module.format_version})"]
    for record in module.records:
        parts.append(f"; record {record.name}({', '.join(record.fields)}) "
                     f"constructor f{record.constructor}")
    for enum in module.enums:
        parts.append(f"; enum {enum.name}: {', '.join(v.name for v in enum.variants)}")
    for tool in module.tools.values():
        version = f"@{tool.version}" if tool.version else ""
        parts.append(f"; tool {tool.alias} = {tool.tool_id}{version} policy {tool.policy!r}")
    for index, function in enumerate(module.functions):
        parts.append("")
        parts.append(disassemble_function(function, index))
    return "\n".join(parts) + "\n"
