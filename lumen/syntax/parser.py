"""Builds (once, with on-disk cached tables) the Lark LALR parser and runs it.

`parse` and `parse_expression` are the stage entry points (re-exported by
`lumen.syntax`). Tokens come from `lexer.py`; the parser's reductions call the AST
builder of `build.py` directly (no intermediate parse tree); failures become
diagnostics through `parse_errors.py`.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from lumen.diagnostics import Diagnostic
from lumen.syntax import ast
from lumen.syntax.docblocks import DocBlock

GRAMMAR_PATH = Path(__file__).with_name("lumen.lark")
START_RULES = ["start", "expr_start"]


@dataclass(frozen=True, slots=True)
class ParseResult:
    program: ast.Program
    diagnostics: tuple[Diagnostic, ...]


@dataclass(slots=True)
class LoadedParser:
    """The LALR machinery plus the token tables the lexer needs."""

    lark: Any
    tables: Any
    builder: Any
    driver: Any


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "lumen"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".write-probe"
        probe.touch()
        probe.unlink()
        return folder
    except OSError:
        fallback = Path(tempfile.gettempdir()) / "lumen-cache"
        fallback.mkdir(parents=True, exist_ok=True)
        return fallback


@lru_cache(maxsize=1)
def get_parser() -> LoadedParser:
    """The parser, built on first use (tables loaded from the cache when present)."""
    import lark

    from lumen.syntax.build import AstBuilder
    from lumen.syntax.lalr import LalrDriver
    from lumen.syntax.lexer import NoLexer, tables_from_terminals

    grammar = GRAMMAR_PATH.read_text(encoding="utf-8")
    digest = hashlib.sha256((grammar + lark.__version__).encode()).hexdigest()[:20]
    cache_file = _cache_dir() / f"grammar-{digest}.lark-cache"
    builder = AstBuilder()
    parser = lark.Lark(
        grammar,
        parser="lalr",
        lexer=NoLexer,
        start=START_RULES,
        maybe_placeholders=True,
        transformer=builder,
        cache=str(cache_file),
    )
    # Lark -> ParsingFrontend -> LALR_Parser (table) / _Parser (reduction callbacks)
    lalr = parser.parser.parser
    driver = LalrDriver(lalr._parse_table, lalr.parser.callbacks)
    return LoadedParser(parser, tables_from_terminals(parser.terminals), builder, driver)


def parse(code: str, file: str = "<input>", docblocks: Sequence[DocBlock] = ()) -> ParseResult:
    """Parse a compilation unit. Never raises: problems become diagnostics."""
    from lumen.syntax.parse_errors import parse_with_recovery

    return parse_with_recovery(code, file, docblocks)


def parse_expression(code: str, file: str = "<input>") -> tuple[ast.Expr | None, tuple[Diagnostic, ...]]:
    """Parse one expression (the REPL). Never raises."""
    from lumen.syntax.parse_errors import parse_single_expression

    return parse_single_expression(code, file)
