"""Rules (``[[rules]]`` in config.toml), without Textual: reading them and every
mistake, applying them to the papers that arrive (once, per user, never to the
papers already there), what For you learns from a hide, and the command line's
``reader import``, ``reader fetch`` and ``reader rules``."""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result

from reader.cli import main
from reader.config import ConfigError, load_config
from reader.models import Paper
from reader.ranking.model import Labels
from reader.rules import Rule, apply_rules, counted, hits_said, watch
from reader.store import Library, open_library
from reader.store.inbox import Mark
from reader.store.words import Words
from tests.support.data import DATA
from tests.support.network import DAILY, MockNetwork

# The papers of hf-daily-papers.json, by arXiv id (the fifth has no title: skipped).
TITANS, MINIMAX, RSTAR = "2501.00663", "2501.08313", "2501.04519"


def rules_of(path: Path, text: str) -> tuple[Rule, ...]:
    path.write_text(text, encoding="utf-8")
    return load_config(path).rules


def error_of(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert "\n" not in message
    return message


def arrive(library: Library, *titles: str) -> dict[str, int]:
    """Papers that come into the library now: their ids by title."""
    papers = [Paper(title, f"2512.{zlib.crc32(title.encode()) % 99999:05d}") for title in titles]
    library.import_papers(papers)
    return {p.title: p.id for p in library.papers() if p.title in titles and p.id is not None}


def arxiv_id_to_id(library: Library, arxiv_id: str) -> int:
    return library.ids_of_arxiv_ids([arxiv_id])[arxiv_id]


# -- reading them ----------------------------------------------------------------------


def test_rules_are_read_in_order_with_their_actions(tmp_path: Path) -> None:
    rules = rules_of(
        tmp_path / "config.toml",
        """
        [[rules]]
        name = "surveys"
        query = "title:survey"
        tags = ["Survey", "to read"]
        star = true

        [[rules]]
        query = 'author:"Spam Bot"'
        hide = true

        [[rules]]
        query = "-has:code"
        dismiss = true
        star = false
        """,
    )
    assert [(r.number, r.name, r.query, r.actions) for r in rules] == [
        (1, "surveys", "title:survey", ("tag:survey", "tag:to-read", "star")),
        (2, "", 'author:"Spam Bot"', ("hide",)),
        (3, "", "-has:code", ("dismiss",)),
    ]
    assert rules[0].label == "rule 1 ('surveys')" and rules[1].label == "rule 2"
    assert rules[0].does() == "tag survey, tag to-read, star"
    assert load_config(tmp_path / "none.toml").rules == ()


def test_a_rule_s_key_is_its_query_and_actions() -> None:
    rule = Rule(1, "title:survey", "surveys", ("survey",))
    # Its name and place are not part of it; its query and actions are.
    assert Rule(4, "title:survey", "other name", ("survey",)).key == rule.key
    assert Rule(1, "title:surveys", "surveys", ("survey",)).key != rule.key
    assert Rule(1, "title:survey", "surveys", ("survey",), star=True).key != rule.key
    assert rule.view == f"rule:{rule.key}"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("rules = 3", "rules: [[rules]] tables"),
        ("rules = [1]", "rule 1: must be a table"),
        (
            '[[rules]]\nname = "surveys"\nquery = "a"\ntga = "x"',
            'rule 1 (\'surveys\'): unknown field "tga"; did you mean "tag"?',
        ),
        ('[[rules]]\nname = "surveys"\ntag = "x"', "rule 1 ('surveys'): needs a query"),
        ("[[rules]]\nquery = 3\ntag = 'x'", "rule 1: query must be a filter query string, not 3"),
        ("[[rules]]\nquery = '  '\ntag = 'x'", "rule 1: the query is empty"),
        (
            "[[rules]]\nquery = 'upvotes:>x'\ntag = 'x'",
            "rule 1: query: upvotes: needs a number, e.g. upvotes:>10",
        ),
        ("[[rules]]\nquery = 'fy:>0.5'\nstar = true", "rule 1: query: fy: cannot be used"),
        (
            "[[rules]]\nquery = '-starred-by:bo'\nhide = true",
            "rule 1: query: starred-by: and lab: cannot be used",
        ),
        ("[[rules]]\nquery = 'a'", "rule 1: does nothing; give it an action"),
        ("[[rules]]\nquery = 'a'\nstar = false", "rule 1: does nothing"),
        ("[[rules]]\nquery = 'a'\nstar = 'yes'", 'rule 1: star must be true or false, not "yes"'),
        ("[[rules]]\nquery = 'a'\nhide = 1", "rule 1: hide must be true or false, not 1"),
        ("[[rules]]\nquery = 'a'\ntag = ' , '", "rule 1: tag must be a tag name"),
        ("[[rules]]\nquery = 'a'\ntag = 3", "rule 1: tag must be a tag name"),
        ("[[rules]]\nquery = 'a'\ntags = []", "rule 1: tags must be a list of tag names"),
        ("[[rules]]\nquery = 'a'\ntags = 'x'", "rule 1: tags must be a list of tag names"),
        ("[[rules]]\nquery = 'a'\ntags = ['x', 2]", "rule 1: tags: not a tag name: 2"),
        ("[[rules]]\nquery = 'a'\ntag = 'x'\ntags = ['y']", "rule 1: give tag or tags"),
        ("[[rules]]\nquery = 'a'\ndismiss = true\nhide = true", "rule 1: dismiss and hide both"),
        ("[[rules]]\nname = 3\nquery = 'a'\nstar = true", "rule 1: name must be a string"),
        (
            "[[rules]]\nquery = 'a'\nstar = true\n"
            "[[rules]]\nname = 'again'\nquery = 'a'\nstar = true",
            "rule 2 ('again'): the same query and actions as rule 1",
        ),
    ],
)
def test_every_mistake_in_a_rule_is_one_line_naming_the_rule(
    tmp_path: Path, text: str, problem: str
) -> None:
    path = tmp_path / "config.toml"
    assert error_of(path, text).startswith(f"{path}: {problem}")


def test_a_hostile_rule_name_is_shown_safely(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    message = error_of(path, '[[rules]]\nname = "x\\u001b[2J\\u202e"\nquery = "a"\n')
    assert message == f"{path}: rule 1 ('x[2J'): does nothing; give it an action: " + (
        "tag, tags, star = true, dismiss = true or hide = true"
    )


# -- applying them -----------------------------------------------------------------------


def test_a_rule_acts_only_on_papers_that_arrive_after_it_was_first_seen(
    library: Library,
) -> None:
    rules = (Rule(1, "grokking", "grok", ("grok",)),)
    already = arrive(library, "Grokking before the rule")
    # First seen: it starts looking; the papers already here are not its.
    assert apply_rules(library, "ana", rules).hits == ()
    new = arrive(library, "Grokking after the rule", "Something else entirely")
    applied = apply_rules(library, "ana", rules)
    grok = new["Grokking after the rule"]
    assert applied.hits == ((rules[0].key, grok, "tag:grok"),)
    assert applied.summary() == "1 tagged grok"
    marks = library.annotations("ana")
    assert marks[grok].tags == ("grok",)
    assert already["Grokking before the rule"] not in marks
    assert new["Something else entirely"] not in marks
    # Nothing new: nothing done, nothing written.
    version = library.data_version()
    assert apply_rules(library, "ana", rules).hits == ()
    assert library.data_version() == version


def test_watch_starts_a_rule_before_an_import_so_the_import_is_its(library: Library) -> None:
    rules = (Rule(1, "grokking", "", (), star=True),)
    watch(library, "ana", rules)
    ids = arrive(library, "Grokking again")
    assert apply_rules(library, "ana", rules).summary() == "1 starred"
    assert library.annotation("ana", ids["Grokking again"]).starred
    # A second watch does not move a rule that is already looking.
    watch(library, "ana", rules)
    later = arrive(library, "Grokking a third time")
    watch(library, "ana", rules)
    assert apply_rules(library, "ana", rules).paper_ids == {later["Grokking a third time"]}


def test_rules_are_per_user(library: Library) -> None:
    ana = (Rule(1, "grokking", "", ("ana-tag",)),)
    bo = (Rule(1, "grokking", "", (), hide=True),)
    watch(library, "ana", ana)
    ids = arrive(library, "Grokking for two")
    paper = ids["Grokking for two"]
    apply_rules(library, "ana", ana)
    assert library.annotation("ana", paper).tags == ("ana-tag",)
    assert library.annotation("bo", paper).tags == ()
    # Bo's rule was never seen before: the paper was already here for it.
    assert apply_rules(library, "bo", bo).hits == ()
    assert not library.annotation("bo", paper).is_dismissed
    assert counted(library, "bo", bo)[0].papers == 0
    assert counted(library, "ana", ana)[0].papers == 1


def test_a_rule_acts_on_a_paper_once_a_mark_taken_off_stays_off(library: Library) -> None:
    rule = Rule(1, "grokking", "", ("grok",), star=True)
    watch(library, "ana", (rule,))
    paper = arrive(library, "Grokking once")["Grokking once"]
    apply_rules(library, "ana", (rule,))
    library.change_tags("ana", [paper], remove=["grok"])
    library.set_starred("ana", paper, False)
    # Even looked at again from before the paper came (a mark moved back), the rule
    # has acted on it already: the tag and the star stay off.
    library.set_looked("ana", rule.view, Mark("0001-01-01T00:00:00+00:00", 0))
    assert paper not in apply_rules(library, "ana", (rule,)).paper_ids
    mark = library.annotation("ana", paper)
    assert mark.tags == () and not mark.starred


def test_each_rule_sees_the_papers_as_they_arrived(library: Library) -> None:
    # The hide does not keep the tag rule from the paper: rules do not see each
    # other's work, so their order does not matter.
    hide = Rule(1, "grokking", "", (), hide=True)
    tag = Rule(2, "grokking", "", ("grok",))
    watch(library, "ana", (hide, tag))
    paper = arrive(library, "Grokking hidden and tagged")["Grokking hidden and tagged"]
    assert apply_rules(library, "ana", (hide, tag)).summary() == "1 tagged grok, 1 hidden"
    mark = library.annotation("ana", paper)
    assert mark.is_dismissed and mark.tags == ("grok",)


def test_a_rule_matches_as_the_filter_does_dates_and_counts_too(library: Library) -> None:
    rules = (
        Rule(1, "upvotes:>10", "", ("popular",)),
        Rule(2, 'author:"Bo Li" -title:skip', "", ("bo",)),
        Rule(3, "is:new", "", ("new",)),
    )
    watch(library, "ana", rules)
    library.import_papers(
        [
            Paper("Popular", "2512.00001", upvotes=50, authors=("Bo Li",)),
            Paper("Quiet skip", "2512.00002", upvotes=1, authors=("Bo Li",)),
        ]
    )
    apply_rules(library, "ana", rules)
    popular = arxiv_id_to_id(library, "2512.00001")
    quiet = arxiv_id_to_id(library, "2512.00002")
    marks = library.annotations("ana")
    assert marks[popular].tags == ("popular", "bo", "new")
    assert marks[quiet].tags == ("new",)


def test_a_hide_is_no_negative_label_a_dismissal_is(library: Library, ticking_clock: None) -> None:
    hide = Rule(1, "hidden", "", (), hide=True)
    dismiss = Rule(2, "boring", "", (), dismiss=True)
    watch(library, "ana", (hide, dismiss))
    ids = arrive(library, "Hidden paper", "Boring paper", "Paper I dismiss")
    apply_rules(library, "ana", (hide, dismiss))
    library.set_dismissed("ana", [ids["Paper I dismiss"]], True)
    hidden_id = ids["Hidden paper"]
    assert library.annotation("ana", hidden_id).is_dismissed  # out of every view
    assert library.rule_hidden("ana") == {hidden_id}
    labels = Labels.from_marks(library.annotations("ana"), library.rule_hidden("ana"))
    assert labels.negative == {ids["Boring paper"], ids["Paper I dismiss"]}
    # The evaluation's marks say the same (dismissed: None for the hidden paper).
    words = library.words()
    try:
        marked = {m.paper_id: m.dismissed_at for m in words.marked("ana")}
    finally:
        words.close()
    assert marked[hidden_id] is None and marked[ids["Boring paper"]] is not None
    # The user takes the hide off, then dismisses it themselves: now it is theirs.
    library.set_dismissed("ana", [hidden_id], False)
    library.set_dismissed("ana", [hidden_id], True)
    assert library.rule_hidden("ana") == set()
    labels = Labels.from_marks(library.annotations("ana"), library.rule_hidden("ana"))
    assert hidden_id in labels.negative


def test_a_paper_the_user_had_dismissed_before_a_hide_stays_theirs(
    library: Library, ticking_clock: None
) -> None:
    # Imported with the user's own marks (their export): dismissed before the rule acted.
    hide = Rule(1, "mine", "", (), hide=True)
    watch(library, "ana", (hide,))
    paper = arrive(library, "Mine to dismiss")["Mine to dismiss"]
    library.set_dismissed("ana", [paper], True)
    apply_rules(library, "ana", (hide,))
    assert library.rule_hidden("ana") == set()


def test_the_detail_lines_name_the_rule(library: Library) -> None:
    rule = Rule(2, "grokking", "spam", ("grok",), hide=True)
    watch(library, "ana", (rule,))
    paper = arrive(library, "Grokking spam")["Grokking spam"]
    apply_rules(library, "ana", (rule,))
    lines = hits_said(library, "ana", paper, (rule,))
    assert [line.rsplit(",", 1)[0] for line in lines] == [
        "Tagged grok by rule 2 ('spam')",
        "Hidden by rule 2 ('spam')",
    ]
    assert hits_said(library, "ana", paper, ())[0].startswith(
        "Tagged grok by a rule no longer in config.toml"
    )
    assert counted(library, "ana", (rule,))[0].said() == "1 paper (1 tagged grok, 1 hidden)"


def test_the_ranking_s_own_connection_reads_the_hidden_papers(library: Library) -> None:
    rule = Rule(1, "grokking", "", (), hide=True)
    watch(library, "ana", (rule,))
    paper = arrive(library, "Grokking hidden")["Grokking hidden"]
    apply_rules(library, "ana", (rule,))
    assert library.path is not None
    words = Words(library.path)
    try:
        assert words.rule_hidden("ana") == {paper}
    finally:
        words.close()


# -- the command line -----------------------------------------------------------------------


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config.toml"
    monkeypatch.setenv("READER_CONFIG", str(path))
    path.write_text(
        """
        [[rules]]
        name = "memory"
        query = "memorize"
        tag = "memory"

        [[rules]]
        query = "upvotes:>200"
        hide = true
        """,
        encoding="utf-8",
    )
    return path


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="reader")


def test_import_applies_the_rules_and_says_what_they_did(config: Path, db_path: Path) -> None:
    result = run("--db", db_path, "--user", "ana", "import", DATA / "hf-daily-papers.json")
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("1 skipped; rules: 1 tagged memory, 2 hidden\n")
    library = open_library(db_path)
    try:
        marks = library.annotations("ana")
        assert marks[arxiv_id_to_id(library, TITANS)].tags == ("memory",)
        hidden = {arxiv_id_to_id(library, MINIMAX), arxiv_id_to_id(library, RSTAR)}
        assert library.rule_hidden("ana") == hidden
        assert library.annotations("tester") == {}  # another user's marks: none
    finally:
        library.close()
    # Again: the papers are not new; nothing is said of rules.
    again = run("--db", db_path, "--user", "ana", "import", DATA / "hf-daily-papers.json")
    assert "; rules:" not in again.stdout
    listed = run("--db", db_path, "--user", "ana", "rules")
    assert listed.stdout == (
        "1\tmemory\tmemorize\ttag memory\t1 paper (1 tagged memory)\n"
        "2\t-\tupvotes:>200\thide\t2 papers (2 hidden)\n"
    )
    as_json = json.loads(run("--db", db_path, "--user", "ana", "rules", "--json").stdout)
    assert [(item["name"], item["papers"], item["done"]) for item in as_json] == [
        ("memory", 1, {"tag:memory": 1}),
        ("", 2, {"hide": 2}),
    ]


def test_a_mistake_in_a_rule_stops_the_import_before_it_starts(config: Path, db_path: Path) -> None:
    config.write_text("[[rules]]\nname = 'x'\nquery = 'memorize'\n", encoding="utf-8")
    result = run("--db", db_path, "import", DATA / "hf-daily-papers.json")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {config}: rule 1 ('x'): does nothing; give it an action: "
        "tag, tags, star = true, dismiss = true or hide = true\n"
    )
    assert not db_path.exists()  # nothing opened, nothing written
    assert run("--db", db_path, "rules").exit_code == 1


def test_fetch_applies_the_rules(config: Path, db_path: Path) -> None:
    network = MockNetwork()
    network.handler = lambda request: httpx.Response(200, json=DAILY)
    result = network.run("--db", db_path, "--user", "ana", "fetch", "hf", "--date", "2025-01-15")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "huggingface.co: 4 papers: 4 added, 0 updated, 0 unchanged, 1 skipped; "
        "rules: 1 tagged memory, 2 hidden\n"
    )


def test_without_rules_the_commands_say_so(db_path: Path) -> None:
    assert run("--db", db_path, "rules").stdout.startswith("No rules.")
    assert run("--db", db_path, "rules", "--json").stdout == "[]\n"


def test_the_readme_s_rules_are_read_as_they_say(tmp_path: Path) -> None:
    from tests.support.data import README

    section = README.read_text(encoding="utf-8").split("### Rules", 1)[1]
    example = section.split("```toml", 1)[1].split("```", 1)[0]
    rules = rules_of(tmp_path / "config.toml", example)
    assert [rule.does() for rule in rules] == [
        "tag survey, tag to-read",
        "hide",
        "star",
        "dismiss",
    ]


@pytest.mark.parametrize(
    "query",
    [
        "grokking",
        "overfiting",  # a typo: fuzzy
        "upvotes:>2",
        "has:code -diffusion",
        '"image restoration"',
        "-title:the is:unread",
        'author:"Ali Behrouz"',
        "author:behrouz",
        "is:new year:2024",
    ],
)
def test_few_papers_or_many_a_rule_finds_the_same(
    library: Library, monkeypatch: pytest.MonkeyPatch, query: str
) -> None:
    from reader import rules as rules_module
    from reader.rules import matching
    from reader.search import Query

    library.import_papers(
        [
            Paper("Memory at test time", "2512.00001", authors=("Ali Behrouz", "Peilin Zhong")),
            Paper("Another memory", "2512.00002", authors=("Ali Behrouzi",)),
        ]
    )
    papers = {paper.id for paper in library.papers() if paper.id is not None}
    some = set(sorted(papers)[::2]) | set(
        library.ids_of_arxiv_ids(["2512.00001", "2512.00002"]).values()
    )
    parsed = Query.parse(query)
    in_memory = matching(library, parsed, some, {})
    monkeypatch.setattr(rules_module, "IN_MEMORY", 0)
    assert matching(library, parsed, some, {}) == in_memory
    # And the filter itself, over the whole library, agrees on those papers.
    words = library.words()
    try:
        from reader.search import SearchIndex

        everything = SearchIndex(library.listing(), words).search(parsed, {}, None, None)
    finally:
        words.close()
    assert set(everything) & some == in_memory
    assert in_memory  # each query finds some of them


def test_a_mistake_in_a_rule_stops_a_fetch_before_it_asks_the_network(
    config: Path, db_path: Path
) -> None:
    config.write_text("[[rules]]\nquery = 'memorize'\ntga = 'x'\n", encoding="utf-8")
    network = MockNetwork()
    network.handler = lambda request: httpx.Response(200, json=DAILY)
    result = network.run("--db", db_path, "fetch", "hf")
    assert result.exit_code == 1
    assert result.stderr.startswith(f'Error: {config}: rule 1: unknown field "tga"')
    assert network.requests == [] and not db_path.exists()


def test_a_mistake_in_a_rule_stops_the_app_before_it_opens(config: Path, db_path: Path) -> None:
    config.write_text("[[rules]]\nquery = 'titel:survey'\ntag = 'survey'\n", encoding="utf-8")
    result = run("--db", db_path)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {config}: rule 1: query: unknown field 'titel:' — did you mean title:?\n"
    )


def test_rules_are_listed_before_there_is_a_library(config: Path, db_path: Path) -> None:
    result = run("--db", db_path, "rules")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "1\tmemory\tmemorize\ttag memory\tno papers yet"
    assert not db_path.exists()
