"""`lumen fmt`: the canonical formatter (SPEC.md, "lumen fmt").

`format_plain(text, file)` formats a plain source file; `format_file_text(text, path)`
picks plain or Markdown (`.lm.md`: only the lumen code blocks change) by the path.
"""

from lumen.format.formatter import FormatResult, format_plain
from lumen.format.markdown import format_file_text, format_markdown

__all__ = ["FormatResult", "format_file_text", "format_markdown", "format_plain"]
