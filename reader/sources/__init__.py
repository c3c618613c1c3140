"""Importers: bytes or text in, ``list[Paper]`` out. No database, no Textual."""

from __future__ import annotations


class SourceError(Exception):
    """Input we cannot read, located as ``FILE:LINE: what is wrong`` for the user."""

    def __init__(self, source: str, line: int | None, message: str) -> None:
        self.source = source
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        return f"{where}: {self.message}"
