"""LIR module data: frozen, msgpack-serialisable descriptions of lowered programs.

A `Module` holds every function (cells, `Type.method` cells, record constructors, lambdas,
the synthetic `main`) in one tuple; instructions name functions by index. Constants are
immutable Lumen values (null, Bool, Int, Float, String, Bytes) or tuples of them (used for
call shapes and variant descriptors).
"""

from __future__ import annotations

from lumen.lir.opcodes import Op
from lumen.pregenerated import pregenerated_classes

TYPE_CHECKING = False
if TYPE_CHECKING:  # no `typing` at run time: every run imports this module
    from typing import Any, TypeVar, dataclass_transform

    _Record = TypeVar("_Record", bound=type)
else:

    def dataclass_transform(**_options: object) -> object:
        return lambda function: function

# Every run makes these classes: `python3 -m lumen.lir.lirgen` writes them out as plain code
# (`_module_generated.py`, used only while it matches this file; see lumen/pregenerated.py).
# LUMEN_LIR_DATACLASSES=1 makes the declarations below into dataclasses as usual.
_PREGENERATED = pregenerated_classes(__file__, "lumen.lir._module_generated",
                                     "LUMEN_LIR_DATACLASSES")
if _PREGENERATED is None or TYPE_CHECKING:
    from dataclasses import dataclass, field
else:  # each class below is replaced by its twin: a run needs no `dataclasses` import

    def field(**options: Any) -> Any:
        return None


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def lir_record(cls: _Record) -> _Record:
    """`@dataclass(frozen=True, slots=True)`, or its pre-generated twin (see above)."""
    if _PREGENERATED is None:
        return dataclass(frozen=True, slots=True)(cls)
    return _PREGENERATED[cls.__name__]  # type: ignore[return-value]

FORMAT_VERSION = 6  # 2: @deterministic flag; 3: functions their file; 4: declared types;
# 5: tools (Module.tools) and TOOLCALL; 6: TOOLCALL carries an output schema

Constant = object  # None | bool | int | float | str | bytes | tuple[Constant, ...]


@lir_record
class Instr:
    """One instruction: an opcode and up to three operands (see `opcodes.OP_INFO`)."""

    op: Op
    a: int = 0
    b: int = 0
    c: int = 0


@lir_record
class ParamInfo:
    """A parameter. `has_default`: the callee's prologue computes the default when the
    argument is absent (the register then holds the missing-argument marker)."""

    name: str
    has_default: bool = False
    variadic: bool = False
    type: str = ""  # the declared type as written (`Int`, `list[Float]`), "" when not given


@lir_record
class Function:
    """One unit of code.

    Register layout: parameters in `R[0..len(params)-1]`, then captured values (lambdas) in
    the order of `captures`, then locals and temporaries up to `nregs`.
    """

    name: str
    params: tuple[ParamInfo, ...]
    nregs: int
    code: tuple[Instr, ...]
    constants: tuple[Constant, ...]
    lines: tuple[tuple[int, int], ...]  # (line, column) per pc
    captures: tuple[str, ...] = ()
    is_generator: bool = False
    is_lambda: bool = False
    variadic: bool = False
    display_name: str = ""  # name shown in `<closure:NAME>` and stack traces
    file: str = ""  # the source file, when not the module's (a cell of an imported module)
    # Declared return type as written ("" when not given). With ParamInfo.type these are
    # hints for the faster tiers (lumen/jit), which still guard what they rely on.
    return_type: str = ""

    @property
    def shown_name(self) -> str:
        return self.display_name or self.name


@lir_record
class RecordInfo:
    """A record type: its fields and the function that constructs it."""

    name: str
    fields: tuple[str, ...]
    defaults: tuple[bool, ...]  # per field: has a default expression
    constraints: tuple[bool, ...]  # per field: has a `where` constraint
    constructor: int  # function index of the constructor cell


@lir_record
class VariantInfo:
    """One variant of an enum."""

    name: str
    fields: tuple[str, ...] | None  # None: no payload; names "" when positional


@lir_record
class EnumInfo:
    """An enum type and its variants."""

    name: str
    variants: tuple[VariantInfo, ...]


@lir_record
class ToolInfo:
    """A `use tool ID[@VERSION] as ALIAS` declaration with the runtime policy of its alias:
    every grant for the alias merged in source order, later keys overriding (§12.3).
    Policy values are JSON values (str, int, float, bool, None, lists of them)."""

    alias: str
    tool_id: str
    version: str | None = None
    mcp_uri: str | None = None
    policy: dict[str, object] = field(default_factory=dict)


@lir_record
class Module:
    """A lowered program: every function, the types it declares and its tools."""

    format_version: int
    file: str
    functions: tuple[Function, ...]
    records: tuple[RecordInfo, ...] = ()
    enums: tuple[EnumInfo, ...] = ()
    # Every named cell (including `Type.method` cells and `main`) -> function index.
    entry_points: dict[str, int] = field(default_factory=dict)
    # `@deterministic true` (§11.4): futures are scheduled deferred-FIFO (§14.3).
    deterministic: bool = False
    # Tool aliases (§12.1) -> their declaration and merged grant policy.
    tools: dict[str, ToolInfo] = field(default_factory=dict)

    def function_named(self, name: str) -> Function | None:
        index = self.entry_points.get(name)
        return None if index is None else self.functions[index]
