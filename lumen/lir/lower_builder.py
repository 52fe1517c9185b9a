"""Code emission for one function: registers, constants, labels and the line table."""

from __future__ import annotations

from dataclasses import dataclass, field

from lumen.lir.module import Constant, Function, Instr, ParamInfo
from lumen.lir.opcodes import JUMP_OPERANDS, Op


class Label:
    """A jump target; its pc is fixed by `FunctionBuilder.place`."""

    __slots__ = ("pc",)

    def __init__(self) -> None:
        self.pc: int | None = None


Operand = int | Label


@dataclass(slots=True)
class LoopContext:
    label: str | None
    break_label: Label
    continue_label: Label
    value_reg: int | None  # where `break value` stores its value (loops used as values)


@dataclass(slots=True)
class FunctionBuilder:
    name: str
    params: tuple[ParamInfo, ...] = ()
    captures: tuple[str, ...] = ()
    is_lambda: bool = False
    is_generator: bool = False
    display_name: str = ""
    return_type: str = ""
    code: list[list[object]] = field(default_factory=list)
    lines: list[tuple[int, int]] = field(default_factory=list)
    constants: list[Constant] = field(default_factory=list)
    _constant_index: dict[tuple[type, object], int] = field(default_factory=dict)
    locals: dict[str, int] = field(default_factory=dict)
    scopes: list[dict[str, int]] = field(default_factory=list)  # comprehension scopes
    next_reg: int = 0
    max_reg: int = 0
    loops: list[LoopContext] = field(default_factory=list)
    generator_reg: int | None = None
    position: tuple[int, int] = (0, 0)

    # ---------------------------------------------------------------- registers

    def declare_local(self, name: str) -> int:
        """The register of local `name` (allocated on first use; call before temps)."""
        reg = self.locals.get(name)
        if reg is None:
            reg = self.alloc()
            self.locals[name] = reg
        return reg

    def lookup(self, name: str) -> int | None:
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        return self.locals.get(name)

    def alloc(self, count: int = 1) -> int:
        reg = self.next_reg
        self.next_reg += count
        if self.next_reg > self.max_reg:
            self.max_reg = self.next_reg
        return reg

    def mark(self) -> int:
        return self.next_reg

    def release(self, mark: int) -> None:
        self.next_reg = mark

    # ---------------------------------------------------------------- constants

    def const(self, value: Constant) -> int:
        # Keyed by type as well, so that 1, 1.0 and true stay distinct constants.
        key = (type(value), value if not isinstance(value, float) else repr(value))
        index = self._constant_index.get(key)
        if index is None:
            index = len(self.constants)
            self.constants.append(value)
            self._constant_index[key] = index
        return index

    # ---------------------------------------------------------------- emission

    def emit(self, op: Op, a: Operand = 0, b: Operand = 0, c: Operand = 0) -> int:
        self.code.append([op, a, b, c])
        self.lines.append(self.position)
        return len(self.code) - 1

    def place(self, label: Label) -> None:
        label.pc = len(self.code)

    def pc(self) -> int:
        return len(self.code)

    def load_const(self, dest: int, value: Constant) -> None:
        if value is None:
            self.emit(Op.LOADNULL, dest)
        elif isinstance(value, bool):
            self.emit(Op.LOADBOOL, dest, int(value))
        elif type(value) is int and -(1 << 31) <= value < (1 << 31):
            self.emit(Op.LOADI, dest, value)
        else:
            self.emit(Op.LOADK, dest, self.const(value))

    def move(self, dest: int, src: int) -> None:
        if dest != src:
            self.emit(Op.MOVE, dest, src)

    # ---------------------------------------------------------------- result

    def finish(self) -> Function:
        resolved: list[Instr] = []
        for op, a, b, c in self.code:
            operands = [a, b, c]
            where = JUMP_OPERANDS.get(op)  # type: ignore[arg-type]
            if where is not None:
                target = operands[where]
                if isinstance(target, Label):
                    assert target.pc is not None, f"unplaced label in {self.name}"
                    operands[where] = target.pc
            resolved.append(Instr(op, *operands))  # type: ignore[arg-type]
        return Function(
            name=self.name,
            params=self.params,
            nregs=max(self.max_reg, 1),
            code=tuple(resolved),
            constants=tuple(self.constants),
            lines=tuple(self.lines),
            captures=self.captures,
            is_generator=self.is_generator,
            is_lambda=self.is_lambda,
            variadic=any(p.variadic for p in self.params),
            display_name=self.display_name,
            return_type=self.return_type,
        )
