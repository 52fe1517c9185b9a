"""No user program makes `lumen run` or `lumen check` crash.

Conformance corpus files are mutated (lines deleted, repeated or swapped; characters
deleted; tokens inserted; text truncated; identifiers renamed) and pushed through the
whole pipeline in-process, through the same driver and rendering calls the CLI makes.
Every outcome must be a success, well-formed diagnostics, or a Lumen runtime error: never
a Python exception, and never an internal-error report (the driver turns a stage's Python
exception into one, so those are checked for explicitly). A smaller test runs the real
`python3 -m lumen` on a few fixed mutants and looks for `Traceback` in stderr.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lumen.vm.scheduler as scheduler
from lumen.cli.report import print_diagnostics, print_runtime_failure
from lumen.diagnostics import CODES, Diagnostic, ErrorCode
from lumen.driver import Compilation, RunOptions, check_file, compile_file, run_compilation
from lumen.vm.errors import RUNTIME_ERROR_KINDS

REPO_ROOT = Path(__file__).resolve().parents[2]
CORPUS_DIR = REPO_ROOT.parent / "shared" / "conformance" / "cases"
CORPUS_PATHS = sorted(CORPUS_DIR.rglob("*.lm")) if CORPUS_DIR.is_dir() else []

pytestmark = pytest.mark.skipif(
    not CORPUS_PATHS, reason=f"conformance corpus not found at {CORPUS_DIR}"
)

# Small limits keep every run fast: mutants easily turn into endless loops or recursion.
MAX_STEPS = 20_000
MAX_DEPTH = 64
RUN_OPTIONS = RunOptions(max_steps=MAX_STEPS, max_depth=MAX_DEPTH, jit=False)

# Codes that mean "a bug of ours": the driver's crash report and sema's per-phase guard.
INTERNAL_CODES = frozenset({ErrorCode.INTERNAL.value, ErrorCode.INTERNAL_LOWERING.value})
USER_RUNTIME_KINDS = RUNTIME_ERROR_KINDS - {"internal"}

FUZZ = settings(
    max_examples=400,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI stays stable
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

TOKENS = [
    "end", "end\n", "(", ")", "[", "]", "{", "}", '"', '"""', "->", "=>", "|", "|>", ",",
    ":", ".", "..", "?", "?.", "!", "=", "==", "+", "-", "*", "/", "%", "**", "@", "#",
    "\n", "\n  ", "  ", "\t", "_", "0", "1", "-1", "9223372036854775807", "1.5", "0.0",
    "null", "true", "false", "x", "Foo", "self", "cell ", "fn ", "let ", "var ", "return ",
    "if ", "then", "else", "elif ", "while ", "for ", "in ", "do", "match ", "case ", "when ",
    "record ", "enum ", "type ", "trait ", "impl ", "effect ", "handle ", "with ", "resume ",
    "perform ", "spawn ", "await ", "async ", "try ", "catch ", "defer ", "yield ", "break",
    "continue", "and ", "or ", "not ", "import ", "process ", "agent ", "ok(", "err(",
]
IDENTIFIER = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*\b")
SPARE_NAMES = ["x", "y", "main", "Int", "String", "List", "Foo", "print", "len", "_"]
LITERAL = re.compile(r'-?\b\d+(?:\.\d+)?\b|"[^"\n]*"|\btrue\b|\bfalse\b|\bnull\b')
SPARE_LITERALS = ["0", "-1", "1", "9223372036854775807", "-9223372036854775808", "1.5", "0.0",
                  '""', '"s"', "null", "true", "[]", "{}", "(1, 2)", "[1, 2]", "ok(1)", "err(\"e\")"]
OPERATOR = re.compile(r"(?<![-=<>!+*/%|.])(?:\+|-|\*\*|\*|/|%|==|!=|<=|>=|<|>|\.\.|\band\b|\bor\b)"
                      r"(?![-=<>+*/%|.])")
SPARE_OPERATORS = ["+", "-", "*", "/", "%", "**", "==", "!=", "<", ">=", "..", "and", "or", "++"]
# `@strict false` types unknown names as Any, so more broken programs reach the VM.
LENIENT_HEADERS = ["@strict false\n", "@doc_mode true\n"]


def corpus_texts() -> list[str]:
    return [path.read_text(encoding="utf-8") for path in CORPUS_PATHS]


CORPUS = corpus_texts()


# ------------------------------------------------------------------------------ mutation


def _mutate_lines(draw: st.DrawFn, text: str) -> str:
    lines = text.split("\n")
    row = draw(st.integers(0, len(lines) - 1))
    action = draw(st.sampled_from(["delete", "duplicate", "swap"]))
    if action == "delete":
        del lines[row]
    elif action == "duplicate":
        lines.insert(row, lines[row])
    else:
        other = draw(st.integers(0, len(lines) - 1))
        lines[row], lines[other] = lines[other], lines[row]
    return "\n".join(lines)


def _rename_identifier(draw: st.DrawFn, text: str) -> str:
    found = [m for m in IDENTIFIER.finditer(text)]
    if not found:
        return text
    target = draw(st.sampled_from(found))
    names = sorted({m.group() for m in found}) + SPARE_NAMES
    replacement = draw(st.sampled_from(names))
    if draw(st.booleans()):  # one occurrence, or every occurrence of that name
        return text[: target.start()] + replacement + text[target.end():]
    return re.sub(rf"\b{re.escape(target.group())}\b", replacement, text)


def _replace_match(draw: st.DrawFn, text: str, pattern: re.Pattern[str], spares: list[str]) -> str:
    found = list(pattern.finditer(text))
    if not found:
        return text
    target = draw(st.sampled_from(found))
    return text[: target.start()] + draw(st.sampled_from(spares)) + text[target.end():]


@st.composite
def mutated_corpus_files(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(CORPUS))
    if draw(st.integers(0, 3)) == 0:
        text = draw(st.sampled_from(LENIENT_HEADERS)) + text
    for _ in range(draw(st.integers(1, 4))):
        if not text:
            break
        kind = draw(st.sampled_from(["line", "line", "delete", "insert", "insert", "truncate",
                                     "rename", "rename", "literal", "literal", "operator"]))
        at = draw(st.integers(0, len(text)))
        if kind == "line":
            text = _mutate_lines(draw, text)
        elif kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 6)):]
        elif kind == "insert":
            text = text[:at] + draw(st.sampled_from(TOKENS)) + text[at:]
        elif kind == "truncate":
            text = text[:at]
        elif kind == "literal":
            text = _replace_match(draw, text, LITERAL, SPARE_LITERALS)
        elif kind == "operator":
            text = _replace_match(draw, text, OPERATOR, SPARE_OPERATORS)
        else:
            text = _rename_identifier(draw, text)
    return text


# ------------------------------------------------------------------------------ running


@contextlib.contextmanager
def sandboxed_io() -> Iterator[io.StringIO]:
    """Capture stdout/stderr, give the program an empty stdin, keep `sleep` from really
    sleeping. (Crash reports still go to the user's cache: the parser's tables live there.)"""
    fast_time = types.SimpleNamespace(monotonic=time.monotonic, sleep=lambda _s: None)
    captured = io.StringIO()
    with contextlib.ExitStack() as stack:
        stack.enter_context(mock.patch.object(scheduler, "time", fast_time))
        stack.enter_context(mock.patch.object(sys, "stdin", io.StringIO("")))
        stack.enter_context(contextlib.redirect_stdout(captured))
        stack.enter_context(contextlib.redirect_stderr(captured))
        yield captured


def _crash_details(message: str) -> str:
    """The saved traceback named at the end of an internal-error message, if any."""
    match = re.search(r"details in (\S+\.txt)", message)
    if match and Path(match.group(1)).is_file():
        return Path(match.group(1)).read_text(encoding="utf-8")
    return ""


def assert_well_formed(diagnostics: tuple[Diagnostic, ...], text: str) -> None:
    lines = text.split("\n")
    for d in diagnostics:
        assert d.code in CODES, f"unknown diagnostic code {d.code!r}: {d.message}"
        internal = d.code in INTERNAL_CODES or "please report" in d.message
        assert not internal, f"{d.code}: {d.message}\n{_crash_details(d.message)}"
        if (d.line, d.column) == (0, 0):  # whole-file diagnostics carry no position
            continue
        assert 1 <= d.line <= len(lines) + 1, (d.code, d.message, d.line, len(lines))
        assert d.column >= 1, (d.code, d.message, d.column)
        assert (d.span.end_line, d.span.end_column) >= (d.line, d.column), d


def check_and_run(text: str, workdir: str) -> None:
    """What `lumen check FILE` and `lumen run FILE` do, with structured assertions."""
    path = Path(workdir) / "mutant.lm"
    path.write_text(text, encoding="utf-8")
    with sandboxed_io():
        checked = check_file(path)
        assert_well_formed(checked.diagnostics, text)
        print_diagnostics(checked.diagnostics, checked.unit)

        compilation: Compilation = compile_file(path)
        assert_well_formed(compilation.diagnostics, text)
        if not compilation.ok:
            print_diagnostics(compilation.diagnostics, compilation.unit)
            return
        outcome = run_compilation(compilation, RUN_OPTIONS)
        assert_well_formed(outcome.compilation.diagnostics, text)
        if outcome.error is not None:
            failure = outcome.error
            assert failure.kind in USER_RUNTIME_KINDS, (
                f"{failure.kind}: {failure.message}\n{_crash_details(failure.message)}")
            print_runtime_failure(failure, compilation.unit)
        elif outcome.ran and outcome.value is not None:
            from lumen.vm.render import display

            display(outcome.value)


_WORKDIR = tempfile.TemporaryDirectory(prefix="lumen-fuzz-")


@FUZZ
@given(mutated_corpus_files())
def test_mutated_corpus_never_crashes(text: str) -> None:
    check_and_run(text, _WORKDIR.name)


@pytest.mark.parametrize("path", CORPUS_PATHS[:: max(1, len(CORPUS_PATHS) // 40)],
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_unmutated_corpus_sample_never_crashes(path: Path) -> None:
    check_and_run(path.read_text(encoding="utf-8"), _WORKDIR.name)


# ------------------------------------------------------------------------------ subprocess

# (corpus file, mutation) pairs: fixed, so the subprocess test is the same on every run.
FIXED_MUTANTS: list[tuple[str, str]] = [
    ("truncate-half", "truncate"),
    ("drop-last-end", "drop_end"),
    ("extra-end", "extra_end"),
    ("open-paren", "open_paren"),
    ("open-string", "open_string"),
    ("open-brace", "open_brace"),
    ("arrow-soup", "arrow_soup"),
    ("swap-first-lines", "swap"),
    ("rename-main", "rename_main"),
    ("duplicate-all", "duplicate_all"),
]


def _fixed_mutant(source: str, mutation: str) -> str:
    lines = source.split("\n")
    if mutation == "truncate":
        return source[: len(source) // 2]
    if mutation == "drop_end":
        ends = [i for i, line in enumerate(lines) if line.strip() == "end"]
        if ends:
            del lines[ends[-1]]
        return "\n".join(lines)
    if mutation == "extra_end":
        return "end\n" + source
    if mutation == "open_paren":
        return source.replace(")", "", 1)
    if mutation == "open_string":
        return source.replace('"', "", 1)
    if mutation == "open_brace":
        return source.replace("{", "{ {", 1)
    if mutation == "arrow_soup":
        return source.replace("->", "-> | ->", 1)
    if mutation == "swap":
        code = [i for i, line in enumerate(lines) if line.strip() and not line.startswith("#")]
        if len(code) >= 2:
            first, second = code[0], code[1]
            lines[first], lines[second] = lines[second], lines[first]
        return "\n".join(lines)
    if mutation == "rename_main":
        return re.sub(r"\bmain\b", "mian", source)
    return source + "\n" + source


def _run_lumen(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lumen", *command], cwd=REPO_ROOT, env=env,
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
    )


def test_cli_subprocess_never_prints_traceback(tmp_path: Path) -> None:
    # Spread the mutants over the corpus; exit() calls are skipped so the status is the
    # contract's (0, 1 or 2) rather than one the program chose.
    candidates = [p for p in CORPUS_PATHS if "exit(" not in p.read_text(encoding="utf-8")]
    jobs: list[tuple[str, list[str]]] = []
    for index, (label, mutation) in enumerate(FIXED_MUTANTS):
        source_path = candidates[(index * 37) % len(candidates)]
        mutant = tmp_path / f"{label}.lm"
        mutant.write_text(_fixed_mutant(source_path.read_text(encoding="utf-8"), mutation),
                          encoding="utf-8")
        limits = ["--max-steps", str(MAX_STEPS), "--max-depth", str(MAX_DEPTH)]
        for command in (["check", str(mutant)], ["run", str(mutant), *limits]):
            jobs.append((f"lumen {command[0]} {source_path.name} ({mutation})", command))
    # The user's cache is kept: it holds the parser tables, which would take each process
    # seconds to rebuild. The first job runs alone so that the others find them there.
    env = {key: value for key, value in os.environ.items() if key != "LUMEN_DEBUG"}
    first = _run_lumen(jobs[0][1], env)
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        rest = list(pool.map(lambda job: _run_lumen(job[1], env), jobs[1:]))
    problems: list[str] = []
    for (description, _command), done in zip(jobs, [first, *rest], strict=True):
        if "Traceback" in done.stderr or "please report" in done.stderr:
            problems.append(f"{description}: crashed\n{done.stderr}")
        elif done.returncode not in {0, 1, 2}:
            problems.append(f"{description}: exit status {done.returncode}\n{done.stderr}")
    assert not problems, "\n\n".join(problems)
