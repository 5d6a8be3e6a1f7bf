"""Hostile text inventories: nothing lost quietly (issue 9, part 6).

An unbalanced quote once read three servers as one, with the accounting still balanced;
UTF-32 read as UTF-16 gave names made of NULs; a file mixing UTF-8 and cp1252 rows turned
the UTF-8 ones into mojibake; a server really named `vm` was rejected as a header row; a
Total row was assessed as a server. Each case imports a generated file and checks what
`advisor inspect` tells the user: the count, the note or rejection naming the line, or one
refusing line (exit 2). Where the command's own output is the point it is run through the
CLI; elsewhere the import runs in this process, once, to keep the suite fast.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import make_text as mk
import pandas as pd
import pytest
from builders import VINFO_4X, vinfo_row
from harness import assert_clean, assert_refused, invoke, time_bound

from advisor.inventory import load_inventory
from advisor.inventory.csv_text import sniff_delimiter
from advisor.inventory.finish import TOTAL_ROW
from advisor.inventory.summary import inspect_summary

QUOTE_NOTE = "an unbalanced quote ran over lines"


def cli_inspect(path: Path) -> dict:
    """`advisor inspect --json`, which must end cleanly and keep its accounting."""
    run = invoke(["inspect", path, "--json"], timeout=30)
    assert_clean(run)
    summary = json.loads(run.stdout)
    assert summary["servers"] == summary["servers_kept"] + summary["servers_rejected"]
    return summary


def read(path: Path) -> tuple[dict, pd.DataFrame]:
    """What `advisor inspect` would show, and the servers, from one import in this process
    (the CLI costs a second import; cases that check its output call `cli_inspect`)."""
    with time_bound(30):
        inv = load_inventory(path)
    summary = inspect_summary(inv)
    assert summary["servers"] == summary["servers_kept"] + summary["servers_rejected"]
    return json.loads(json.dumps(summary, default=str)), inv.servers


def rejected(summary: dict, kind: str = "row") -> list[tuple[int, str]]:
    return [(p["row"], p["reason"]) for p in summary["rejected"] if p["kind"] == kind]


# --- unbalanced quotes ----------------------------------------------------------------------


def test_unbalanced_quote_no_longer_merges_rows(hostile_dir):
    summary = cli_inspect(mk.unbalanced_generic(hostile_dir, servers=3, at=0))
    assert summary["servers"] == 3 and summary["servers_kept"] == 3
    assert (
        "servers.csv: line 2: an unbalanced quote ran over lines 2-4; the lines were read as "
        "separate rows"
    ) in summary["notes"]


def test_unbalanced_quote_with_semicolons_keeps_the_quote_as_written(hostile_dir):
    summary, servers = read(mk.unbalanced_generic(hostile_dir, servers=3, delimiter=";"))
    assert servers["name"].tolist() == ["srv0000", "srv0001", "srv0002"]
    # The quote opened the last cell (Notes), blank after it: the quote alone remains.
    assert servers["annotation"].tolist()[0] == '"'
    assert any(QUOTE_NOTE in n for n in summary["notes"])


def test_unbalanced_quote_swallowing_more_than_the_csv_cell_limit(hostile_dir):
    """5,000 lines after the quote exceed csv's 131,072-character cell limit: that used to
    refuse the whole file; now the lines are read as the rows they are."""
    summary, _ = read(mk.unbalanced_generic(hostile_dir, servers=5000, at=10))
    assert summary["servers"] == 5000 and summary["servers_kept"] == 5000
    quote_notes = [n for n in summary["notes"] if QUOTE_NOTE in n]
    assert len(quote_notes) == 1 and quote_notes[0].startswith("servers.csv: line 12:")


def test_unbalanced_quote_closed_lines_later_in_a_wide_rvtools_csv(hostile_dir):
    lines = mk.vinfo_lines([f"vm{i}" for i in range(8)])
    note = VINFO_4X.index("Annotation")
    lines[3] = mk.open_quote(lines[3], note)  # line 4 opens a quote in its empty note ...
    cells = lines[6].split(",")
    cells[note] = 'ends here"'  # ... and line 7 closes it by accident
    lines[6] = ",".join(cells)
    summary, servers = read(mk.rvtools_csv(hostile_dir, lines))
    assert servers["name"].tolist() == [f"vm{i}" for i in range(8)]
    assert any("line 4: an unbalanced quote ran over lines 4-7" in n for n in summary["notes"])


def test_unbalanced_quote_in_azure_migrate_csv(hostile_dir):
    lines = mk.azure_lines(["a", "b", "c"])
    lines[1] = mk.open_quote(lines[1], 4)  # in the OS name
    summary, _ = read(mk.write_lines(hostile_dir / "azure.csv", lines))
    assert summary["format"] == "azure-migrate"
    assert summary["servers"] == 3 and summary["servers_kept"] == 3
    assert any(QUOTE_NOTE in n for n in summary["notes"])


@pytest.mark.parametrize(
    "note",
    [
        "line one\nline two",
        "Owner: Bob, Alice\nBackup: Veeam, daily",
        "Owner: ops\nBackup: daily\nPatch: monthly, second Tuesday",
    ],
    ids=["prose", "prose-with-commas", "three-lines"],
)
def test_multi_line_notes_stay_one_cell(hostile_dir, note):
    """Quoted notes over several lines are what RVTools writes: they are no unbalanced quote."""
    generic = mk.write_lines(
        hostile_dir / "generic.csv",
        [mk.line(mk.GENERIC_HEADER)] + [mk.line(mk.generic_row(n, note)) for n in "abc"],
    )
    rvtools = mk.rvtools_csv(hostile_dir, mk.vinfo_lines(["x", "y"], Annotation=note))
    for path, count in ((generic, 3), (rvtools, 2)):
        summary, servers = read(path)
        assert summary["servers"] == summary["servers_kept"] == count
        assert not any(QUOTE_NOTE in n for n in summary["notes"])
        assert servers["annotation"].tolist() == [note] * count


def test_a_cell_beyond_the_csv_limit_is_refused_with_its_line(hostile_dir):
    lines = mk.generic_lines(["a", "b", "c"])
    lines[2] = mk.line(mk.generic_row("b", "x" * 200_000))
    run = invoke(["inspect", mk.write_lines(hostile_dir / "big.csv", lines)], timeout=30)
    assert_refused(run, "big.csv", "line 3", "not a readable CSV")


# --- encodings ------------------------------------------------------------------------------

SERVERS_TEXT = "Server,vCPU,RAM (GB)\nwéb01,2,8\ndb02,4,16\n"


@pytest.mark.parametrize("bom", [True, False], ids=["bom", "no-bom"])
@pytest.mark.parametrize("encoding", ["utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be"])
def test_utf32_and_utf16_with_or_without_bom(hostile_dir, encoding, bom):
    data = mk.encoded_with_bom(SERVERS_TEXT, encoding) if bom else SERVERS_TEXT.encode(encoding)
    path = hostile_dir / "wide.csv"
    path.write_bytes(data)
    _, servers = read(path)
    assert servers["name"].tolist() == ["wéb01", "db02"]
    assert servers["memory_gib"].tolist() == [8, 16]


def test_mixed_utf8_and_cp1252_lines_are_each_decoded(hostile_dir):
    """Line by line rather than refused: each line's bytes say which encoding it is in, and
    the note names the cp1252 lines so that a wrong guess can be checked."""
    summary = cli_inspect(mk.mixed_encoding(hostile_dir))
    assert (
        "mixed.csv: not one encoding: line(s) 3 read as cp1252, the other lines as UTF-8"
        in summary["notes"]
    )
    _, servers = read(mk.mixed_encoding(hostile_dir))
    assert servers["name"].tolist() == ["café-01", "zoé-02", "rené-03"]
    assert servers["annotation"].tolist()[:2] == ["Büro Zürich", "Büro Köln"]


@pytest.mark.parametrize("late", [False, True], ids=["line-3", "after-4KB"])
def test_nul_bytes_in_text_are_refused_with_their_line(hostile_dir, late):
    lines = mk.generic_lines(["a", "b"]) + (mk.padding_lines(100) if late else [])
    lines.append(mk.line(mk.generic_row("c")))
    at = len(lines) if late else 3
    path = mk.with_bytes(hostile_dir, "nul.csv", lines, at, b"\x00")
    assert_refused(invoke(["inspect", path]), "nul.csv", f"line {at}:", "NUL byte")


def test_binary_content_is_still_called_binary(hostile_dir):
    path = hostile_dir / "photo.csv"
    path.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 20)
    assert_refused(invoke(["inspect", path]), "photo.csv", "binary content")


def test_control_and_lost_characters_are_kept_and_noted(hostile_dir):
    lines = mk.generic_lines(["a", "bc"])
    ctl = mk.with_bytes(hostile_dir, "ctl.csv", lines, 3, b"\x0b")
    # 0x81 has no character in cp1252: it becomes U+FFFD, and the user hears of it.
    lost = mk.with_bytes(hostile_dir, "lost.csv", lines, 2, b"\x81")
    summary, servers = read(ctl)
    assert servers["name"].tolist() == ["a", "b\x0bc"]
    assert (
        "ctl.csv: line 3: 1 control character(s) (U+000B) in the text; kept as read"
        in summary["notes"]
    )
    summary, _ = read(lost)
    assert (
        "lost.csv: line 2: 1 character(s) could not be read and show as U+FFFD; names and "
        "notes there may be wrong"
    ) in summary["notes"]


def test_dos_end_of_file_mark_is_not_a_server(hostile_dir):
    path = hostile_dir / "dos.csv"
    path.write_bytes("\r\n".join(mk.generic_lines(["a", "b"])).encode() + b"\r\n\x1a")
    summary, _ = read(path)
    assert (summary["servers"], summary["servers_kept"]) == (2, 2)
    assert not any("control character" in n for n in summary["notes"])


# --- repeated headers and total rows --------------------------------------------------------


def test_servers_named_like_a_header_are_servers(hostile_dir):
    named = ["server", "VM", "name", "hostname", "Server Name"]
    path = mk.write_lines(hostile_dir / "s.csv", mk.generic_lines(["a", *named]))
    summary, servers = read(path)
    assert servers["name"].tolist() == ["a", *named] and not rejected(summary)


def _generic_csv(folder: Path) -> Path:
    lines = mk.generic_lines(["a", "Server"])
    lines.insert(2, mk.line(mk.GENERIC_HEADER))
    lines.append(mk.line(["Total", 4, 16, None, 200, None]))
    return mk.write_lines(folder / "generic.csv", lines)


def _generic_xlsx(folder: Path) -> Path:
    rows = [mk.generic_row("a"), mk.GENERIC_HEADER, mk.generic_row("Server")]
    return mk.generic_xlsx(folder, [*rows, [None, 4, 16, None, 200, None]])


def _rvtools_xlsx(folder: Path) -> Path:
    total = [None] * len(VINFO_4X)
    total[VINFO_4X.index("CPUs")], total[VINFO_4X.index("Memory")] = 4, 16384
    return mk.rvtools_xlsx(folder, [vinfo_row("a"), VINFO_4X, vinfo_row("VM"), total])


def _rvtools_csv(folder: Path) -> Path:
    lines = mk.vinfo_lines(["a"])
    lines += [mk.line(VINFO_4X), mk.line(vinfo_row("VM"))]
    lines.append(mk.line(["Grand total:"] + [None] * 3 + [4, 16384] + [None] * 16))
    return mk.rvtools_csv(folder, lines)


def _azure_csv(folder: Path) -> Path:
    lines = mk.azure_lines(["a"])
    lines += [mk.line(mk.AZURE_HEADER), *mk.azure_lines(["Server name"])[1:]]
    lines.append(mk.line(["Sum", None, 4, 8192, None]))
    return mk.write_lines(folder / "azure.csv", lines)


@pytest.mark.parametrize(
    ("make", "fmt"),
    [
        (_generic_csv, "generic"),
        (_generic_xlsx, "generic"),
        (_rvtools_xlsx, "rvtools"),
        (_rvtools_csv, "rvtools-csv"),
        (_azure_csv, "azure-migrate"),
    ],
    ids=["generic-csv", "generic-xlsx", "rvtools-xlsx", "rvtools-csv", "azure-csv"],
)
def test_repeated_header_and_total_rows_in_every_format(hostile_dir, make, fmt):
    """One server, the header again, a server named like the name column, a total row."""
    summary = cli_inspect(make(hostile_dir))
    assert summary["format"] == fmt
    assert (summary["servers"], summary["servers_kept"]) == (4, 2)
    assert rejected(summary) == [(3, "repeated header row"), (5, TOTAL_ROW)]
    # The header's "CPUs" is no bad CPU count: the rejected rows bring no value complaints.
    assert not rejected(summary, "value")


@pytest.mark.parametrize("size", [400, "400 GB"], ids=["number", "with-unit"])
def test_total_rows_are_rejected_as_such(hostile_dir, size):
    """Rows labelled as totals anywhere, and a last row of nothing but numbers."""
    rows = [
        mk.generic_row("s1"),
        ["Total", 2, 8, None, 100, None],
        mk.generic_row("s2"),
        ["TOTALS:", 4, 16, None, 200, None],
        ["Grand Total", 4, 16, None, 200, None],
        ["Total (2 servers)", 4, 16, None, 200, None],
        [None, 4, 16, "Total", 200, None],
        mk.generic_row("total"),  # has an OS: a machine called total, not a total
        [None, 8, 32, None, size, None],
    ]
    summary, servers = read(mk.generic_xlsx(hostile_dir, rows))
    assert servers["name"].tolist() == ["s1", "s2", "total"]
    assert rejected(summary) == [(r, TOTAL_ROW) for r in (3, 5, 6, 7, 8, 10)]


def test_blank_names_above_the_bottom_stay_nameless_rows(hostile_dir):
    rows = [mk.generic_row("a"), [None, 8, 32, None, 400, None], mk.generic_row("b")]
    summary, _ = read(mk.generic_xlsx(hostile_dir, rows))
    assert rejected(summary) == [(3, "no server name")]


# --- sniffing is bounded --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "want"),
    [
        ("wide", ","),
        ("one-line", ","),
        ("sniffer-trap", ","),
        ("semicolons", ";"),
    ],
)
def test_delimiter_sniffing_is_fast_whatever_the_shape(shape, want):
    """csv.Sniffer took seconds on a few kilobytes of `,"x`; the sample is now bounded in
    characters as well as lines, and read by the csv parser, which is linear."""
    text = {
        "wide": ",".join(f"c{i}" for i in range(100_000)) + "\n" + "1," * 99_999 + "1\n",
        "one-line": "x" * 50_000_000,
        "sniffer-trap": ',"x' * 400_000,
        "semicolons": "Server;RAM\n" + "a;1,5\n" * 100_000,
    }[shape]
    start = time.perf_counter()
    with time_bound(10):
        got = sniff_delimiter(text)
    assert got == want
    assert time.perf_counter() - start < 1.0


def test_a_50mb_single_line_is_refused_quickly(hostile_dir):
    path = hostile_dir / "line.csv"
    path.write_bytes(b"x" * 50_000_000)
    start = time.perf_counter()
    run = invoke(["inspect", path], timeout=30)
    assert_refused(run, "line.csv", "line 1", "not a readable CSV")
    assert time.perf_counter() - start < 10
