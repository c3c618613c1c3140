"""Settings from ``config.toml``: theme, read delay, default sort, followed authors,
keys, views, the lab and rules.

The file lives in the user config directory (``~/.config/reader/config.toml`` on
Linux), or wherever ``$READER_CONFIG`` points. Every setting is optional::

    theme = "nord"              # a Textual theme name
    read_delay = 2.0            # seconds highlighted before a paper counts as read; 0: never
    default_sort = "newest"     # relevance, newest, upvotes, github (stars), title or for-you
    follow = ["Yann LeCun"]     # authors For you puts first until it has learned

    [keys]                      # binding id = a key, or several separated by commas
    "library.star" = "b"
    "library.read" = "ctrl+r,r"

    [lab]                       # a library shared with other users
    private = true              # they never see your stars, tags or notes

    [views]                     # the number keys 1 to 9
    "2" = { name = "Unread", query = "is:unread -tag:skip" }
    "8" = { name = "To read", query = "tag:toread", sort = "newest" }
    "5" = false                 # no view on 5

    [[rules]]                   # what to do to papers as they arrive (reader.rules)
    name = "surveys"
    query = "title:survey"
    tag = "survey"              # or tags = [...], star, dismiss, hide = true

A ``[views]`` entry replaces the default of the same number (a field it leaves out
keeps the default's; the order only if it keeps the query too), adds a new number,
or with ``false`` removes one. Binding ids
may be quoted (``"library.star"``) or written as TOML dotted keys (``library.star``):
both mean the same binding. Older names are still read: ``[presets]`` for ``[views]``
(not both in one file) and ``library.mark`` for ``library.select`` (reader.keymap).

Reading is strict: an unknown key, a wrong type or an out-of-range value is a
:class:`ConfigError` naming the file and the key, with a suggestion for a misspelt
name, so a typo never silently does nothing. Binding ids are the ones of
:mod:`reader.keymap`; nothing here imports Textual: the app passes in the theme names.
"""

from __future__ import annotations

import difflib
import json
import math
import os
import re
import stat
import tomllib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from reader.keymap import Remappable, key_name, remappable
from reader.paths import APP_NAME, PathError, expand_user
from reader.rules import Rule
from reader.text import one_line, strip_controls

CONFIG_NAME = "config.toml"
DEFAULT_THEME = "textual-dark"
DEFAULT_READ_DELAY = 2.0
MAX_READ_DELAY = 60.0
# The orders the list can be sorted in; "relevance" only means something while filtering;
# "for-you" is the user's own ranking (reader.ranking).
SORTS = ("relevance", "newest", "upvotes", "github", "title", "for-you")
DEFAULT_SORT = "newest"
VIEW_KEYS = tuple("123456789")

_SETTINGS = (
    "theme",
    "read_delay",
    "default_sort",
    "follow",
    "keys",
    "views",
    "lab",
    "rules",
)
# Authors to follow: a name is at most this long, and there are at most this many.
_FOLLOW_CHARS = 200
_FOLLOW_MOST = 1000
_VIEW_FIELDS = ("name", "query", "sort")
_RULE_FIELDS = ("name", "query", "tag", "tags", "star", "dismiss", "hide")
_RULE_ACTIONS = "tag, tags, star = true, dismiss = true or hide = true"
# Rules and tags a rule gives: far more than anyone writes; a bound on the work.
_RULES_MOST = 500
_RULE_TAGS_MOST = 50
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_TOML_ERROR = re.compile(
    r"^(?P<message>.*?) \((?:at line (?P<line>\d+), column (?P<col>\d+)|at end of document)\)$"
)
_SHOWN_CHARS = 40
# A config file is a few hundred bytes; anything near this is not one.
MAX_CONFIG_BYTES = 1024 * 1024


class ConfigError(Exception):
    """The config file cannot be used. ``str()`` is one line naming the file (and the line
    or key), meant to be shown to the user as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(one_line(message))


@dataclass(frozen=True, slots=True)
class View:
    """A saved view on a number key: a name for the header, a filter query, and the
    order it starts in (None: the list's order as it is)."""

    key: str
    name: str
    query: str
    sort: str | None = None


DEFAULT_VIEWS: tuple[View, ...] = (
    View("1", "All", ""),
    View("2", "Unread", "is:unread"),
    View("3", "Starred", "is:starred"),
    View("4", "Notes", "has:note"),
    View("5", "Code", "has:code"),
    # Featured or published in the last 7 days; the search layer reads "recent:N".
    View("6", "Recent", "recent:7"),
    # What the user has not read or starred yet, their own ranking first.
    View("7", "For you", "is:unread -is:starred", sort="for-you"),
    # What came in since the user last marked the inbox done (I), and the updates to
    # their starred papers since (a newer arXiv version, new code).
    View("8", "Inbox", "is:inbox"),
    # What the library's other users starred (a library shared by a lab).
    View("9", "Lab picks", "lab:>=1"),
)


@dataclass(frozen=True, slots=True)
class Config:
    """Settings as read from the config file, defaults filled in."""

    theme: str = DEFAULT_THEME
    read_delay: float = DEFAULT_READ_DELAY
    default_sort: str = DEFAULT_SORT
    # (binding id, keys) pairs sorted by id; keys are comma-separated, no spaces.
    keys: tuple[tuple[str, str], ...] = ()
    # Sorted by key ("1" to "9").
    views: tuple[View, ...] = DEFAULT_VIEWS
    # Author names whose papers For you puts first before it has learned (and counts
    # as evidence after): full names, as papers write them.
    follow: tuple[str, ...] = ()
    # ``[lab] private = true``: the other users of a shared library never see this
    # user's stars, tags or notes.
    private: bool = False
    # The [[rules]], in file order (reader.rules).
    rules: tuple[Rule, ...] = ()

    @property
    def keymap(self) -> dict[str, str]:
        """The key remapping as a fresh dict, ready for ``App.set_keymap``."""
        return dict(self.keys)

    def view(self, key: str) -> View | None:
        """The view on number key ``key``, if any."""
        return next((view for view in self.views if view.key == key), None)


def default_config_path() -> Path:
    """The config file: ``$READER_CONFIG``, else ``config.toml`` in the user config directory."""
    override = os.environ.get("READER_CONFIG")
    if override:
        try:
            return expand_user(override, source="READER_CONFIG")
        except PathError as error:
            raise ConfigError(str(error)) from None
    return platformdirs.user_config_path(APP_NAME) / CONFIG_NAME


def load_config(
    path: Path | None = None,
    *,
    themes: Collection[str] | None = None,
    bindings: Remappable | None = None,
) -> Config:
    """The settings in ``path`` (default :func:`default_config_path`); defaults when the
    file does not exist.

    ``themes``, when given, are the only names the ``theme`` setting may use. The
    ``[keys]`` table may name only the ids of ``bindings`` (default: every binding of
    :mod:`reader.keymap`), and may not leave one key on two bindings in use together.
    Raises :class:`ConfigError` for a file that cannot be read, is not TOML, or holds
    anything this module does not know or accept.
    """
    path = default_config_path() if path is None else Path(path)
    text = _read(path)
    if text is None:
        return Config()
    checker = _Checker(path, themes, bindings or remappable())
    return checker.config(_parse(text, path))


def save_theme(name: str, path: Path | None = None) -> None:
    """Make ``theme = "NAME"`` the theme setting of the config file, changing nothing else.

    Only the theme's value is rewritten (tomlkit keeps comments, other settings and
    layout); a file without one gets it near the top (after a leading comment block),
    and a missing file is created with a short header. The file is replaced atomically
    and a symlinked config is written through the link. Raises :class:`ConfigError` for
    an unusable name, a file that is not valid TOML (it is left untouched), or a file
    that cannot be written.
    """
    # Only here: reading the config (every start) needs neither.
    import tomlkit

    from reader.atomic import write_atomic

    path = default_config_path() if path is None else Path(path)
    if not isinstance(name, str) or not name or one_line(name) != name:
        raise ConfigError(f"{path}: theme: not a theme name: {_show(name)}")
    text = _read(path)
    if text is None:
        new_text = _NEW_FILE.format(theme=tomlkit.string(name).as_string())
    else:
        bom = "\ufeff" if text.startswith("\ufeff") else ""
        old = _parse(text, path)
        new_text = bom + _with_theme(text.removeprefix(bom), name)
        if not _only_theme_changed(old, new_text, name):  # tomlkit misread the file
            raise ConfigError(
                f"{path}: theme: cannot rewrite this file's theme setting safely; "
                f"set theme = {tomlkit.string(name).as_string()} by hand"
            )
        if new_text == text:
            return
    # Through a symlink (a dotfiles checkout), not over it.
    target = Path(os.path.realpath(path))
    try:
        _make_private_folders(target.parent)
        write_atomic(target, new_text.encode("utf-8"))
    except OSError as err:
        raise ConfigError(f"cannot write {path}: {err.strerror or err}") from None


def _make_private_folders(folder: Path) -> None:
    """Create ``folder`` and any missing parents readable by their owner only (0700), as
    the data folder is; folders that exist keep their mode."""
    missing = [parent for parent in (folder, *folder.parents) if not parent.exists()]
    for parent in reversed(missing):
        parent.mkdir(mode=0o700, exist_ok=True)


_NEW_FILE = """\
# Settings for reader (TOML). Every setting is optional. reader itself only ever
# rewrites the theme line, when a theme is picked in the app.
theme = {theme}

# read_delay = 2.0          # seconds highlighted before a paper counts as read; 0: never
# default_sort = "newest"   # relevance, newest, upvotes, github (stars), title or for-you
# follow = ["Yann LeCun"]   # For you puts these authors' papers first, and learns from them
#
# [keys]                    # binding id = a key, or several: "ctrl+s,S"
# "library.star" = "b"
#
# [views]                   # number keys 1 to 9; false removes a default one
# "8" = {{ name = "To read", query = "tag:toread", sort = "newest" }}
"""


def _read(path: Path) -> str | None:
    """The file's text, or None when there is no file.

    Only a regular file (or a link to one) of at most :data:`MAX_CONFIG_BYTES` is
    read: ``/dev/zero`` would never end, and a FIFO would wait for a writer forever.
    """
    try:
        # O_NONBLOCK: opening a FIFO with no writer must not hang before fstat says what it is.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return None
    except OSError as err:
        raise ConfigError(f"cannot read {path}: {err.strerror or err}") from None
    kind = _file_kind(os.fstat(fd).st_mode)
    if kind is not None:
        os.close(fd)
        raise ConfigError(f"cannot read {path}: it is {kind}, not a file")
    with os.fdopen(fd, "rb") as f:
        try:
            data = f.read(MAX_CONFIG_BYTES + 1)
        except OSError as err:
            raise ConfigError(f"cannot read {path}: {err.strerror or err}") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(
            f"{path}: larger than {MAX_CONFIG_BYTES // 1024} KB; is this the config file?"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise ConfigError(f"{path}:{line}: not UTF-8 text") from None


def _file_kind(mode: int) -> str | None:
    """What a file that is not a regular file is ("a FIFO"), or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _parse(text: str, path: Path) -> dict[str, object]:
    """``text`` as TOML (a leading byte-order mark allowed), or a ConfigError at its line."""
    try:
        return tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(_syntax_error(str(err), text, path)) from None
    except RecursionError:  # tomllib recurses once per nested [ or {
        raise ConfigError(f"{path}: arrays or tables nested too deeply") from None


def _syntax_error(message: str, text: str, path: Path) -> str:
    """tomllib's "Invalid value (at line 3, column 12)" as "PATH:3: invalid value at column 12"."""
    match = _TOML_ERROR.match(message)
    if match is None:
        return f"{path}: {message}"
    what = match["message"]
    what = what[:1].lower() + what[1:]
    if match["line"] is None:  # at end of document
        return f"{path}:{text.count(chr(10)) + 1}: {what} at the end of the file"
    return f"{path}:{match['line']}: {what} at column {match['col']}"


class _Checker:
    """Turns parsed TOML into a Config, raising ConfigError at the first bad setting."""

    def __init__(self, path: Path, themes: Collection[str] | None, bindings: Remappable) -> None:
        self.path = path
        self.themes = themes
        self.bindings = bindings

    def error(self, where: Iterable[str], problem: str) -> ConfigError:
        return ConfigError(f"{self.path}: {_key_path(where)}: {problem}")

    def config(self, data: Mapping[str, object]) -> Config:
        theme, read_delay, default_sort = DEFAULT_THEME, DEFAULT_READ_DELAY, DEFAULT_SORT
        keys: tuple[tuple[str, str], ...] = ()
        views = DEFAULT_VIEWS
        follow: tuple[str, ...] = ()
        private = False
        rules: tuple[Rule, ...] = ()
        if "views" in data and "presets" in data:
            raise self.error(
                ["presets"], "an older name of [views], and the file has [views] too; keep one"
            )
        for key, value in data.items():  # in file order: the first mistake is reported
            if key == "theme":
                theme = self.theme(value)
            elif key == "read_delay":
                read_delay = self.read_delay(value)
            elif key == "default_sort":
                default_sort = self.default_sort(value)
            elif key == "keys":
                keys = self.keys(value)
            elif key == "follow":
                follow = self.follow(value)
            elif key == "lab":
                private = self.lab(value)
            elif key in ("views", "presets"):  # [presets]: the older name, still read
                views = self.views(key, value)
            elif key == "rules":
                rules = self.rules(value)
            else:
                raise self.error([key], "unknown setting" + _suggest(key, _SETTINGS, all_=True))
        return Config(
            theme, read_delay, default_sort, keys, views, follow, private=private, rules=rules
        )

    def lab(self, value: object) -> bool:
        """``[lab]``: only ``private``, true or false."""
        if not isinstance(value, dict):
            raise self.error(
                ["lab"], f"must be a table like [lab] private = true, not {_show(value)}"
            )
        private = False
        for key, setting in value.items():
            if key != "private":
                raise self.error(["lab", key], "unknown setting" + _suggest(key, ["private"]))
            if not isinstance(setting, bool):
                raise self.error(["lab", "private"], f"must be true or false, not {_show(setting)}")
            private = setting
        return private

    def follow(self, value: object) -> tuple[str, ...]:
        names = value if isinstance(value, list) else None
        if names is None or len(names) > _FOLLOW_MOST:
            raise self.error(
                ["follow"],
                f'must be a list of author names, like ["Yann LeCun"], not {_show(value)}',
            )
        found: list[str] = []
        for n, name in enumerate(names):
            if not isinstance(name, str) or not one_line(name) or len(name) > _FOLLOW_CHARS:
                raise self.error(
                    ["follow", str(n + 1)], f"must be an author's full name, not {_show(name)}"
                )
            found.append(one_line(name))
        return tuple(dict.fromkeys(found))

    def rules(self, value: object) -> tuple[Rule, ...]:
        """``[[rules]]``: each a query and what to do to the papers it finds as they
        arrive (see reader.rules); an error names the rule by its place and name."""
        tables = value if isinstance(value, list) else None
        if tables is None or len(tables) > _RULES_MOST:
            raise self.error(
                ["rules"],
                '[[rules]] tables, like [[rules]] query = "title:survey" tag = "survey", '
                f"at most {_RULES_MOST}, not {_show(value)}",
            )
        rules: list[Rule] = []
        for number, spec in enumerate(tables, start=1):
            rule = self.rule(number, spec)
            same = next((r for r in rules if r.key == rule.key), None)
            if same is not None:
                raise self.rule_error(
                    rule.number, rule.name, f"the same query and actions as {same.label}"
                )
            rules.append(rule)
        return tuple(rules)

    def rule_error(self, number: int, name: str, problem: str) -> ConfigError:
        label = Rule(number, "", name=name).label
        return ConfigError(f"{self.path}: {label}: {problem}")

    def rule(self, number: int, spec: object) -> Rule:
        from reader.models import normalise_tags

        if not isinstance(spec, dict):
            raise self.rule_error(
                number,
                "",
                f'must be a table, like {{ query = "...", tag = "..." }}, not {_show(spec)}',
            )
        name = spec.get("name", "")
        shown_name = name if isinstance(name, str) and len(one_line(name)) <= _SHOWN_CHARS else ""

        def fail(problem: str) -> ConfigError:
            return self.rule_error(number, one_line(shown_name), problem)

        for field in spec:
            if field not in _RULE_FIELDS:
                raise fail(
                    f"unknown field {_show(field)}" + _suggest(field, _RULE_FIELDS, all_=True)
                )
        if not isinstance(name, str) or (name and not one_line(name)):
            raise fail(f"name must be a string, not {_show(name)}")
        if "query" not in spec:
            raise fail('needs a query, like query = "title:survey"')
        query = spec["query"]
        if not isinstance(query, str):
            raise fail(f"query must be a filter query string, not {_show(query)}")
        query = one_line(query)
        if not query:
            raise fail("the query is empty; a rule acts on the papers its query finds")
        from reader.search import Query  # only when a rule needs checking

        parsed = Query.parse(query)
        if parsed.errors:
            raise fail(f"query: {parsed.errors[0]}")
        if parsed.asks_for_you:
            raise fail("query: fy: cannot be used in a rule (For you's scores change as you mark)")
        if parsed.asks_lab:
            raise fail(
                "query: starred-by: and lab: cannot be used in a rule (a paper that just "
                "arrived has no one's star yet)"
            )
        if "tag" in spec and "tags" in spec:
            raise fail("give tag or tags, not both")
        tags: list[str] = []
        if "tag" in spec:
            tag = spec["tag"]
            if not isinstance(tag, str) or not normalise_tags([tag]):
                raise fail(f'tag must be a tag name, like tag = "survey", not {_show(tag)}')
            tags = [tag]
        elif "tags" in spec:
            given = spec["tags"]
            if not isinstance(given, list) or not given or len(given) > _RULE_TAGS_MOST:
                raise fail(f'tags must be a list of tag names, like ["survey"], not {_show(given)}')
            for tag in given:
                if not isinstance(tag, str) or not normalise_tags([tag]):
                    raise fail(f"tags: not a tag name: {_show(tag)}")
            tags = list(given)
        flags = {}
        for field in ("star", "dismiss", "hide"):
            flag = spec.get(field, False)
            if not isinstance(flag, bool):
                raise fail(f"{field} must be true or false, not {_show(flag)}")
            flags[field] = flag
        if flags["dismiss"] and flags["hide"]:
            raise fail("dismiss and hide both; hide is dismiss without teaching For you, give one")
        if not tags and not any(flags.values()):
            raise fail(f"does nothing; give it an action: {_RULE_ACTIONS}")
        return Rule(
            number,
            query,
            one_line(name),
            normalise_tags(tags),
            flags["star"],
            flags["dismiss"],
            flags["hide"],
        )

    def theme(self, value: object) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.error(["theme"], f"must be a theme name, not {_show(value)}")
        if self.themes is not None and value not in self.themes:
            raise self.error(
                ["theme"],
                f"unknown theme {_show(value)}" + _suggest(value, sorted(self.themes), all_=True),
            )
        return value

    def read_delay(self, value: object) -> float:
        number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
        if number is None or not math.isfinite(number) or not 0 <= number <= MAX_READ_DELAY:
            raise self.error(
                ["read_delay"],
                f"must be a number of seconds from 0 to {MAX_READ_DELAY:g}, not {_show(value)}",
            )
        return float(number)

    def default_sort(self, value: object) -> str:
        if not isinstance(value, str) or value not in SORTS:
            choices = ", ".join(f'"{sort}"' for sort in SORTS)
            hint = _suggest(value, SORTS) if isinstance(value, str) else ""
            raise self.error(
                ["default_sort"], f"must be one of {choices}, not {_show(value)}{hint}"
            )
        return value

    def keys(self, value: object) -> tuple[tuple[str, str], ...]:
        if not isinstance(value, dict):
            raise self.error(
                ["keys"], f'must be a table like [keys] "library.star" = "S", not {_show(value)}'
            )
        keymap: dict[str, str] = {}
        written: dict[str, str] = {}  # each id as the file spells it
        for spelt, keys in _flatten(value):
            where = ["keys", spelt]
            binding_id = self.bindings.older_ids.get(spelt, spelt)
            if binding_id in keymap:
                before = written[binding_id]
                how = (
                    "once quoted, once as a dotted key" if before == spelt else f"also as {before}"
                )
                raise self.error(where, f"given twice ({how})")
            if binding_id not in self.bindings.defaults:
                hint = _suggest(spelt, sorted(self.bindings.defaults))
                raise self.error(where, f"unknown binding id{hint}")
            keymap[binding_id] = self.key_list(where, keys)
            written[binding_id] = spelt
        self.one_key_one_binding(keymap, written)
        return tuple(sorted(keymap.items()))

    def one_key_one_binding(self, keymap: Mapping[str, str], written: Mapping[str, str]) -> None:
        """Refuse a key the ``keymap`` gives to a binding while another one in use at the
        same moment has it too: given to both in the file, or the other's default key
        still (one of the two would never run)."""

        def names(keys: str) -> set[str]:
            return {key_name(key) for key in keys.split(",")}

        keys_of = {binding_id: names(keys) for binding_id, keys in self.bindings.defaults.items()}
        keys_of.update((binding_id, names(keys)) for binding_id, keys in keymap.items())
        for binding_id, keys in keymap.items():  # in file order: the first clash is reported
            near = set().union(*(ids for ids in self.bindings.together if binding_id in ids))
            for key in keys.split(","):
                name = key_name(key)
                other = next(
                    (o for o in keys_of if o != binding_id and o in near and name in keys_of[o]),
                    None,
                )
                if other is None:
                    continue
                whose = f"{other}'s key too" if other in keymap else f"{other}'s default key"
                raise self.error(
                    ["keys", written[binding_id]],
                    f"{_show(key)} is {whose}; one key runs one action, give one of them "
                    "another key",
                )

    def key_list(self, where: list[str], value: object) -> str:
        """ "ctrl+s, S" or ["ctrl+s", "S"] as "ctrl+s,S" (Textual splits on bare commas)."""
        parts: list[object]
        if isinstance(value, str):
            parts = list(value.split(","))
        elif isinstance(value, list) and value:
            parts = list(value)
        else:
            parts = []
        keys = [part.strip() for part in parts if isinstance(part, str)]
        if not keys or len(keys) != len(parts) or any(not k or _has_space(k) for k in keys):
            raise self.error(
                where, f'must be a key or keys, like "S" or "ctrl+s,S", not {_show(value)}'
            )
        return ",".join(keys)

    def views(self, table: str, value: object) -> tuple[View, ...]:
        """``[views]`` (or ``[presets]``, its older name: ``table``)."""
        if not isinstance(value, dict):
            raise self.error(
                [table], f'must be a table like [{table}] "7" = {{ ... }}, not {_show(value)}'
            )
        views = {view.key: view for view in DEFAULT_VIEWS}
        for key, spec in value.items():
            where = [table, key]
            if key not in VIEW_KEYS:
                raise self.error(where, 'views go on the number keys "1" to "9"')
            if spec is False:
                views.pop(key, None)
                continue
            if not isinstance(spec, dict):
                raise self.error(
                    where,
                    f'must be {{ name = "...", query = "..." }} or false, not {_show(spec)}',
                )
            views[key] = self.view(where, spec, views.get(key))
        return tuple(views[key] for key in sorted(views))

    def view(self, where: list[str], spec: Mapping[str, object], default: View | None) -> View:
        for field in spec:
            if field not in _VIEW_FIELDS:
                raise self.error(
                    [*where, field],
                    "unknown view field" + _suggest(field, _VIEW_FIELDS, all_=True),
                )
        name = spec.get("name", default.name if default else None)
        if name is None:
            raise self.error(where, 'needs a name, like { name = "To read", query = "tag:toread" }')
        if not isinstance(name, str) or not one_line(name):
            raise self.error([*where, "name"], f"must be a non-empty string, not {_show(name)}")
        query = spec.get("query", default.query if default else "")
        if not isinstance(query, str):
            raise self.error(
                [*where, "query"], f"must be a filter query string, not {_show(query)}"
            )
        from reader.search import Query  # only when a view needs checking

        errors = Query.parse(query).errors
        if errors:
            raise self.error([*where, "query"], errors[0])
        # A view given a query of its own does not keep the order of the one it replaces.
        sort = spec.get("sort", default.sort if default and "query" not in spec else None)
        if sort is not None and (not isinstance(sort, str) or sort not in SORTS):
            choices = ", ".join(f'"{choice}"' for choice in SORTS)
            hint = _suggest(sort, SORTS) if isinstance(sort, str) else ""
            raise self.error([*where, "sort"], f"must be one of {choices}, not {_show(sort)}{hint}")
        return View(where[-1], one_line(name), one_line(query), sort)


def _flatten(table: Mapping[str, object], prefix: str = "") -> Iterable[tuple[str, object]]:
    """``library.star = "S"`` (a TOML dotted key: nested tables) as ("library.star", "S")."""
    for key, value in table.items():
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def _has_space(text: str) -> bool:
    return any(char.isspace() for char in text)


def _suggest(word: str, choices: Collection[str], *, all_: bool = False) -> str:
    """'; did you mean "x"?' for a close match; with ``all_``, else the list of choices."""
    lookup = {choice.lower().replace("-", "_"): choice for choice in choices}
    close = difflib.get_close_matches(word.lower().replace("-", "_"), list(lookup), n=1, cutoff=0.6)
    if close:
        return f"; did you mean {_show(lookup[close[0]])}?"
    if all_ and choices:
        return "; known: " + ", ".join(choices)
    return ""


def _key_path(parts: Iterable[str]) -> str:
    """Where a setting is, as TOML writes it: ``keys."library.star"``, ``views.7.name``."""
    return ".".join(
        part if _BARE_KEY.fullmatch(part) else json.dumps(strip_controls(part), ensure_ascii=False)
        for part in parts
    )


def _show(value: object) -> str:
    """A value from the file as TOML would write it, shortened, safe for a terminal."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = json.dumps(strip_controls(value), ensure_ascii=False)
    elif isinstance(value, dict):
        return "a table"
    elif isinstance(value, list):
        return "an array"
    elif isinstance(value, float) and not math.isfinite(value):
        text = "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    else:
        text = one_line(str(value))
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"


def _with_theme(text: str, name: str) -> str:
    """``text`` with its top-level theme set to ``name``, or a theme line added after the
    comments that head the file (not between a comment and the setting it describes)."""
    import tomlkit
    from tomlkit.items import Comment, Whitespace

    document = tomlkit.parse(text)
    value = tomlkit.string(name)
    if "theme" in document:
        document["theme"] = value  # tomlkit keeps the key's spacing and the comment after
        return document.as_string()
    value.trivia.trail = "\r\n" if "\r\n" in text else "\n"
    body = document.body
    first = next(
        (i for i, (_, item) in enumerate(body) if not isinstance(item, Comment | Whitespace)),
        None,
    )
    if first is None:  # only comments (or nothing): the setting goes last
        document.add("theme", value)
        return document.as_string()
    blanks = [i for i in range(first) if isinstance(body[i][1], Whitespace)]
    # A public insert-at-position is what tomlkit lacks; its own add() would put the
    # setting last, below the comments of the settings before it.
    document._insert_at(blanks[-1] + 1 if blanks else 0, "theme", value)
    return document.as_string()


def _only_theme_changed(old: Mapping[str, object], new_text: str, name: str) -> bool:
    """Whether ``new_text`` parses to ``old`` with only the theme set to ``name``."""
    try:
        new = tomllib.loads(new_text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError:
        return False
    # repr, not ==: a nan in the file is not equal to itself.
    rest_old = repr({k: v for k, v in old.items() if k != "theme"})
    rest_new = repr({k: v for k, v in new.items() if k != "theme"})
    return new.get("theme") == name and rest_old == rest_new
