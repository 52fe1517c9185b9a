"""msgpack round trip of LIR modules, guarded by `FORMAT_VERSION`.

`to_data`/`from_data` give the same module as plain Python data (lists, tuples, ints, ...):
msgpack's format is `dumps`/`loads` of that data; the compile cache stores the data with
`marshal` instead, which needs no msgpack import on a cache hit.
"""

from __future__ import annotations

from collections.abc import Callable

from lumen.lir.module import (
    FORMAT_VERSION,
    EnumInfo,
    Function,
    Instr,
    Module,
    ParamInfo,
    RecordInfo,
    ToolInfo,
    VariantInfo,
)
from lumen.lir.opcodes import Op

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_BIGINT = 1  # msgpack ext code: an Int outside 64 bits, as decimal text
_TUPLE = 2  # a tuple constant (kept distinct from lists)


class LIRFormatError(Exception):
    """The bytes are not an LIR module of this compiler's format version."""


def _default(value: Any) -> Any:
    import msgpack

    if isinstance(value, int):
        return msgpack.ExtType(_BIGINT, str(value).encode())
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _ext_hook(code: int, data: bytes) -> Any:
    import msgpack

    if code == _BIGINT:
        return int(data.decode())
    if code == _TUPLE:
        return tuple(msgpack.unpackb(data, ext_hook=_ext_hook, raw=False, use_list=False,
                                     strict_map_key=False))
    return msgpack.ExtType(code, data)


def _constant(value: Any) -> Any:
    import msgpack

    if isinstance(value, tuple):
        return msgpack.ExtType(_TUPLE, msgpack.packb([_constant(v) for v in value],
                                                     default=_default,
                                                     use_bin_type=True))
    return value


def _same(value: Any) -> Any:
    return value


def _function(f: Function, constant: Callable[[Any], Any]) -> list[Any]:
    code = [x for instr in f.code for x in (int(instr.op), instr.a, instr.b, instr.c)]
    return [f.name, [[p.name, p.has_default, p.variadic, p.type] for p in f.params], f.nregs, code,
            [constant(k) for k in f.constants], [list(pos) for pos in f.lines],
            list(f.captures), f.is_generator, f.is_lambda, f.variadic, f.display_name, f.file,
            f.return_type]


def _unfunction(data: list[Any]) -> Function:
    (name, params, nregs, code, constants, lines, captures, is_generator, is_lambda,
     variadic, display_name, file, return_type) = data
    instrs = tuple(Instr(Op(code[i]), code[i + 1], code[i + 2], code[i + 3])
                   for i in range(0, len(code), 4))
    return Function(name, tuple(ParamInfo(*p) for p in params), nregs, instrs,
                    tuple(constants), tuple(tuple(pos) for pos in lines), tuple(captures),
                    is_generator, is_lambda, variadic, display_name, file, return_type)


def to_data(module: Module, constant: Callable[[Any], Any] = _same) -> list[Any]:
    """The module as plain data (`constant` maps each constant, e.g. for msgpack)."""
    return [
        "LIR", module.format_version, module.file,
        [_function(f, constant) for f in module.functions],
        [[r.name, list(r.fields), list(r.defaults), list(r.constraints), r.constructor]
         for r in module.records],
        [[e.name, [[v.name, None if v.fields is None else list(v.fields)]
                   for v in e.variants]] for e in module.enums],
        dict(module.entry_points),
        module.deterministic,
        [[t.alias, t.tool_id, t.version, t.mcp_uri, t.policy] for t in module.tools.values()],
    ]


def dumps(module: Module) -> bytes:
    import msgpack

    return msgpack.packb(to_data(module, _constant), default=_default, use_bin_type=True)


def loads(data: bytes) -> Module:
    import msgpack

    try:
        payload = msgpack.unpackb(data, ext_hook=_ext_hook, raw=False, use_list=True,
                                  strict_map_key=False)
    except Exception as exc:  # msgpack raises several unrelated types
        raise LIRFormatError(f"not an LIR module: {exc}") from exc
    return from_data(payload)


def from_data(payload: Any) -> Module:
    """The module `to_data` gave; `LIRFormatError` for anything else."""
    if not isinstance(payload, list) or len(payload) != 9 or payload[0] != "LIR":
        raise LIRFormatError("not an LIR module")
    version = payload[1]
    if version != FORMAT_VERSION:
        raise LIRFormatError(
            f"LIR format version {version} is not supported (this compiler reads version "
            f"{FORMAT_VERSION}); recompile the program")
    _, _, file, functions, records, enums, entry_points, deterministic, tools = payload
    return Module(
        version, file, tuple(_unfunction(f) for f in functions),
        tuple(RecordInfo(n, tuple(fs), tuple(ds), tuple(cs), ctor)
              for n, fs, ds, cs, ctor in records),
        tuple(EnumInfo(n, tuple(VariantInfo(vn, None if vf is None else tuple(vf))
                                for vn, vf in vs)) for n, vs in enums),
        dict(entry_points),
        bool(deterministic),
        {alias: ToolInfo(alias, tool_id, version, uri, dict(policy))
         for alias, tool_id, version, uri, policy in tools},
    )
