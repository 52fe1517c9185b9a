"""Markdown blocks of plain `.lm` files (§1.2): the source stage finds them; the parser
attaches each as the docstring of the declaration that follows."""

from lumen.source.unit import DocBlock

__all__ = ["DocBlock"]
