"""Reading REPL input: when does an entry need more lines, and what is a `:command`.

An entry is complete when the parser accepts it, or when its only problems are ones more
text could not fix. It continues while a construct is still open: a block not yet closed by
`end`, an unclosed bracket, triple-quoted string or ``` block, a line ending in `:`, an
operator, `,` or `\\`. A blank line ends the entry (outside a ``` block), and then the
parser's message for the unfinished construct is shown: a mistake never traps the user.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lumen.diagnostics import ErrorCode

# Parse errors that only mean "the text stops too early".
_INCOMPLETE_CODES = frozenset({
    ErrorCode.UNEXPECTED_EOF.value,
    ErrorCode.UNCLOSED_BRACKET.value,
    ErrorCode.MISSING_END.value,
})
# A line ending in one of these cannot be the end of a statement.
_CONTINUING_SUFFIX = re.compile(
    r"(:|,|\\|=|->|=>|\|>|~>|\?\?|\+\+|[-+*/%<>&|^]|\band|\bor|\bnot|\bin)\s*$"
)
_FENCE = re.compile(r"^\s*```")


def needs_more_input(text: str) -> bool:
    """True while `text` (the lines typed so far) is an unfinished entry."""
    if not text.strip() or text.strip().startswith(":"):
        return False
    lines = text.split("\n")
    if sum(1 for line in lines if _FENCE.match(line)) % 2 == 1:
        return True  # inside a ``` Markdown block (blank lines are part of its text)
    if len(lines) > 1 and not lines[-1].strip():
        return False  # the last line typed is blank: the entry ends here
    last = _strip_comment(lines[-1])
    if last.strip() and _CONTINUING_SUFFIX.search(last):
        return True
    return _parser_wants_more(text)


def _strip_comment(line: str) -> str:
    """The line without a trailing `# comment` (a `#` inside a string is kept)."""
    quote: str | None = None
    for index, char in enumerate(line):
        if quote:
            if char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char == "#":
            return line[:index]
    return line


def _parser_wants_more(text: str) -> bool:
    from lumen.source import source_from_text
    from lumen.syntax import parse

    unit = source_from_text(text, "<repl>")
    result = parse(unit.code, "<repl>", unit.docblocks)
    errors = [d for d in result.diagnostics if d.is_error]
    if not errors:
        return False
    return all(_is_incomplete(d.code, d.message) for d in errors)


def _is_incomplete(code: str, message: str) -> bool:
    if code in _INCOMPLETE_CODES:
        return True
    return code == ErrorCode.UNTERMINATED_STRING.value and "triple" in message


@dataclass(frozen=True, slots=True)
class Command:
    """A `:name argument` line."""

    name: str
    argument: str


COMMAND_NAMES: dict[str, str] = {
    "help": "help",
    "h": "help",
    "?": "help",
    "quit": "quit",
    "q": "quit",
    "exit": "quit",
    "type": "type",
    "t": "type",
    "reset": "reset",
    "bindings": "bindings",
    "b": "bindings",
}


def parse_command(text: str) -> Command | None:
    """The command of a line starting with `:`, or None for Lumen code. An unknown name
    gives a Command with that name, for the caller to report."""
    stripped = text.strip()
    if not stripped.startswith(":"):
        return None
    name, _, argument = stripped[1:].partition(" ")
    name = name.strip()
    return Command(COMMAND_NAMES.get(name, name), argument.strip())


class EntryCollector:
    """Collects lines into entries for the plain (non-terminal) input loop."""

    def __init__(self) -> None:
        self._lines: list[str] = []

    @property
    def pending(self) -> bool:
        return bool(self._lines)

    def feed(self, line: str) -> str | None:
        """Add one line (without its newline); the finished entry's text, or None when
        more lines are needed."""
        if not self._lines and not line.strip():
            return None  # blank lines between entries
        self._lines.append(line)
        text = "\n".join(self._lines)
        if not line.strip() or not needs_more_input(text):
            self._lines = []
            return text.rstrip("\n").rstrip()
        return None

    def flush(self) -> str | None:
        """At end of input: whatever is left, as a last entry."""
        if not self._lines:
            return None
        text = "\n".join(self._lines).rstrip()
        self._lines = []
        return text or None
