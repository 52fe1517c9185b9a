"""One module per LSP feature: document analysis in, lsprotocol types out."""
