"""The library's schema, as numbered migrations.

``PRAGMA user_version`` holds how many migrations a file has had. Each migration
runs inside the same transaction as the version bump, so a file is always at one
version or the next, never in between. Append new migrations; never edit old ones.
"""

from __future__ import annotations

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
)

SCHEMA_VERSION = len(MIGRATIONS)
