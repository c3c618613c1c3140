"""The config file: defaults, every setting, friendly errors, and saving the theme."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from reader.config import (
    DEFAULT_VIEWS,
    Config,
    ConfigError,
    View,
    default_config_path,
    load_config,
    save_theme,
)
from reader.keymap import Remappable

THEMES = ("textual-dark", "textual-light", "nord", "gruvbox", "dracula")
# Known ids, none in use with another (the real table's defaults would clash with the keys
# these tests choose).
BINDINGS = Remappable(
    dict.fromkeys(
        ("library.star", "library.read", "library.unread", "library.tag", "app.quit"), "f12"
    ),
    together=(),
    older_ids={},
)


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    return tmp_path / "config.toml"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path, text: str) -> str:
    """The one-line error loading ``text`` gives, checked against the known names."""
    write(path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path, themes=THEMES, bindings=BINDINGS)
    message = str(caught.value)
    assert "\n" not in message
    return message


# --- where the file is -------------------------------------------------------------


def test_default_path_is_in_the_user_config_dir(tmp_path: Path) -> None:
    # conftest points XDG_CONFIG_HOME into tmp_path.
    assert default_config_path() == tmp_path / "xdg-config" / "reader" / "config.toml"


def test_reader_config_overrides_the_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    custom = write(tmp_path / "elsewhere.toml", "read_delay = 5\n")
    monkeypatch.setenv("READER_CONFIG", str(custom))
    assert default_config_path() == custom
    assert load_config().read_delay == 5.0


def test_reader_config_expands_home_and_ignores_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("READER_CONFIG", "~/my.toml")
    assert default_config_path() == tmp_path / "my.toml"
    monkeypatch.setenv("READER_CONFIG", "")
    assert default_config_path().name == "config.toml"
    assert default_config_path().parent.name == "reader"


# --- reading -----------------------------------------------------------------------


def test_missing_file_gives_defaults(config_path: Path) -> None:
    config = load_config(config_path, themes=THEMES, bindings=BINDINGS)
    assert config == Config()
    assert config.theme == "textual-dark"
    assert config.read_delay == 2.0
    assert config.default_sort == "newest"
    assert config.keymap == {}
    assert [(p.key, p.name, p.query, p.sort) for p in config.views] == [
        ("1", "All", "", None),
        ("2", "Unread", "is:unread", None),
        ("3", "Starred", "is:starred", None),
        ("4", "Notes", "has:note", None),
        ("5", "Code", "has:code", None),
        ("6", "Recent", "recent:7", None),
        ("7", "For you", "is:unread -is:starred", "for-you"),
        ("8", "Inbox", "is:inbox", None),
        ("9", "Lab picks", "lab:>=1", None),
    ]


def test_empty_file_gives_defaults(config_path: Path) -> None:
    write(config_path, "# nothing set yet\n")
    assert load_config(config_path) == Config()


def test_full_valid_file(config_path: Path) -> None:
    write(
        config_path,
        """\
# My settings
theme = "nord"
read_delay = 0          # never mark read by just looking
default_sort = "upvotes"

[keys]
"library.star" = "S"
library.read = "ctrl+r, R"   # a dotted key means the same binding id
"app.quit" = ["q", "ctrl+q"]

[views]
"2" = { name = "To triage", query = "is:unread -tag:skip" }
7 = { name = "To read", query = "tag:toread" }
"4" = { query = "has:note is:starred" }
"5" = false
""",
    )
    config = load_config(config_path, themes=THEMES, bindings=BINDINGS)
    assert config.theme == "nord"
    assert config.read_delay == 0.0
    assert isinstance(config.read_delay, float)
    assert config.default_sort == "upvotes"
    assert config.keymap == {
        "library.star": "S",
        "library.read": "ctrl+r,R",
        "app.quit": "q,ctrl+q",
    }
    assert config.views == (
        View("1", "All", ""),
        View("2", "To triage", "is:unread -tag:skip"),
        View("3", "Starred", "is:starred"),
        View("4", "Notes", "has:note is:starred"),  # the default name kept
        View("6", "Recent", "recent:7"),
        View("7", "To read", "tag:toread"),
        View("8", "Inbox", "is:inbox"),
        View("9", "Lab picks", "lab:>=1"),
    )
    assert config.view("7") == View("7", "To read", "tag:toread")
    assert config.view("5") is None


def test_config_is_frozen_and_hashable(config_path: Path) -> None:
    write(config_path, '[keys]\n"library.star" = "b"\n')
    config = load_config(config_path)
    hash(config)
    with pytest.raises(AttributeError):
        config.theme = "nord"  # type: ignore[misc]
    config.keymap["library.star"] = "X"  # a copy: the config is unchanged
    assert config.keymap == {"library.star": "b"}


def test_any_theme_without_known_names(config_path: Path) -> None:
    write(config_path, 'theme = "my-own-theme"\n')
    assert load_config(config_path).theme == "my-own-theme"


def test_binding_ids_are_the_key_tables_by_default(config_path: Path) -> None:
    # Every binding of every screen, the note editor's too (once refused as unknown).
    write(config_path, '[keys]\n"note.save" = "ctrl+w"\n"filter.clear" = "ctrl+g"\n')
    assert load_config(config_path).keymap == {"filter.clear": "ctrl+g", "note.save": "ctrl+w"}
    write(config_path, '[keys]\n"whatever.id" = "x"\n')
    with pytest.raises(ConfigError, match="unknown binding id"):
        load_config(config_path)


def test_read_delay_bounds_are_inclusive(config_path: Path) -> None:
    for value, expected in (("0", 0.0), ("60", 60.0), ("0.25", 0.25), ("1.5e1", 15.0)):
        write(config_path, f"read_delay = {value}\n")
        assert load_config(config_path).read_delay == expected


def test_views_replace_add_and_remove(config_path: Path) -> None:
    write(
        config_path,
        """\
[views]
1 = { name = "Everything", query = "" }
6 = false
8 = false
9 = { name = "Nameless query", query = "" }
""",
    )
    views = load_config(config_path).views
    assert [p.key for p in views] == ["1", "2", "3", "4", "5", "7", "9"]
    assert views[0] == View("1", "Everything", "")
    assert views[-1] == View("9", "Nameless query", "")


def test_a_view_may_name_its_order(config_path: Path) -> None:
    write(
        config_path,
        """\
[views]
2 = { name = "Best unread", query = "is:unread", sort = "upvotes" }
7 = { name = "Mine first" }
9 = { name = "Picks", query = "tag:pick" }
""",
    )
    config = load_config(config_path)
    assert config.view("2") == View("2", "Best unread", "is:unread", "upvotes")
    # Renamed only, the For you view keeps its query and its order; a view with a
    # query of its own starts in the list's order.
    assert config.view("7") == View("7", "Mine first", "is:unread -is:starred", "for-you")
    assert config.view("9") == View("9", "Picks", "tag:pick", None)
    message = error_of(config_path, '[views]\n2 = { name = "x", sort = "best" }\n')
    assert message == (
        f'{config_path}: views.2.sort: must be one of "relevance", "newest", "upvotes", '
        '"github", "title", "for-you", not "best"; did you mean "newest"?'
    )


def test_presets_is_read_as_the_older_name_of_views(config_path: Path) -> None:
    write(config_path, '[presets]\n"7" = { name = "To read", query = "tag:toread" }\n"5" = false\n')
    config = load_config(config_path)
    assert config.view("7") == View("7", "To read", "tag:toread")
    assert config.view("5") is None
    message = error_of(config_path, "[presets]\n0 = false\n")
    assert message == f'{config_path}: presets.0: views go on the number keys "1" to "9"'


def test_a_file_with_views_and_presets_is_refused_naming_it(config_path: Path) -> None:
    message = error_of(config_path, '[views]\n7 = { name = "A" }\n[presets]\n8 = { name = "B" }\n')
    assert message == (
        f"{config_path}: presets: an older name of [views], and the file has [views] too; keep one"
    )


def test_library_mark_is_read_as_the_older_id_of_library_select(config_path: Path) -> None:
    write(config_path, '[keys]\n"library.mark" = "m"\n')
    assert load_config(config_path).keymap == {"library.select": "m"}
    write(config_path, '[keys]\n"library.select" = "m"\n"library.mark" = "M"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(config_path)
    assert str(caught.value) == (
        f'{config_path}: keys."library.mark": given twice (also as library.select)'
    )


def test_removing_a_default_view_leaves_the_rest(config_path: Path) -> None:
    write(config_path, "[views]\n9 = false\n")
    assert load_config(config_path).views == DEFAULT_VIEWS[:-1]


def test_view_text_is_one_clean_line(config_path: Path) -> None:
    write(config_path, '[views]\n7 = { name = "Red\\u001b[31m\\nalert", query = " tag:x \\t" }\n')
    assert load_config(config_path).view("7") == View("7", "Red[31m alert", "tag:x")


def test_a_byte_order_mark_is_accepted(config_path: Path) -> None:
    config_path.write_bytes('\ufefftheme = "nord"\n'.encode())
    assert load_config(config_path).theme == "nord"


# --- errors ------------------------------------------------------------------------


def test_toml_syntax_error_names_file_and_line(config_path: Path) -> None:
    message = error_of(config_path, 'theme = "nord"\n\nread_delay = soon\n')
    assert re.fullmatch(rf"{re.escape(str(config_path))}:3: invalid value at column \d+", message)


def test_syntax_error_at_end_of_file(config_path: Path) -> None:
    message = error_of(config_path, 'theme = "nord"\nread_delay =')
    assert message == f"{config_path}:2: invalid value at the end of the file"


def test_duplicate_key_is_a_syntax_error(config_path: Path) -> None:
    message = error_of(config_path, 'theme = "nord"\ntheme = "dracula"\n')
    assert message.startswith(f"{config_path}:2: ")


def test_not_utf8_names_the_line(config_path: Path) -> None:
    config_path.write_bytes(b'theme = "nord"\n# caf\xe9\n')
    with pytest.raises(ConfigError, match=rf"^{re.escape(str(config_path))}:2: not UTF-8 text$"):
        load_config(config_path)


def test_unreadable_path_is_a_clean_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=rf"^cannot read {re.escape(str(tmp_path))}: "):
        load_config(tmp_path)  # a directory


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'read_delay = "soon"',
            'read_delay: must be a number of seconds from 0 to 60, not "soon"',
        ),
        ("read_delay = 61", "read_delay: must be a number of seconds from 0 to 60, not 61"),
        ("read_delay = -1", "read_delay: must be a number of seconds from 0 to 60, not -1"),
        ("read_delay = nan", "read_delay: must be a number of seconds from 0 to 60, not nan"),
        ("read_delay = inf", "read_delay: must be a number of seconds from 0 to 60, not inf"),
        ("read_delay = true", "read_delay: must be a number of seconds from 0 to 60, not true"),
        ("theme = 3", "theme: must be a theme name, not 3"),
        ('theme = ""', 'theme: must be a theme name, not ""'),
        ("theme = [1]", "theme: must be a theme name, not an array"),
        ('theme = "nrod"', 'theme: unknown theme "nrod"; did you mean "nord"?'),
        (
            'theme = "solarized"',
            'theme: unknown theme "solarized"; known: dracula, gruvbox, nord, '
            "textual-dark, textual-light",
        ),
        (
            'default_sort = "upvote"',
            'default_sort: must be one of "relevance", "newest", "upvotes", "github", '
            '"title", "for-you", not "upvote"; did you mean "upvotes"?',
        ),
        (
            "default_sort = 1",
            'default_sort: must be one of "relevance", "newest", "upvotes", "github", '
            '"title", "for-you", not 1',
        ),
        ("read_dealy = 3", 'read_dealy: unknown setting; did you mean "read_delay"?'),
        ("read-delay = 3", 'read-delay: unknown setting; did you mean "read_delay"?'),
        ('[key]\n"library.star" = "S"', 'key: unknown setting; did you mean "keys"?'),
        (
            "colour = 1",
            "colour: unknown setting; known: "
            "theme, read_delay, default_sort, follow, keys, views, lab, rules",
        ),
        ("keys = 3", 'keys: must be a table like [keys] "library.star" = "S", not 3'),
        (
            '[keys]\n"library.stra" = "S"',
            'keys."library.stra": unknown binding id; did you mean "library.star"?',
        ),
        ('[keys]\n"nothing.like.it" = "S"', 'keys."nothing.like.it": unknown binding id'),
        (
            '[keys]\n"library.star" = ""',
            'keys."library.star": must be a key or keys, like "S" or "ctrl+s,S", not ""',
        ),
        (
            '[keys]\n"library.star" = "ctrl+s,,S"',
            'keys."library.star": must be a key or keys, like "S" or "ctrl+s,S", not "ctrl+s,,S"',
        ),
        (
            '[keys]\n"library.star" = "ctrl s"',
            'keys."library.star": must be a key or keys, like "S" or "ctrl+s,S", not "ctrl s"',
        ),
        (
            '[keys]\n"library.star" = 1',
            'keys."library.star": must be a key or keys, like "S" or "ctrl+s,S", not 1',
        ),
        (
            '[keys]\n"library.star" = []',
            'keys."library.star": must be a key or keys, like "S" or "ctrl+s,S", not an array',
        ),
        (
            '[keys]\n"library.star" = "S"\nlibrary.star = "T"',
            'keys."library.star": given twice (once quoted, once as a dotted key)',
        ),
        ("views = 1", 'views: must be a table like [views] "7" = { ... }, not 1'),
        ("[views]\n0 = false", 'views.0: views go on the number keys "1" to "9"'),
        ('[views]\n10 = { name = "x" }', 'views.10: views go on the number keys "1" to "9"'),
        ("[views]\nx = false", 'views.x: views go on the number keys "1" to "9"'),
        (
            '[views]\n2 = "is:unread"',
            'views.2: must be { name = "...", query = "..." } or false, not "is:unread"',
        ),
        (
            "[views]\n2 = true",
            'views.2: must be { name = "...", query = "..." } or false, not true',
        ),
        (
            '[views]\n2 = { nmae = "x" }',
            'views.2.nmae: unknown view field; did you mean "name"?',
        ),
        (
            '[views]\n2 = { icon = "x" }',
            "views.2.icon: unknown view field; known: name, query, sort",
        ),
        ('[views]\n7 = { name = " " }', 'views.7.name: must be a non-empty string, not " "'),
        (
            '[views]\n7 = { name = "x", query = 1 }',
            "views.7.query: must be a filter query string, not 1",
        ),
    ],
)
def test_bad_settings_are_named(config_path: Path, text: str, expected: str) -> None:
    assert error_of(config_path, text + "\n") == f"{config_path}: {expected}"


def test_the_first_mistake_in_the_file_is_reported(config_path: Path) -> None:
    message = error_of(config_path, 'read_delay = "x"\ntheme = "nope"\n')
    assert "read_delay" in message
    assert "theme" not in message


def test_hostile_values_are_shown_safely(config_path: Path) -> None:
    message = error_of(config_path, 'theme = "\\u001b]0;pwned\\u0007' + "x" * 100 + '"\n')
    assert "\x1b" not in message
    assert "\x07" not in message
    assert 'theme: unknown theme "]0;pwnedxxx' in message
    assert "x…; known: " in message
    assert "x" * 40 not in message


def test_hostile_key_names_are_shown_safely(config_path: Path) -> None:
    message = error_of(config_path, '"bad\\u001b[2Jkey\\nx" = 1\n')
    assert message == f'{config_path}: "bad[2Jkey\\nx": unknown setting; known: ' + (
        "theme, read_delay, default_sort, follow, keys, views, lab, rules"
    )


# --- saving the theme --------------------------------------------------------------


def test_save_theme_creates_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "new" / "dir" / "config.toml"
    save_theme("nord", path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# ")
    assert tomllib.loads(text) == {"theme": "nord"}
    assert load_config(path, themes=THEMES) == Config(theme="nord")


def test_save_theme_uses_the_default_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    save_theme("dracula")
    assert load_config().theme == "dracula"
    assert (tmp_path / "xdg-config" / "reader" / "config.toml").exists()
    custom = tmp_path / "custom.toml"
    monkeypatch.setenv("READER_CONFIG", str(custom))
    save_theme("nord")
    assert load_config(custom).theme == "nord"


COMMENTED = """\
# My reader settings
# (theme = "ignored" in a comment)

theme   =   'gruvbox'   # the one I like
read_delay = 1.5 # quick

[keys]
"library.star" = "S"   # theme = "not this"

[views]
"7" = { name = "To read", query = "tag:toread" }
"""


def test_save_theme_rewrites_only_the_theme_line(config_path: Path) -> None:
    write(config_path, COMMENTED)
    save_theme("nord", config_path)
    assert config_path.read_text(encoding="utf-8") == COMMENTED.replace(
        "theme   =   'gruvbox'   # the one I like", 'theme   =   "nord"   # the one I like'
    )
    config = load_config(config_path, themes=THEMES, bindings=BINDINGS)
    assert config.theme == "nord"
    assert config.read_delay == 1.5
    assert config.keymap == {"library.star": "S"}


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('theme = "gruvbox"', 'theme = "nord"'),
        ('theme="gruvbox"#x', 'theme="nord"#x'),
        ('"theme" = "a \\" # b" # c', '"theme" = "nord" # c'),
        ("  theme = 3  # not even a string", '  theme = "nord"  # not even a string'),
        ("theme = true", 'theme = "nord"'),
    ],
)
def test_save_theme_keeps_the_line_layout(config_path: Path, line: str, expected: str) -> None:
    write(config_path, f"{line}\nread_delay = 3\n")
    save_theme("nord", config_path)
    assert config_path.read_text(encoding="utf-8") == f"{expected}\nread_delay = 3\n"


def test_save_theme_adds_the_line_below_a_header(config_path: Path) -> None:
    write(config_path, "# header\n# more header\n\n# the delay\nread_delay = 3\n\n[keys]\n")
    save_theme("nord", config_path)
    assert config_path.read_text(encoding="utf-8") == (
        '# header\n# more header\n\ntheme = "nord"\n# the delay\nread_delay = 3\n\n[keys]\n'
    )


def test_save_theme_adds_the_line_at_the_top(config_path: Path) -> None:
    write(config_path, "# the delay\nread_delay = 3\n")
    save_theme("nord", config_path)
    assert config_path.read_text(encoding="utf-8") == (
        'theme = "nord"\n# the delay\nread_delay = 3\n'
    )


def test_save_theme_adds_the_line_before_the_first_table(config_path: Path) -> None:
    write(config_path, '[keys]\n"library.star" = "S"\n')
    save_theme("nord", config_path)
    text = config_path.read_text(encoding="utf-8")
    assert text == 'theme = "nord"\n[keys]\n"library.star" = "S"\n'
    assert tomllib.loads(text)["keys"] == {"library.star": "S"}


def test_save_theme_appends_to_a_file_of_comments(config_path: Path) -> None:
    write(config_path, '# all commented out\n# theme = "old"')
    save_theme("nord", config_path)
    assert config_path.read_text(encoding="utf-8") == (
        '# all commented out\n# theme = "old"\ntheme = "nord"\n'
    )


def test_save_theme_keeps_crlf_and_a_byte_order_mark(config_path: Path) -> None:
    config_path.write_bytes("\ufeff# settings\r\nread_delay = 3\r\n".encode())
    save_theme("nord", config_path)
    assert config_path.read_bytes() == (
        '\ufefftheme = "nord"\r\n# settings\r\nread_delay = 3\r\n'.encode()
    )


def test_save_theme_escapes_the_name(config_path: Path) -> None:
    write(config_path, "read_delay = 3\n")
    save_theme('odd "theme" \\ name', config_path)
    assert load_config(config_path).theme == 'odd "theme" \\ name'


def test_save_theme_does_not_touch_a_file_already_set(config_path: Path) -> None:
    write(config_path, 'theme = "nord"\n')
    before = config_path.stat().st_mtime_ns
    os.utime(config_path, ns=(before - 10**9, before - 10**9))
    save_theme("nord", config_path)
    assert config_path.stat().st_mtime_ns == before - 10**9


def test_save_theme_refuses_a_malformed_file(config_path: Path) -> None:
    write(config_path, 'theme = "gruvbox"\nread_delay = \n')
    with pytest.raises(ConfigError, match=rf"^{re.escape(str(config_path))}:2: invalid value"):
        save_theme("nord", config_path)
    assert config_path.read_text(encoding="utf-8") == 'theme = "gruvbox"\nread_delay = \n'


def test_save_theme_rewrites_a_multi_line_theme(config_path: Path) -> None:
    write(config_path, 'theme = """\ngruvbox"""\nread_delay = 3\n')
    save_theme("nord", config_path)
    assert config_path.read_text(encoding="utf-8") == 'theme = "nord"\nread_delay = 3\n'


# Comments everywhere, odd spacing, tabs, blank lines, inline tables, dotted keys, a
# trailing space: all of it stays as it is, byte for byte, but the theme's value.
ODD = (
    "#!  my settings  \n"
    "\n"
    "\t# indented comment\n"
    "read_delay\t=  0.5   # quick\n"
    "\n\n"
    "theme =\t'gruvbox'  # the one I like \n"
    "default_sort='title'\n"
    "[keys]   # remapped\n"
    "  library.star   =   [ 'b' ,'B' ]\n"
    '"library.read" = "ctrl+r,R"  \n'
    "\n"
    "[views]\n"
    '7 = {name="To read",   query = "tag:toread"}   # mine\n'
    '"5" = false\n'
)


def test_save_theme_keeps_everything_else_byte_for_byte(config_path: Path) -> None:
    write(config_path, ODD)
    save_theme("nord", config_path)
    after = config_path.read_text(encoding="utf-8")
    assert after == ODD.replace("theme =\t'gruvbox'", 'theme =\t"nord"')
    assert load_config(config_path, bindings=BINDINGS).theme == "nord"


def test_save_theme_adds_one_line_and_changes_nothing_else(config_path: Path) -> None:
    without = ODD.replace("theme =\t'gruvbox'  # the one I like \n", "")
    write(config_path, without)
    save_theme("nord", config_path)
    after = config_path.read_text(encoding="utf-8").splitlines(keepends=True)
    added = after.index('theme = "nord"\n')
    assert "".join(after[:added] + after[added + 1 :]) == without


def test_config_does_not_import_the_exports() -> None:
    code = "import sys, reader.config\nprint(sorted(m for m in sys.modules if 'export' in m))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_save_theme_rejects_a_bad_name(config_path: Path) -> None:
    for name in ("", "  ", "a\nb", "x\x1b[2J"):
        with pytest.raises(ConfigError, match="theme: not a theme name"):
            save_theme(name, config_path)
    assert not config_path.exists()


def test_save_theme_writes_through_a_symlink(tmp_path: Path) -> None:
    real = write(tmp_path / "dotfiles.toml", "read_delay = 3\n")
    link = tmp_path / "config.toml"
    link.symlink_to(real)
    save_theme("nord", link)
    assert link.is_symlink()
    assert load_config(real).theme == "nord"


def test_save_theme_leaves_no_temporary_file(config_path: Path) -> None:
    write(config_path, "read_delay = 3\n")
    save_theme("nord", config_path)
    assert sorted(p.name for p in config_path.parent.iterdir()) == ["config.toml"]


def test_save_theme_impossible_path_is_a_clean_error(tmp_path: Path) -> None:
    not_a_dir = write(tmp_path / "file", "")
    path = not_a_dir / "config.toml"
    with pytest.raises(ConfigError, match=rf"^cannot read {re.escape(str(path))}: "):
        save_theme("nord", path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_save_theme_unwritable_is_a_clean_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    path = write(locked / "config.toml", "read_delay = 3\n")
    locked.chmod(0o500)
    try:
        with pytest.raises(ConfigError, match=rf"^cannot write {re.escape(str(path))}: "):
            save_theme("nord", path)
    finally:
        locked.chmod(0o700)
    assert path.read_text(encoding="utf-8") == "read_delay = 3\n"


def test_a_view_query_with_a_mistake_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[views]\n"7" = { name = "Mine", query = "autor:x" }\n', encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: views.7.query: ")
    assert "did you mean author:" in message


@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_a_config_that_is_not_a_regular_file_is_refused_without_reading_it(
    tmp_path: Path, kind: str
) -> None:
    """/dev/zero read 11.6 GB; a FIFO with no writer hung reader for ever."""
    if kind == "fifo":
        path = tmp_path / "config.toml"
        os.mkfifo(path)
        what = "a FIFO"
    elif kind == "device":
        path, what = Path("/dev/zero"), "a device"
    else:
        path, what = tmp_path, "a directory"
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert str(raised.value) == f"cannot read {path}: it is {what}, not a file"


def test_a_config_through_a_symlink_is_read(tmp_path: Path) -> None:
    real = write(tmp_path / "real.toml", "read_delay = 3\n")
    (tmp_path / "config.toml").symlink_to(real)
    assert load_config(tmp_path / "config.toml").read_delay == 3


def test_a_huge_config_is_refused_after_reading_only_its_limit(config_path: Path) -> None:
    from reader.config import MAX_CONFIG_BYTES

    write(config_path, "# " + "x" * MAX_CONFIG_BYTES + "\n")
    with pytest.raises(ConfigError, match=r"larger than 1024 KB; is this the config file\?$"):
        load_config(config_path)


def test_a_config_nested_a_thousand_deep_is_one_clean_error(config_path: Path) -> None:
    write(config_path, "x = " + "[" * 5000 + "\n")
    with pytest.raises(ConfigError, match="nested too deeply"):
        load_config(config_path)


def test_a_config_path_naming_an_unknown_user_is_one_clean_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("READER_CONFIG", "~nosuchuser-reader/config.toml")
    with pytest.raises(ConfigError) as raised:
        default_config_path()
    assert str(raised.value) == (
        "READER_CONFIG: ~nosuchuser-reader/config.toml: no such user as ~nosuchuser-reader"
    )


def test_saving_the_theme_creates_private_folders(tmp_path: Path) -> None:
    """~/.config/reader holds a config that may name private views: 0700, as the data
    folder is, whatever the umask."""
    path = tmp_path / "config" / "reader" / "config.toml"
    old = os.umask(0o022)
    try:
        save_theme("nord", path)
    finally:
        os.umask(old)
    assert path.parent.stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "config").stat().st_mode & 0o777 == 0o700
    assert path.stat().st_mode & 0o777 == 0o600


# --- one key, one action -------------------------------------------------------------

# The bindings of one screen, with their default keys, as the app passes them.
DEFAULT_KEYS = {
    "library.star": "s",
    "library.read": "r",
    "library.help": "question_mark",
    "list.down": "down,j",
    "app.quit": "q",
}
ONE_SCREEN = Remappable(DEFAULT_KEYS, together=(frozenset(DEFAULT_KEYS),), older_ids={})


def clash_of(path: Path, keys: str) -> str:
    write(path, "[keys]\n" + keys)
    with pytest.raises(ConfigError) as caught:
        load_config(path, bindings=ONE_SCREEN)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_two_actions_given_one_key_are_refused_naming_both(config_path: Path) -> None:
    message = clash_of(config_path, '"library.star" = "x"\n"library.read" = "ctrl+r,x"\n')
    assert message == (
        f'{config_path}: keys."library.star": "x" is library.read\'s key too; one key runs '
        "one action, give one of them another key"
    )


def test_a_key_another_action_has_by_default_is_refused(config_path: Path) -> None:
    message = clash_of(config_path, '"library.star" = "j"\n')
    assert message == (
        f'{config_path}: keys."library.star": "j" is list.down\'s default key; one key runs '
        "one action, give one of them another key"
    )
    # Written as the character, named as the binding names it.
    assert '"?" is library.help\'s default key' in clash_of(config_path, '"app.quit" = "?"\n')


def test_keys_moved_away_first_may_be_taken(config_path: Path) -> None:
    write(config_path, '[keys]\n"library.star" = "r"\n"library.read" = "s"\n"list.down" = "down"\n')
    config = load_config(config_path, bindings=ONE_SCREEN)
    assert config.keymap == {"library.star": "r", "library.read": "s", "list.down": "down"}
    write(config_path, '[keys]\n"library.star" = "j,S"\n"list.down" = "down"\n')
    assert load_config(config_path, bindings=ONE_SCREEN).keymap["library.star"] == "j,S"


def test_follow_names_authors(config_path: Path) -> None:
    write(config_path, 'follow = ["Eve Cell", "Bo  Lens", "Eve Cell"]\n')
    assert load_config(config_path).follow == ("Eve Cell", "Bo Lens")
    assert Config().follow == ()
    assert error_of(config_path, 'follow = "Eve Cell"\n') == (
        f'{config_path}: follow: must be a list of author names, like ["Yann LeCun"], '
        'not "Eve Cell"'
    )
    assert error_of(config_path, 'follow = ["Eve", 7]\n') == (
        f"{config_path}: follow.2: must be an author's full name, not 7"
    )


def test_lab_private_keeps_the_users_marks_to_themselves(config_path: Path) -> None:
    write(config_path, "[lab]\nprivate = true\n")
    assert load_config(config_path).private is True
    assert Config().private is False
    assert error_of(config_path, "[lab]\nprivate = 1\n") == (
        f"{config_path}: lab.private: must be true or false, not 1"
    )
    assert error_of(config_path, "[lab]\nprivat = true\n") == (
        f'{config_path}: lab.privat: unknown setting; did you mean "private"?'
    )
    assert error_of(config_path, 'lab = "private"\n') == (
        f'{config_path}: lab: must be a table like [lab] private = true, not "private"'
    )
