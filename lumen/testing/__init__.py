"""`lumen test`: discover test files, run every test cell in a fresh VM, check the fenced
blocks of Markdown documentation, and report (LANGUAGE.md §16.9).

- discovery.py  which files a PATH names, and which cells of a compiled file are tests
- doctests.py   fenced `lumen` blocks with a docs-test mode, each compiled on its own
- recordings.py one recorded trace per test (`--record DIR`), served back by `--replay DIR`
- runner.py     runs the tests of one file, each in a fresh VM with its output captured
- report.py     the text report (failures with source line and values) and the JSON one
- results.py    what a test produced
"""

from lumen.testing.results import Failure, TestResult

__all__ = ["Failure", "TestResult"]
