"""The language server (`lumen lsp`, LANGUAGE.md §16.12) on pygls.

`server.py` only wires LSP methods to features; each module of `features/` takes an
`AnalyzedDocument` (documents.py: the same `lumen.driver.compile_source` analysis that
`lumen check` uses, over the editor's text) and returns lsprotocol types. pygls is imported
only when the server starts, so nothing else in the toolchain pays for it.
"""
