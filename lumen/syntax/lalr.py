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
    """Runs one start rule of a Lark LALR table, calling Lark's callbacks on reductions.

    The table is kept in a compact, picklable form: `states[state][terminal]` is
    `(True, next_state)` for a shift or `(False, rule_index)` for a reduction, and
    `reductions[rule_index]` is (number of symbols, produced nonterminal, callback).
    """

    def __init__(
        self, states: dict[Any, dict[str, tuple[bool, Any]]], start_states: dict[str, Any],
        end_states: dict[str, Any], reductions: list[tuple[int, str, Callable[[list[Any]], Any]]],
    ) -> None:
        self.states = states
        self.start_states = start_states
        self.end_states = end_states
        self.reductions = reductions

    @classmethod
    def from_lark(cls, parse_table: Any, callbacks: dict[Any, Any], builder: Any) -> LalrDriver:
        """Convert Lark's table and callbacks (built with `builder` as inline transformer)
        into the compact form; the result no longer refers to Lark at all."""
        from lark.parsers.lalr_analysis import Shift

        rule_index: dict[int, int] = {}
        reductions: list[tuple[int, str, Callable[[list[Any]], Any]]] = []
        for rule, callback in callbacks.items():
            if hasattr(rule, "expansion"):
                rule_index[id(rule)] = len(reductions)
                reduction = Reduction.from_lark(callback, builder, str(rule.origin.name))
                reductions.append((len(rule.expansion), str(rule.origin.name), reduction))
        # plain `str` keys: Lark's symbol names are `Token`s, whose `__eq__` is Python code
        states = {
            state: {
                str(symbol): (True, arg) if kind is Shift else (False, rule_index[id(arg)])
                for symbol, (kind, arg) in actions.items()
            }
            for state, actions in parse_table.states.items()
        }
        return cls(states, dict(parse_table.start_states), dict(parse_table.end_states), reductions)

    def parse(
        self, start: str, make_tokens: Callable[[Any, list[Any], Any], Iterable[Any]]
    ) -> Any:
        """`make_tokens(states, state_stack, reductions)` yields the tokens; it may inspect the live
        state stack to decide what to yield next."""
        states = self.states
        reductions = self.reductions
        state_stack: list[Any] = [self.start_states[start]]
        value_stack: list[Any] = []
        for token in make_tokens(states, state_stack, reductions):
            type_ = token.type
            while True:
                action = states[state_stack[-1]].get(type_)
                if action is None:
                    raise ParseFailure(token, _expected(states[state_stack[-1]]), value_stack)
                is_shift, arg = action
                if is_shift:
                    state_stack.append(arg)
                    value_stack.append(token)
                    break
                size, origin, callback = reductions[arg]
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
            _, arg = action
            size, origin, callback = reductions[arg]
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




class Spliced:
    """The value of a helper rule (`_name`, or the `x*` / `[x]` helpers Lark generates):
    its children are spliced into the parent's children."""

    __slots__ = ("name", "children")

    def __init__(self, name: str, children: list[Any]) -> None:
        self.name = name
        self.children = children


class Reduction:
    """One rule's reduction callback, equivalent to Lark's wrapper chain (child filter,
    optional single-child expansion, then the builder method) in one call."""

    __slots__ = (
        "to_include", "append_none", "expand_single", "builder", "method", "name", "bound",
    )

    def __init__(
        self, to_include: list[tuple[int, bool, int]] | None, append_none: int,
        expand_single: bool, builder: Any, method: str | None, name: str,
    ) -> None:
        self.to_include = to_include
        self.append_none = append_none
        self.expand_single = expand_single
        self.builder = builder
        self.method = method
        self.name = name
        self.bound = getattr(builder, method) if method is not None else None

    def __getstate__(self) -> tuple[Any, ...]:
        return (self.to_include, self.append_none, self.expand_single, self.builder,
                self.method, self.name)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        (self.to_include, self.append_none, self.expand_single, self.builder,
         self.method, self.name) = state
        self.bound = getattr(self.builder, self.method) if self.method is not None else None

    @classmethod
    def from_lark(cls, callback: Any, builder: Any, name: str) -> Reduction:
        from lark.parse_tree_builder import (
            ChildFilterLALR,
            ChildFilterLALR_NoPlaceholders,
            ExpandSingleChild,
        )

        to_include: list[tuple[int, bool, int]] | None = None
        append_none = 0
        expand_single = False
        layer = callback
        while True:
            if isinstance(layer, ChildFilterLALR):
                to_include = [tuple(item) for item in layer.to_include]  # type: ignore[misc]
                append_none = layer.append_none
                layer = layer.node_builder
            elif isinstance(layer, ChildFilterLALR_NoPlaceholders):
                to_include = [(i, expand, 0) for i, expand in layer.to_include]
                layer = layer.node_builder
            elif isinstance(layer, ExpandSingleChild):
                expand_single = True
                layer = layer.node_builder
            else:
                break
        method = getattr(layer, "__name__", None) if getattr(layer, "__self__", None) is builder else None
        return cls(to_include, append_none, expand_single, builder, method, name)

    def __call__(self, children: list[Any]) -> Any:
        to_include = self.to_include
        if to_include is not None:
            filtered: list[Any] = []
            for index, to_expand, add_none in to_include:
                if add_none:
                    filtered += [None] * add_none
                if to_expand:
                    if filtered:
                        filtered += children[index].children
                    else:
                        filtered = children[index].children
                else:
                    filtered.append(children[index])
            if self.append_none:
                filtered += [None] * self.append_none
            children = filtered
        if self.expand_single and len(children) == 1:
            return children[0]
        bound = self.bound
        if bound is None:
            return Spliced(self.name, children)
        return bound(children)
