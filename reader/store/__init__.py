"""Storage: the only package that talks to SQLite."""

from reader.store.errors import LibraryError, NoteConflict
from reader.store.library import Library, open_library

__all__ = ["Library", "LibraryError", "NoteConflict", "open_library"]
