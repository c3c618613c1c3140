"""Each user's annotations of the papers (star, read time, tags, note) and the
drafts of notes not saved yet.

Annotation writes change only the columns they mean to change, so two processes
marking different things never undo each other; every one sets ``updated_at``
(see :meth:`Annotations.annotations_since`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from reader.models import Annotation, NoteDraft, normalise_tags
from reader.store import clock, removal, typed
from reader.store.connection import Connection
from reader.store.errors import LibraryError, NoteConflict, PapersGone
from reader.store.rows import (
    ANNOTATED,
    ANNOTATION_COLUMNS,
    DRAFT_COLUMNS,
    DRAFTED,
    IDS_IN_JSON,
    NOTE,
    activity,
    annotation_from_row,
    draft_from_row,
    id_list,
    mark_values,
)

# How long a draft write waits for another process's write (ms): it is made on the
# UI thread while the user types, and tries again soon.
_DRAFT_WAIT_MS = 100


class Annotations(Connection):
    """The annotations and drafts of an open library (see :class:`Library`)."""

    def annotations_since(
        self, user: str, since: str | None
    ) -> tuple[dict[int, Annotation], str | None]:
        """``user``'s annotations written at or after ``since`` (all, for None), and
        the latest time among them (``since`` again if there are none).

        Every annotation write sets ``updated_at``, and annotations are only ever
        deleted with their paper, so these are all the changes since ``since``
        (the same second's are read again, which is harmless).
        """
        rows = self._rows(
            f"SELECT {ANNOTATION_COLUMNS} FROM annotations "
            f"WHERE user = ? AND updated_at >= ? AND {ANNOTATED}",
            (user, since or ""),
        )
        marks = {row[0]: annotation_from_row(row) for row in rows}
        latest = max((m.updated_at for m in marks.values() if m.updated_at), default=since)
        return marks, latest

    def annotations(self, user: str) -> dict[int, Annotation]:
        """Every annotation of ``user`` that marks something, by paper id."""
        rows = self._rows(
            f"SELECT {ANNOTATION_COLUMNS} FROM annotations WHERE user = ? AND {ANNOTATED} "
            "AND (starred OR note != '' OR read_at IS NOT NULL OR tags != '[]' "
            "OR dismissed_at IS NOT NULL)",
            (user,),
        )
        return {row[0]: annotation_from_row(row) for row in rows}

    def dismissed(self, user: str) -> dict[int, Annotation]:
        """``user``'s annotations of the papers they marked not interested (what every
        search leaves out), alone: far fewer than all their marks."""
        rows = self._rows(
            f"SELECT {ANNOTATION_COLUMNS} FROM annotations WHERE user = ? AND {ANNOTATED} "
            "AND dismissed_at IS NOT NULL",
            (user,),
        )
        return {row[0]: annotation_from_row(row) for row in rows}

    def annotation(self, user: str, paper_id: int) -> Annotation:
        row = self._row(
            f"SELECT {ANNOTATION_COLUMNS} FROM annotations WHERE user = ? AND paper_id = ? "
            f"AND {ANNOTATED}",
            (user, paper_id),
        )
        return annotation_from_row(row) if row else Annotation(paper_id)

    def annotations_of(self, user: str, paper_ids: Sequence[int]) -> dict[int, Annotation]:
        """``user``'s annotation of each of ``paper_ids`` (an empty one where there is none)."""
        rows = self._rows(
            f"SELECT {ANNOTATION_COLUMNS} FROM annotations "
            f"WHERE user = ? AND paper_id IN {IDS_IN_JSON} AND {ANNOTATED}",
            (user, id_list(paper_ids)),
        )
        found = {row[0]: annotation_from_row(row) for row in rows}
        return {paper_id: found.get(paper_id, Annotation(paper_id)) for paper_id in paper_ids}

    def set_starred(self, user: str, paper_id: int, starred: bool) -> Annotation:
        """Star or unstar one paper for ``user``; only the star changes."""
        return self._upsert_annotation(user, paper_id, "starred", int(starred))

    def set_starred_many(
        self, user: str, paper_ids: Sequence[int], starred: bool
    ) -> dict[int, Annotation]:
        """Star or unstar several papers in one transaction; only the stars change."""
        now = clock.now()
        with self.transaction():
            for paper_id in paper_ids:
                self._upsert(user, paper_id, "starred", int(starred), now)
        return self.annotations_of(user, paper_ids)

    def set_read(self, user: str, paper_ids: Sequence[int], read: bool) -> dict[int, Annotation]:
        """Mark papers read (keeping the first time each was read) or unread."""
        now = clock.now()
        with self.transaction():
            for paper_id in paper_ids:
                self._conn.execute(
                    "INSERT INTO annotations (user, paper_id, read_at, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (user, paper_id) DO UPDATE SET "
                    "read_at = CASE WHEN ? THEN coalesce(read_at, excluded.read_at) END, "
                    "updated_at = excluded.updated_at",
                    (user, paper_id, now if read else None, now, now, int(read)),
                )
        return self.annotations_of(user, paper_ids)

    def set_dismissed(
        self, user: str, paper_ids: Sequence[int], dismissed: bool
    ) -> dict[int, Annotation]:
        """Mark papers not interested (keeping when each first was) or interested again."""
        now = clock.now()
        with self.transaction():
            for paper_id in paper_ids:
                self._conn.execute(
                    "INSERT INTO annotations (user, paper_id, dismissed_at, created_at, "
                    "updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (user, paper_id) DO UPDATE "
                    "SET dismissed_at = CASE WHEN ? THEN coalesce(dismissed_at, "
                    "excluded.dismissed_at) END, updated_at = excluded.updated_at",
                    (user, paper_id, now if dismissed else None, now, now, int(dismissed)),
                )
        return self.annotations_of(user, paper_ids)

    def change_tags(
        self,
        user: str,
        paper_ids: Sequence[int],
        *,
        add: Sequence[str] = (),
        remove: Sequence[str] = (),
    ) -> dict[int, Annotation]:
        """Add and remove tags on several papers; each paper's other tags stay."""
        added = normalise_tags(add)
        dropped = set(normalise_tags(remove))
        now = clock.now()
        with self.transaction():
            for paper_id, mark in self.annotations_of(user, paper_ids).items():
                tags = [t for t in mark.tags if t not in dropped]
                tags += [t for t in added if t not in tags]
                self._upsert(user, paper_id, "tags", json.dumps(tags, ensure_ascii=False), now)
        return self.annotations_of(user, paper_ids)

    def tag_counts(self, user: str) -> dict[str, int]:
        """Every tag ``user`` has used, with how many papers carry it, most used first."""
        # Tags as stored may not be as written (a file written by something else).
        counts: dict[str, int] = {}
        for value, count in self._json_rows(
            f"SELECT tag.value, count(*) FROM annotations, json_each({typed.JSON}) AS tag "
            f"WHERE user = ? AND {ANNOTATED} AND tag.type = 'text' GROUP BY tag.value",
            "annotations.tags",
            (user,),
        ):
            for tag in normalise_tags((value,)):
                counts[tag] = counts.get(tag, 0) + count
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))

    def restore(
        self,
        user: str,
        before: Sequence[Annotation],
        fields: Sequence[str],
        *,
        after: Mapping[int, Annotation] | None = None,
    ) -> dict[int, Annotation]:
        """Undo: put ``fields`` (starred, read_at, tags, note, dismissed_at) back as in
        ``before``.

        Only those columns change, so an undone star leaves a read state set since
        alone. A note is put back only where it still reads as ``after`` left it:
        a note written since (in another window) is never overwritten, and raises
        :class:`NoteConflict` with nothing changed. Papers removed since are left
        out; :class:`PapersGone` when that leaves none.
        """
        unknown = set(fields) - {"starred", "read_at", "tags", "note", "dismissed_at"}
        if unknown:
            raise ValueError(f"cannot restore {sorted(unknown)}")
        now = clock.now()
        with self.transaction():
            present = set(removal.existing(self._conn, [mark.paper_id for mark in before]))
            before = [mark for mark in before if mark.paper_id in present]
            if not before:
                raise PapersGone("the papers were removed from the library since; not undone")
            for mark in before:
                if "note" in fields and after is not None:
                    row = self._row(NOTE, (user, mark.paper_id))
                    current = row[0] if row else ""
                    if current != after[mark.paper_id].note:
                        raise NoteConflict("the note was changed since; not undone", current)
                values = mark_values(mark)
                for field in fields:
                    self._upsert(user, mark.paper_id, field, values[field], now)
        return self.annotations_of(user, [mark.paper_id for mark in before])

    def toggle_star(self, user: str, paper_id: int) -> Annotation:
        """Flip the star in one statement, so two processes never lose a toggle."""
        now = clock.now()
        with self.transaction():
            self._conn.execute(
                "INSERT INTO annotations (user, paper_id, starred, created_at, updated_at) "
                "VALUES (?, ?, 1, ?, ?) ON CONFLICT (user, paper_id) DO UPDATE SET "
                "starred = 1 - starred, updated_at = excluded.updated_at",
                (user, paper_id, now, now),
            )
        return self.annotation(user, paper_id)

    def set_note(
        self, user: str, paper_id: int, note: str, *, expected: str | None = None
    ) -> Annotation:
        """Save ``note`` (Markdown) as ``user``'s note on the paper; blank removes it.

        With ``expected`` (the note as it was when editing began), refuse with
        :class:`NoteConflict` if it has changed since, rather than overwrite it.
        """
        if not note.strip():
            note = ""
        if expected is None:
            return self._upsert_annotation(user, paper_id, "note", note)
        now = clock.now()
        with self.transaction():
            row = self._row(NOTE, (user, paper_id))
            current = row[0] if row else ""
            if current != expected:
                raise NoteConflict("this note was changed elsewhere since you opened it", current)
            self._conn.execute(
                "INSERT INTO annotations (user, paper_id, note, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (user, paper_id) DO UPDATE SET "
                "note = excluded.note, updated_at = excluded.updated_at",
                (user, paper_id, note, now, now),
            )
        return self.annotation(user, paper_id)

    def activity(
        self, user: str, paper_ids: Sequence[int] | None = None
    ) -> list[tuple[str | None, str | None, str | None]]:
        """When ``user`` read, starred and first noted each paper (of ``paper_ids``,
        when given): (read_at, starred_at, noted_at), each None where the paper is
        not so marked now. (:meth:`Words.activity` reads the same from another thread.)"""
        try:
            return activity(self._conn, user, paper_ids)
        except sqlite3.Error as error:
            raise LibraryError(f"cannot read library {self._where}: {error}") from None

    # -- drafts ---------------------------------------------------------------

    def save_draft(self, user: str, paper_id: int, text: str, base: str) -> None:
        """Keep ``text``, typed over the note ``base`` and not saved yet, as a draft.

        Written while the user types, so it waits only a moment for another
        process's write: :class:`LibraryBusy` says to try again soon.
        """
        with self.transaction(wait_ms=_DRAFT_WAIT_MS):
            self._conn.execute(
                "INSERT INTO drafts (user, paper_id, text, base, saved_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (user, paper_id) DO UPDATE SET "
                "text = excluded.text, base = excluded.base, saved_at = excluded.saved_at",
                (user, paper_id, text, base, clock.now()),
            )

    def draft(self, user: str, paper_id: int) -> NoteDraft | None:
        """The unsaved draft of ``user``'s note on the paper, if there is one."""
        row = self._row(
            f"SELECT {DRAFT_COLUMNS} FROM drafts AS d "
            f"WHERE d.user = ? AND d.paper_id = ? AND {DRAFTED}",
            (user, paper_id),
        )
        return draft_from_row(row) if row else None

    def drafts(self, user: str) -> list[NoteDraft]:
        """``user``'s drafts that say something the note does not, the latest first."""
        rows = self._rows(
            f"SELECT {DRAFT_COLUMNS} FROM drafts AS d "
            "LEFT JOIN annotations AS a ON a.user = d.user AND a.paper_id = d.paper_id "
            f"WHERE d.user = ? AND {DRAFTED} AND d.text != coalesce(a.note, '') "
            "ORDER BY d.saved_at DESC, d.paper_id",
            (user,),
        )
        return [draft_from_row(row) for row in rows]

    def discard_draft(self, user: str, paper_id: int, text: str | None = None) -> None:
        """Drop the draft; with ``text``, only if it still holds that text (another
        window editing the same note may have written its own since)."""
        with self.transaction(wait_ms=_DRAFT_WAIT_MS):
            self._delete_draft(user, paper_id, text)

    def _delete_draft(self, user: str, paper_id: int, text: str | None) -> None:
        self._conn.execute(
            "DELETE FROM drafts WHERE user = ? AND paper_id = ? AND (? IS NULL OR text = ?)",
            (user, paper_id, text, text),
        )

    def _upsert_annotation(self, user: str, paper_id: int, column: str, value: Any) -> Annotation:
        now = clock.now()
        with self.transaction():
            self._upsert(user, paper_id, column, value, now)
        return self.annotation(user, paper_id)

    def _upsert(self, user: str, paper_id: int, column: str, value: Any, now: str) -> None:
        """Set one column of one annotation (creating it); the other columns stay."""
        self._conn.execute(
            f"INSERT INTO annotations (user, paper_id, {column}, created_at, updated_at) "
            f"VALUES (?, ?, ?, ?, ?) ON CONFLICT (user, paper_id) DO UPDATE SET "
            f"{column} = excluded.{column}, updated_at = excluded.updated_at",
            (user, paper_id, value, now, now),
        )
