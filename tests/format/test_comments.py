"""Where comments end up, blank lines, docblocks."""

from __future__ import annotations

from lumen.format import format_plain
from tests.format.helpers import fmt, fmt_source


def test_canonical_layout_two_space_indent_one_blank_line_between_declarations() -> None:
    source = "cell   f( x:Int )->Int\n        return x+1\nend\ncell g() = f(1)\n"
    assert fmt(source) == (
        "cell f(x: Int) -> Int\n"
        "  return x + 1\n"
        "end\n"
        "\n"
        "cell g() = f(1)\n"
    )


def test_comment_kinds_keep_their_places() -> None:
    result = fmt_source("""
        # header
        # expect: 3

        cell f(x: Int) -> Int   # about f
          # leading
          let y = x   # trailing
          return y
          # end of body
        end   # after end
        """)
    assert result == (
        "# header\n"
        "# expect: 3\n"
        "\n"
        "cell f(x: Int) -> Int  # about f\n"
        "  # leading\n"
        "  let y = x  # trailing\n"
        "  return y\n"
        "  # end of body\n"
        "end  # after end\n"
    )


def test_comment_in_an_empty_body_stays_inside() -> None:
    assert fmt("cell todo()\n      # later\nend\n") == "cell todo()\n  # later\nend\n"


def test_comment_before_else_ends_the_then_branch() -> None:
    result = fmt_source("""
        if ready
          go()
            # then done
        else  # otherwise
          wait()
        end
        """)
    assert result == (
        "if ready\n"
        "  go()\n"
        "  # then done\n"
        "else  # otherwise\n"
        "  wait()\n"
        "end\n"
    )


def test_match_arm_comments() -> None:
    result = fmt_source("""
        match x
          1 -> "one"   # first
          # the rest
          _ ->
            "many"
        end
        """)
    assert result == (
        "match x\n"
        "  1 -> \"one\"  # first\n"
        "  # the rest\n"
        "  _ -> \"many\"\n"
        "end\n"
    )


def test_comments_inside_a_joined_expression_are_kept() -> None:
    result = fmt_source("""
        let xs = [1,   # one
          # middle
          2,
          3]   # three
        """)
    assert sorted(result.split("\n")) == sorted(
        ["# middle", "# one", "let xs = [1, 2, 3]  # three", ""]
    )
    assert fmt(result) == result


def test_record_fields_and_enum_variants_keep_comments() -> None:
    result = fmt_source("""
        record Point
          x: Int  # across
          # vertical next
          y: Int
        end
        enum Colour
          Red   # warm
          Blue
          # more later
        end
        """)
    assert "  x: Int  # across\n  # vertical next\n  y: Int\n" in result
    assert "  Red  # warm\n  Blue\n  # more later\nend\n" in result


def test_blank_lines_between_statements_are_kept_once_and_dropped_at_block_edges() -> None:
    result = fmt_source("""
        cell f()

          let a = 1



          let b = 2
          # note

          let c = 3

        end
        """)
    assert result == "cell f()\n  let a = 1\n\n  let b = 2\n  # note\n\n  let c = 3\nend\n"


def test_markdown_block_comments_and_docstrings_are_kept_verbatim() -> None:
    source = (
        "```\n"
        "Adds one.\n"
        "\n"
        "    indented example\n"
        "```\n"
        "cell inc(x: Int) -> Int = x+1\n"
        "\n"
        "   ```text\n"
        "   a plain comment block\n"
        "   ```\n"
    )
    assert fmt(source) == (
        "```\n"
        "Adds one.\n"
        "\n"
        "    indented example\n"
        "```\n"
        "cell inc(x: Int) -> Int = x + 1\n"
        "\n"
        "```text\n"
        "a plain comment block\n"
        "```\n"
    )


def test_a_nested_block_comment_follows_the_new_indentation() -> None:
    result = fmt("cell f()\n      ```\n      why\n      ```\n      return 1\nend\n")
    assert result == "cell f()\n  ```\n  why\n  ```\n  return 1\nend\n"


def test_a_trailing_comment_never_lands_inside_a_string() -> None:
    # the printed first line ends inside the triple-quoted string: the comment moves up
    source = 'let s = f(1,  # c\n  """\n  one\n  two\n  """)\n'
    result = fmt(source)
    assert result == '# c\nlet s = f(1, """\n  one\n  two\n""")\n'
    assert fmt(result) == result


def test_text_after_opening_triple_quotes_is_string_content_not_a_comment() -> None:
    result = fmt('let s = """  # not a comment\n  one\n  """\n')
    assert result.startswith('let s = """\n') and "# not a comment" in result


def test_syntax_errors_are_reported_and_nothing_is_formatted() -> None:
    result = format_plain("cell f(\n  return 1\n", "bad.lm")
    assert result.text is None and result.failure is None
    assert result.diagnostics and result.diagnostics[0].code.startswith("E")


def test_directives_attributes_and_comments_on_their_lines() -> None:
    source = "@strict false  # relaxed\n\n@inline  # hot\ncell f() = 1\n"
    assert fmt(source) == source


def test_crlf_and_bom_become_plain_lf() -> None:
    assert fmt("\ufefflet x = 1\r\n# c\r\n") == "let x = 1\n# c\n"


def test_a_file_of_only_comments() -> None:
    assert fmt("# one\n\n\n# two\n") == "# one\n\n# two\n"
    assert fmt("") == ""


def test_empty_lines_inside_a_multi_line_string_are_not_collapsed() -> None:
    source = 'let s = """\n  a\n\n\n  b\n  """  # c\n'
    assert fmt(source) == 'let s = """\n  a\n\n\n  b\n"""  # c\n'


def test_a_deeply_nested_expression_is_formatted_not_a_crash() -> None:
    source = "let x = " + " + ".join(["1"] * 3000) + "  # sum\n"
    assert fmt(source) == source
