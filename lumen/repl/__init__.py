"""`lumen repl`: an interactive session (SPEC.md "lumen repl").

input.py    when an entry needs more lines; `:commands`
entry.py    one entry split into declarations and statements
program.py  the program an entry compiles to, and mapping positions back
carry.py    passing `let` bindings (values and types) to the next entry
session.py  the session state; compiling, running and reporting one entry
terminal.py the prompt_toolkit loop on a terminal, plain line reading otherwise
"""
