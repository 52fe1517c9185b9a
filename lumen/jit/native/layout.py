"""The state record shared by native code and its Python runtime (i64 slots) and the
error codes native code leaves in it. No llvmlite here: the runtime reads cached code."""

from __future__ import annotations

# Slots of the state record.
ERR_CODE = 0  # 0: no error, else one of the ERR_* codes below
ERR_FUNC = 1  # function index of the failing instruction (-1: none)
ERR_PC = 2  # its pc
ERR_A = 3  # first operand (Int or Float bits) of the failing instruction
ERR_B = 4  # second operand (index errors: the list length)
NTRACE = 5  # frames that unwound (callers), may exceed TRACE_CAP
TRACE = 6  # address of an i64 array: (function index << 32) | call pc per unwound frame
TRACE_CAP = 7
DEPTH = 8  # call depth left for the root function (max_depth - its depth)
MAX_DEPTH = 9  # unused since the depth travels as an argument
PRINT_CB = 10  # address of the Python callback that prints an Int/Float/Bool
ARENA = 11  # head of the list of every native list allocated since the last free
STATE_SIZE = 16

# A native list (and a closure's array of captured values) is one malloc'd block: a
# header of four i64 fields, then the elements (i64, or bytes for Bool). An element is then
# one load from the list's address, with no data pointer to chase. Every block is on a
# doubly linked list from the ARENA slot, so a list that grows (and moves) stays linked.
LIST_LEN = 0
LIST_CAP = 1
LIST_NEXT = 2  # the next block in the arena (0: last)
LIST_PREV = 3  # the previous block (0: this block is the ARENA head)
LIST_HEADER_BYTES = 32

# A list stored as an element of another list is a tagged word: the address in the low 48
# bits (user-space addresses fit) and its length + 1 in the high 16 bits, 0 meaning "read
# the header" (a length above LEN_TAG_MAX, or a word written without one). A list in a
# container never changes (a list register that is appended to holds its own copy), so the
# tag stays true, and reading `rows[k][j]` needs no load of the row's header.
ADDRESS_BITS = 48
ADDRESS_MASK = (1 << ADDRESS_BITS) - 1
LEN_TAG_MAX = 0xFFFE

# Error codes.
ERR_ARITH = 1  # redo the instruction at ERR_PC on ERR_A/ERR_B with lumen.vm.ops
ERR_INDEX = 2  # index ERR_A out of bounds for a list of length ERR_B
ERR_STACK = 3  # call depth exceeded MAX_DEPTH
ERR_CALLBACK = 4  # a Python callback raised; the runtime keeps the exception
ERR_NEG = 5  # abs(INT_MIN)
