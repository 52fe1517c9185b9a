"""The language server (`lumen lsp`, LANGUAGE.md §16.12, SPEC.md "Language server") on pygls.

`server.py` only wires LSP methods to features; each module of `features/` takes an
`AnalyzedDocument` (documents.py: the same `lumen.driver.compile_source` analysis that
`lumen check` uses, over the editor's text) and returns lsprotocol types. The queries the
features share live next to it: positions.py (spans <-> LSP ranges), tree.py (walking the
syntax tree), scopes.py (locals), index.py (declarations by name, imported modules),
lookup.py (what a name refers to), occurrences.py (where a target is used), receivers.py
(the type of `x` in `x.`). pygls is imported only when the server starts, so nothing else
in the toolchain pays for it.

Editors start it as a stdio server: the command `lumen lsp` (for example Neovim's
`vim.lsp.start({ name = "lumen", cmd = { "lumen", "lsp" } })`) for the file types
`.lm`, `.lumen`, `.lm.md` and `.lumen.md`.
"""
