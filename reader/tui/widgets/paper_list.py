"""PaperList: one line per paper, drawn only for the rows on screen.

A Line API widget: its cost does not grow with the library, unlike a widget per
row. Rows are built from plain ``rich.text.Text`` (never markup), so a title
holding ``[bold]`` shows exactly that.

Wide enough, a row also shows its first author and the user's tags in columns of
their own. The list holds no authors (a million papers' would cost memory and
start time): they are read for the rows on screen only, all of them in one query,
and kept in a small cache. They are read before the rows are drawn (when rows are
shown, scrolled to or resized into view), never while drawing: drawing reads nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from reader.limits import TITLE_CHARS, cut
from reader.models import Annotation, ListedPaper
from reader.search import Query, title_spans
from reader.text import one_line
from reader.tui.keys import bindings

SELECTED = "▌"
UNREAD = "•"
STAR = "★"
NOTE = "✎"
# In the star's place: marked not interested (shown only under is:dismissed).
DISMISSED = "✗"
CODE = "</>"
# How many lab mates (the library's other users) starred a paper: "☆2", in a column
# of its own once any of them has starred one.
LAB_STAR = "☆"
LAB_WIDTH = 3
DATE_WIDTH = 10
VOTES_WIDTH = 5
# selection, unread, star, note, code markers and the gaps between columns
FIXED_WIDTH = 1 + 2 + 2 + 2 + 4 + 1 + DATE_WIDTH + 1 + VOTES_WIDTH + 1
# Unread titles stand out by weight alone, so a fresh list does not shout in colour.
UNREAD_TITLE = Style(bold=True)
# Tags take at most this share of the title column (whole tags, then "+N").
TAGS_SHARE = 0.3
# The authors and tags columns of a wide list, and the title room they must leave.
# The tags column is there only once the user has tagged a paper.
AUTHORS_WIDTH = 20
TAGS_WIDTH = 16
MIN_TITLE_WIDTH = 50
COLUMNS_FROM = FIXED_WIDTH + AUTHORS_WIDTH + 1 + TAGS_WIDTH + 1 + MIN_TITLE_WIDTH
# Author labels kept for rows drawn before: a few screens' worth, so scrolling back
# and forth reads nothing, while memory stays bounded however far one scrolls.
AUTHORS_CACHE = 2000
# Name suffixes that are not a surname ("Martin Luther King Jr.").
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})

# A paper's author names and author count (names may be empty when only the count
# is known), as :meth:`reader.store.Library.authors_of` gives them.
Authors = tuple[Sequence[str], int | None]
AuthorSource = Callable[[Sequence[int]], Mapping[int, Authors]]
# Reads the list's rows of papers it was given the ids of but not the rows (a large
# library's first seconds: every id is read first, the rows behind them later).
RowSource = Callable[[Sequence[int]], Sequence[ListedPaper]]


def surname(name: str) -> str:
    """The family name of ``name`` as written ("Smith, Jane" or "Jane Smith")."""
    name = one_line(name)
    if "," in name:
        family = name.split(",", 1)[0].strip()
        if family:
            return family
    words = name.split()
    while len(words) > 1 and words[-1].casefold() in _SUFFIXES:
        words.pop()
    return words[-1] if words else ""


def short_authors(names: Sequence[str], count: int | None) -> str:
    """A citation-style byline: "Smith", "Smith & Lee", "Smith et al.", or "7 authors"
    when only the count is known; "" when nothing is."""
    surnames = [family for family in map(surname, names[:2]) if family]
    if not surnames:
        if count:
            return f"{count} author" + ("" if count == 1 else "s")
        return ""
    if len(names) == 1:
        return surnames[0]
    if len(names) == 2 and len(surnames) == 2:
        return f"{surnames[0]} & {surnames[1]}"
    return f"{surnames[0]} et al."


def fit_tags(tags: Sequence[str], width: int) -> str:
    """As many whole tags ("#data #to-read") as fit in ``width`` cells, then "+N" for the
    rest. Never a tag cut mid-word that looks whole: a first tag too long on its own is
    cut with "…" (or, with no room for a few letters of it, only counted)."""
    shown: list[str] = []
    used = -1  # the cells of the shown tags with a space before each but the first
    for n, tag in enumerate(tags):
        label = "#" + one_line(tag)
        rest = len(tags) - n - 1
        count = f" +{rest}" if rest else ""  # room to say how many are left out
        if used + 1 + cell_len(label) + len(count) <= width:
            used += 1 + cell_len(label)
            shown.append(label)
            continue
        left = f"+{rest + 1}"
        if shown:
            return " ".join(shown) + " " + left
        room = width - len(count) - 1  # for "#" and some letters, then "…"
        if room >= 3:
            return set_cell_size(label, room).rstrip() + "…" + count
        return left if len(left) <= width else ""
    return " ".join(shown)


class PaperList(ScrollView, can_focus=True):
    """The papers of the current view, one per row, with a cursor."""

    COMPONENT_CLASSES = {
        "paper-list--cursor",
        "paper-list--match",
        "paper-list--star",
        "paper-list--dismissed",
        "paper-list--note",
        "paper-list--code",
        "paper-list--meta",
        "paper-list--empty",
        "paper-list--selected",
        "paper-list--unread",
        "paper-list--tags",
        "paper-list--authors",
        "paper-list--updated",
        "paper-list--lab",
    }

    DEFAULT_CSS = """
    PaperList {
        background: $surface;
        scrollbar-size-vertical: 1;
        overflow-x: hidden;
        & > .paper-list--cursor { background: $block-cursor-blurred-background; }
        &:focus > .paper-list--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        /* Component styles have no background of their own: "auto" ($text-muted)
           would be computed against none (white on a light theme). */
        & > .paper-list--match { color: $text-accent; text-style: bold underline; }
        & > .paper-list--star { color: $text-warning; }
        & > .paper-list--dismissed { color: $text-error; }
        & > .paper-list--note { color: $text-success; }
        & > .paper-list--code { color: $text-secondary; }
        & > .paper-list--meta { color: $foreground-muted; }
        & > .paper-list--empty { color: $foreground-muted; text-style: italic; }
        & > .paper-list--selected { color: $accent; background: $accent 15%; }
        & > .paper-list--unread { color: $text-primary; text-style: bold; }
        & > .paper-list--tags { color: $text-secondary; text-style: italic; }
        & > .paper-list--lab { color: $text-warning; }
        & > .paper-list--authors { color: $foreground-muted; }
        & > .paper-list--updated { color: $text-warning; text-style: bold; }
    }
    """

    BINDINGS = bindings("list")

    # repaint=False: watch_cursor redraws just the rows that changed.
    cursor: reactive[int] = reactive(0, always_update=True, init=False, repaint=False)

    @dataclass
    class Highlighted(Message):
        """The cursor moved onto another paper (``None``: the list is empty).

        ``by_user`` when the user moved it (a key, a click, a paper picked in the
        palette); not when new rows put it somewhere (start-up, a filter, a view,
        a reload): only a paper the user went to may turn read by itself."""

        paper_list: PaperList
        paper_id: int | None
        by_user: bool = False

        @property
        def control(self) -> PaperList:
            return self.paper_list

    def __init__(
        self,
        *,
        id: str | None = None,
        authors: AuthorSource | None = None,
        rows: RowSource | None = None,
    ) -> None:
        """``authors`` reads the authors of the rows on screen, for the authors column
        of a wide list (without it, there is no such column); ``rows`` the rows on
        screen that :meth:`show` gave ids without rows for."""
        super().__init__(id=id)
        self._ids: list[int] = []
        self._papers: Mapping[int, ListedPaper] = {}
        self._row_source = rows
        # The sizes the last layout gave (see _size_updated).
        self._sizes_seen: tuple[Size, Size, Size] | None = None
        # Rows read by the list itself (see _read_rows), until new rows are shown.
        self._read: dict[int, ListedPaper] = {}
        self._marks: Mapping[int, Annotation] = {}
        # How many lab mates starred each paper (none: no column for them).
        self._lab: Mapping[int, int] = {}
        self._selected: AbstractSet[int] = frozenset()
        # The badge of each paper with an update the user has not seen ("↑v3"), shown
        # before its title while the paper is starred.
        self._badges: Mapping[int, str] = {}
        self._query = Query.parse("")
        self._author_source = authors
        self._authors: dict[int, str] = {}
        # Whether any paper has tags, found out when a wide row is first drawn.
        self._has_tags: bool | None = None
        self.empty_message = "No papers."
        # Whether the cursor moving now is the user's doing (see Highlighted).
        self._by_user = False
        # Whether a row was drawn without its authors (or without its row), to be
        # read after the frame.
        self._authors_due = False
        self._rows_due = False

    # -- data -----------------------------------------------------------------

    @property
    def paper_ids(self) -> Sequence[int]:
        return self._ids

    @property
    def highlighted(self) -> int | None:
        """The paper under the cursor."""
        return self._ids[self.cursor] if self._ids else None

    def show(
        self,
        ids: Sequence[int],
        papers: Mapping[int, ListedPaper],
        marks: Mapping[int, Annotation],
        query: Query,
        *,
        empty_message: str,
        selected: AbstractSet[int] = frozenset(),
        keep_cursor: bool = True,
    ) -> None:
        """Replace the rows. The cursor stays on the same paper when it is still shown
        and ``keep_cursor``; else it goes to the first row (the best match)."""
        keep = self.highlighted
        self._ids = list(ids)
        if papers is not self._papers:
            self._authors.clear()  # the library was read again: authors may have changed
            self._read.clear()
        self._papers = papers
        self._marks = marks
        self._has_tags = None
        self._selected = selected
        self._query = query
        self.empty_message = empty_message
        self._set_rows(len(self._ids))
        position = 0
        if keep is not None and keep_cursor:
            try:
                position = self._ids.index(keep)
            except ValueError:
                position = 0
        self.cursor = position
        # Again once the new size is laid out: until then scrolling is clamped to the old one.
        self.call_after_refresh(self._scroll_to_cursor)
        self._read_rows()
        self._read_authors()
        self.refresh()

    def _set_rows(self, rows: int) -> None:
        """The list's height in rows. Only the scrollbar depends on it: Textual would lay
        out the whole screen again for a new virtual size (a frame's work at every key
        typed into the filter), so that is left to when the scrollbar comes or goes."""
        size = Size(0, rows)
        if size == self.virtual_size:
            return
        region = self.scrollable_content_region
        shown = rows > region.height if region.height > 0 else None
        if shown is None or shown != self.show_vertical_scrollbar:
            self.virtual_size = size
            return
        self.set_reactive(PaperList.virtual_size, size)
        self._scroll_update(size)

    def update_marks(
        self, marks: Mapping[int, Annotation], selected: AbstractSet[int] | None = None
    ) -> None:
        """New stars, notes, read state, tags or selection: redraw, nothing else moves."""
        self._marks = marks
        self._has_tags = None
        if selected is not None:
            self._selected = selected
        self.refresh()

    def set_badges(self, badges: Mapping[int, str]) -> None:
        """The badges of papers updated since the inbox mark (see reader.updates);
        drawn for the starred ones."""
        if badges != self._badges:
            self._badges = badges
            self.refresh()

    def update_lab(self, counts: Mapping[int, int]) -> None:
        """How many lab mates starred each paper: the lab column, redrawn."""
        self._lab = counts
        self.refresh()

    @property
    def _lab_width(self) -> int:
        """The cells the lab column takes, with its gap (none while no mate starred)."""
        return LAB_WIDTH + 1 if self._lab else 0

    def move_to(self, paper_id: int) -> bool:
        """Put the cursor on ``paper_id`` if it is shown (the user asked for it)."""
        try:
            position = self._ids.index(paper_id)
        except ValueError:
            return False
        self._move(position)
        return True

    def place(self, paper_id: int) -> bool:
        """Put the cursor on ``paper_id`` if it is shown, as the app's move (an undo
        putting a paper back), not the user's: it does not start the read timer."""
        try:
            self.cursor = self._ids.index(paper_id)
        except ValueError:
            return False
        return True

    def _move(self, position: int) -> None:
        """The user moves the cursor to ``position``."""
        self._by_user = True
        try:
            self.cursor = position
        finally:
            self._by_user = False

    # -- cursor ---------------------------------------------------------------

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self._ids) - 1)) if self._ids else 0

    def watch_cursor(self, old: int, new: int) -> None:
        top = self.scroll_offset.y
        self._scroll_to_cursor()
        if self.scroll_offset.y == top:
            # Only the two rows whose cursor style changed need drawing again.
            self.refresh_line(old)
            self.refresh_line(new)
        else:
            self.refresh()
        self.post_message(self.Highlighted(self, self.highlighted, self._by_user))

    def _scroll_to_cursor(self) -> None:
        height = self.scrollable_content_region.height
        if height <= 0:
            return
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        # ScrollView compares the region's virtual size with the list's own (a row a
        # paper), which always differ: it redrew the scrollbar at every layout of the
        # screen, each paper the detail pane showed included. Only a change of the
        # list's size, its container or its rows can move the scrollbar.
        seen = (size, container_size, self.virtual_size)
        if seen == self._sizes_seen:
            return False
        self._sizes_seen = seen
        return super()._size_updated(size, virtual_size, container_size, layout)

    def on_resize(self) -> None:
        self.virtual_size = Size(0, len(self._ids))
        self._scroll_to_cursor()
        self._read_rows()
        self._read_authors()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._read_rows()
        self._read_authors()

    def action_cursor_down(self) -> None:
        self._move(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self._move(self.cursor - 1)

    def action_page_down(self) -> None:
        self._move(self.cursor + max(1, self.scrollable_content_region.height - 1))

    def action_page_up(self) -> None:
        self._move(self.cursor - max(1, self.scrollable_content_region.height - 1))

    def action_half_page(self, direction: int) -> None:
        self._move(self.cursor + direction * max(1, self.scrollable_content_region.height // 2))

    def action_first(self) -> None:
        self._move(0)

    def action_last(self) -> None:
        self._move(len(self._ids) - 1)

    def on_click(self, event: events.Click) -> None:
        """A click on a row puts the cursor there (the detail pane follows)."""
        offset = event.get_content_offset(self)
        if offset is None:
            return
        row = offset.y + round(self.scroll_y)
        if row < len(self._ids):
            self._move(row)

    # -- drawing --------------------------------------------------------------

    @property
    def _base_style(self) -> Style:
        """The widget's own colours: :attr:`rich_style`, which walks every ancestor's
        styles on each call (a third of a row's drawing), as Textual caches it."""
        return self.visual_style.rich_style

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        row = y + round(self.scroll_y)
        if not self._ids:
            if y == 1:
                style = self.get_component_rich_style("paper-list--empty")
                message = Text(f"  {self.empty_message}", style=style, no_wrap=True, end="")
                message.truncate(width, overflow="ellipsis")
                return Strip(message.render(self.app.console)).adjust_cell_length(
                    width, self._base_style
                )
            return Strip.blank(width, self._base_style)
        if row >= len(self._ids):
            return Strip.blank(width, self._base_style)
        paper_id = self._ids[row]
        paper = self._row(paper_id)
        if paper is None:
            text = self._unread_row(width)
        elif width >= COLUMNS_FROM:
            text = self._wide_row_text(paper, width)
        else:
            text = self._row_text(
                paper, self._marks.get(paper_id), width, selected=paper_id in self._selected
            )
        if row == self.cursor:
            text.stylize(self.get_component_rich_style("paper-list--cursor", partial=True))
        segments = text.render(self.app.console)
        return Strip(segments).adjust_cell_length(width, self._base_style)

    def _markers(self, paper: ListedPaper, mark: Annotation | None, *, selected: bool) -> Text:
        """Selection, unread, star, note and code markers, and the gaps after them."""

        def style(name: str) -> Style:
            return self.get_component_rich_style(name, partial=True)

        unread = not (mark and mark.is_read)
        # The widget's own colours underneath, so gaps between columns match the rest.
        text = Text(no_wrap=True, end="", style=self._base_style)
        if selected:
            text.append(SELECTED, style("paper-list--selected"))
        else:
            text.append(" ")
        text.append(UNREAD if unread else " ", style("paper-list--unread"))
        text.append(" ")
        if mark and mark.is_dismissed and not mark.starred:
            text.append(DISMISSED, style("paper-list--dismissed"))
        else:
            text.append(STAR if mark and mark.starred else " ", style("paper-list--star"))
        text.append(" ")
        text.append(NOTE if mark and mark.has_note else " ", style("paper-list--note"))
        text.append(" ")
        text.append(CODE if paper.has_code else "   ", style("paper-list--code"))
        text.append(" ")
        return text

    def _badge(self, text: Text, paper_id: int, mark: Annotation | None, width: int) -> int:
        """Append the paper's update badge, if it is starred and has one: the title's
        width left."""
        badge = self._badges.get(paper_id) if mark and mark.starred else None
        if not badge or width < 2 * len(badge):
            return width
        text.append(badge, self.get_component_rich_style("paper-list--updated", partial=True))
        text.append(" ")
        return width - cell_len(badge) - 1

    def _meta(self, text: Text, paper: ListedPaper) -> None:
        """Append the date and upvotes columns."""
        meta = self.get_component_rich_style("paper-list--meta", partial=True)
        text.append(" ")
        text.append((paper.published or "").ljust(DATE_WIDTH), meta)
        text.append(" ")
        votes = f"▲{paper.upvotes}" if paper.upvotes else ""
        text.append(votes.rjust(VOTES_WIDTH), meta)
        if self._lab:
            mates = self._lab.get(paper.id, 0)
            label = f"{LAB_STAR}{mates}" if mates else ""
            text.append(" ")
            text.append(
                label.rjust(LAB_WIDTH),
                self.get_component_rich_style("paper-list--lab", partial=True),
            )

    def _row_text(
        self, paper: ListedPaper, mark: Annotation | None, width: int, *, selected: bool = False
    ) -> Text:
        """A row of a list too narrow for columns of authors and tags: tags, if any,
        follow the title."""

        def style(name: str) -> Style:
            return self.get_component_rich_style(name, partial=True)

        title_width = max(8, width - FIXED_WIDTH - self._lab_width)
        unread = not (mark and mark.is_read)
        text = self._markers(paper, mark, selected=selected)
        tags = ""
        if mark and mark.tags:
            # Their share of the title column, or all the room a short title leaves.
            unused = title_width - cell_len(one_line(cut(paper.title, TITLE_CHARS))) - 1
            tags = fit_tags(mark.tags, max(int(title_width * TAGS_SHARE), unused))
        if tags:
            title_width -= cell_len(tags) + 1  # cells, not characters: CJK tags are wide
        title_width = self._badge(text, paper.id, mark, title_width)
        title = self._title_text(paper.title, title_width)
        if unread:
            title.stylize(UNREAD_TITLE)
        text.append_text(title)
        if tags:
            text.append(" ")
            text.append(tags, style("paper-list--tags"))
        self._meta(text, paper)
        return text

    def _row(self, paper_id: int) -> ListedPaper | None:
        """The row of ``paper_id`` as given or as read; None when it is still to be
        read (it is, after this frame: never in it)."""
        paper = self._papers.get(paper_id) or self._read.get(paper_id)
        if paper is None and self._row_source is not None and not self._rows_due:
            self._rows_due = True
            self.call_after_refresh(self._read_rows_late)
        return paper

    def _unread_row(self, width: int) -> Text:
        """A row whose paper is still being read: a dim ellipsis, for a frame or so."""
        style = self.get_component_rich_style("paper-list--meta")
        return Text("  …".ljust(width), style=style, no_wrap=True, end="")

    def _read_rows_late(self) -> None:
        self._rows_due = False
        if self._read_rows():
            self.refresh()

    def _read_rows(self) -> bool:
        """Read the rows on screen that were given as ids alone, in one query; whether
        any were read."""
        region = self.scrollable_content_region
        if self._row_source is None or not self._ids or region.height <= 0:
            return False
        top = round(self.scroll_y)
        shown = self._ids[top : top + region.height]
        wanted = [i for i in shown if i not in self._papers and i not in self._read]
        if not wanted:
            return False
        if len(self._read) + len(wanted) > AUTHORS_CACHE:
            self._read.clear()
        for paper in self._row_source(wanted):
            self._read[paper.id] = paper
        return True

    def _wide_row_text(self, paper: ListedPaper, width: int) -> Text:
        """A row with columns of its own for the first author and the tags."""

        def column(value: str, size: int, name: str) -> Text:
            cell = Text(one_line(value), no_wrap=True, end="")
            cell.truncate(size, overflow="ellipsis", pad=True)
            cell.stylize(self.get_component_rich_style(name, partial=True))
            return cell

        paper_id = paper.id
        mark = self._marks.get(paper_id)
        text = self._markers(paper, mark, selected=paper_id in self._selected)
        if self._has_tags is None:
            self._has_tags = any(mark.tags for mark in self._marks.values())
        title_width = width - FIXED_WIDTH - AUTHORS_WIDTH - 1 - self._lab_width
        if self._has_tags:
            title_width -= TAGS_WIDTH + 1
        title_width = self._badge(text, paper_id, mark, title_width)
        title = self._title_text(paper.title, title_width)
        if not (mark and mark.is_read):
            title.stylize(UNREAD_TITLE)
        text.append_text(title)
        text.append(" ")
        text.append_text(column(self._author_label(paper_id), AUTHORS_WIDTH, "paper-list--authors"))
        if self._has_tags:
            text.append(" ")
            tags = fit_tags(mark.tags, TAGS_WIDTH) if mark and mark.tags else ""
            text.append_text(column(tags, TAGS_WIDTH, "paper-list--tags"))
        self._meta(text, paper)
        return text

    def _author_label(self, paper_id: int) -> str:
        """The authors column of ``paper_id``, as read before drawing. A row drawn
        before its authors were read (a first frame laid out before its size was
        known) shows them a moment later: they are read after the frame, not in it."""
        label = self._authors.get(paper_id)
        if label is None and self._author_source is not None and not self._authors_due:
            self._authors_due = True
            self.call_after_refresh(self._read_authors_late)
        return label or ""

    def _read_authors_late(self) -> None:
        self._authors_due = False
        if self._read_authors():
            self.refresh()

    def _read_authors(self) -> bool:
        """Read the authors of the rows on screen not known yet, in one query, when the
        list is wide enough to show them; whether any were read."""
        region = self.scrollable_content_region
        # Not laid out yet (its size comes with the first resize), or no column for them.
        if self._author_source is None or not self._ids or region.height <= 0:
            return False
        if region.width < COLUMNS_FROM:
            return False
        top = round(self.scroll_y)
        height = region.height
        wanted = [i for i in self._ids[top : top + height] if i not in self._authors]
        if not wanted:
            return False
        if len(self._authors) + len(wanted) > AUTHORS_CACHE:
            self._authors.clear()
        found = self._author_source(wanted)
        for i in wanted:
            # Unknown ids too, as empty: they are not asked for again on every draw.
            names, count = found.get(i, ((), None))
            self._authors[i] = short_authors(names, count)
        return True

    def _title_text(self, title: str, width: int) -> Text:
        # Bounded first: a shared library may hold a title of megabytes, drawn per row.
        clean = one_line(cut(title, TITLE_CHARS))
        text = Text(clean, no_wrap=True, end="")
        if not self._query.is_empty:
            match_style = self.get_component_rich_style("paper-list--match", partial=True)
            for start, end in title_spans(clean, self._query):
                text.stylize(match_style, start, end)
        text.truncate(width, overflow="ellipsis", pad=True)
        return text
