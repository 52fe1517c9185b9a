"""The instruction table, msgpack round trip over lowered corpus programs, disassembly."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lumen.lir import serialize
from lumen.lir.disasm import disassemble
from lumen.lir.lower import lower_program
from lumen.lir.module import FORMAT_VERSION, Module
from lumen.lir.opcodes import OP_INFO, Op

CORPUS = Path("/work/shared/conformance/cases")
CASES = sorted(CORPUS.rglob("*.lm")) if CORPUS.exists() else []


@cache
def lowered(path: Path) -> Module | None:
    from lumen.syntax.parser import parse

    result = parse(path.read_text(encoding="utf-8"), str(path))
    if any(str(getattr(d.severity, "value", "")) == "error" for d in result.diagnostics):
        return None
    return lower_program(result.program, file=str(path))


def test_every_opcode_has_one_row_with_a_valid_format() -> None:
    assert set(OP_INFO) == set(Op)
    for info in OP_INFO.values():
        assert len(info.format) == 3 and set(info.format) <= set("RKJFI-")
        assert info.semantics


@pytest.mark.skipif(not CASES, reason="conformance corpus not available")
@settings(max_examples=60, deadline=None)
@given(st.sampled_from(CASES))
def test_round_trip_of_lowered_corpus_programs(path: Path) -> None:
    module = lowered(path)
    if module is None:
        return
    assert serialize.loads(serialize.dumps(module)) == module


def test_round_trip_keeps_constant_types() -> None:
    from lumen.syntax import ast

    main = ast.CellDecl("main", (), ast.Block((ast.Return(ast.ListLit((
        ast.IntLit(1), ast.FloatLit(1.0), ast.BoolLit(True), ast.IntLit(2**80),
        ast.BytesLit(b"\x01"), ast.StringLit("s"))),),)))
    module = lower_program(ast.Program((main,)))
    back = serialize.loads(serialize.dumps(module))
    assert back == module
    assert [type(k) for k in back.functions[0].constants] == \
        [type(k) for k in module.functions[0].constants]


def test_format_version_mismatch_is_a_clear_error() -> None:
    from lumen.syntax import ast

    module = lower_program(ast.Program(()))
    data = serialize.dumps(Module(FORMAT_VERSION + 1, module.file, module.functions))
    with pytest.raises(serialize.LIRFormatError, match="format version"):
        serialize.loads(data)
    with pytest.raises(serialize.LIRFormatError):
        serialize.loads(b"garbage")


@pytest.mark.skipif(not CASES, reason="conformance corpus not available")
def test_disassembly_names_every_function() -> None:
    module = lowered(CORPUS / "functions" / "trailing_block_lambda.lm")
    assert module is not None
    text = disassemble(module)
    for function in module.functions:
        assert function.name in text
    assert "CALLCELL" in text and "CLOSURE" in text
