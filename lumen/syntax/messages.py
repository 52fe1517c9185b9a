"""User-facing wording of syntax errors: terminal names -> words, error -> Diagnostic."""

from __future__ import annotations

from typing import Any

from lumen.diagnostics import Diagnostic, ErrorCode, Span

# How a terminal is named in a message (keywords and punctuation are quoted as written).
_DESCRIPTIONS = {
    "NAME": "a name", "INT": "a number", "FLOAT": "a number", "STRING": "a string",
    "BYTES": "a bytes literal", "_NL": "a new line", "_SIGNL": "a new line",
    "_INDENT": "an indented block", "_DEDENT": "end of the indented block",
    "_ARM": "a handler arm (Effect.op(...) =>)", "$END": "the end of the file",
    "LABEL": "a loop label", "VERSION": "a version", "ATTRIBUTE": "an attribute",
    "DIRECTIVE": "a directive", "PROTOCOL": "a protocol statement", "ROLE": "a role block",
    "MACRO": "a macro", "ON_BLOCK": "an on_* block", "HEADER_REST": "header text",
    "GRANTING": "a granting clause", "ORCH": "an orchestration block",
    "EMPTY_SET": "set[]", "AUG_ASSIGN": "a compound assignment", "COMPTIME_BRACE": "'{'",
}

# Expected-token sets that mean "an expression goes here" / "a type goes here".
_EXPRESSION_STARTERS = frozenset({"NAME", "INT", "STRING", "LPAR", "LSQB", "MINUS", "NOT"})
_TYPE_ONLY_STARTERS = frozenset({"NAME", "LPAR", "FN", "YIELD"})

_BINARY_OPERATORS = frozenset({
    "PLUS", "MINUS", "STAR", "SLASH", "DSLASH", "PERCENT", "POW", "PLUSPLUS", "EQEQ",
    "NOTEQ", "LT", "LE", "GT", "GE", "CMP3", "AND", "OR", "COALESCE", "PIPE", "COMPOSE",
    "AMP", "BAR", "CARET", "SHL", "SHR", "DOTDOT", "DOTDOTEQ", "IN", "NOT", "TILDE",
    "EQUAL", "AUG_ASSIGN", "ARROW", "FAT_ARROW", "RETURN", "TRY", "AWAIT", "EMIT", "YIELD",
    "COMMA", "ELLIPSIS", "THEN", "ELSE",
})

# Tokens that open a construct closed by `end` (what a missing `end` belongs to).
_BLOCK_OPENERS = {
    "CELL": "cell", "RECORD": "record", "ENUM": "enum", "TRAIT": "trait", "IMPL": "impl",
    "EFFECT": "effect", "HANDLER": "handler", "AGENT": "agent", "MEMORY": "memory",
    "MACHINE": "machine", "PIPELINE": "pipeline", "ORCHESTRATION": "orchestration",
    "GUARDRAIL": "guardrail", "EVAL": "eval", "PATTERN": "pattern", "STATE": "state",
    "STAGES": "stages", "IF": "if", "FOR": "for", "WHILE": "while", "LOOP": "loop",
    "MATCH": "match", "WHEN": "when", "HANDLE": "handle", "DEFER": "defer", "FN": "fn",
    "DO": "do", "COMPTIME": "comptime", "ORCH": "await", "PROTOCOL": "protocol block",
}
_BRACKETS = {"LPAR": "(", "LSQB": "[", "LBRACE": "{", "SAFE_INDEX": "?[", "COMPTIME_BRACE": "{"}


def describe_terminal(name: str, tables: Any = None) -> str:
    if name in _DESCRIPTIONS:
        return _DESCRIPTIONS[name]
    spelling = _spelling(name)
    return f"'{spelling}'" if spelling else name.lower()


_SPELLINGS: dict[str, str] = {}


def _spelling(name: str) -> str | None:
    if not _SPELLINGS:
        from lumen.syntax.parser import get_parser

        tables = get_parser().tables
        for text, terminal in {**tables.keywords, **tables.soft, **tables.operators}.items():
            _SPELLINGS.setdefault(terminal, text)
    return _SPELLINGS.get(name)


def _token_text(token: Any) -> str:
    if token.type == "$END":
        return "end of file"
    if token.type in ("_NL", "_SIGNL"):
        return "end of line"
    if token.type in ("_INDENT", "_DEDENT", "_ARM"):
        return _DESCRIPTIONS[token.type]
    text = str(token)
    if token.type in ("STRING", "ATTRIBUTE", "PROTOCOL", "ROLE", "MACRO", "ON_BLOCK"):
        first_line = text.split("\n", 1)[0]
        text = first_line if len(first_line) <= 30 else first_line[:27] + "..."
    return f"'{text}'"


def _expected_list(expected: set[str]) -> str:
    if expected & _EXPRESSION_STARTERS == _EXPRESSION_STARTERS:
        words = ["an expression"]
        rest = {
            name for name in expected
            if name in ("_NL", "END", "RPAR", "RSQB", "RBRACE", "COMMA", "ARROW", "THEN")
        }
    else:
        words = []
        rest = expected
    ordered = sorted(rest, key=lambda n: (n.startswith("_"), n))
    words += [describe_terminal(name) for name in ordered]
    words = list(dict.fromkeys(words))
    if len(words) > 6:
        words = words[:6] + ["..."]
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


def _innermost_open_block(state: Any) -> tuple[str, Any] | None:
    for value in reversed(getattr(state, "value_stack", [])):
        first = getattr(value, "first", None)
        if first is not None and getattr(value, "name", None) is not None and hasattr(value, "params"):
            return "cell", first
        if type(value) is tuple and value and getattr(value[0], "type", None) in _BLOCK_OPENERS:
            return _BLOCK_OPENERS[value[0].type], value[0]
        token_type = getattr(value, "type", None)
        if token_type == "COMPTIME_BRACE":
            return "{", value
        if isinstance(token_type, str) and token_type in _BLOCK_OPENERS and hasattr(value, "line"):
            return _BLOCK_OPENERS[token_type], value
    return None


def _last_code_position(code: str) -> tuple[int, int]:
    lines = code.split("\n")
    for index in range(len(lines) - 1, -1, -1):
        if lines[index].strip():
            return index + 1, len(lines[index].rstrip()) + 1
    return 1, 1


def describe_syntax_error(
    error: Any, code: str, file: str, context: str | None = None
) -> Diagnostic:
    """A Diagnostic for Lark's UnexpectedToken/UnexpectedInput `error`."""
    token = getattr(error, "token", None)
    expected: set[str] = set(getattr(error, "expected", None) or ())
    state = getattr(error, "state", None)
    where = f" in {context}" if context else ""
    if token is None:
        line, column = getattr(error, "line", 1) or 1, getattr(error, "column", 1) or 1
        return Diagnostic(
            ErrorCode.UNEXPECTED.value, f"unexpected input{where}", file,
            Span(line, column, line, column + 1),
        )
    previous = _previous_token(state)
    if previous is not None and previous.type in _BINARY_OPERATORS and "NAME" in expected:
        return Diagnostic(
            ErrorCode.INCOMPLETE_EXPRESSION.value,
            f"expected an expression after '{previous}'{where}", file,
            Span(previous.line, previous.column, previous.end_line or previous.line,
                 previous.end_column or previous.column + 1),
        )
    bracket = _open_bracket(error)
    if bracket is not None and (
        token.type in ("$END", "_NL", "_SIGNL", "_DEDENT") or (token.line or 0) > bracket.line
    ):
        return Diagnostic(
            ErrorCode.UNCLOSED_BRACKET.value,
            f"'{bracket}' opened at line {bracket.line}, col {bracket.column} is never closed",
            file, Span(bracket.line, bracket.column, bracket.line, bracket.column + 1),
        )
    if token.type == "$END" or token.type == "_NL" and not token.line:
        line, column = _last_code_position(code)
        span = Span(line, column, line, column + 1)
        block = _innermost_open_block(state)
        if block is not None and block[0] == "{":  # a `comptime {` block
            opener = block[1]
            return Diagnostic(
                ErrorCode.UNCLOSED_BRACKET.value,
                f"'{{' opened at line {opener.line}, col {opener.column} is never closed",
                file, Span(opener.line, opener.column, opener.line, opener.column + 1),
            )
        if block is not None and (not expected or "END" in expected or "_DEDENT" in expected):
            kind, opener = block
            return Diagnostic(
                ErrorCode.MISSING_END.value,
                f"expected 'end' to close '{kind}' opened at line {opener.line}, "
                f"col {opener.column}",
                file, span, hint="add 'end' on its own line where the block finishes",
            )
        return Diagnostic(
            ErrorCode.UNEXPECTED_EOF.value,
            f"unexpected end of file{where}: expected {_expected_list(expected)}", file, span,
        )

    line, column = token.line or 1, token.column or 1
    end_column = (token.end_column if token.end_line == line and token.end_column else column + 1)
    span = Span(line, column, line, max(end_column, column + 1))
    if token.type in ("_NL", "_SIGNL", "_DEDENT") and previous is not None:
        if previous.type == "COLON" and expected & _TYPE_ONLY_STARTERS and "INT" not in expected:
            return Diagnostic(
                ErrorCode.MISSING_TYPE.value, f"expected a type after ':'{where}", file,
                Span(previous.line, previous.column, previous.line, previous.column + 1),
            )
        if previous.type in _BRACKETS:
            return Diagnostic(
                ErrorCode.UNCLOSED_BRACKET.value,
                f"'{previous}' is not closed before the end of the line{where}", file,
                Span(previous.line, previous.column, previous.line, previous.column + 1),
            )
    if token.type == "_INDENT":
        message = f"unexpected indentation{where}"
    elif token.type == "_DEDENT":
        message = f"unexpected end of the indented block{where}: expected {_expected_list(expected)}"
    else:
        message = (
            f"unexpected {_token_text(token)}{where}: expected {_expected_list(expected)}"
            if expected else f"unexpected {_token_text(token)}{where}"
        )
    return Diagnostic(ErrorCode.UNEXPECTED.value, message, file, span)


def _open_bracket(error: Any) -> Any:
    """The innermost bracket still open when the error happened, if any."""
    lexer = getattr(error, "lumen_lexer", None)
    for kind, token in reversed(getattr(lexer, "open_contexts", None) or []):
        if kind in "([{":  # not a `comptime {` block: its lines are statements
            return token
    return None


def _previous_token(state: Any) -> Any:
    for value in reversed(getattr(state, "value_stack", []) or []):
        if hasattr(value, "type") and hasattr(value, "line"):
            return value
        return None
    return None
