"""Shared helper for VM tests: source text -> parse -> lower -> run, capturing output."""

from __future__ import annotations

import contextlib
import io
import textwrap
from typing import Any

from lumen.lir.lower import lower_program
from lumen.vm.interpreter import VM
from lumen.vm.options import VMOptions


def compile_source(source: str, file: str = "test.lm"):  # noqa: ANN201
    from lumen.syntax.parser import parse

    result = parse(textwrap.dedent(source), file)
    errors = [d for d in result.diagnostics if str(getattr(d.severity, "value", "")) == "error"]
    assert not errors, errors
    return lower_program(result.program, file=file)


def run_source(source: str, entry: str = "main", **options: Any) -> tuple[Any, str]:
    module = compile_source(source)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        value = VM(module, VMOptions(**options)).run(entry)
    return value, out.getvalue()
