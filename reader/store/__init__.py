"""Storage: the only package that talks to SQLite."""

from reader.store.library import Library, LibraryError, open_library

__all__ = ["Library", "LibraryError", "open_library"]
