"""What the store raises: one-line messages meant for the user."""

from __future__ import annotations


class LibraryError(Exception):
    """A library file we cannot or must not use; the message is for the user."""


class NoteConflict(LibraryError):
    """The note changed elsewhere (another window or process) since it was opened."""

    def __init__(self, message: str, current: str) -> None:
        super().__init__(message)
        self.current = current


class LibraryBusy(LibraryError):
    """Another process holds the write lock longer than this write could wait."""


class PapersGone(LibraryError):
    """The papers a change names are no longer in the library (removed since)."""
