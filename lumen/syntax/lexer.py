"""Pass 2 of tokenizing: the layout rules of §2.1 / §3.2, run inside the parser loop.

`LayoutLexer.lex` decides which line ends are statement separators (not inside
brackets, not before or after an operator-continuation line), emits the
`_INDENT`/`_DEDENT` pairs of match-arm and grant blocks, marks body-less cell lines
(`_SIGNL`), turns soft keywords into keywords where the parser accepts them, marks the
start of handler arms (`_ARM`) and splits two expressions written side by side. Because
it runs inside the parser loop it can ask the LALR table what the current state accepts.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lumen.diagnostics import Diagnostic, ErrorCode, Span
from lumen.syntax.scanner import (
    CLOSE_BRACKETS,
    LINE_TOKENS,
    OPEN_BRACKETS,
    SOFT_KEYWORDS,
    Token,
    TokenTables,
    indent_width,
)

# A line starting with one of these continues the previous expression (§2.1).
CONTINUATION_TYPES = frozenset({
    "PIPE", "COMPOSE", "DOT", "SAFE_DOT", "COALESCE", "PLUS", "MINUS", "STAR", "SLASH",
    "DSLASH", "PERCENT", "EQEQ", "NOTEQ", "LT", "LE", "GT", "GE", "SHL", "SHR", "AND", "OR",
    "IN", "BAR", "AMP", "CARET", "POW", "PLUSPLUS",
})
# tokens that can end an expression (only then can the next line continue it)
EXPRESSION_ENDS = frozenset({
    "NAME", "INT", "FLOAT", "STRING", "BYTES", "TRUE", "FALSE", "NULL", "RPAR", "RSQB",
    "RBRACE", "END", "QUESTION", "BANG", "EMPTY_SET", "ROLE",
})
# A line ending with one of these binary operators continues on the next line. (`|` ends
# `do |x|` parameter lists, `*` ends `import m: *`, and `in` at a line end is no operator.)
TRAILING_CONTINUATION_TYPES = (CONTINUATION_TYPES - {"BAR", "STAR", "IN", "DOT"}) | {
    "EQUAL", "AUG_ASSIGN", "FAT_ARROW", "DOTDOT", "DOTDOTEQ", "NOT",
}
BRACKET_CHARS = frozenset("([{")
# the context of a `comptime {` block: closed by `}`, but its line ends are separators
COMPTIME_CONTEXT = "c"
# keywords that open an `end`-closed block, tracked only inside brackets (lambda bodies)
BLOCK_KEYWORDS = frozenset({"MATCH", "WHEN", "LOOP", "WHILE", "HANDLE", "DEFER", "DO", "ORCH"})
# tokens that can start an expression statement written after another on the same line
STATEMENT_STARTS = frozenset({
    "NAME", "INT", "FLOAT", "STRING", "BYTES", "TRUE", "FALSE", "NULL", "NOT", "LBRACE",
    "EMPTY_SET", "IF", "MATCH", "WHEN", "FOR", "WHILE", "LOOP", "RETURN", "LET", "EMIT",
})


# ---------------------------------------------------------------------- pass 2: layout


def accepts(states: Any, state_stack: list[Any], terminal: str, reductions: Any) -> bool:
    """Would the LALR parser shift `terminal` now? Simulates the reductions on a copy of
    the state stack (LALR lookaheads alone over-approximate)."""
    stack = list(state_stack)
    while True:
        action = states[stack[-1]].get(terminal)
        if action is None:
            return False
        is_shift, arg = action
        if is_shift:
            return True
        size, origin, _ = reductions[arg]
        if size:
            del stack[-size:]
        goto = states[stack[-1]].get(origin)
        if goto is None:
            return False
        stack.append(goto[1])


class LayoutLexer:
    """Feeds the LALR parser (it is the `lexer` object that Lark's parser loop calls)."""

    def __init__(
        self, tokens: list[Token], code_lines: list[str], file: str,
        diagnostics: list[Diagnostic], tables: TokenTables, line_offset: int = 0,
    ) -> None:
        self.tokens = tokens
        self.code_lines = code_lines
        self.file = file
        self.diagnostics = diagnostics
        self.tables = tables
        self.line_offset = line_offset
        self.open_contexts: list[tuple[str, Token]] = []

    def _indent(self, token: Token) -> int:
        index = token.line - 1 - self.line_offset
        if 0 <= index < len(self.code_lines):
            return indent_width(self.code_lines[index])
        return 0

    def _line_has_arrow(self, index: int) -> bool:
        depth = 0
        tokens = self.tokens
        while index < len(tokens):
            type_ = tokens[index].type
            if type_ == "NL":
                return False
            if type_ in OPEN_BRACKETS:
                depth += 1
            elif type_ in CLOSE_BRACKETS:
                depth -= 1
            elif type_ == "ARROW" and depth == 0:
                return True
            index += 1
        return False

    def lex(self, states: Any, state_stack: list[Any], reductions: Any) -> Iterator[Token]:
        """The token stream; `state_stack` is the parser's live stack (read only)."""
        tokens = self.tokens
        count = len(tokens)
        soft = self.tables.soft
        stack = self.open_contexts  # "(" "[" "{" or "B" (block), "F" (fn header), "I" (if)
        layout: list[int] = []  # columns of open arm / grant blocks
        indents = [0]
        line_first: Token | None = None  # first token of the current logical line
        line_is_cell = False
        layout_pending = False
        previous: Token | None = None
        at_line_start = True

        def new(type_: str, like: Token) -> Token:
            return like.retyped(type_, "")

        index = 0
        while index < count:
            token = tokens[index]
            type_ = token.type
            if type_ == "NL":
                index += 1
                if stack:
                    top = stack[-1][0]
                    if top in BRACKET_CHARS:
                        continue
                    if top in "FI":
                        stack[-1] = ("B", stack[-1][1])
                if index >= count or previous is None:
                    break
                following = tokens[index]
                if (
                    following.type in CONTINUATION_TYPES and previous.type in EXPRESSION_ENDS
                    and not self._line_has_arrow(index)
                ) or previous.type in TRAILING_CONTINUATION_TYPES:
                    # a continuation line: no separator, but its indentation is a level
                    continued_indent = self._indent(following)
                    if continued_indent > indents[-1]:
                        indents.append(continued_indent)
                    continue
                if following.value == "do" and following.type == "NAME" and (
                    previous.type == "RPAR"
                ):
                    continue
                current_indent = self._indent(line_first) if line_first is not None else 0
                next_indent = self._indent(following)
                if line_is_cell and next_indent <= current_indent:
                    yield new("_SIGNL", token)
                else:
                    yield new("_NL", token)
                if next_indent > indents[-1]:
                    indents.append(next_indent)
                elif next_indent < indents[-1]:
                    while next_indent < indents[-1]:
                        indents.pop()
                    if next_indent != indents[-1]:
                        self._report_indent(following)
                        indents.append(next_indent)
                while layout and next_indent <= layout[-1]:
                    layout.pop()
                    yield new("_DEDENT", following)
                if layout_pending and next_indent > current_indent:
                    layout.append(current_indent)
                    yield new("_INDENT", following)
                layout_pending = False
                line_first = None
                line_is_cell = False
                at_line_start = True
                previous = token
                continue

            starts_line = at_line_start or (previous is not None and previous.type in LINE_TOKENS)
            if starts_line:
                at_line_start = False
                line_first = token
                layout_pending = type_ == "GRANT"
                if type_ == "NAME" and index + 3 < count and tokens[index + 1].type == "DOT" and (
                    tokens[index + 2].type == "NAME" and tokens[index + 3].type == "LPAR"
                    and accepts(states, state_stack, "_ARM", reductions)
                ):
                    yield new("_ARM", token)
            if line_first is not None and not line_is_cell and type_ in ("CELL",):
                line_is_cell = line_first.type in ("CELL", "PUB", "ASYNC", "EXTERN")


            if type_ == "NAME" and token.value in soft:
                keyword = soft[token.value]
                if accepts(states, state_stack, keyword, reductions) and self._soft_follow_ok(
                    token.value, index, stack
                ):
                    token = token.retyped(keyword)
                    type_ = keyword
                    if type_ == "DO" and stack:
                        stack.append(("B", token))
            if (
                type_ in STATEMENT_STARTS and not starts_line
                and states[state_stack[-1]].get(type_) is None
                and accepts(states, state_stack, "_NL", reductions)
            ):
                # two expressions side by side are two statements (§2.1, §10.13 `assert x`)
                yield new("_NL", token)
            if type_ == "LBRACE" and previous is not None and previous.type == "COMPTIME" and (
                self._comptime_block_brace(index)
            ):
                token = token.retyped("COMPTIME_BRACE")
                type_ = token.type
                stack.append((COMPTIME_CONTEXT, token))
            elif type_ == "DO":
                pass
            elif type_ in OPEN_BRACKETS:
                stack.append((OPEN_BRACKETS[type_], token))
            elif type_ in CLOSE_BRACKETS:
                want = CLOSE_BRACKETS[type_]
                while stack and stack[-1][0] not in BRACKET_CHARS and (
                    stack[-1][0] != COMPTIME_CONTEXT
                ):
                    stack.pop()
                if stack and (
                    stack[-1][0] == want or stack[-1][0] == COMPTIME_CONTEXT and want == "{"
                ):
                    stack.pop()
            elif stack:
                self._track_block(type_, previous, stack, token)

            if type_ == "ARROW" and index + 1 < count and tokens[index + 1].type == "NL" and (
                not stack or stack[-1][0] == "B"
            ):
                layout_pending = True
            previous = token
            index += 1
            yield token

        if previous is not None:
            if previous.type not in LINE_TOKENS:
                yield new("_NL", previous)
            for _ in layout:
                yield new("_DEDENT", previous)

    def _comptime_block_brace(self, index: int) -> bool:
        """Is the `{` at `index` (after `comptime`) the braced block form, rather than a map
        or set literal of the inline form `comptime {…} end`?"""
        tokens = self.tokens
        depth = 0
        for position in range(index, len(tokens)):
            type_ = tokens[position].type
            if type_ in OPEN_BRACKETS:
                depth += 1
            elif type_ in CLOSE_BRACKETS:
                depth -= 1
                if depth == 0:
                    following = tokens[position + 1] if position + 1 < len(tokens) else None
                    return following is None or following.type != "END"
        return True

    def _soft_follow_ok(self, word: str, index: int, stack: list[tuple[str, Token]]) -> bool:
        need = SOFT_KEYWORDS[word]
        if word == "do":
            return not stack or stack[-1][0] not in BRACKET_CHARS
        if need is None:
            return True
        following = self.tokens[index + 1] if index + 1 < len(self.tokens) else None
        if following is None:
            return False
        if need == "name":
            return following.type == "NAME"
        if need == ":":
            return following.type == "COLON"
        if need == "string":
            return following.type == "STRING"
        return following.type == "NAME" and following.value == need

    @staticmethod
    def _track_block(
        type_: str, previous: Token | None, stack: list[tuple[str, Token]], token: Token
    ) -> None:
        """Inside brackets, follow `end`-closed blocks so that their lines get NEWLINEs."""
        top = stack[-1][0]
        if type_ == "FN":
            stack.append(("F", token))
        elif type_ == "FAT_ARROW" or type_ == "COMMA" or type_ == "EQUAL":
            if top == "F":
                stack.pop()
        elif type_ == "IF":
            if previous is None or previous.type != "ELSE":
                stack.append(("I", token))
        elif type_ == "THEN":
            if top == "I":
                stack.pop()
        elif type_ in BLOCK_KEYWORDS:
            stack.append(("B", token))
        elif type_ == "FOR":
            if top == "B" or top == COMPTIME_CONTEXT:
                stack.append(("B", token))
        elif type_ == "END":
            if top == "B":
                stack.pop()

    def _report_indent(self, token: Token) -> None:
        self.diagnostics.append(
            Diagnostic(
                ErrorCode.INCONSISTENT_INDENT.value,
                "inconsistent indentation: this line does not return to the indentation of "
                "an enclosing line",
                self.file,
                Span(token.line, 1, token.line, token.column),
            )
        )
