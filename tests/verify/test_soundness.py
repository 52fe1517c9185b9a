"""Soundness against execution: random programs are verified and then run, and every call
the verifier reports as never satisfying its precondition (E0800) must indeed fail it each
time the run reaches it. The callee prints its site number and the precondition's value, so
the run shows the truth at every call."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lumen.driver import RunOptions, compile_source, run_compilation
from lumen.source import load_source
from lumen.verify import verify

VARIABLES = ("a", "b", "c")
small = st.integers(-12, 12)


@st.composite
def values(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["lit", "var", "plus", "minus", "twice", "unfold", "abs", "min"]))
    if kind == "lit":
        return str(draw(small))
    name = draw(st.sampled_from(VARIABLES))
    if kind == "var":
        return name
    if kind == "unfold":  # an expression-bodied cell, unfolded by the verifier
        return f"shift({name}, {draw(small)})"
    if kind == "abs":
        return f"abs({name} - {draw(small)})"
    if kind == "min":
        return f"min({name}, {draw(small)})"
    if kind == "twice":
        return f"{name} * 2"
    return f"{name} {'+' if kind == 'plus' else '-'} {draw(st.integers(0, 12))}"


@st.composite
def conditions(draw: st.DrawFn, subject: str | None = None) -> str:
    left = subject or draw(st.sampled_from(VARIABLES))
    op = draw(st.sampled_from(["<", "<=", ">", ">=", "==", "!="]))
    right = str(draw(small)) if subject else draw(values())  # a precondition sees only `n`
    first = f"{left} {op} {right}"
    if draw(st.booleans()):
        return first
    glue = draw(st.sampled_from(["and", "or"]))
    second = f"{subject or draw(st.sampled_from(VARIABLES))} {draw(st.sampled_from(['<', '>=']))} {draw(small)}"
    return f"{first} {glue} {second}"


class Sites:
    def __init__(self) -> None:
        self.count = 0

    def next(self) -> int:
        self.count += 1
        return self.count


def statements(draw: st.DrawFn, sites: Sites, depth: int, indent: str, in_loop: bool = False) -> list[str]:
    lines: list[str] = []
    nested = ["call", "call", "assign", "if", "loop", "while", "match", "when", "exit"]
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(nested + (["break"] if in_loop else []) if depth < 2
                                    else ["call", "assign"]))
        if kind == "call":
            lines.append(f"{indent}take({sites.next()}, {draw(values())})")
        elif kind == "assign":
            lines.append(f"{indent}{draw(st.sampled_from(VARIABLES))} = {draw(values())}")
        elif kind == "if":
            lines.append(f"{indent}if {draw(conditions())}")
            lines += statements(draw, sites, depth + 1, indent + "  ")
            if draw(st.booleans()):
                lines.append(f"{indent}else")
                lines += statements(draw, sites, depth + 1, indent + "  ")
            lines.append(f"{indent}end")
        elif kind == "loop":
            lines.append(f"{indent}for i in 0..{draw(st.integers(0, 3))}")
            lines += statements(draw, sites, depth + 1, indent + "  ", in_loop=True)
            lines.append(f"{indent}end")
        elif kind == "while":  # `w` only grows, so every loop ends
            lines.append(f"{indent}while w < {draw(st.integers(0, 4))}")
            lines.append(f"{indent}  w += 1")
            lines += statements(draw, sites, depth + 1, indent + "  ", in_loop=True)
            lines.append(f"{indent}end")
        elif kind == "break":
            lines += [f"{indent}if {draw(conditions())}", f"{indent}  break", f"{indent}end"]
        elif kind == "match":
            lines.append(f"{indent}match {draw(st.sampled_from(VARIABLES))}")
            lines.append(f"{indent}  {draw(small)} -> take({sites.next()}, {draw(values())})")
            lines.append(f"{indent}  {draw(small)} | {draw(small)} -> take({sites.next()}, {draw(values())})")
            lines.append(f"{indent}  _ -> take({sites.next()}, {draw(values())})")
            lines.append(f"{indent}end")
        elif kind == "when":
            lines.append(f"{indent}when")
            lines.append(f"{indent}  {draw(conditions())} -> take({sites.next()}, {draw(values())})")
            lines.append(f"{indent}  {draw(conditions())} -> take({sites.next()}, {draw(values())})")
            if draw(st.booleans()):
                lines.append(f"{indent}  _ -> take({sites.next()}, {draw(values())})")
            lines.append(f"{indent}end")
        else:
            lines.append(f"{indent}if {draw(conditions())}")
            lines.append(f"{indent}  return 0")
            lines.append(f"{indent}end")
    return lines


@st.composite
def programs(draw: st.DrawFn) -> str:
    precondition = draw(conditions(subject="n"))
    sites = Sites()
    body = statements(draw, sites, 0, "  ")
    return "\n".join([
        f"cell take(site: Int, n: Int) -> Int where {precondition}",
        f"  print(site, {precondition})",
        "  n",
        "end",
        "",
        f"cell unknown() -> Int = {draw(small)}",
        "cell shift(x: Int, by: Int) -> Int = x - by * 2",
        "",
        "cell main() -> Int",
        f"  let mut a = {draw(small)}",
        "  let mut b = unknown()",
        "  let mut c = 0",
        "  let mut w = 0",
        *body,
        "  0",
        "end",
        "",
    ])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(programs())
def test_reported_calls_really_fail_at_run_time(tmp_path: Path, program: str) -> None:
    path = tmp_path / "fuzz.lm"
    path.write_text(program, encoding="utf-8")
    unit = load_source(path)
    compilation = compile_source(unit)
    assert compilation.ok, [d.message for d in compilation.diagnostics]
    reported = verify(compilation.program, compilation.analysis, file=unit.path, code=unit.code)
    refuted_lines = {d.line for d in reported.diagnostics if d.code == "E0800"}
    assert all(d.code == "E0800" for d in reported.diagnostics), reported.diagnostics
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        outcome = run_compilation(compilation, RunOptions(jit=False))
    assert outcome.error is None, outcome.error
    lines = program.split("\n")
    site_lines = {int(line.split("take(")[1].split(",")[0]): number
                  for number, line in enumerate(lines, start=1) if "take(" in line and "cell" not in line}
    for observed in output.getvalue().splitlines():
        site, truth = observed.split()
        if site_lines[int(site)] in refuted_lines:
            assert truth == "false", f"site {site} reported but held at run time:\n{program}"
