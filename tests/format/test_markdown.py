"""`.lm.md` files: only the code of lumen/lm fences changes."""

from __future__ import annotations

from lumen.format import format_file_text
from tests.format.helpers import fmt

DOC = """\
# Title{SPACES}

Some *prose*   with trailing spaces.{SPACES}
@strict false

```lumen
cell   double(x:Int)->Int = x*2   # twice
```

```python
def   untouched( ):  pass
```

  ```lm
  let y   =   double(2)
  ```

````text
```lumen
let  z = 1
```
````
""".replace("{SPACES}", "   ")  # trailing spaces in prose must survive


def test_only_lumen_blocks_change_and_prose_stays_byte_identical() -> None:
    result = fmt(DOC, "doc.lm.md")
    assert result == DOC.replace(
        "cell   double(x:Int)->Int = x*2   # twice", "cell double(x: Int) -> Int = x * 2  # twice"
    ).replace("  let y   =   double(2)", "  let y = double(2)")
    assert fmt(result, "doc.lm.md") == result


def test_crlf_line_endings_are_kept() -> None:
    source = "Intro\r\n\r\n```lumen\r\nlet  x = 1\r\n```\r\n"
    assert fmt(source, "doc.lm.md") == "Intro\r\n\r\n```lumen\r\nlet x = 1\r\n```\r\n"


def test_a_syntax_error_in_any_block_leaves_the_file_alone() -> None:
    source = "```lumen\nlet  x = 1\n```\n\n```lumen\ncell f(\n```\n"
    result = format_file_text(source, "doc.lm.md")
    assert result.text is None and result.diagnostics
    assert result.diagnostics[0].line == 6  # the position in the Markdown file


def test_a_construct_spanning_two_blocks_is_left_as_written() -> None:
    source = "```lumen\ncell f()\n  let  a = 1\n```\n\nprose\n\n```lumen\n  return  a\nend\n```\n"
    assert fmt(source, "doc.lm.md") == source


def test_an_empty_block_and_a_file_without_code() -> None:
    assert fmt("```lumen\n```\n", "doc.lm.md") == "```lumen\n```\n"
    assert fmt("just prose\n", "notes.lm.md") == "just prose\n"
    assert fmt("cell   f() = 1\n", "code.lm.md") == "cell f() = 1\n"  # no fence: source


def test_a_fenceless_markdown_file_read_as_source_keeps_its_directive_header() -> None:
    source = "@strict false\n@title Notes\ncell   f() = 1  # one\n"
    result = fmt(source, "notes.lm.md")
    assert result == "@strict false\n@title Notes\n\ncell f() = 1  # one\n"
    assert fmt(result, "notes.lm.md") == result
