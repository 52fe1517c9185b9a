"""Pass 1 of tokenizing (see `lexer.py` for pass 2, the layout rules).

`Scanner.scan` turns the text into raw tokens with a raw `NL` at every line end. It also
cuts out the constructs whose content is raw text: attribute and directive lines,
agent-protocol lines, macro bodies, `on_*` blocks, role blocks, process header rests and
`granting { … }` clauses. Strings are scanned with their interpolations (nested braces
and strings balanced, §2.5); `strings.py` decodes them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lumen.diagnostics import Diagnostic, ErrorCode, Span

DIRECTIVE_NAMES = frozenset({"strict", "doc_mode", "deterministic", "lumen", "package", "feature"})
PROTOCOL_WORDS = ("approve", "checkpoint", "escalate", "observe", "with")
PROCESS_KINDS = frozenset(
    {"memory", "machine", "pipeline", "orchestration", "guardrail", "eval", "pattern"}
)
ORCHESTRATION_KINDS = frozenset({"parallel", "race", "vote", "select"})
# Soft keywords: ordinary names except where the parser accepts the keyword. The value
# says what must follow for the keyword reading ("name": an identifier, ":" a colon,
# "string": a string literal, None: anything).
SOFT_KEYWORDS: dict[str, str | None] = {
    "type": "name", "tool": None, "mcp": "string", "schema": None, "bind": "effect",
    "to": None, "effect": "name", "handler": "name", "agent": "name", "memory": "name",
    "machine": "name", "pipeline": "name", "orchestration": "name", "guardrail": "name",
    "eval": "name", "pattern": "name", "state": "name", "initial": ":", "terminal": ":",
    "guard": ":", "transition": "name", "stages": ":", "do": None,
}
OPEN_BRACKETS = {"LPAR": "(", "LSQB": "[", "LBRACE": "{", "SAFE_INDEX": "["}
CLOSE_BRACKETS = {"RPAR": "(", "RSQB": "[", "RBRACE": "{"}
# raw tokens that stand for whole lines (no NEWLINE follows them)
LINE_TOKENS = frozenset({"NL", "DIRECTIVE", "ATTRIBUTE", "MACRO", "ON_BLOCK"})
AUG_OPS = frozenset({"+=", "-=", "*=", "/=", "//=", "%=", "**=", "&=", "|=", "^="})

_OPERATORS = sorted(
    [
        "...", "..=", "..", ".", "?.", "?[", "??", "?", "!=", "!", "->", "=>", "|>", "~>", "==",
        "<=>", "<=", ">=", "<<", ">>", "<", ">", "++", "**", "//", "+", "-", "*", "/", "%",
        "&", "|", "^", "~", "=", "(", ")", "[", "]", "{", "}", ",", ":", *AUG_OPS,
    ],
    key=len,
    reverse=True,
)

_SCAN_RE = re.compile(
    r"(?P<ws>[ \t\f\r]+)"
    r"|(?P<nl>\n)"
    r"|(?P<comment>#[^\n]*)"
    r"|(?P<cont>\\[ \t]*\r?\n)"
    r"|(?P<str>[rb]?\"|\"\"\")"
    r"|(?P<num>0[xX][0-9a-fA-F_]*|0[bB][01][01_]*|0[oO][0-7_]*"
    r"|\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?)"
    r"|(?P<word>[A-Za-z_]\w*)"
    r"|(?P<at>@(?:[A-Za-z_]\w*|\d[\w.\-]*)?)"
    # `?.` then `.` is `?` then `..` (a safe access needs a name after `?.`)
    r"|(?P<op>" + "|".join(re.escape(op) for op in _OPERATORS).replace(r"\?\.", r"\?\.(?!\.)")
    + ")"
)
_DIGITS_RE = re.compile(r"\d+")
_EMPTY_SET_RE = re.compile(r"[ \t]*\[[ \t]*\]")
_ROLE_RE = re.compile(r"[ \t]+([A-Za-z_]\w*)[ \t]*:(?!:)")
_ORCH_RE = re.compile(r"[ \t]+(parallel|race|vote|select)\b")
_PROCESS_HEADER_RE = re.compile(
    r"(memory|machine|pipeline|orchestration|guardrail|eval|pattern)[ \t]+([A-Za-z_]\w*)"
)
_WORD_RE = re.compile(r"[A-Za-z_]\w*")
# first words of the lines that `_line_start_form` may treat specially
LINE_START_WORDS = frozenset(
    {*PROTOCOL_WORDS, "macro", "active", "on_enter", "on_event", "on_timeout", *PROCESS_KINDS}
)
_INTERP_START_RE = re.compile(r"\{[ \t]*[A-Za-z_0-9(\[\-]")


class Token:
    """A token: its terminal name, text and 1-based span (end column exclusive)."""

    __slots__ = ("type", "value", "start_pos", "line", "column", "end_line", "end_column")

    def __init__(
        self, type_: str, value: str, start_pos: int, line: int, column: int,
        end_line: int, end_column: int,
    ) -> None:
        self.type = type_
        self.value = value
        self.start_pos = start_pos
        self.line = line
        self.column = column
        self.end_line = end_line
        self.end_column = end_column

    def __str__(self) -> str:
        return self.value

    def __repr__(self) -> str:
        return f"Token({self.type}, {self.value!r}, {self.line}:{self.column})"

    def retyped(self, type_: str, value: str | None = None) -> Token:
        """A token of another type at the same place."""
        return Token(
            type_, self.value if value is None else value, self.start_pos, self.line,
            self.column, self.end_line, self.end_column,
        )


@dataclass(frozen=True, slots=True)
class TokenTables:
    """Keyword and punctuation spellings -> terminal names, read from the grammar."""

    keywords: dict[str, str]
    soft: dict[str, str]
    operators: dict[str, str]


def tables_from_terminals(terminals: list[Any]) -> TokenTables:
    keywords: dict[str, str] = {}
    operators: dict[str, str] = {op: "AUG_ASSIGN" for op in AUG_OPS}
    for term in terminals:
        pattern = term.pattern
        if pattern.type != "str":
            continue
        if pattern.value.isidentifier():
            keywords[pattern.value] = term.name
        else:
            operators[pattern.value] = term.name
    soft = {word: keywords.pop(word) for word in SOFT_KEYWORDS if word in keywords}
    return TokenTables(keywords, soft, operators)


def indent_width(line: str) -> int:
    """Indentation of a line: a space counts 1 column, a tab 2 (§2.1)."""
    width = 0
    for ch in line:
        if ch == " ":
            width += 1
        elif ch == "\t":
            width += 2
        else:
            break
    return width


class Scanner:
    """Pass 1: raw tokens of a whole text (see the module docstring)."""

    def __init__(
        self, code: str, file: str, tables: TokenTables, diagnostics: list[Diagnostic],
        line_offset: int = 0, column_offset: int = 0,
    ) -> None:
        self.code = code
        self.file = file
        self.tables = tables
        self.diagnostics = diagnostics
        self.line_offset = line_offset
        self.column_offset = column_offset  # applies to the first line only (fragments)
        self.tokens: list[Token] = []
        self.line = 1
        self.line_start = 0
        self.depth = 0  # plain bracket depth, for line-start raw forms
        self.unclosed: list[Token] = []

    # ------------------------------------------------------------------ helpers

    def _position(self, pos: int) -> tuple[int, int]:
        """1-based (line, column) of an offset on the current line."""
        column = pos - self.line_start + 1
        if self.line == 1:
            column += self.column_offset
        return self.line + self.line_offset, column

    def _advance_lines(self, start: int, end: int) -> None:
        """Account for the newlines in code[start:end]."""
        count = self.code.count("\n", start, end)
        if count:
            self.line += count
            self.line_start = self.code.rfind("\n", start, end) + 1

    def _make(self, type_: str, value: str, start: int, end: int) -> Token:
        if self.line > 1 and end - start == len(value) and "\n" not in value:  # one line
            line = self.line + self.line_offset
            column = start - self.line_start + 1
            token = Token(type_, value, start, line, column, line, column + end - start)
            self.tokens.append(token)
            return token
        line, column = self._position(start)
        self._advance_lines(start, end)
        end_line, end_column = self._position(end)
        token = Token(type_, value, start, line, column, end_line, end_column)
        self.tokens.append(token)
        return token

    def _error(self, code: ErrorCode, message: str, start: int, end: int | None = None) -> None:
        line, column = self._position(start)
        if end is None or self.code.count("\n", start, end):
            end_line, end_column = line, column + 1
        else:
            end_line, end_column = line, column + (end - start)
        self.diagnostics.append(
            Diagnostic(code.value, message, self.file, Span(line, column, end_line, end_column))
        )

    def _line_end(self, pos: int) -> int:
        end = self.code.find("\n", pos)
        return len(self.code) if end < 0 else end

    def _add_nl(self, pos: int) -> None:
        if self.tokens and self.tokens[-1].type not in LINE_TOKENS:
            line, column = self._position(pos)
            self.tokens.append(Token("NL", "\n", pos, line, column, line, column + 1))

    # ------------------------------------------------------------------ main loop

    def scan(self) -> list[Token]:
        code = self.code
        length = len(code)
        pos = 0
        at_line_start = True
        match_at = _SCAN_RE.match
        keywords = self.tables.keywords
        operators = self.tables.operators
        tokens = self.tokens
        while pos < length:
            if at_line_start:
                at_line_start = False
                if self.depth == 0:
                    new_pos = self._line_start_form(pos)
                    if new_pos is not None:
                        pos = new_pos
                        continue
            m = match_at(code, pos)
            if m is None:
                self._error(ErrorCode.UNEXPECTED_CHAR, f"unexpected character {code[pos]!r}", pos)
                pos += 1
                continue
            kind = m.lastgroup
            end = m.end()
            if kind == "ws" or kind == "comment":
                pos = end
            elif kind == "nl":
                self._add_nl(pos)
                self.line += 1
                self.line_start = end
                pos = end
                at_line_start = True
            elif kind == "cont":
                self.line += 1
                self.line_start = end
                pos = end
            elif kind == "word":
                pos = self._word(m.group(), pos, end)
            elif kind == "num":
                pos = self._number(m.group(), pos, end)
            elif kind == "str":
                pos = self._string(pos)
            elif kind == "at":
                text = m.group()
                if len(text) == 1:
                    self._error(ErrorCode.UNEXPECTED_CHAR, "expected a name after '@'", pos)
                elif text[1].isdigit():
                    self._make("VERSION", text[1:], pos, end)
                else:
                    self._make("LABEL", text[1:], pos, end)
                pos = end
            else:  # operator
                text = m.group()
                type_ = operators.get(text)
                if type_ is None:
                    self._error(ErrorCode.UNEXPECTED_CHAR, f"unexpected {text!r}", pos)
                else:
                    if type_ in OPEN_BRACKETS:
                        self.depth += 1
                        self.unclosed.append(self._make(type_, text, pos, end))
                        pos = end
                        continue
                    if type_ in CLOSE_BRACKETS:
                        self.depth = max(0, self.depth - 1)
                        if self.unclosed:
                            self.unclosed.pop()
                    self._make(type_, text, pos, end)
                pos = end
        self._add_nl(length)
        del keywords, tokens
        return self.tokens

    # ------------------------------------------------------------------ words and numbers

    def _word(self, word: str, start: int, end: int) -> int:
        tokens = self.tokens
        after_dot = bool(tokens) and tokens[-1].type in ("DOT", "SAFE_DOT")
        if after_dot:
            self._make("NAME", word, start, end)
            return end
        code = self.code
        if word == "set":
            m = _EMPTY_SET_RE.match(code, end)
            if m:
                self._make("EMPTY_SET", code[start:m.end()], start, m.end())
                return m.end()
        elif word == "role":
            m = _ROLE_RE.match(code, end)
            if m:
                return self._role(start, m)
        elif word == "granting":
            brace = code.find("{", end)
            if brace >= 0 and not code[end:brace].strip():
                close = _matching_brace(code, brace)
                if close > 0:
                    self._make("GRANTING", code[brace + 1:close - 1].strip(), start, close)
                    return close
        elif word == "await":
            m = _ORCH_RE.match(code, end)
            if m and _is_orchestration_block(code, m.end()):
                self._make(self.tables.keywords.get("await", "AWAIT"), word, start, end)
                self._make("ORCH", m.group(1), m.start(1), m.end(1))
                return m.end()
        type_ = self.tables.keywords.get(word, "NAME")
        self._make(type_, word, start, end)
        return end

    def _number(self, text: str, start: int, end: int) -> int:
        if self.tokens and self.tokens[-1].type in ("DOT", "SAFE_DOT"):
            digits = _DIGITS_RE.match(self.code, start)
            assert digits is not None
            self._make("INT", digits.group(), start, digits.end())
            return digits.end()
        is_float = text[:2].lower() not in ("0x", "0b", "0o") and ("." in text or "e" in text.lower())
        if text.endswith("_") or "__" in text or text[:2].lower() in ("0x", "0b", "0o") and len(
            text.replace("_", "")
        ) <= 2:
            self._error(ErrorCode.INVALID_NUMBER, f"malformed number {text!r}", start, end)
        self._make("FLOAT" if is_float else "INT", text, start, end)
        return end

    # ------------------------------------------------------------------ strings

    def _string(self, start: int) -> int:
        code = self.code
        if code.startswith('r"""', start) or code.startswith('"""', start):
            body = start + (4 if code[start] == "r" else 3)
            end = _scan_triple(code, body, raw=code[start] == "r")
            if end < 0:
                self._error(ErrorCode.UNTERMINATED_STRING, "unterminated triple-quoted string", start)
                end = len(code)
            self._make("STRING", code[start:end], start, end)
            return end
        if code[start] == "b":
            close = code.find('"', start + 2, self._line_end(start))
            if close < 0:
                self._error(ErrorCode.UNTERMINATED_STRING, "unterminated bytes literal", start)
                end = self._line_end(start)
            else:
                end = close + 1
                digits = code[start + 2:close]
                if len(digits) % 2 or any(c not in "0123456789abcdefABCDEF" for c in digits):
                    self._error(
                        ErrorCode.INVALID_BYTES,
                        "a bytes literal needs an even number of hex digits (two per byte)",
                        start, end,
                    )
            self._make("BYTES", code[start:end], start, end)
            return end
        if code[start] == "r":
            close = code.find('"', start + 2, self._line_end(start))
            end = close + 1 if close >= 0 else -1
        else:
            end = _scan_plain(code, start + 1)
        if end < 0:
            self._error(
                ErrorCode.UNTERMINATED_STRING,
                "unterminated string: a \"...\" string must be closed on the same line",
                start, self._line_end(start),
            )
            end = self._line_end(start)
            self._make("STRING", code[start:end] + '"', start, end)
            return end
        self._make("STRING", code[start:end], start, end)
        return end

    def _role(self, start: int, m: re.Match[str]) -> int:
        """`role NAME: text` -> one ROLE token whose value is `NAME:text`."""
        code = self.code
        name = m.group(1)
        text_start = m.end()
        if self.depth > 0:
            end = _scan_role_argument(code, text_start)
            self._make("ROLE", f"{name}:{code[text_start:end]}", start, end)
            return end
        line_end = self._line_end(text_start)
        if code[text_start:line_end].strip():
            self._make("ROLE", f"{name}:{code[text_start:line_end]}", start, line_end)
            return line_end
        # indented multi-line block closed by `end`
        base = indent_width(code[self.line_start:start])
        pos = line_end + 1 if line_end < len(code) else line_end
        while pos < len(code):
            line_end2 = self._line_end(pos)
            line_text = code[pos:line_end2]
            if line_text.strip() == "end" and indent_width(line_text) <= base + 2:
                body = code[line_end + 1:pos]
                end = pos + line_text.index("end") + 3
                self._make("ROLE", f"{name}:\n{body}", start, end)
                return end
            pos = line_end2 + 1
        self._error(ErrorCode.MISSING_END, "expected 'end' to close this role block", start)
        self._make("ROLE", f"{name}:\n{code[line_end + 1:]}", start, len(code))
        return len(code)

    # ------------------------------------------------------------------ line-start raw forms

    def _line_start_form(self, pos: int) -> int | None:
        """Attribute/directive/protocol/macro/on_* lines and process headers."""
        code = self.code
        line_end = self._line_end(pos)
        line = code[pos:line_end]
        stripped = line.lstrip(" \t")
        if not stripped:
            return None
        first = stripped[0]
        indent_chars = len(line) - len(stripped)
        start = pos + indent_chars
        if first == "@":
            return self._attribute(start, line_end, indent_width(line))
        if not first.isalpha():
            return None
        word_match = _WORD_RE.match(stripped)
        assert word_match is not None
        word = word_match.group()
        if word not in LINE_START_WORDS:
            return None
        rest = _strip_comment(stripped[len(word):]).strip()
        if word in PROTOCOL_WORDS and (word != "with" or rest) and not rest.startswith("="):
            return self._protocol(word, start, line_end, rest, indent_width(line))
        if word == "macro" and rest:
            return self._raw_block("MACRO", start, line_end, indent_width(line))
        if word == "active" and re.match(r"active[ \t]+pattern[ \t]+[A-Z]", stripped):
            # §16.3 `active pattern Name(x) -> T` is read as `@active_pattern cell Name...`
            self._make("ATTRIBUTE", "active_pattern", start, start + 6)
            keyword_start = code.index("pattern", start + 6)
            self._make(self.tables.keywords.get("cell", "CELL"), "cell", keyword_start,
                       keyword_start + 7)
            return keyword_start + 7
        if word in ("on_enter", "on_event", "on_timeout"):
            return self._raw_block("ON_BLOCK", start, line_end, indent_width(line))
        if word in PROCESS_KINDS and indent_chars == 0:
            header = _PROCESS_HEADER_RE.match(stripped)
            if header:
                tail = _strip_comment(stripped[header.end():]).strip()
                if tail:
                    self._make("NAME", header.group(1), start, start + header.end(1))
                    self._make(
                        "NAME", header.group(2), start + header.start(2), start + header.end(2)
                    )
                    tail_start = start + header.end() + (len(stripped[header.end():]) - len(
                        stripped[header.end():].lstrip()))
                    self._make("HEADER_REST", tail, tail_start, tail_start + len(tail))
                    return line_end
        return None

    def _attribute(self, start: int, line_end: int, base: int) -> int:
        code = self.code
        text = _strip_comment(code[start + 1:line_end]).rstrip()
        name_match = re.match(r"[A-Za-z_]\w*", text)
        if name_match is None:
            return start  # not an attribute; the main loop reports the '@'
        # an indented payload (block form), optionally closed by `end` at the same column
        end = line_end
        pos = line_end + 1
        payload: list[str] = []
        while pos < len(code):
            next_end = self._line_end(pos)
            next_line = code[pos:next_end]
            if next_line.strip() and indent_width(next_line) <= base:
                if payload and next_line.strip() == "end" and indent_width(next_line) == base:
                    end = pos + next_line.index("end") + 3
                break
            if next_line.strip():
                payload.append(next_line.strip())
                end = next_end
            pos = next_end + 1
        value = text if not payload else text + "\n" + "\n".join(payload)
        is_directive = (
            base == 0 and self.column_offset == 0 and name_match.group() in DIRECTIVE_NAMES
            and not payload
        )
        self._make("DIRECTIVE" if is_directive else "ATTRIBUTE", value, start, end)
        return end

    def _protocol(self, word: str, start: int, line_end: int, rest: str, base: int) -> int:
        code = self.code
        if rest == "in" or rest.endswith((" in", "\tin")):
            text = rest[:-2].rstrip()
            self._make("PROTOCOL", f"{word} {text}".rstrip(), start, line_end)
            keyword_pos = code.rfind("in", start, line_end)
            self._make(self.tables.keywords.get("in", "IN"), "in", keyword_pos, keyword_pos + 2)
            return line_end
        lines = [f"{word} {rest}".rstrip()]
        end = line_end
        pos = line_end + 1
        while pos < len(code):
            next_end = self._line_end(pos)
            next_line = code[pos:next_end]
            if next_line.strip() and indent_width(next_line) <= base:
                break
            if next_line.strip():
                lines.append(next_line.strip())
                end = next_end
            pos = next_end + 1
        self._make("PROTOCOL", "\n".join(lines), start, end)
        return end

    def _raw_block(self, type_: str, start: int, line_end: int, base: int) -> int:
        """A raw region from `start` through the first `end` line at column <= base."""
        code = self.code
        pos = line_end + 1
        while pos < len(code):
            next_end = self._line_end(pos)
            next_line = code[pos:next_end]
            stripped = next_line.strip()
            if stripped and indent_width(next_line) <= base:
                if stripped == "end" or stripped.startswith("end ") or stripped.startswith("end#"):
                    end = pos + next_line.index("end") + 3
                    self._make(type_, code[start:end], start, end)
                    return end
                break
            pos = next_end + 1
        self._error(ErrorCode.MISSING_END, "expected 'end' to close this block", start)
        end = min(pos, len(code))
        self._make(type_, code[start:end].rstrip("\n"), start, end)
        return end


# ---------------------------------------------------------------------- scanning helpers


def _strip_comment(text: str) -> str:
    """`text` without a trailing `# comment` (a `#` inside a string does not count)."""
    index = 0
    length = len(text)
    while index < length:
        ch = text[index]
        if ch == '"' or ch in "rb" and _starts_prefixed_string(text, index):
            index = string_end(text, index)
            if index < 0:
                return text
            continue
        if ch == "#":
            return text[:index]
        index += 1
    return text


def _scan_plain(code: str, pos: int) -> int:
    """End offset (after the closing quote) of a "..." string whose body starts at `pos`,
    or -1 when the line ends first. Interpolations may nest braces and strings."""
    length = len(code)
    while pos < length:
        ch = code[pos]
        if ch == "\\":
            pos = _skip_escape(code, pos)
            continue
        if ch == '"':
            return pos + 1
        if ch == "\n":
            return -1
        if ch == "{" and _INTERP_START_RE.match(code, pos):
            pos = _scan_interpolation(code, pos, multiline=False)
            if pos < 0:
                return -1
            continue
        pos += 1
    return -1


def _scan_triple(code: str, pos: int, raw: bool) -> int:
    length = len(code)
    while pos < length:
        if code.startswith('"""', pos):
            return pos + 3
        ch = code[pos]
        if ch == "\\" and not raw:
            pos = _skip_escape(code, pos)
            continue
        if ch == "{" and not raw and _INTERP_START_RE.match(code, pos):
            pos = _scan_interpolation(code, pos, multiline=True)
            if pos < 0:
                return -1
            continue
        pos += 1
    return -1


def _skip_escape(code: str, pos: int) -> int:
    """Offset after the escape sequence at `pos` (a backslash); `\\u{...}` included."""
    if code.startswith("u{", pos + 1):
        close = code.find("}", pos + 3)
        if close >= 0 and close - pos <= 12:
            return close + 1
    return pos + 2


def _scan_interpolation(code: str, pos: int, multiline: bool) -> int:
    """Offset after the `}` matching the `{` at `pos`, or -1."""
    depth = 0
    length = len(code)
    while pos < length:
        ch = code[pos]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return pos + 1
        elif ch == '"' or ch in "rb" and _starts_prefixed_string(code, pos):
            pos = string_end(code, pos)
            if pos < 0:
                return -1
            continue
        elif ch == "\n" and not multiline:
            return -1
        pos += 1
    return -1


def _starts_prefixed_string(code: str, pos: int) -> bool:
    """Is `code[pos]` the `r`/`b` prefix of a string literal (not the end of a name)?"""
    if not code.startswith('"', pos + 1):
        return False
    return pos == 0 or not (code[pos - 1].isalnum() or code[pos - 1] == "_")


def string_end(code: str, pos: int) -> int:
    """Offset after the string literal (any form of §2.5) that starts at `pos` (its quote
    or `r`/`b` prefix), or -1 when it is not closed. Raw and bytes literals have no escapes
    and no interpolation, so a `{`, `(` or `\\` inside them is plain text."""
    if code.startswith('r"""', pos):
        return _scan_triple(code, pos + 4, raw=True)
    if code.startswith('"""', pos):
        return _scan_triple(code, pos + 3, raw=False)
    if code[pos] in "rb":
        line_end = code.find("\n", pos)
        close = code.find('"', pos + 2, len(code) if line_end < 0 else line_end)
        return close + 1 if close >= 0 else -1
    return _scan_plain(code, pos + 1)


def _matching_brace(code: str, pos: int) -> int:
    depth = 0
    for index in range(pos, len(code)):
        if code[index] == "{":
            depth += 1
        elif code[index] == "}":
            depth -= 1
            if depth == 0:
                return index + 1
    return -1


def _scan_role_argument(code: str, pos: int) -> int:
    """End of an inline role text inside brackets: the next `,` or closing bracket at
    nesting depth 0."""
    depth = 0
    length = len(code)
    while pos < length:
        ch = code[pos]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                return pos
            depth -= 1
        elif ch == "," and depth == 0:
            return pos
        elif ch == '"' or ch in "rb" and _starts_prefixed_string(code, pos):
            end = string_end(code, pos)
            if end < 0:
                return pos
            pos = end
            continue
        elif ch == "\n" and depth == 0:
            return pos
        pos += 1
    return pos


def _is_orchestration_block(code: str, pos: int) -> bool:
    """After `await KIND`: is this a block (`NL`/`for` follows, maybe after `(args)`)?"""
    rest_end = code.find("\n", pos)
    rest = _strip_comment(code[pos:rest_end if rest_end >= 0 else len(code)]).strip()
    if rest.startswith("("):
        close = _matching_paren(rest, 0)
        if close < 0:
            return False
        rest = rest[close:].strip()
    return rest == "" or rest.startswith("for ")


def _matching_paren(text: str, pos: int) -> int:
    """Offset after the `)` matching the `(` at `pos`, skipping string literals (whose
    brackets do not count), or -1."""
    depth = 0
    length = len(text)
    while pos < length:
        ch = text[pos]
        if ch == '"' or ch in "rb" and _starts_prefixed_string(text, pos):
            pos = string_end(text, pos)
            if pos < 0:
                return -1
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return pos + 1
        pos += 1
    return -1
