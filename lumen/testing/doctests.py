"""Docs as tests (§16.9): fenced `lumen`/`lm` blocks of Markdown files, each compiled on
its own and checked according to the mode after the language name:

    ```lumen run-ok                     must compile and run (its `main`) without error
    ```lumen compile-ok                 must compile
    ```lumen compile-error(undefined)   must fail to compile, a message (or the code) containing
                                        the text between the parentheses
    ```lumen skip / ```lumen no-test    not checked, not counted

A bare ```` ```lumen ```` block is `compile-ok` in a plain `.md` file. In a literate program
(`.lm.md`, `.lumen.md`) the bare blocks are the program itself, compiled together with its
test cells run, so only blocks with a mode are docs-tests there. A block keeps its lines'
numbers (every other line is blanked), so diagnostics point into the Markdown file; the
file's prose directives (`@strict false`, ...) apply to each block.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lumen.source.fences import Fence, closes_fence, opening_fence
from lumen.testing.results import Failure

CODE_LANGUAGES = frozenset({"lumen", "lm"})
COMPILE_OK = "compile-ok"
RUN_OK = "run-ok"
COMPILE_ERROR = "compile-error"
SKIP = "skip"
NO_TEST = "no-test"
UNKNOWN = "unknown"  # an info string naming no mode: a failure, so a typo is not ignored
_NOT_COUNTED = (SKIP, NO_TEST)


@dataclass(frozen=True, slots=True)
class DocsBlock:
    """One fenced block: the line of its opening fence, its mode, the text a
    `compile-error(TEXT)` expects (the raw info string for UNKNOWN), and the block alone
    as a SourceUnit."""

    path: str
    line: int
    mode: str
    expected: str | None
    unit: Any  # lumen.source.SourceUnit

    @property
    def counted(self) -> bool:
        return self.mode not in _NOT_COUNTED

    @property
    def name(self) -> str:
        """The mode: `--filter run-ok` picks the blocks that run."""
        return self.mode


RunEntry = Callable[[Any, str, str], Any]  # TestRunner.run_entry(compilation, entry, run_id)


def find_blocks(path: str, *, literate: bool) -> list[DocsBlock]:
    """The docs blocks of the Markdown file `path` (raises SourceError when unreadable)."""
    from lumen.source import load_source
    from lumen.source.markdown import extract_markdown

    text = load_source(path).text
    lines = text.split("\n")
    directives = extract_markdown(lines).directives
    blocks: list[DocsBlock] = []
    for start, end, info in _lumen_fences(lines):
        mode, expected = parse_mode(info)
        if mode is None:  # a bare block
            if literate:
                continue
            mode = COMPILE_OK
        unit = _block_unit(path, text, lines, start, end, directives)
        blocks.append(DocsBlock(path, start, mode, expected, unit))
    return blocks


def _lumen_fences(lines: list[str]) -> list[tuple[int, int, str]]:
    """(opening line, closing line, text after the language name) of every lumen/lm block,
    1-based; other fences are followed too so that their content stays prose (§1.1). A block
    left open runs to the end of the file."""
    found: list[tuple[int, int, str]] = []
    open_fence: Fence | None = None
    open_line = 0
    rest = ""
    is_lumen = False
    for number, line in enumerate(lines, start=1):
        if open_fence is not None:
            if closes_fence(line, open_fence):
                if is_lumen:
                    found.append((open_line, number, rest))
                open_fence = None
            continue
        fence = opening_fence(line)
        if fence is None:
            continue
        words = fence.info.split(maxsplit=1)
        language = words[0].lower() if words else ""
        rest = words[1].strip() if len(words) > 1 else ""
        open_fence, open_line, is_lumen = fence, number, language in CODE_LANGUAGES
    if open_fence is not None and is_lumen:
        found.append((open_line, len(lines) + 1, rest))
    return found


def parse_mode(info: str) -> tuple[str | None, str | None]:
    """(mode, expected text) of the text after `lumen`; (None, None) for a bare block."""
    info = info.strip()
    if not info:
        return None, None
    if info in (COMPILE_OK, RUN_OK, SKIP, NO_TEST):
        return info, None
    if info.startswith(COMPILE_ERROR):
        argument = info[len(COMPILE_ERROR):].strip()
        if not argument:
            return COMPILE_ERROR, None  # any compile error will do
        if argument.startswith("(") and argument.endswith(")"):
            expected = argument[1:-1].strip()
            if len(expected) >= 2 and expected[0] == expected[-1] and expected[0] in "\"'":
                expected = expected[1:-1]
            return COMPILE_ERROR, expected
    return UNKNOWN, info


def _block_unit(path: str, text: str, lines: list[str], start: int, end: int,
                directives: Any) -> Any:
    """The block's code at its own line numbers, every other line blank."""
    from lumen.source.plain import scan_markdown_blocks
    from lumen.source.unit import DocBlock, SourceUnit

    code = ["" for _ in lines]
    code[start:end - 1] = lines[start:end - 1]  # lines start+1 .. end-1 (1-based)
    scan = scan_markdown_blocks(code, path)
    docblocks = tuple(DocBlock(b.start_line, b.end_line, b.text) for b in scan.blocks)
    return SourceUnit(path=path, text=text, code="\n".join(scan.code_lines), kind="markdown",
                      directives=tuple(directives), docblocks=docblocks,
                      diagnostics=scan.diagnostics)


def check_block(block: DocsBlock, run_entry: RunEntry) -> tuple[Failure | None, str]:
    """(why the block fails its mode or None, what it printed when run)."""
    from lumen.driver import compile_source

    where = f"docs block at line {block.line}"
    if block.mode == UNKNOWN:
        return Failure(f"{where}: unknown docs-test mode '{block.expected}' (expected "
                       "compile-ok, run-ok, compile-error(TEXT), skip or no-test)",
                       block.path, block.line, unit=block.unit), ""
    compilation = compile_source(block.unit)
    errors = compilation.errors
    if block.mode == COMPILE_ERROR:
        return _expected_compile_error(block, errors, where), ""
    if errors:
        return Failure(f"{where} ({block.mode}) does not compile", block.path, block.line,
                       diagnostics=errors, unit=block.unit), ""
    if block.mode != RUN_OK:
        return None, ""
    run = run_entry(compilation, "main", f"block-L{block.line}")
    return run.failure, run.output


def _expected_compile_error(block: DocsBlock, errors: tuple[Any, ...],
                            where: str) -> Failure | None:
    wanted = block.expected
    described = f"a compile error containing '{wanted}'" if wanted else "a compile error"
    if not errors:
        return Failure(f"{where} should fail with {described}, but it compiles", block.path,
                       block.line, unit=block.unit)
    if wanted is None or any(wanted in d.message or wanted == d.code for d in errors):
        return None
    return Failure(f"{where} should fail with {described}; its errors are:", block.path,
                   block.line, diagnostics=errors, unit=block.unit)
