"""The front end never raises: random text and mutated corpus files always give a
`ParseResult` whose diagnostics carry a known code and a position inside the text."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lumen.diagnostics import CODES
from lumen.syntax import ParseResult, parse

CONFORMANCE = Path("/work/shared/conformance/cases")

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_TOKENS = [
    "cell ", "end", "\n", "\n  ", "  ", "(", ")", "[", "]", "{", "}", '"', '"""', "r\"", "b\"",
    "\\", "{x}", "->", "=>", "|", "do", "match ", "if ", "then ", "else", "let ", "= ", "fn(",
    "x", "Foo", "1", "1.5", "0x", "1e", "..", "...", "?", "!", ".", ",", ":", "@", "#", "-",
    "**", "not ", "and ", "record ", "enum ", "handle", "with", "grant ", "role user: ",
    "macro ", "```", "\t", "é", "😀", "\x00", "\r\n", "await ", "try ", "when", "_ -> ",
]
token_soup = st.lists(st.sampled_from(_TOKENS), max_size=40).map("".join)
unicode_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=120)
printable_text = st.text(st.sampled_from([chr(c) for c in range(32, 127)] + ["\n", "\t"]),
                         max_size=160)


def check_parse_never_raises(text: str) -> None:
    result = parse(text, "fuzz.lm")
    assert isinstance(result, ParseResult)
    lines = text.split("\n")
    for d in result.diagnostics:
        assert d.code in CODES, f"unknown diagnostic code {d.code!r}"
        assert d.line >= 1 and d.column >= 1, (d.code, d.line, d.column)
        assert d.line <= len(lines) + 1, (d.code, d.line, len(lines))
        if d.line <= len(lines):
            assert d.column <= len(lines[d.line - 1]) + 2, (d.code, d.line, d.column)


@FUZZ
@given(st.one_of(token_soup, unicode_text, printable_text))
def test_random_text_never_raises(text: str) -> None:
    check_parse_never_raises(text)


def _corpus() -> list[str]:
    if not CONFORMANCE.is_dir():
        return ["cell main() -> Int\n  return 1\nend\n"]
    return [p.read_text(encoding="utf-8") for p in sorted(CONFORMANCE.rglob("*.lm"))]


CORPUS = _corpus()


@st.composite
def mutated_corpus_files(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(CORPUS))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["delete", "insert", "duplicate", "truncate", "line"]))
        if not text:
            break
        at = draw(st.integers(0, len(text) - 1))
        if kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 8)):]
        elif kind == "insert":
            text = text[:at] + draw(st.sampled_from(_TOKENS)) + text[at:]
        elif kind == "duplicate":
            text = text[:at] + text[at:at + draw(st.integers(1, 30))] + text[at:]
        elif kind == "truncate":
            text = text[:at]
        else:
            lines = text.split("\n")
            row = draw(st.integers(0, len(lines) - 1))
            action = draw(st.sampled_from(["drop", "repeat", "swap"]))
            if action == "drop":
                del lines[row]
            elif action == "repeat":
                lines.insert(row, lines[row])
            elif row + 1 < len(lines):
                lines[row], lines[row + 1] = lines[row + 1], lines[row]
            text = "\n".join(lines)
    return text


@FUZZ
@given(mutated_corpus_files())
def test_mutated_corpus_files_never_raise(text: str) -> None:
    check_parse_never_raises(text)


def test_whole_corpus_parses_without_raising() -> None:
    for text in CORPUS:
        check_parse_never_raises(text)
