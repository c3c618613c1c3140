"""Storage: the only package that talks to SQLite."""

from reader.store.library import Library, LibraryError, NoteConflict, open_library

__all__ = ["Library", "LibraryError", "NoteConflict", "open_library"]
