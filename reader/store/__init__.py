"""Storage: the only package that talks to SQLite."""

from reader.store.errors import LibraryBusy, LibraryError, NoteConflict
from reader.store.library import Library, open_library

__all__ = ["Library", "LibraryBusy", "LibraryError", "NoteConflict", "open_library"]
