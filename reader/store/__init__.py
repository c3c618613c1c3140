"""Storage: the only package that talks to SQLite."""

from reader.store.errors import LibraryBusy, LibraryError, NoteConflict, PapersGone
from reader.store.library import INBOX, Library
from reader.store.opening import open_library
from reader.store.removal import Held, NotRestored, PapersNoted, Removed

__all__ = [
    "INBOX",
    "Held",
    "Library",
    "LibraryBusy",
    "LibraryError",
    "NotRestored",
    "NoteConflict",
    "PapersGone",
    "PapersNoted",
    "Removed",
    "open_library",
]
