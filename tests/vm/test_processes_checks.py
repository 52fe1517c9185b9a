"""Compile-time machine and pipeline checks (§13.3, §13.4): one failing program per code."""

from __future__ import annotations

import textwrap

import pytest

from lumen.diagnostics import Severity
from lumen.sema import analyze
from lumen.syntax import parse


def diagnostics_of(source: str) -> list[tuple[str, str]]:
    parsed = parse(textwrap.dedent(source), "check.lm")
    assert not parsed.diagnostics, parsed.diagnostics
    analysis = analyze(parsed.program, file="check.lm")
    return [(d.code, d.message) for d in analysis.diagnostics if d.severity is Severity.ERROR]


VALID_MACHINE = """
    machine Door
      initial: Closed
      state Closed(tries: Int)
        guard: tries < 3
        transition Open(tries + 1)
      end
      state Open(tries: Int)
        terminal: true
      end
    end
"""

CASES = [
    ("E0110", "machine 'M' initial state 'Nowhere' is not declared", """
        machine M
          initial: Nowhere
          state A()
            terminal: true
          end
        end
    """),
    ("E0111", "machine 'M' state 'A' transitions to undeclared state 'Nowhere'", """
        machine M
          state A(x: Int)
            transition Nowhere(x)
          end
          state B()
            terminal: true
          end
        end
    """),
    ("E0112", "machine 'M' state 'B' is unreachable from the initial state", """
        machine M
          state A()
            terminal: true
          end
          state B()
            terminal: true
          end
        end
    """),
    ("E0113", "machine 'M' declares no terminal states (line 2)", """
        machine M
          state A(x: Int)
            transition B(x)
          end
          state B(x: Int)
          end
        end
    """),
    ("E0114", "machine 'M' transition to 'B' passes 2 argument(s) but the state takes 1", """
        machine M
          state A(x: Int)
            transition B(x, x)
          end
          state B(x: Int)
            terminal: true
          end
        end
    """),
    ("E0115", "machine 'M' transition to 'B' argument 'x': expected Int, got String", """
        machine M
          state A(x: Int)
            transition B("text")
          end
          state B(x: Int)
            terminal: true
          end
        end
    """),
    ("E0116", "machine 'M' state 'A' guard may only use literals, the state's parameters "
              "and operators", """
        cell limit() -> Int = 3
        machine M
          state A(x: Int)
            guard: x < limit()
            transition B(x)
          end
          state B(x: Int)
            terminal: true
          end
        end
    """),
    ("E0116", "machine 'M' state 'A' transition argument may only use literals, the "
              "state's parameters and operators", """
        machine M
          state A(x: Int)
            transition B(y)
          end
          state B(x: Int)
            terminal: true
          end
        end
    """),
    ("E0117", "machine 'M' state 'A' guard must be Bool, got Int", """
        machine M
          state A(x: Int)
            guard: x + 1
            transition B(x)
          end
          state B(x: Int)
            terminal: true
          end
        end
    """),
    ("E0118", "pipeline 'P' references unknown stage cell 'missing'", """
        cell clean(s: String) -> String = trim(s)
        pipeline P
          stages:
            clean
            -> missing
          end
        end
    """),
    ("E0119", "pipeline 'P' stage 'pair' must take exactly one data parameter, it takes 2",
     """
        cell pair(a: String, b: String) -> String = a + b
        pipeline P
          stages:
            pair
          end
        end
    """),
    ("E0120", "pipeline 'P' stage 'count' returns Int but stage 'shout' expects String", """
        cell count(s: String) -> Int = length(s)
        cell shout(s: String) -> String = upper(s)
        pipeline P
          stages:
            count
            -> shout
          end
        end
    """),
]


@pytest.mark.parametrize(("code", "message", "source"), CASES,
                         ids=[f"{code}-{i}" for i, (code, _, _) in enumerate(CASES)])
def test_machine_and_pipeline_checks(code: str, message: str, source: str) -> None:
    found = diagnostics_of(source)
    assert (code, message) in found, found


def test_valid_machine_and_pipeline_pass() -> None:
    source = VALID_MACHINE + """
    cell clean(s: String) -> String = trim(s)
    pipeline P
      stages:
        clean
        -> P.shout
      end
      cell shout(s: String) -> String = upper(s)
    end
    machine Empty
    end
    """
    assert diagnostics_of(source) == []
