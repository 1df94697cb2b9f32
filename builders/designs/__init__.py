"""Config files and designs: what the user made, and how it is saved and read back.

`design.py` is the Design (the one source of truth) and its pure edits, `config_io.py` the
one-file config JSON, `workspace.py` the saved designs with revisions, `merge.py` the merge
of concurrent saves, and `history.py` undo and redo. Bounded reads and atomic writes, for
every file the tool touches, are `builders/fileio.py`.
"""
