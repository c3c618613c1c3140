"""Rules in the app: the help screen lists each with what it did; a paper that
arrives while the app is open (its own fetch, another process's import) is tagged
or hidden as the rules say, and the detail pane names the rule."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from textual.widgets import Static

from reader.config import Config
from reader.fetching import Network
from reader.models import Paper
from reader.rules import Rule, apply_rules, watch
from reader.store import Library, open_library
from reader.tui.app import ReaderApp
from reader.tui.screens.library import LibraryScreen
from tests.support.network import DAILY
from tests.support.pilot import detail_text, screen_lines, settle, shown_ids, wait_until

GROK = Rule(1, "grokking", "grok", ("grok",))
HIDE = Rule(2, "upvotes:>200", "", (), hide=True)
MEMORY = Rule(3, "memorize", "memory", ("memory",))
RULES = (GROK, HIDE, MEMORY)


def app_with_rules(library: Library, network: Network | None = None) -> ReaderApp:
    return ReaderApp(library, "ana", network=network, config=Config(read_delay=0, rules=RULES))


def screen(app: ReaderApp) -> LibraryScreen:
    assert isinstance(app.screen, LibraryScreen)
    return app.screen


async def test_the_help_screen_lists_each_rule_with_what_it_did(library: Library) -> None:
    watch(library, "ana", RULES)
    library.import_papers([Paper("Grokking, arrived", "2512.00001")])
    assert apply_rules(library, "ana", RULES).summary() == "1 tagged grok"
    app = app_with_rules(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: app.screen.query("#help-rules-list"), "the help screen")
        await pilot.press("end")  # the rules come after the keys
        await settle(pilot)
        lines = [line for line in screen_lines(app) if re.search(r"rule \d", line)]
        assert len(lines) == 3, screen_lines(app)
        assert "rule 1 ('grok')" in lines[0] and "grokking" in lines[0]
        assert "tag grok" in lines[0] and "1 paper (1 tagged grok)" in lines[0]
        assert "rule 2" in lines[1] and "upvotes:>200" in lines[1] and "hide" in lines[1]
        assert "no papers yet" in lines[1] and "no papers yet" in lines[2]


async def test_the_help_screen_says_how_to_write_a_rule_when_there_is_none(
    library: Library,
) -> None:
    app = ReaderApp(library, "ana", config=Config(read_delay=0))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: app.screen.query("#help-rules-list"), "the help screen")
        shown = str(app.screen.query_one("#help-rules-list", Static).render())
        assert shown.startswith("None. A rule tags, stars, dismisses or hides")


async def test_the_apps_fetch_applies_the_rules(library: Library) -> None:
    network = Network(httpx.MockTransport(lambda request: httpx.Response(200, json=DAILY)))
    app = app_with_rules(library, network)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await wait_until(
            pilot,
            lambda: any(n.title == "Hugging Face Daily Papers" for n in app._notifications),
            "the fetch's toast",
        )
        (toast,) = [n for n in app._notifications if n.title == "Hugging Face Daily Papers"]
        assert toast.message == (
            "4 papers: 4 added, 0 updated, 0 unchanged, 1 skipped; rules: 1 tagged memory, 2 hidden"
        )
        ids = library.ids_of_arxiv_ids(["2501.00663", "2501.08313", "2501.04519"])
        titans, hidden = ids["2501.00663"], {ids["2501.08313"], ids["2501.04519"]}
        await settle(pilot)
        assert titans in shown_ids(app) and not hidden & set(shown_ids(app))
        assert library.annotation("ana", titans).tags == ("memory",)
        assert library.rule_hidden("ana") == hidden
        # The detail pane names the rule.
        screen(app).place_cursor(titans)
        await wait_until(
            pilot, lambda: "Tagged memory by rule 3 ('memory')" in detail_text(app), "the rule"
        )


async def test_papers_another_process_brings_are_tagged_and_hidden(
    db_path: Path, library: Library
) -> None:
    app = app_with_rules(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        # The rules were seen as the app opened: the sample's grokking papers are not theirs.
        assert library.annotations("ana") == {}
        other = open_library(db_path)  # another user's import, from a shell
        try:
            other.import_papers(
                [
                    Paper("Grokking in the open window", "2512.00011"),
                    Paper("Very popular", "2512.00012", upvotes=999),
                ]
            )
        finally:
            other.close()
        ids = library.ids_of_arxiv_ids(["2512.00011", "2512.00012"])
        grok, popular = ids["2512.00011"], ids["2512.00012"]
        await wait_until(pilot, lambda: grok in shown_ids(app), "the new paper listed")
        await wait_until(pilot, lambda: library.annotation("ana", grok).tags == ("grok",), "tagged")
        assert library.annotation("ana", popular).is_dismissed
        await settle(pilot)
        assert popular not in shown_ids(app)


async def test_papers_that_came_while_the_app_was_closed_meet_the_rules_as_it_opens(
    library: Library,
) -> None:
    watch(library, "ana", RULES)  # an earlier session saw the rules
    library.import_papers([Paper("Grokking overnight", "2512.00021", upvotes=500)])
    paper = library.ids_of_arxiv_ids(["2512.00021"])["2512.00021"]
    app = app_with_rules(library)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await wait_until(pilot, lambda: paper not in shown_ids(app), "the paper hidden")
        assert library.annotation("ana", paper).tags == ("grok",)
        (toast,) = [n for n in app._notifications if n.title == "Rules"]
        assert toast.message == "Rules: 1 tagged grok, 1 hidden"
