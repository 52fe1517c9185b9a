"""Builds (once, with on-disk cached tables) the LALR parser and runs it.

`parse` and `parse_expression` are the stage entry points (re-exported by
`lumen.syntax`). Lark compiles `lumen.lark` into an LALR table; the table, the token
tables and the reduction callbacks (which call the AST builder of `build.py` directly, no
parse tree) are then pickled into the user cache (`lumen.cache`, kind `parser`), keyed by
a hash of the grammar and of the Lark version, so a warm start only unpickles them. Tokens come from
`lexer.py`; failures become diagnostics through `parse_errors.py`.
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from lumen.diagnostics import Diagnostic
from lumen.syntax import ast
from lumen.syntax.docblocks import DocBlock

try:  # the C module itself: importing hashlib (OpenSSL) costs ~3 ms at every start
    from _sha256 import sha256
except ImportError:  # pragma: no cover - other Pythons name it differently
    from hashlib import sha256

GRAMMAR_PATH = Path(__file__).with_name("lumen.lark")
START_RULES = ["start", "expr_start"]
CACHE_FORMAT = 3  # bump when the pickled layout below changes
PARSER_CACHE_KIND = "parser"  # the tables live in lumen.cache under this kind


@dataclass(frozen=True, slots=True)
class ParseResult:
    program: ast.Program
    diagnostics: tuple[Diagnostic, ...]


@dataclass(slots=True)
class LoadedParser:
    """The LALR driver, the AST builder its callbacks call, and the lexer's token tables."""

    driver: Any
    builder: Any
    tables: Any


def _lark_identity() -> str:
    """Lark's `__init__.py` (it holds `__version__`), read without importing Lark or
    `importlib.metadata`: both cost more than the whole warm parse of a small file."""
    from importlib.util import find_spec

    try:
        spec = find_spec("lark")
        if spec is not None and spec.origin is not None:
            return Path(spec.origin).read_text(encoding="utf-8")
    except (ImportError, OSError, ValueError):  # pragma: no cover - unusual installs
        pass
    return "unknown"


def _cache_key(grammar: str) -> str:
    lark_version = _lark_identity()
    # the pickle holds builder callbacks and token tables: key on their code too
    sources = "".join(
        (Path(__file__).with_name(name)).read_text(encoding="utf-8")
        for name in ("build.py", "build_decls.py", "build_patterns.py", "lalr.py", "scanner.py")
    )
    text = f"{CACHE_FORMAT}\n{lark_version}\n{grammar}\n{sources}"
    return sha256(text.encode()).hexdigest()[:24]


@lru_cache(maxsize=1)
def get_parser() -> LoadedParser:
    """The parser: unpickled from the cache when present, else built and cached."""
    from lumen import cache

    grammar = GRAMMAR_PATH.read_text(encoding="utf-8")
    key = _cache_key(grammar)
    data = cache.get(PARSER_CACHE_KIND, key)
    if data is not None:
        try:
            loaded = pickle.loads(data)
            if isinstance(loaded, LoadedParser):
                return loaded
        except Exception:  # stale or damaged: rebuilt (and overwritten) below
            pass
    loaded = _build(grammar)
    try:
        data = pickle.dumps(loaded, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # pragma: no cover - the tables are plain data
        return loaded
    # A few versions side by side: two checkouts sharing the cache folder do not thrash.
    cache.put(PARSER_CACHE_KIND, key, data, keep=4)  # a read-only cache only costs time
    return loaded


def _build(grammar: str) -> LoadedParser:
    import lark
    from lark.lexer import Lexer

    from lumen.syntax.build import AstBuilder
    from lumen.syntax.lalr import LalrDriver
    from lumen.syntax.scanner import tables_from_terminals

    class NoLexer(Lexer):
        """Lark wants a lexer class; this one never runs (`LayoutLexer` feeds the parser)."""

        __future_interface__ = 2

        def __init__(self, lexer_conf: Any) -> None:
            pass

        def lex(self, lexer_state: Any, parser_state: Any) -> Any:
            raise NotImplementedError

    builder = AstBuilder()
    parser = lark.Lark(
        grammar, parser="lalr", lexer=NoLexer, start=START_RULES, maybe_placeholders=True,
        transformer=builder,
    )
    # Lark -> ParsingFrontend -> LALR_Parser (table) / _Parser (reduction callbacks)
    lalr = parser.parser.parser
    driver = LalrDriver.from_lark(lalr._parse_table, lalr.parser.callbacks, builder)
    return LoadedParser(driver, builder, tables_from_terminals(parser.terminals))


def parse(code: str, file: str = "<input>", docblocks: Sequence[DocBlock] = ()) -> ParseResult:
    """Parse a compilation unit. Never raises: problems become diagnostics."""
    from lumen.syntax.parse_errors import parse_with_recovery

    return parse_with_recovery(code, file, docblocks)


def parse_expression(
    code: str, file: str = "<input>"
) -> tuple[ast.Expr | None, tuple[Diagnostic, ...]]:
    """Parse one expression (the REPL). Never raises."""
    from lumen.syntax.parse_errors import parse_single_expression

    return parse_single_expression(code, file)
