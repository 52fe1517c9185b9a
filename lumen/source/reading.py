"""Reading a source file's text: UTF-8, BOM and CRLF normalised (LANGUAGE.md §1.1).

Kept apart from the extraction (loader.py) so that a compile-cache hit, which needs the
text only to check its key, imports nothing else of this package.
"""

from __future__ import annotations

from lumen.source.unit import SourceError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path


def normalize_text(text: str) -> str:
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


def read_source_text(path: str | Path) -> str:
    """The normalised text of `path`. Raises `SourceError` when the file is missing,
    unreadable or not UTF-8 text."""
    name = str(path)
    try:
        with open(path, "rb") as handle:  # no pathlib: a cached run needs nothing else
            data = handle.read()
    except FileNotFoundError:
        raise _file_error("FILE_NOT_FOUND", name, f"file not found: {name}") from None
    except IsADirectoryError:
        raise _file_error("FILE_UNREADABLE", name, f"is a directory: {name}") from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise _file_error("FILE_UNREADABLE", name, f"cannot read {name}: {reason}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        from lumen.diagnostics import Diagnostic, ErrorCode
        from lumen.diagnostics.diagnostic import Span

        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SourceError(
            Diagnostic(
                code=ErrorCode.FILE_UNREADABLE.value,
                message=f"file is not valid UTF-8 text (byte 0x{data[exc.start]:02x})",
                file=name,
                span=Span.point(line, column),
                hint="save the file with UTF-8 encoding",
            )
        ) from None
    return normalize_text(text)


def _file_error(code_name: str, path: str, message: str) -> SourceError:
    from lumen.diagnostics import Diagnostic, ErrorCode
    from lumen.diagnostics.diagnostic import NO_SPAN

    code = ErrorCode[code_name]
    return SourceError(Diagnostic(code=code.value, message=message, file=path, span=NO_SPAN))
