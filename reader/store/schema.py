"""The library's schema, as numbered migrations.

``PRAGMA user_version`` holds how many migrations a file has had. Each migration
runs inside the same transaction as the version bump, so a file is always at one
version or the next, never in between. Append new migrations; never edit old ones.
"""

from __future__ import annotations

# How the word indexes split text: runs of letters and digits, lower-cased, Latin
# accents removed. Words.split splits typed words with it too; reader.search.terms.words
# comes close, for the in-memory reference.
TOKENIZER = "unicode61 remove_diacritics 2"


def _names(paper: str) -> str:
    """The author names of ``paper`` (a trigger's ``new`` or ``old``, or ``papers``)
    as rows of ``author.value``; a list that is not valid JSON (a file someone else
    wrote) names no one."""
    return (
        f"json_each(CASE WHEN json_valid({paper}.authors) THEN {paper}.authors ELSE '[]' END) "
        "AS author"
    )


# Counts an import sets down for its new rows (a name and how many of them it is on):
# appended to a table of their own, then added to ``authors`` once, when the import
# is done (FOLD_AUTHORS). Adding them to ``authors`` at each chunk's commit rewrote
# most of its pages every time: an import of 100,000 papers took 75% longer.
PEND_AUTHORS = "INSERT INTO pending_authors (name, papers) VALUES (?, ?)"
# The counts of every paper, counted once: what an older library starts from.
_COUNT_EVERY_PAPER = f"""
    INSERT INTO pending_authors (name, papers)
    SELECT author.value, count(DISTINCT papers.id) FROM papers, {_names("papers")}
    WHERE author.type = 'text' GROUP BY author.value
"""
FOLD_AUTHORS = (
    """
    INSERT INTO authors (name, papers)
    SELECT name, sum(papers) FROM pending_authors WHERE true GROUP BY name
    ON CONFLICT (name) DO UPDATE SET papers = papers + excluded.papers
    """,
    "DELETE FROM pending_authors",
)


def _count(paper: str, by: int) -> str:
    """Adds ``by`` to the count of each name of ``paper`` (``new`` or ``old``)."""
    return f"""
    INSERT INTO authors (name, papers)
    SELECT DISTINCT author.value, {by} FROM {_names(paper)} WHERE author.type = 'text'
    ON CONFLICT (name) DO UPDATE SET papers = papers + {by}
    """


# "RDR1": marks a file as ours, so we never write into somebody else's database.
APPLICATION_ID = 0x52445231

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: papers, per-user annotations (star, note), key/value metadata.
    (
        """
        CREATE TABLE papers (
            id INTEGER PRIMARY KEY,
            arxiv_id TEXT UNIQUE,
            title TEXT NOT NULL,
            title_key TEXT NOT NULL,
            abstract TEXT NOT NULL DEFAULT '',
            authors TEXT NOT NULL DEFAULT '[]',
            author_count INTEGER,
            published TEXT,
            upvotes INTEGER,
            github_url TEXT,
            added_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """,
        "CREATE INDEX papers_title_key ON papers (title_key)",
        "CREATE INDEX papers_published ON papers (published)",
        """
        CREATE TABLE annotations (
            user TEXT NOT NULL,
            paper_id INTEGER NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
            starred INTEGER NOT NULL DEFAULT 0,
            note TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (user, paper_id)
        ) WITHOUT ROWID
        """,
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ),
    # 2: what arXiv, Hugging Face JSON and BibTeX know beyond the page text.
    (
        "ALTER TABLE papers ADD COLUMN arxiv_version INTEGER",
        "ALTER TABLE papers ADD COLUMN updated TEXT",
        "ALTER TABLE papers ADD COLUMN featured TEXT",
        "ALTER TABLE papers ADD COLUMN categories TEXT NOT NULL DEFAULT '[]'",
        "ALTER TABLE papers ADD COLUMN primary_category TEXT",
        "ALTER TABLE papers ADD COLUMN comment TEXT",
        "ALTER TABLE papers ADD COLUMN doi TEXT",
        "ALTER TABLE papers ADD COLUMN journal_ref TEXT",
        "ALTER TABLE papers ADD COLUMN url TEXT",
        "ALTER TABLE papers ADD COLUMN num_comments INTEGER",
        "ALTER TABLE papers ADD COLUMN github_stars INTEGER",
        "ALTER TABLE papers ADD COLUMN ai_summary TEXT",
        "ALTER TABLE papers ADD COLUMN ai_keywords TEXT NOT NULL DEFAULT '[]'",
    ),
    # 3: read state and tags, per user.
    (
        "ALTER TABLE annotations ADD COLUMN read_at TEXT",
        "ALTER TABLE annotations ADD COLUMN tags TEXT NOT NULL DEFAULT '[]'",
    ),
    # 4: word indexes for the filter, kept in step with papers by triggers. Titles
    # and authors per column, so a word's field is known without reading the rows,
    # with the words' first one and two letters indexed too (the first keys typed);
    # abstracts without positions (``detail=none``): only "which papers hold a
    # word starting so" is asked of them, and that index is the smallest and
    # cheapest to build. External content: the text itself stays in papers.
    (
        f"""
        CREATE VIRTUAL TABLE paper_words USING fts5(
            title, authors, content='papers', content_rowid='id', detail='column',
            prefix='1 2', tokenize='{TOKENIZER}')
        """,
        f"""
        CREATE VIRTUAL TABLE abstract_words USING fts5(
            abstract, content='papers', content_rowid='id', detail='none',
            tokenize='{TOKENIZER}')
        """,
        "CREATE VIRTUAL TABLE paper_terms USING fts5vocab(paper_words, 'col')",
        # The distinct title and author words, as read from paper_terms (which
        # scans the whole index): kept until a title or author list changes.
        "CREATE TABLE word_terms (field TEXT PRIMARY KEY, terms TEXT NOT NULL)",
        # Every row inserted is indexed, except while an import (which indexes its
        # new rows all at once, three times as fast) has set the meta key, inside
        # its own transaction.
        """
        CREATE TRIGGER papers_words_insert AFTER INSERT ON papers
        WHEN NOT EXISTS (SELECT 1 FROM meta WHERE key = 'indexing_by_import') BEGIN
            INSERT INTO paper_words (rowid, title, authors)
                VALUES (new.id, new.title, new.authors);
            INSERT INTO abstract_words (rowid, abstract) VALUES (new.id, new.abstract);
            DELETE FROM word_terms;
        END
        """,
        """
        CREATE TRIGGER papers_words_delete AFTER DELETE ON papers BEGIN
            INSERT INTO paper_words (paper_words, rowid, title, authors)
                VALUES ('delete', old.id, old.title, old.authors);
            INSERT INTO abstract_words (abstract_words, rowid, abstract)
                VALUES ('delete', old.id, old.abstract);
            DELETE FROM word_terms;
        END
        """,
        """
        CREATE TRIGGER papers_words_update AFTER UPDATE OF title, authors ON papers
        WHEN old.title IS NOT new.title OR old.authors IS NOT new.authors BEGIN
            INSERT INTO paper_words (paper_words, rowid, title, authors)
                VALUES ('delete', old.id, old.title, old.authors);
            INSERT INTO paper_words (rowid, title, authors)
                VALUES (new.id, new.title, new.authors);
            DELETE FROM word_terms;
        END
        """,
        """
        CREATE TRIGGER papers_abstract_update AFTER UPDATE OF abstract ON papers
        WHEN old.abstract IS NOT new.abstract BEGIN
            INSERT INTO abstract_words (abstract_words, rowid, abstract)
                VALUES ('delete', old.id, old.abstract);
            INSERT INTO abstract_words (rowid, abstract) VALUES (new.id, new.abstract);
        END
        """,
        "INSERT INTO paper_words (paper_words) VALUES ('rebuild')",
        "INSERT INTO abstract_words (abstract_words) VALUES ('rebuild')",
        # The list, in its order (newest first), read from the index alone: a full
        # read of papers would read every abstract.
        "CREATE INDEX papers_listing ON papers (published IS NULL, published DESC, "
        "title COLLATE NOCASE, arxiv_id, title, published, upvotes, github_url, featured)",
    ),
    # 5: the note editor's drafts, saved every few seconds while a note is written,
    # so a killed process loses at most those seconds. ``base`` is the note as it
    # was when the editing began: saving the draft later refuses to overwrite a
    # note changed since. Saving or discarding the note deletes its draft.
    # And when a paper was starred, and first given a note, for the stats screen:
    # set by triggers, so every way of writing a mark sets them (a guess, the
    # last change, for marks made before).
    (
        # What changed since a moment, for an open window to show another's marks.
        "CREATE INDEX annotations_changed ON annotations (user, updated_at)",
        "ALTER TABLE annotations ADD COLUMN starred_at TEXT",
        "ALTER TABLE annotations ADD COLUMN noted_at TEXT",
        "UPDATE annotations SET starred_at = updated_at WHERE starred",
        "UPDATE annotations SET noted_at = updated_at WHERE note != ''",
        """
        CREATE TRIGGER annotations_marked_insert AFTER INSERT ON annotations
        WHEN new.starred OR new.note != '' BEGIN
            UPDATE annotations SET
                starred_at = CASE WHEN new.starred THEN new.updated_at END,
                noted_at = CASE WHEN new.note != '' THEN new.updated_at END
            WHERE user = new.user AND paper_id = new.paper_id;
        END
        """,
        """
        CREATE TRIGGER annotations_starred AFTER UPDATE OF starred ON annotations
        WHEN new.starred AND NOT old.starred BEGIN
            UPDATE annotations SET starred_at = new.updated_at
            WHERE user = new.user AND paper_id = new.paper_id;
        END
        """,
        """
        CREATE TRIGGER annotations_noted AFTER UPDATE OF note ON annotations
        WHEN new.note != '' AND old.note = '' BEGIN
            UPDATE annotations SET noted_at = new.updated_at
            WHERE user = new.user AND paper_id = new.paper_id;
        END
        """,
        """
        CREATE TABLE drafts (
            user TEXT NOT NULL,
            paper_id INTEGER NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
            text TEXT NOT NULL,
            base TEXT NOT NULL,
            saved_at TEXT NOT NULL,
            PRIMARY KEY (user, paper_id)
        ) WITHOUT ROWID
        """,
    ),
    # 6: imports in chunks (see reader.store.journal). A large import commits a few
    # thousand papers at a time, so other processes write in between, and writes in
    # the same transactions what undoes it: the rows it added, the papers and the
    # annotation columns it changed, as they were. An ``imports`` row says it is
    # under way; one whose process died is undone by the next to open the library.
    # The journal's columns have no type, so they keep any value as it was.
    (
        "CREATE TABLE imports (id INTEGER PRIMARY KEY, started_at TEXT NOT NULL)",
        """
        CREATE TABLE import_added (
            import_id INTEGER NOT NULL,
            first_id INTEGER NOT NULL,
            last_id INTEGER NOT NULL
        )
        """,
        """
        CREATE TABLE import_papers (
            import_id INTEGER NOT NULL,
            id INTEGER NOT NULL,
            arxiv_id, title, title_key, abstract, authors, author_count, published,
            upvotes, github_url, arxiv_version, updated, featured, categories,
            primary_category, comment, doi, journal_ref, url, num_comments, github_stars,
            ai_summary, ai_keywords, updated_at,
            PRIMARY KEY (import_id, id)
        ) WITHOUT ROWID
        """,
        """
        CREATE TABLE import_marks (
            import_id INTEGER NOT NULL,
            user TEXT NOT NULL,
            paper_id INTEGER NOT NULL,
            field TEXT NOT NULL,
            old,
            new,
            PRIMARY KEY (import_id, user, paper_id, field)
        ) WITHOUT ROWID
        """,
    ),
    # 7: which papers came from the bundled sample, so that one command removes
    # them all (see reader.store.removal). A paper stops being one when another
    # import brings it too. Libraries filled before this are matched against the
    # sample as they are upgraded (reader.store.migrate).
    (
        """
        CREATE TABLE sample_papers (
            paper_id INTEGER PRIMARY KEY REFERENCES papers (id) ON DELETE CASCADE
        )
        """,
    ),
    # 8: the list's index holds GitHub stars and the number of comments too, for the
    # filter's github: and comments: and the sort by stars, still read from the index
    # alone (without them the list reads every row, abstracts and all: twice as slow).
    (
        "DROP INDEX papers_listing",
        "CREATE INDEX papers_listing ON papers (published IS NULL, published DESC, "
        "title COLLATE NOCASE, arxiv_id, title, published, upvotes, github_url, featured, "
        "github_stars, num_comments)",
    ),
    # 9: how many papers each author name is on, so the stats screen finds the
    # library's most frequent authors in a table (hundredths of a second at 100,000
    # papers) instead of expanding every author list (a second): ``authors`` plus,
    # while an import is under way (or was cut short), ``pending_authors``. Kept in
    # step with papers by triggers; an import sets the insert trigger aside while it
    # inserts (reader.store.imports) and counts its new papers all at once. A name
    # stays when its last paper goes, with a count of 0.
    (
        "CREATE TABLE authors (name TEXT PRIMARY KEY, papers INTEGER NOT NULL) WITHOUT ROWID",
        "CREATE TABLE pending_authors (name TEXT NOT NULL, papers INTEGER NOT NULL)",
        f"""
        CREATE TRIGGER papers_authors_insert AFTER INSERT ON papers BEGIN
            {_count("new", 1)};
        END
        """,
        f"""
        CREATE TRIGGER papers_authors_update AFTER UPDATE OF authors ON papers
        WHEN old.authors IS NOT new.authors BEGIN
            {_count("old", -1)};
            {_count("new", 1)};
        END
        """,
        f"""
        CREATE TRIGGER papers_authors_delete AFTER DELETE ON papers BEGIN
            {_count("old", -1)};
        END
        """,
        _COUNT_EVERY_PAPER,
        *FOLD_AUTHORS,
    ),
    # 10: "not interested", per user: when the paper was dismissed (NULL: it is not).
    # Dismissed papers leave every view unless a query asks for is:dismissed, and
    # teach the user's For you ranking what they do not want (reader.ranking).
    ("ALTER TABLE annotations ADD COLUMN dismissed_at TEXT",),
    # 11: the inbox: how far each user had looked at each view (``inbox`` for now),
    # so is:new finds the papers that came in since: the newest paper's time then and
    # the largest paper id then (a paper of the same second, or one whose id a
    # removed paper had, is still told apart); papers by when they came in.
    (
        """
        CREATE TABLE looked (
            user TEXT NOT NULL,
            view TEXT NOT NULL,
            at TEXT NOT NULL,
            last_id INTEGER NOT NULL,
            PRIMARY KEY (user, view)
        ) WITHOUT ROWID
        """,
        "CREATE INDEX papers_added ON papers (added_at)",
    ),
    # 12: the rest of the daily loop.
    # - decisions: each paper decided in triage mode (star, dismiss, skip, ...), when,
    #   and the seconds it was shown before, for the stats screen's papers triaged
    #   per day and median seconds per decision.
    # - rule_hits: what each user's config rules did to which paper, once each: a
    #   rule (named by its key, see reader.rules) acts on a paper at most once, and
    #   the help screen counts what it did.
    # - paper_updates: a newer arXiv version of a paper, or a code link that was not
    #   there, as an import or fetch brought it: is:updated, the inbox's updates.
    # - annotations.note_shared: the note's author lets the rest of the lab read it.
    # - lab_members: the users of a shared library and whether each keeps their
    #   marks to themselves (written from their config as they open it).
    #   Numbered in order, never again (AUTOINCREMENT: an import undone takes its
    #   rows, and their ids are not handed out after a mark that counted them).
    # - looked.last_update: the largest paper_updates id when a mark was set: the
    #   updates after it are unseen (see reader.store.inbox);
    #   looked.seen_at: when the user set it (what the lab starred since, for the digest).
    (
        """
        CREATE TABLE decisions (
            user TEXT NOT NULL,
            paper_id INTEGER NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
            action TEXT NOT NULL,
            at TEXT NOT NULL,
            seconds REAL NOT NULL
        )
        """,
        "CREATE INDEX decisions_by_user ON decisions (user, at)",
        """
        CREATE TABLE rule_hits (
            user TEXT NOT NULL,
            rule TEXT NOT NULL,
            paper_id INTEGER NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
            action TEXT NOT NULL,
            at TEXT NOT NULL,
            PRIMARY KEY (user, rule, paper_id, action)
        ) WITHOUT ROWID
        """,
        """
        CREATE TABLE paper_updates (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            paper_id INTEGER NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            at TEXT NOT NULL,
            old TEXT,
            new TEXT
        )
        """,
        "CREATE INDEX paper_updates_at ON paper_updates (at)",
        "CREATE INDEX paper_updates_paper ON paper_updates (paper_id)",
        "ALTER TABLE looked ADD COLUMN last_update INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE looked ADD COLUMN seen_at TEXT",
        "ALTER TABLE annotations ADD COLUMN note_shared INTEGER NOT NULL DEFAULT 0",
        # The lab's marks on one paper, for the detail pane (the key starts with user).
        "CREATE INDEX annotations_paper ON annotations (paper_id)",
        # A note deleted stops being shared: the next note written is the user's own
        # until they share it.
        """
        CREATE TRIGGER annotations_note_unshared AFTER UPDATE OF note ON annotations
        WHEN new.note = '' AND old.note_shared BEGIN
            UPDATE annotations SET note_shared = 0
            WHERE user = new.user AND paper_id = new.paper_id;
        END
        """,
        """
        CREATE TABLE lab_members (
            user TEXT PRIMARY KEY,
            private INTEGER NOT NULL DEFAULT 0,
            seen_at TEXT NOT NULL
        ) WITHOUT ROWID
        """,
    ),
)

SCHEMA_VERSION = len(MIGRATIONS)
