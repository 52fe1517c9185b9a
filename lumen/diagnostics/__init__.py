"""Diagnostics as data: every stage reports problems as `Diagnostic` values.

Codes are declared once in `codes.py`; rendering for terminals lives in `render.py`.
"""

from lumen.diagnostics.codes import CODES, ErrorCode
from lumen.diagnostics.diagnostic import Diagnostic, Severity, Span

__all__ = ["CODES", "Diagnostic", "ErrorCode", "Severity", "Span"]
