"""A lean LALR(1) driver over Lark's parse table and reduction callbacks.

Lark's own loop (`ParserState.feed_token`) is correct but spends much of its time in
bookkeeping (an `assert` that compares rules, attribute lookups per token); parsing
speed is an acceptance target, so this module runs the same table with the hot
lookups bound to locals. On a syntax error it raises `ParseFailure`, which carries
what the message module needs (the token, the expected terminals, the value stack).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from lark.parsers.lalr_analysis import Shift


class ParseFailure(Exception):
    """The parser met `token` where only `expected` terminals could follow."""

    def __init__(self, token: Any, expected: set[str], value_stack: list[Any]) -> None:
        super().__init__(f"unexpected {token.type}")
        self.token = token
        self.expected = expected
        self.state = self  # messages read `error.state.value_stack`
        self.value_stack = value_stack
        self.line = getattr(token, "line", 0)
        self.column = getattr(token, "column", 0)


class EndToken:
    """The `$END` pseudo-token."""

    __slots__ = ("line", "column", "end_line", "end_column")
    type = "$END"
    value = ""

    def __init__(self) -> None:
        self.line = self.column = self.end_line = self.end_column = 0

    def __str__(self) -> str:
        return ""


class LalrDriver:
    """Runs one start rule of a Lark LALR table, calling Lark's callbacks on reductions."""

    def __init__(self, parse_table: Any, callbacks: dict[Any, Callable[[list[Any]], Any]]) -> None:
        self.states = parse_table.states
        self.start_states = parse_table.start_states
        self.end_states = parse_table.end_states
        # per rule: (number of symbols, name of the produced nonterminal, callback)
        self.reductions: dict[int, tuple[int, str, Callable[[list[Any]], Any]]] = {}
        for rule, callback in callbacks.items():
            if hasattr(rule, "expansion"):
                self.reductions[id(rule)] = (len(rule.expansion), rule.origin.name, callback)

    def parse(
        self, start: str, make_tokens: Callable[[Any, list[Any]], Iterable[Any]]
    ) -> Any:
        """`make_tokens(states, state_stack)` yields the tokens; it may inspect the live
        state stack to decide what to yield next."""
        states = self.states
        reductions = self.reductions
        shift = Shift
        state_stack: list[Any] = [self.start_states[start]]
        value_stack: list[Any] = []
        for token in make_tokens(states, state_stack):
            type_ = token.type
            while True:
                action = states[state_stack[-1]].get(type_)
                if action is None:
                    raise ParseFailure(token, _expected(states[state_stack[-1]]), value_stack)
                kind, arg = action
                if kind is shift:
                    state_stack.append(arg)
                    value_stack.append(token)
                    break
                size, origin, callback = reductions[id(arg)]
                if size:
                    children = value_stack[-size:]
                    del state_stack[-size:]
                    del value_stack[-size:]
                else:
                    children = []
                value_stack.append(callback(children))
                state_stack.append(states[state_stack[-1]][origin][1])
        end = EndToken()
        end_state = self.end_states[start]
        while True:
            action = states[state_stack[-1]].get("$END")
            if action is None:
                raise ParseFailure(end, _expected(states[state_stack[-1]]), value_stack)
            kind, arg = action
            size, origin, callback = reductions[id(arg)]
            if size:
                children = value_stack[-size:]
                del state_stack[-size:]
                del value_stack[-size:]
            else:
                children = []
            value_stack.append(callback(children))
            state_stack.append(states[state_stack[-1]][origin][1])
            if state_stack[-1] == end_state:
                return value_stack[-1]


def _expected(actions: dict[str, Any]) -> set[str]:
    return {name for name in actions if name.isupper() or name.startswith("_") and name[1:].isupper()}
