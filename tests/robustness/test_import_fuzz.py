"""Hostile and broken files for every importer, fed through the loader as a file reaches it.

Random bytes, mutated and truncated samples, other encodings and line endings, NUL
bytes, empty files and 50 MB files: an import either gives clean papers or fails
with one :class:`SourceError` that names the file, and the line when the fault has
one. Anything else (another exception, a message that could steer the terminal) fails.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.importing import import_batch
from reader.models import Paper
from reader.sources import Batch, SourceError
from reader.sources.loader import FORMATS, load
from reader.store import open_library
from tests.support.data import DATA, FIXED_NOW, SAMPLE_PAGE
from tests.support.processes import assert_one_clean_error, run_process

# Deterministic, so a failure found in CI is found again on a laptop.
FUZZ = settings(max_examples=40, deadline=None, derandomize=True)

# Accents inside and outside Latin-1, and a non-BMP character (a surrogate pair in UTF-16).
ACCENTED = "Xinyu Guan-M\u00fcller (\u0141uk\u00e1\u0161 \u5173 \U0001d54f)"


def _feed() -> str:
    """The real arXiv response cut to its first three entries (the second is mojibake)."""
    text = (DATA / "arxiv-query-testing.xml").read_text(encoding="utf-8")
    entries = [m.end() for m in re.finditer("</entry>", text)]
    return text[: entries[2]] + "\n</feed>\n"


def _daily() -> str:
    text = (DATA / "hf-daily-papers.json").read_text(encoding="utf-8")
    return text.replace("Xinyu Guan", ACCENTED)


BIBTEX = r"""% Saved from a reference manager
@string{icml = "Proc. of ICML"}

@misc{vaswani2017,
  title         = {Attention Is All You Need},
  author        = {Vaswani, Ashish and Shazeer, Noam},
  year          = {2017},
  eprint        = {1706.03762v7},
  archivePrefix = {arXiv},
}

@inproceedings{mueller2020,
  title     = {{\"U}ber Tr{\"a}ume und Caf\'es},
  author    = {Müller, Jürgen and Łukasiewicz, Jan},
  booktitle = icml # " 2020",
  year      = 2020,
  month     = jun,
  url       = {https://arxiv.org/abs/2001.00001v2},
}

@article{curie,
  title = {Sur une nouvelle substance fortement radio-active},
  author = {Curie, Marie},
  doi = {10.1000/xyz},
  year = {1898},
}
"""

# name -> (text, the format to force, the format the batch reports). Real samples for
# each importer, every one holding text outside ASCII so that encodings matter.
SAMPLES: dict[str, tuple[str, str, str]] = {
    "page.txt": (SAMPLE_PAGE.read_text(encoding="utf-8"), "hf-page", "hf-page"),
    "daily.json": (_daily(), "hf-json", "hf-json"),
    "feed.xml": (_feed(), "arxiv", "arxiv"),
    "refs.bib": (BIBTEX, "bibtex", "bibtex"),
    "daily.jsonl": (
        "\n".join(json.dumps(item, ensure_ascii=False) for item in json.loads(_daily())) + "\n",
        "hf-json",
        "hf-json",
    ),
    "export.json": (
        (DATA / "reader-export.json").read_text(encoding="utf-8").replace("Xinyu Guan", ACCENTED),
        "reader-json",
        "reader-json",
    ),
    "export.jsonl": (
        (DATA / "reader-export.jsonl").read_text(encoding="utf-8").replace("Xinyu Guan", ACCENTED),
        "reader-json",
        "reader-jsonl",
    ),
}

# How a file may arrive: encodings (with and without a byte order mark) and line endings.
VARIANTS = (
    "utf-8", "utf-8-bom", "utf-16-le-bom", "utf-16-be-bom", "utf-16-le", "utf-16-be", "crlf", "cr",
)  # fmt: skip

# Complaints about a whole file, which has no line to name; any other error must name one.
WHOLE_FILE = (
    "the file is empty",
    "not a format reader knows",
    "JSON, but not",
    "not valid JSON: nested too deep or too large",
    "not a reader export",
    "a reader export, not Hugging Face JSON",
    "unknown reader export version",
    "written by a newer reader",
    '"papers" is not a list',
    "no papers found",
    "no BibTeX entries found",
    "not an Atom feed",
    "arXiv API error",
)

# An error is a line for the user: what it quotes of a file is cut short.
MESSAGE_CHARS = 200
# The line breaks the loader counts (bytes, so UTF-16 input gives an upper bound).
_BREAKS = re.compile(rb"\r\n|\r|\n")
_TEXT_BREAKS = re.compile(r"\r\n|\r|\n")
# What must never reach a terminal in a message, or the store in a paper.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_NOTE_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_ENTRY_START = re.compile(r"^[ \t]*@", re.MULTILINE)


def encode(text: str, variant: str) -> bytes:
    """``text`` (written with "\\n") as a file saved in ``variant``."""
    if variant == "crlf":
        return text.replace("\n", "\r\n").encode("utf-8")
    if variant == "cr":
        return text.replace("\n", "\r").encode("utf-8")
    boms = {
        "utf-8-bom": (codecs.BOM_UTF8, "utf-8"),
        "utf-16-le-bom": (codecs.BOM_UTF16_LE, "utf-16-le"),
        "utf-16-be-bom": (codecs.BOM_UTF16_BE, "utf-16-be"),
    }
    if variant in boms:
        bom, codec = boms[variant]
        return bom + text.encode(codec)
    return text.encode(variant)


def text_of(data: bytes, variant: str) -> str:
    """What is left readable of ``data`` (perhaps cut mid-character) saved as ``variant``."""
    codec = {
        "crlf": "utf-8",
        "cr": "utf-8",
        "utf-8-bom": "utf-8-sig",
        "utf-16-le-bom": "utf-16",
        "utf-16-be-bom": "utf-16",
    }.get(variant, variant)
    return data.decode(codec, errors="ignore")


def line_at(text: str, index: int) -> int:
    """The line of ``text[index]``, counting line breaks as the loader does."""
    return len(_TEXT_BREAKS.findall(text, 0, index)) + 1


def attempt(name: str, data: bytes, fmt: str = "auto") -> Batch | SourceError:
    """Import ``data`` as file ``name``: clean papers or a clean, located SourceError.

    Any other exception is not caught, so it fails the test with its traceback.
    """
    try:
        batch = load(name, data, fmt=fmt, now=FIXED_NOW)
    except SourceError as error:
        check_error(error, name, data)
        return error
    check_batch(batch)
    return batch


def check_error(error: SourceError, name: str, data: bytes) -> None:
    message = str(error)
    assert error.source == name and message.startswith(f"{name}:"), message
    # One line the CLI can print as it is: nothing from the file may steer the terminal.
    assert not _CONTROLS.search(message), repr(message)
    assert len(error.message) <= MESSAGE_CHARS, message[:300]
    if error.line is None:
        assert error.message.startswith(WHOLE_FILE), f"no line in {message!r}"
    else:
        assert 1 <= error.line <= len(_BREAKS.findall(data)) + 1, message


def check_batch(batch: Batch) -> None:
    for paper in batch.papers:
        assert paper.title
        for field in fields(Paper):
            value = getattr(paper, field.name)
            for text in value if isinstance(value, tuple) else (value,):
                if isinstance(text, str):
                    assert not _CONTROLS.search(text), (field.name, text)
                    assert text == text.strip(), (field.name, text)
        for url in (paper.url, paper.github_url):
            assert url is None or url.startswith(("http://", "https://"))
    assert [mark.index for mark in batch.marks] == sorted({mark.index for mark in batch.marks})
    for mark in batch.marks:
        assert 0 <= mark.index < len(batch.papers)
        assert not _NOTE_UNSTORABLE.search(mark.note)


def original(name: str) -> Batch:
    text, _, _ = SAMPLES[name]
    return load(name, text.encode("utf-8"), now=FIXED_NOW)


def test_every_sample_imports_in_its_own_format() -> None:
    """The fuzzing below starts from files each importer reads whole, not all ASCII."""
    for name, (text, _, format_name) in SAMPLES.items():
        batch = attempt(name, text.encode("utf-8"))
        assert isinstance(batch, Batch) and batch.format == format_name and batch.papers, name
        assert not text.isascii(), name


# --- random bytes ------------------------------------------------------------------

# Starts that steer detection to each importer, so random tails reach them all.
_STARTS = (
    b"",
    b"[",
    b'{"format": "reader", "papers": [',
    b'{"title": "T", "arxiv_id": "2409.11074"}\n',
    b"<feed xmlns='http://www.w3.org/2005/Atom'><entry>",
    b"<entry><id>http://arxiv.org/abs/2409.11074v2</id><title>",
    b"@misc{k,\n title = {",
    b"Daily Papers\n\nA title\n\n",
    codecs.BOM_UTF8,
    codecs.BOM_UTF16_LE,
    codecs.BOM_UTF16_BE,
)


@FUZZ
@given(
    start=st.sampled_from(_STARTS),
    tail=st.binary(max_size=300),
    fmt=st.sampled_from(FORMATS),
)
def test_random_bytes_import_or_fail_cleanly(start: bytes, tail: bytes, fmt: str) -> None:
    attempt("random.bin", start + tail, fmt)


@FUZZ
@given(
    start=st.sampled_from(_STARTS),
    tail=st.text(max_size=200),
    variant=st.sampled_from(VARIANTS),
)
def test_random_text_in_any_encoding_imports_or_fails_cleanly(
    start: bytes, tail: str, variant: str
) -> None:
    attempt("random.txt", start + encode(tail, variant))


# --- mutated samples ---------------------------------------------------------------

# Bytes that mean something to some importer, or to a decoder, or to a terminal.
_JUNK = (
    b"{", b"}", b"[", b"]", b'"', b",", b":", b"\\", b"<", b">", b"&", b"</entry>",
    b"<!--", b"<![CDATA[", b"&#0;", b"&#xD800;", b"@misc{x,", b"#", b"=", b"%",
    b"\x00", b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xef\xbb\xbf", b"\xe2\x80\xae",
    b"\x1b[2J", b"\r", b"\n", b"\r\n", b"\n  \xe2\x80\xa2 7 authors\n", b"\nSep 31 5\n",
    b"9" * 40, b'"\\ud800"',
)  # fmt: skip


@st.composite
def mutations(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with a few bytes inserted, deleted, overwritten or copied elsewhere."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(out)))
        action = draw(st.sampled_from(("insert", "delete", "overwrite", "copy")))
        if action == "insert":
            out[at:at] = draw(st.sampled_from(_JUNK) | st.binary(min_size=1, max_size=4))
        elif action == "delete":
            del out[at : at + draw(st.integers(1, 80))]
        elif action == "overwrite":
            out[at : at + 1] = bytes([draw(st.integers(0, 255))])
        else:
            start = draw(st.integers(0, len(out)))
            out[at:at] = out[start : start + draw(st.integers(1, 200))]
    return bytes(out)


@pytest.mark.parametrize("name", SAMPLES)
@FUZZ
@given(data=st.data())
def test_mutated_samples_import_or_fail_cleanly(name: str, data: st.DataObject) -> None:
    text, fmt, _ = SAMPLES[name]
    variant = data.draw(st.sampled_from(VARIANTS), label="variant")
    mutated = data.draw(mutations(encode(text, variant)), label="mutated")
    attempt(name, mutated, data.draw(st.sampled_from(("auto", fmt)), label="fmt"))


# --- truncated files ---------------------------------------------------------------


def last_record_line(fmt: str, text: str) -> int:
    """Where a cut file's broken record starts: its last BibTeX entry, else its last
    non-blank line (a JSON value, an XML token and a page's title end on it)."""
    if fmt == "bibtex":
        starts = [match.start() for match in _ENTRY_START.finditer(text.replace("\r", "\n"))]
        return line_at(text, starts[-1]) if starts else 1
    content = text.rstrip()
    return line_at(text, len(content) - 1) if content else 1


@pytest.mark.parametrize("name", SAMPLES)
@FUZZ
@given(variant=st.sampled_from(VARIANTS), cut=st.floats(0, 1, exclude_max=True))
def test_a_cut_file_imports_its_whole_records_or_names_the_line_it_breaks(
    name: str, variant: str, cut: float
) -> None:
    text, fmt, _ = SAMPLES[name]
    data = encode(text, variant)
    truncated = data[: int(len(data) * cut)]
    result = attempt(name, truncated, fmt)
    left = text_of(truncated, variant)
    if isinstance(result, Batch):
        # Only a page, BibTeX and JSON Lines read on when cut, and only whole records:
        # the papers before the cut are the file's own (a page's last abstract may be cut).
        whole = text_of(data, variant)
        assert (
            fmt in ("hf-page", "bibtex") or name.endswith(".jsonl") or left.strip() == whole.strip()
        )
        papers = result.papers[:-1] if fmt == "hf-page" else result.papers
        assert papers == original(name).papers[: len(papers)]
        return
    if result.line is not None:
        assert result.line >= last_record_line(fmt, left), (result, left[-200:])


# --- encodings and line endings ----------------------------------------------------


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("name", SAMPLES)
def test_every_encoding_and_line_ending_reads_the_same_papers(name: str, variant: str) -> None:
    text, _, _ = SAMPLES[name]
    result = attempt(name, encode(text, variant))
    assert result == original(name), result


@FUZZ
@given(
    name=st.sampled_from(list(SAMPLES)),
    line=st.integers(0, 10_000),
    newline=st.sampled_from(("\n", "\r\n", "\r")),
)
def test_a_latin_1_file_is_refused_at_its_first_accented_line(
    name: str, line: int, newline: str
) -> None:
    # The sample made ASCII, then one Latin-1 word at the start of one line.
    lines = SAMPLES[name][0].encode("ascii", errors="replace").decode("ascii").split("\n")
    line %= len(lines)
    lines[line] = "Caf\u00e9 M\u00fcller " + lines[line]
    data = newline.join(lines).encode("latin-1")
    result = attempt(name, data)
    assert isinstance(result, SourceError)
    assert (result.line, result.message) == (line + 1, "not UTF-8 text")


def test_a_latin_1_file_of_ascii_reads_as_utf_8() -> None:
    text = SAMPLES["export.json"][0].replace(ACCENTED, "Xinyu Guan")
    latin = attempt("export.json", text.encode("latin-1"))
    assert latin == attempt("export.json", text.encode("utf-8"))


# --- what an error quotes of the file -----------------------------------------------

LONG = "x" * 10_000
STEER = "\x1b]0;pwned\x07\x1b[2J\u202e"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("fields.bib", f"@misc{{k,\n t{STEER}le = {{a}},\n t{STEER}le = {{b}}\n}}\n"),
        ("fields.bib", f"@misc{{k,\n {LONG} = {{a}},\n {LONG} = {{b}}\n}}\n"),
        ("dangling.bib", f"@misc{{k,\n title = {{a}},\n {LONG}{STEER}\n}}\n"),
        (
            "keys.bib",
            f"@misc{{{LONG}{STEER},\n title={{a}}}}\n@misc{{{LONG}{STEER},\n title={{b}}}}\n",
        ),
        ("version.json", f'{{"format": "reader", "version": "{LONG}"}}'),
        ("version.json", '{"format": "reader", "version": ' + "9" * 4000 + "}"),
        ("version.jsonl", '{"format": "reader", "version": ' + "9" * 4000 + "}\n"),
        (
            "error.xml",
            "<feed xmlns='http://www.w3.org/2005/Atom'><entry>"
            "<id>http://arxiv.org/api/errors#x</id><title>Error</title>"
            f"<summary>{LONG}</summary></entry></feed>",
        ),
    ],
    ids=[
        "bibtex-field-with-escapes",
        "bibtex-long-field",
        "bibtex-dangling-key",
        "bibtex-duplicate-key",
        "reader-version-string",
        "reader-version-number",
        "reader-jsonl-version-number",
        "arxiv-api-error",
    ],
)
def test_what_an_error_quotes_of_the_file_is_one_short_clean_line(name: str, text: str) -> None:
    result = attempt(name, text.encode("utf-8"))  # check_error: no controls, short
    assert isinstance(result, SourceError)


@pytest.mark.parametrize(
    "text",
    [
        '[{"title": "T", "summary": "S", "projectPage": "https://example.org/a\\nb"}]',
        '[{"title": "T", "summary": "S", "githubRepo": "https://github.com/a/b\\tc"}]',
        '{"format": "reader", "papers": [{"title": "T", "url": "https://example.org/\\u2028x"}]}',
        "@misc{k, title = {T}, url = {https://example.org/a\nb}}",
    ],
    ids=["hf-project-page", "hf-github-repo", "reader-url", "bibtex-url"],
)
def test_a_url_with_a_line_break_inside_is_dropped(text: str) -> None:
    batch = attempt("links.txt", text.encode("utf-8"))  # check_batch: no line breaks
    assert isinstance(batch, Batch) and len(batch.papers) == 1
    assert batch.papers[0].url is None and batch.papers[0].github_url is None


# --- empty files and NUL bytes -----------------------------------------------------

EMPTY = (
    b"",
    b"\n",
    b" \r\n\t\r\n",
    codecs.BOM_UTF8,
    codecs.BOM_UTF8 + b"\r\n",
    codecs.BOM_UTF16_LE,
    codecs.BOM_UTF16_BE,
    "\n \n".encode("utf-16"),
)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("data", EMPTY, ids=repr)
def test_an_empty_file_holds_no_papers(data: bytes, fmt: str) -> None:
    result = attempt("empty.txt", data, fmt)
    if fmt == "auto":
        assert isinstance(result, SourceError) and result.message == "the file is empty"
    else:
        assert isinstance(result, SourceError) or result.papers == []


@pytest.mark.parametrize("name", SAMPLES)
@FUZZ
@given(data=st.data())
def test_nul_bytes_anywhere_import_or_fail_cleanly(name: str, data: st.DataObject) -> None:
    text, fmt, _ = SAMPLES[name]
    raw = bytearray(text.encode("utf-8"))
    for _ in range(data.draw(st.integers(1, 5), label="nuls")):
        at = data.draw(st.integers(0, len(raw)), label="at")
        raw[at:at] = b"\x00" * data.draw(st.integers(1, 3), label="run")
    attempt(name, bytes(raw), data.draw(st.sampled_from(("auto", fmt)), label="fmt"))


@pytest.mark.parametrize(
    "name", ["daily.json", "daily.jsonl", "feed.xml", "export.json", "export.jsonl"]
)
@FUZZ
@given(where=st.floats(0, 1, exclude_max=True), variant=st.sampled_from(("utf-8", "crlf", "cr")))
def test_a_nul_byte_in_json_or_xml_is_refused_at_its_line(
    name: str, where: float, variant: str
) -> None:
    text, fmt, _ = SAMPLES[name]
    text = encode(text, variant).decode("utf-8")
    at = int(len(text) * where)
    result = attempt(name, (text[:at] + "\x00" + text[at:]).encode("utf-8"), fmt)
    assert isinstance(result, SourceError)
    assert result.line == line_at(text, at), result


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_file_of_nul_bytes_is_refused(fmt: str) -> None:
    assert isinstance(attempt("zeros.bin", b"\x00" * 4096, fmt), SourceError)


# --- 50 MB -------------------------------------------------------------------------

MB_50 = 50 * 2**20
# How fast these go is bench/'s to measure (`python -m bench`), not a timed test's.


def _big_hf_json() -> tuple[bytes, int]:
    item = (
        '{"paper": {"id": "2501.%05d", "title": "Paper %d about learning to learn",'
        ' "summary": "%s", "authors": [{"name": "Ana M\u00fcller"}, {"name": "Bo Li"}],'
        ' "publishedAt": "2025-01-08T18:59:51.000Z", "upvotes": 7}}'
    )
    abstract = "We study things at length. " * 80
    count = MB_50 // len(item % (0, 0, abstract)) + 1
    body = ",\n".join(item % (i % 100_000, i, abstract) for i in range(count))
    return f"[\n{body}\n]\n".encode(), count


def _big_feed() -> tuple[bytes, int]:
    text = _feed()
    first = text.index("<entry>")
    entry = text[first : text.index("</entry>") + len("</entry>")] + "\n"
    count = MB_50 // len(entry) + 1
    entries = "".join(entry.replace("2202.12139", f"2202.{i % 100_000:05d}") for i in range(count))
    return (text[:first] + entries + "</feed>\n").encode(), count


def _big_jsonl() -> tuple[bytes, int]:
    header, paper = SAMPLES["export.jsonl"][0].splitlines()[:2]
    count = MB_50 // len(paper) + 1
    lines = (paper.replace("2501.04519", f"2501.{i % 100_000:05d}") for i in range(count))
    return (header + "\n" + "\n".join(lines) + "\n").encode(), count


def _big_page() -> tuple[bytes, int]:
    block = "Paper %d about learning\n\n" + "We study things at length. " * 60 + "\n\n"
    block += "  \u2022 7 authors\n\u00b7\nSep 15 3\n\n"
    count = MB_50 // len(block) + 1
    papers = "".join(block % i for i in range(count))
    return ("Daily Papers\nbyAK and the research community\nDec 12\n\n" + papers).encode(), count


def _one_giant_line() -> tuple[bytes, int]:
    # A page whose abstract is one 50 MB line: every per-line pattern meets all of it.
    return b"Daily Papers\n\nA title\n\n" + b"word https://x.org/ " * (MB_50 // 20) + b"\n", 1


@pytest.mark.parametrize(
    "make",
    [_big_hf_json, _big_feed, _big_jsonl, _big_page, _one_giant_line],
    ids=lambda f: f.__name__,
)
def test_a_50_mb_file_imports_whole(make: Callable[[], tuple[bytes, int]], tmp_path: Path) -> None:
    data, count = make()
    assert len(data) >= MB_50
    path = tmp_path / "big.input"
    path.write_bytes(data)
    batch = attempt(str(path), path.read_bytes())
    assert isinstance(batch, Batch) and len(batch.papers) == count


def test_a_50_mb_file_through_the_command_line(tmp_path: Path) -> None:
    data, count = _big_hf_json()
    db, big, cut = tmp_path / "library.db", tmp_path / "big.json", tmp_path / "cut.json"
    big.write_bytes(data)
    cut.write_bytes(data[: len(data) // 2])
    imported = run_process("--db", db, "import", big)
    refused = run_process("--db", db, "import", cut)

    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.startswith(f"{big}: {count} papers (hf-json): {count} added")
    line = data[: len(data) // 2].count(b"\n") + 1
    assert_one_clean_error(refused, f"{cut}:{line}: not valid JSON")
    library = open_library(db)
    try:
        assert library.count() == count
    finally:
        library.close()


# --- the command line --------------------------------------------------------------


def _bad_files() -> list[tuple[str, bytes, int]]:
    """(name, content, line of the fault): broken files as users have them."""
    export = SAMPLES["export.json"][0]
    utf16 = encode(export, "utf-16-le-bom")
    cut16 = utf16[: len(utf16) // 2 | 1]  # an odd length: half a UTF-16 unit at the end
    latin = BIBTEX.encode("latin-1", errors="replace")
    accented = next(i for i, char in enumerate(BIBTEX) if not char.isascii())
    jsonl = encode(SAMPLES["export.jsonl"][0], "cr")[:-40]
    feed = SAMPLES["feed.xml"][0]
    at = feed.index("<title>", feed.index("<entry>"))
    return [
        ("export.json", cut16, text_of(cut16, "utf-16").count("\n") + 1),
        ("refs.bib", latin, line_at(BIBTEX, accented)),
        ("feed.xml", (feed[:at] + "\x00" + feed[at:]).encode(), line_at(feed, at)),
        ("export.jsonl", jsonl, jsonl.count(b"\r") + 1),
    ]


@pytest.mark.parametrize("bad", _bad_files(), ids=lambda bad: bad[0])
def test_a_bad_file_is_one_clean_line_and_the_library_is_unchanged(
    bad: tuple[str, bytes, int], tmp_path: Path
) -> None:
    name, content, line = bad
    db = tmp_path / "library.db"
    library = open_library(db)
    import_batch(library, load("page.txt", SAMPLE_PAGE.read_bytes(), now=FIXED_NOW), user="tester")
    before = library.papers()
    library.close()
    good = tmp_path / "daily.json"
    good.write_text(SAMPLES["daily.json"][0], encoding="utf-8")
    path = tmp_path / name
    path.write_bytes(content)

    proc = run_process("--db", db, "import", good, path)

    assert_one_clean_error(proc, f"{path}:{line}: ")
    assert proc.stdout == ""
    library = open_library(db)
    try:
        assert library.papers() == before
    finally:
        library.close()
