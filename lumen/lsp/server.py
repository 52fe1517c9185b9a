"""Wiring only: LSP methods -> features. Each handler fetches the document's analysis,
calls one feature function and returns its result.

A feature that raises (a bug of ours, or a request the feature did not expect) must not
take the server down or show the user a traceback: `_guarded` saves the traceback to a
crash file (like the CLI), logs one line to the client (window/logMessage) and answers
with the feature's empty result.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol

from lumen import __version__
from lumen.driver import save_crash_report
from lumen.lsp.documents import AnalyzedDocument, DocumentStore, uri_to_path
from lumen.lsp.features import (
    code_actions,
    completion,
    definition,
    diagnostics,
    folding,
    formatting,
    highlight,
    hover,
    inlay_hints,
    references,
    rename,
    semantic_tokens,
    signature_help,
    symbols,
)
from lumen.lsp.stale import answer_from_last_parse, whole_document_from_last_parse

Result = TypeVar("Result")


class _MalformedRequest:
    """A request whose params could not be read: answered with an empty result."""

    def __init__(self, msg_id: Any, method: str, reason: str) -> None:
        self.id = msg_id
        self.method = method
        self.reason = reason


class LumenProtocol(LanguageServerProtocol):
    """pygls leaves a request with unreadable params unanswered (the editor would wait
    for ever); this answers it with an empty result and logs why."""

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if isinstance(data, dict) and "id" in data and "method" in data:
                return _MalformedRequest(data["id"], str(data["method"]), str(exc.__cause__ or exc))
            raise

    def handle_message(self, message: Any) -> None:
        if isinstance(message, _MalformedRequest):
            server = self._server
            if isinstance(server, LumenLanguageServer):
                server.log(f"lumen lsp: malformed {message.method} request: {message.reason}",
                           lsp.MessageType.Error)
            self._send_response(message.id, result=None)
            return
        super().handle_message(message)


class LumenLanguageServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("lumen", __version__, protocol_cls=LumenProtocol)
        self.documents = DocumentStore()

    def report_server_error(self, error: Exception, source: Any) -> None:
        """Out-of-band errors go to the log, not to a pop-up."""
        self.log(f"lumen lsp: {type(error).__name__}: {error}", lsp.MessageType.Error)

    def log(self, message: str, kind: lsp.MessageType = lsp.MessageType.Log) -> None:
        try:
            self.window_log_message(lsp.LogMessageParams(type=kind, message=message))
        except Exception:  # noqa: BLE001 - logging must never be the thing that fails
            pass

    def analyzed(self, uri: str, force: bool = False) -> AnalyzedDocument | None:
        """The analysis of the document's current text (re-analysed if it changed)."""
        document = self.workspace.get_text_document(uri)
        encoding = str(self.server_capabilities.position_encoding or "utf-16")
        self.documents.encoding = encoding
        return self.documents.update(uri, document.source, document.version, force)

    def workspace_roots(self) -> list[Path]:
        """The folders of the workspace (file URIs only)."""
        folders = [f.uri for f in self.workspace.folders.values()] or (
            [self.workspace.root_uri] if self.workspace.root_uri else [])
        return [Path(uri_to_path(uri)) for uri in folders if uri.startswith("file:")]

    def publish(self, uri: str, force: bool = False) -> None:
        analyzed = self.analyzed(uri, force)
        found = diagnostics.document_diagnostics(analyzed) if analyzed is not None else []
        self.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=uri, diagnostics=found,
                                         version=analyzed.version if analyzed else None))

    def publish_importers(self, uri: str) -> None:
        """Check again the open documents that import `uri`: they read its editor text."""
        for other in self.documents.importers(uri):
            self.publish(other.uri, force=True)


def _guarded(empty: Callable[[], Any]) -> Callable[[Callable[..., Result]], Callable[..., Result]]:
    """Catch any exception of a handler: log it and return `empty()`."""

    def decorate(handler: Callable[..., Result]) -> Callable[..., Result]:
        @functools.wraps(handler)
        def run(ls: LumenLanguageServer, params: Any) -> Any:
            try:
                return handler(ls, params)
            except Exception as exc:  # noqa: BLE001 - see the module docstring
                # The traceback goes to a crash file, as the CLI does (lumen.driver).
                where = save_crash_report(exc, f"in the language server ({handler.__name__})")
                details = f"; details in {where}" if where else ""
                ls.log(f"lumen lsp: {handler.__name__} failed: {type(exc).__name__}: {exc}; "
                       f"please report it{details}", lsp.MessageType.Error)
                return empty()

        return run

    return decorate


def _document_feature(feature: Callable[..., Any], empty: Callable[[], Any],
                      from_last_parse: Callable[..., Any] | None = None) -> Callable[..., Any]:
    """A request handler for `feature(document, params)` of the document in `params`.
    `from_last_parse`: while the text does not parse, how to answer from the last version
    that did (stale.py)."""

    @_guarded(empty)
    def handle(ls: LumenLanguageServer, params: Any) -> Any:
        document = ls.analyzed(params.text_document.uri)
        if document is None:
            return empty()
        if from_last_parse is not None and not document.parsed:
            answer = from_last_parse(document, params, feature)
            return empty() if answer is None else answer
        return feature(document, params)

    handle.__name__ = getattr(feature, "__name__", "feature")
    return handle


def build_server() -> LumenLanguageServer:
    server = LumenLanguageServer()

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    @_guarded(lambda: None)
    def did_open(ls: LumenLanguageServer, params: lsp.DidOpenTextDocumentParams) -> None:
        ls.publish(params.text_document.uri)
        ls.publish_importers(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    @_guarded(lambda: None)
    def did_change(ls: LumenLanguageServer, params: lsp.DidChangeTextDocumentParams) -> None:
        ls.publish(params.text_document.uri)
        ls.publish_importers(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    @_guarded(lambda: None)
    def did_save(ls: LumenLanguageServer, params: lsp.DidSaveTextDocumentParams) -> None:
        ls.publish(params.text_document.uri)
        # The saved file may be a module the other open documents import: check them again.
        for other in ls.documents.open_documents():
            if other.uri != params.text_document.uri:
                ls.publish(other.uri, force=True)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    @_guarded(lambda: None)
    def did_close(ls: LumenLanguageServer, params: lsp.DidCloseTextDocumentParams) -> None:
        importers = ls.documents.importers(params.text_document.uri)
        ls.documents.close(params.text_document.uri)
        for other in importers:  # they read the file from disk again
            ls.publish(other.uri, force=True)
        ls.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))

    # Requests answered from the last version that parsed while the text does not parse.
    for method, feature, empty, fallback in [
        (lsp.TEXT_DOCUMENT_HOVER, hover.hover, lambda: None, answer_from_last_parse),
        (lsp.TEXT_DOCUMENT_DEFINITION, definition.definition, list, answer_from_last_parse),
        (lsp.TEXT_DOCUMENT_DOCUMENT_HIGHLIGHT, highlight.document_highlight, list,
         answer_from_last_parse),
        (lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL, symbols.document_symbols, list,
         whole_document_from_last_parse),
        (lsp.TEXT_DOCUMENT_FOLDING_RANGE, folding.folding_ranges, list,
         whole_document_from_last_parse),
    ]:
        server.feature(method)(_document_feature(feature, empty, fallback))

    requests: list[tuple[str, Callable[..., Any], Callable[[], Any], Any]] = [
        (lsp.TEXT_DOCUMENT_FORMATTING, formatting.format_document, list, None),
        (lsp.TEXT_DOCUMENT_COMPLETION, completion.completion, list,
         lsp.CompletionOptions(trigger_characters=["."])),
        (lsp.TEXT_DOCUMENT_SIGNATURE_HELP, signature_help.signature_help, lambda: None,
         lsp.SignatureHelpOptions(trigger_characters=["(", ","])),
        (lsp.TEXT_DOCUMENT_PREPARE_RENAME, rename.prepare_rename, lambda: None, None),
        (lsp.TEXT_DOCUMENT_INLAY_HINT, inlay_hints.inlay_hints, list, None),
        (lsp.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL, semantic_tokens.semantic_tokens,
         lambda: lsp.SemanticTokens(data=[]), semantic_tokens.LEGEND),
        (lsp.TEXT_DOCUMENT_CODE_ACTION, code_actions.code_actions, list,
         lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix])),
    ]
    for method, feature, empty, options in requests:
        server.feature(method, options)(_document_feature(feature, empty))

    @server.feature(lsp.TEXT_DOCUMENT_REFERENCES)
    @_guarded(list)
    def find_references(ls: LumenLanguageServer, params: lsp.ReferenceParams) -> list[lsp.Location]:
        document = ls.analyzed(params.text_document.uri)
        if document is None:
            return []
        return references.references(document, params, ls.documents.open_documents(),
                                     ls.workspace_roots())

    @server.feature(lsp.TEXT_DOCUMENT_RENAME, lsp.RenameOptions(prepare_provider=True))
    @_guarded(lambda: None)
    def rename_symbol(ls: LumenLanguageServer, params: lsp.RenameParams) -> lsp.WorkspaceEdit | None:
        document = ls.analyzed(params.text_document.uri)
        if document is None:
            return None
        return rename.rename(document, params, ls.documents.open_documents(), ls.workspace_roots())

    return server


def serve_stdio() -> None:
    # pygls logs tracebacks (a malformed message, a failing handler) to stderr, which
    # editors show; what the user needs goes to window/logMessage instead (see above).
    pygls_logger = logging.getLogger("pygls")
    pygls_logger.addHandler(logging.NullHandler())
    pygls_logger.propagate = False
    # The protocol owns stdout: anything else printed (a stray print in a compile stage)
    # goes to stderr instead of corrupting the message stream.
    protocol_out = sys.stdout.buffer
    sys.stdout = sys.stderr
    build_server().start_io(sys.stdin.buffer, protocol_out)
