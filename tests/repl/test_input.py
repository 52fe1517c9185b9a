"""REPL line logic: when an entry continues, `:commands`, collecting piped lines."""

from __future__ import annotations

import pytest

from lumen.repl.input import Command, EntryCollector, needs_more_input, parse_command


@pytest.mark.parametrize("text", [
    "cell double(n: Int) -> Int",
    "cell double(n: Int) -> Int\n  n * 2",
    "if x > 1",
    "record Point\n  x: Int",
    "enum Shape\n  Dot",
    "let xs = [1, 2,",
    "let m = {\"a\": (1,",
    'let s = """first line',
    "let total = 1 +",
    "let y =",
    "let t:",
    "f(a,",
    "x |>",
    "match value",
    "```\nA docstring\n\nwith a blank line",
])
def test_unfinished_entries_continue(text: str) -> None:
    assert needs_more_input(text)


@pytest.mark.parametrize("text", [
    "1 + 2",
    "let x = 41",
    "cell double(n: Int) -> Int = n * 2",
    "cell double(n: Int) -> Int\n  n * 2\nend",
    "if a then 1 else 2",
    "let f = fn(x: Int) => x + 1",
    "print(\"a # not a comment:\")",
    "let login = 1  # ends in 'in' only inside a word",
    "x = 1)",  # a real syntax error: more text cannot fix it
    ":type 1 +",
    "",
])
def test_finished_entries_run(text: str) -> None:
    assert not needs_more_input(text)


def test_a_blank_line_ends_an_unfinished_block() -> None:
    assert needs_more_input("cell f() -> Int\n  1")
    assert not needs_more_input("cell f() -> Int\n  1\n")
    assert not needs_more_input("cell f() -> Int\n  1\n   ")


def test_a_trailing_comment_does_not_hide_a_continuing_operator() -> None:
    assert needs_more_input("let total = 1 +  # more below")


def test_commands_and_their_aliases() -> None:
    assert parse_command(":type 1 + 2") == Command("type", "1 + 2")
    assert parse_command("  :t  xs ") == Command("type", "xs")
    assert parse_command(":q") == Command("quit", "")
    assert parse_command(":exit") == Command("quit", "")
    assert parse_command(":?") == Command("help", "")
    assert parse_command(":frobnicate") == Command("frobnicate", "")
    assert parse_command("let x = 1") is None


def test_collector_joins_lines_into_entries() -> None:
    collector = EntryCollector()
    fed = ["", "cell double(n: Int) -> Int", "  n * 2", "end", "double(4)", "let xs = [1,", "2]"]
    entries = [entry for entry in map(collector.feed, fed) if entry is not None]
    assert entries == ["cell double(n: Int) -> Int\n  n * 2\nend", "double(4)", "let xs = [1,\n2]"]
    assert not collector.pending


def test_collector_blank_line_and_end_of_input_end_an_entry() -> None:
    collector = EntryCollector()
    assert collector.feed("if true") is None
    assert collector.feed("") == "if true"
    assert collector.feed("cell f() -> Int") is None
    assert collector.pending
    assert collector.flush() == "cell f() -> Int"
    assert collector.flush() is None
