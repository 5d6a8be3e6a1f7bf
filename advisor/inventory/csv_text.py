"""CSV files as text: decoding, delimiter and rows.

Kept apart from the workbook reading in `readers` because everything that can go wrong with
a CSV is about bytes and text (encodings, quotes, separators), not about containers.

Whatever the reading had to repair is said in `notes` (the caller passes `Source.notes`, so
`advisor inspect` shows it): lines decoded as cp1252 in an otherwise UTF-8 file, control or
replacement characters, rows an unbalanced quote had run together. What cannot be read is an
InputError naming the line.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from advisor.errors import InputError, short_error

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    # UTF-32 LE's BOM starts with UTF-16 LE's: test it first.
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
#: Bytes looked at to tell UTF-16/32 without BOM and binary files from text.
HEAD_BYTES = 4096
#: Delimiters a CSV may use, in order of preference when they split equally well (the
#: order csv.Sniffer preferred).
DELIMITERS = ",\t;|"
#: Bound of the delimiter sample: lines, and characters whatever the line length.
SNIFF_LINES = 20
SNIFF_CHARS = 64 * 1024
#: Slice of a file scanned for control bytes at a time.
CHUNK_BYTES = 256 * 1024
#: Notes list at most this many lines or spans before saying how many more there are.
SHOWN = 10

#: C0 control bytes that are not tab, line feed or carriage return.
_CONTROL_BYTES_BUT_NUL = bytes(c for c in range(1, 32) if c not in (9, 10, 13))
_DOS_EOF = "\x1a"
_REPLACEMENT = "\ufffd"


# --- decoding -------------------------------------------------------------------------------


def decode_text(data: bytes, name: str, notes: list[str] | None = None) -> tuple[str, str]:
    """Decode CSV bytes: BOM, UTF-32/16 without BOM, UTF-8, cp1252, or both line by line.

    Returns the text and the encoding used (shown by `advisor inspect`); what was odd about
    the text goes to `notes`.
    """
    notes = [] if notes is None else notes
    encoding = _bom_encoding(data) or _wide_encoding(data[:HEAD_BYTES])
    body = data[len(codecs.BOM_UTF8) :] if encoding == "utf-8-sig" else data
    wide = encoding is not None and encoding != "utf-8-sig"  # UTF-16 or UTF-32
    if encoding is not None and wide:
        text = _decode_strict(data, encoding, name, notes)
    else:
        _refuse_nul(body, name)
        text, found = _decode_bytes(body, name, notes)
        encoding = "utf-8-sig" if encoding and found == "utf-8" else found
    eof = text.endswith(_DOS_EOF)
    if eof:  # Ctrl-Z, the DOS end-of-file mark: left in, it would be read as a row
        text = text[:-1]
    # Control bytes are counted in UTF-8 (or cp1252) bytes, where they are single bytes.
    raw = text.encode("utf-8") if wide else (body[:-1] if eof else body)
    if wide:
        _refuse_nul(raw, name)
    _note_controls(raw, name, notes)
    _note_replacements(text, name, notes)
    return text, encoding


def _bom_encoding(data: bytes) -> str | None:
    return next((enc for bom, enc in _BOMS if data.startswith(bom)), None)


def _wide_encoding(head: bytes) -> str | None:
    """UTF-32 or UTF-16 without BOM, told by where the NUL bytes of ASCII characters fall.

    UTF-32 LE writes 'A' as 41 00 00 00, UTF-16 LE as 41 00: the share of NULs at each
    position modulo 4 (or 2) tells them apart, and apart from text padded with NULs, where
    NULs are everywhere.
    """
    if b"\x00" not in head:
        return None
    quads = len(head) // 4
    if quads:
        nul = [head[i : quads * 4 : 4].count(0) / quads for i in range(4)]
        if nul[2] > 0.95 and nul[3] > 0.95 and nul[0] < 0.5:
            return "utf-32-le"
        if nul[0] > 0.95 and nul[1] > 0.95 and nul[3] < 0.5:
            return "utf-32-be"
    pairs = len(head) // 2
    if pairs:
        even = head[0 : pairs * 2 : 2].count(0) / pairs
        odd = head[1 : pairs * 2 : 2].count(0) / pairs
        if odd > 0.4 and even < 0.1:
            return "utf-16-le"
        if even > 0.4 and odd < 0.1:
            return "utf-16-be"
    return None


def _decode_strict(data: bytes, encoding: str, name: str, notes: list[str]) -> str:
    """A UTF-16/32 file decodes wholly or not at all; the error names the line it stops at.

    Only a last character cut short (a file truncated mid-character, or a sample of the
    file's head) is let go, with a note, rather than refusing everything before it.
    """
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        text = data[: exc.start].decode(encoding, errors="replace")
        if exc.end >= len(data) and len(data) - exc.start < 4:
            notes.append(
                f"{name}: line {text.count(chr(10)) + 1}: the file ends in the middle of a "
                f"character; its last {len(data) - exc.start} byte(s) were ignored"
            )
            return text
        label = encoding.upper().replace("-LE", " LE").replace("-BE", " BE")
        raise InputError(
            f"{name}: line {text.count(chr(10)) + 1}: not valid {label} text ({exc.reason}); "
            "the file is damaged or not a CSV"
        ) from exc


def _refuse_nul(data: bytes, name: str) -> None:
    """NUL bytes have no place in a text file: refuse it, naming the first line with one.

    Stripping them would hide a damaged file (a copy padded with zeros, a binary blob pasted
    in), keeping them would put them into server names. A file whose first bytes are full
    of control bytes is not text at all and is called binary, as before.
    """
    first = data.find(b"\x00")
    if first < 0:
        return
    if first < HEAD_BYTES and _looks_binary(data[:HEAD_BYTES]):
        raise InputError(f"{name}: binary content, not a CSV or spreadsheet")
    line = data.count(b"\n", 0, first) + 1
    raise InputError(
        f"{name}: line {line}: NUL byte in the text ({data.count(0)} in all); the file is "
        "damaged or not a CSV"
    )


def _looks_binary(head: bytes) -> bool:
    """More than 1 % control bytes other than NUL, tab and line ends: not text."""
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES_BUT_NUL))
    return controls > len(head) // 100


def _decode_bytes(data: bytes, name: str, notes: list[str]) -> tuple[str, str]:
    """UTF-8 when the whole file is; cp1252 when no part of it is; else line by line.

    A file that is UTF-8 in some lines and cp1252 in others (rows pasted from two tools) was
    read wholesale as cp1252, turning every accented letter of the UTF-8 rows into two
    characters without a word. Each line's bytes say which it is: a line that decodes as
    UTF-8 is UTF-8 (cp1252 text rarely forms valid multi-byte sequences), the others are
    cp1252, and the note names them so a wrong guess can be checked.
    """
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if _has_utf8_sequences(data):
        text, cp_lines = _decode_lines(data)
        if cp_lines is not None:
            notes.append(
                f"{name}: not one encoding: line(s) {_numbers(cp_lines)} read as cp1252, "
                "the other lines as UTF-8"
            )
            return text, "utf-8+cp1252"
    return data.decode("cp1252", errors="replace"), "cp1252"


def _has_utf8_sequences(data: bytes) -> bool:
    """Whether some non-ASCII bytes form UTF-8 multi-byte sequences (vectorised, fast)."""
    a = np.frombuffer(data, dtype=np.uint8)
    lead = np.flatnonzero((a >= 0xC2) & (a <= 0xF4))
    if not lead.size:
        return False
    size = 1 + (a[lead] >= 0xE0).astype(int) + (a[lead] >= 0xF0).astype(int)
    ok = _continues(a, lead + 1)
    ok &= (size < 2) | _continues(a, lead + 2)
    ok &= (size < 3) | _continues(a, lead + 3)
    return bool(ok.any())


def _continues(a: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Per position: inside the data and a UTF-8 continuation byte (10xxxxxx)."""
    out = np.zeros(at.size, dtype=bool)
    inside = at < a.size
    out[inside] = (a[at[inside]] & 0xC0) == 0x80
    return out


def _decode_lines(data: bytes) -> tuple[str, list[int] | None]:
    """Each line as UTF-8 where it is valid, else cp1252; the cp1252 line numbers, or None
    when no line holds UTF-8 beyond ASCII (then the file is plain cp1252)."""
    parts: list[str] = []
    cp_lines: list[int] = []
    utf8 = 0
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            parts.append(line.decode("ascii"))
            continue
        try:
            parts.append(line.decode("utf-8"))
            utf8 += 1
        except UnicodeDecodeError:
            parts.append(line.decode("cp1252", errors="replace"))
            cp_lines.append(number)
    return "\n".join(parts), (cp_lines if utf8 else None)


def _note_controls(raw: bytes, name: str, notes: list[str]) -> None:
    """Control characters (other than tab and line ends) are kept, and said: invisible in a
    report, they make two names that look alike differ, or a name look blank."""
    counts = _low_byte_counts(raw)
    counts[[9, 10, 13]] = 0
    found = {int(c): int(counts[c]) for c in np.flatnonzero(counts)}
    if b"\x7f" in raw:
        found[0x7F] = raw.count(b"\x7f")
    if not found:
        return
    first = min(raw.find(bytes([c])) for c in found)
    line = raw.count(b"\n", 0, first) + 1
    codes = ", ".join(f"U+{c:04X}" for c in sorted(found))
    notes.append(
        f"{name}: line {line}: {sum(found.values())} control character(s) ({codes}) in the "
        "text; kept as read"
    )


def _low_byte_counts(raw: bytes) -> np.ndarray:
    """How often each byte below 0x20 occurs. Counted in slices of CHUNK_BYTES, as one mask
    over a whole 20 MB file costs more in fresh memory than in comparisons."""
    a = np.frombuffer(raw, dtype=np.uint8)
    counts = np.zeros(32, dtype=np.int64)
    for start in range(0, a.size, CHUNK_BYTES):
        part = a[start : start + CHUNK_BYTES]
        counts += np.bincount(part[part < 0x20], minlength=32)
    return counts


def _note_replacements(text: str, name: str, notes: list[str]) -> None:
    """U+FFFD marks a character lost before or while reading: the names there may be wrong."""
    first = text.find(_REPLACEMENT)
    if first < 0:
        return
    line = text.count("\n", 0, first) + 1
    notes.append(
        f"{name}: line {line}: {text.count(_REPLACEMENT)} character(s) could not be read "
        "and show as U+FFFD; names and notes there may be wrong"
    )


def _numbers(numbers: list[int]) -> str:
    """'3, 7-9, 12' for line numbers, the first SHOWN runs and how many more."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    shown = ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs[:SHOWN])
    more = len(runs) - SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


# --- delimiter ------------------------------------------------------------------------------


def sniff_delimiter(text: str) -> str:
    """The delimiter of a CSV text: whichever of , ; tab and | splits most of the first
    lines into the same number (at least two) of cells; ',' when none does.

    Looks at no more than SNIFF_LINES lines and SNIFF_CHARS characters, so a 100,000-column
    header or a 50 MB line costs what a short file does. csv.Sniffer, used before, runs a
    backtracking regex over its sample: seconds on a few kilobytes of `,"x,"x`.
    """
    sample = _sniff_sample(text)
    return max(DELIMITERS, key=lambda d: _evenness(sample, d))


def _sniff_sample(text: str) -> str:
    """The first lines of `text`, without the last one when the character bound cut it."""
    head = text[:SNIFF_CHARS]
    lines = list(itertools.islice(io.StringIO(head, newline=""), SNIFF_LINES + 1))
    if len(lines) <= SNIFF_LINES and len(text) > len(head) and len(lines) > 1:
        lines.pop()
    return "".join(lines[:SNIFF_LINES])


def _evenness(sample: str, delimiter: str) -> tuple[int, int]:
    """(rows with the most common cell count, that count); (0, 0) when it is one cell."""
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
    try:
        widths = Counter(len(r) for r in reader if r)
    except csv.Error:  # cannot happen below csv's cell limit, but a guess must not fail
        return 0, 0
    if not widths:
        return 0, 0
    width, rows = max(widths.items(), key=lambda kv: (kv[1], kv[0]))
    return (rows, width) if width > 1 else (0, 0)


# --- rows -----------------------------------------------------------------------------------


def csv_rows(
    data: bytes, name: str, notes: list[str] | None = None
) -> tuple[list[list[str]], str, str]:
    """Parse CSV bytes into rows (quoted line breaks kept inside their cell).

    Returns rows, the encoding and the delimiter; repairs are appended to `notes`.
    """
    notes = [] if notes is None else notes
    text, encoding = decode_text(data, name, notes)
    if not text or text.isspace():
        raise InputError(f"{name}: the file is empty")
    delimiter = sniff_delimiter(text)
    return read_records(text, delimiter, name, notes), encoding, delimiter


def read_records(text: str, delimiter: str, name: str, notes: list[str]) -> list[list[str]]:
    """Rows of a CSV text, with any run of lines swallowed by an unbalanced quote read again.

    A quote that opens a cell and never closes makes every following line part of that
    cell: three servers read as one, and the accounting still balances. The quick parse
    records where each row ends; only when a row spans several lines whose inner lines carry
    as many separators as a row does (or a cell outgrows the csv module's limit) is the text
    read again, slowly, by `_careful_records`.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[str]] = []
    ends: list[int] = []  # the line each row ends on
    add_row, add_end = rows.append, ends.append
    try:
        for row in reader:
            add_row(row)
            add_end(reader.line_num)
    except csv.Error:
        return _careful_records(text, delimiter, name, notes, _Shape.of(rows, text, delimiter))
    if reader.line_num == len(rows):  # no row spans lines: nothing can have been swallowed
        return rows
    shape = _Shape.of(rows, text, delimiter)
    if not _maybe_swallowed(rows, ends, shape, delimiter):
        return rows
    return _careful_records(text, delimiter, name, notes, shape)


@dataclass(frozen=True)
class _Shape:
    """How many cells a row of this file has: the header's count and the most common one."""

    widths: frozenset[int]
    modal: int

    @classmethod
    def of(cls, rows: list[list[str]], text: str, delimiter: str) -> _Shape:
        widths = [len(r) for r in rows if r]
        if len(widths) < 2:  # the quick parse failed early: count the first lines one by one
            lines = itertools.islice(io.StringIO(text, newline=""), SNIFF_LINES)
            widths = [_width(line, delimiter) for line in lines if line.strip()]
        if not widths:
            return cls(frozenset(), 0)
        counts = Counter(widths)
        modal = max(counts, key=lambda w: (counts[w], w))
        return cls(frozenset(w for w in (modal, widths[0]) if w > 1), modal)

    @property
    def wide(self) -> bool:
        """Eight cells or more: one line shaped like a row is then no coincidence of prose."""
        return self.modal >= 8

    @property
    def least(self) -> int:
        """The fewest cells a line may have and still fit (0: nothing fits)."""
        if not self.widths:
            return 0
        if self.wide:
            return min(min(self.widths), -(-self.modal * 3 // 4))
        return min(self.widths)

    def fits(self, width: int) -> bool:
        """A row of this file may have this many cells (wide rows may lack a few at the end)."""
        if width in self.widths:
            return True
        return self.wide and self.least <= width <= self.modal


def _maybe_swallowed(rows: list[list[str]], ends: list[int], shape: _Shape, d: str) -> bool:
    """Cheap test on the parsed rows: could a row spanning lines hold rows of its own?

    Counts the separators inside a cell between its first and last line break (its inner lines, so
    only rows of three lines or more), and for a row that does not fit or ends the file,
    those after its first break. Two-line notes, the common case, cost nothing. Only a file
    with a row passing this test is read again line by line.
    """
    if not shape.least:
        return False
    need = shape.least - 1  # separators a line needs to be shaped like a row
    previous = 0
    last = len(rows) - 1
    for i, end in enumerate(ends):
        lines = end - previous
        previous = end
        if lines < 2:
            continue
        odd = i == last or not shape.fits(len(rows[i]))
        if lines < 3 and not odd:
            continue
        # Only separators inside a cell that holds line breaks can be swallowed rows; the
        # separators between the row's own cells are its shape, whatever its width.
        for cell in rows[i]:
            if "\n" not in cell and "\r" not in cell:
                continue
            first, final = _breaks(cell)
            if cell.count(d, first, final) >= need or (odd and cell.count(d, first) >= need):
                return True
    return False


def _breaks(text: str) -> tuple[int, int]:
    """Positions of the first and the last line break in `text` (which holds one)."""
    firsts = [i for i in (text.find("\n"), text.find("\r")) if i >= 0]
    return min(firsts), max(text.rfind("\n"), text.rfind("\r"))


class _LineFeed:
    """Physical lines for csv.reader, numbered, remembering those of the current row, and
    taking lines back so that they are read again as rows of their own."""

    def __init__(self, text: str) -> None:
        self._source = io.StringIO(text, newline="")
        self._back: deque[tuple[int, str]] = deque()
        self._count = 0
        self.taken: list[tuple[int, str]] = []

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        if self._back:
            item = self._back.popleft()
        else:
            line = self._source.readline()
            if not line:
                raise StopIteration
            self._count += 1
            item = (self._count, line)
        self.taken.append(item)
        return item[1]

    def give_back(self, items: list[tuple[int, str]]) -> None:
        self._back.extendleft(reversed(items))


def _careful_records(
    text: str, d: str, name: str, notes: list[str], shape: _Shape
) -> list[list[str]]:
    """Rows read knowing each row's lines: a row an unbalanced quote ran over is replaced by
    its first line alone (the stray quote kept as written), and the lines after it are read
    again as rows. Each such run is noted with its line numbers."""
    feed = _LineFeed(text)
    reader = csv.reader(feed, delimiter=d)
    rows: list[list[str]] = []
    spans: list[tuple[int, int]] = []
    while True:
        feed.taken = []
        error: csv.Error | None = None
        try:
            row: list[str] | None = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            row, error = None, exc
        taken = feed.taken
        if len(taken) == 1 or not _ran_over(row, taken, d, shape):
            if row is None:  # a cell beyond csv's size limit, and no quote to blame
                raise InputError(
                    f"{name}: line {taken[0][0]}: not a readable CSV ({short_error(error)})"
                )
            rows.append(row)
            continue
        try:
            rows.append(_first_line_cells(taken[0][1], d, shape))
        except csv.Error as exc:  # a cell beyond the csv module's size limit on that line
            raise InputError(
                f"{name}: line {taken[0][0]}: not a readable CSV ({short_error(exc)})"
            ) from exc
        feed.give_back(taken[1:])
        spans.append((taken[0][0], taken[-1][0]))
    _note_spans(spans, name, notes)
    return rows


def _ran_over(row: list[str] | None, taken: list[tuple[int, str]], d: str, shape: _Shape) -> bool:
    """Whether a row spanning lines is an unbalanced quote's doing rather than a quoted note.

    A note's inner lines are prose; a swallowed row's have a row's cell count. One such line
    is enough in a wide table; in a narrow one (where 'a, b, c' may be prose) it takes two,
    or one and a row that is malformed: it does not fit, its quote is still open at the end
    of the file, or its closing quote is followed by more text. The row's last line is only
    counted when the row is malformed, since it also holds the cells after a note.
    """
    inner = sum(_fits_alone(line, d, shape) for _, line in taken[1:-1])
    if inner >= 2 or (inner and shape.wide):
        return True
    last = _fits_alone(taken[-1][1], d, shape)
    if not inner and not last:
        return False
    return row is None or not shape.fits(len(row)) or _malformed(taken, d)


def _fits_alone(line: str, d: str, shape: _Shape) -> bool:
    """The line, read on its own (quotes as quotes, or literally), has a row's cell count."""
    if line.count(d) < shape.least - 1 or not line.strip():
        return False
    return shape.fits(_width(line, d)) or shape.fits(line.count(d) + 1)


def _malformed(taken: list[tuple[int, str]], d: str) -> bool:
    """The strict csv parser refuses the row: quote open at the end, or text after it."""
    return _strict_error([line for _, line in taken], d) is not None


def _strict_error(lines: list[str], d: str) -> csv.Error | None:
    try:
        for _ in csv.reader(lines, delimiter=d, strict=True):
            pass
    except csv.Error as exc:
        return exc
    return None


def _cells(line: str, d: str, quoting: int = csv.QUOTE_MINIMAL) -> list[str]:
    return next(csv.reader([line.rstrip("\r\n")], delimiter=d, quoting=quoting), [])


def _width(line: str, d: str) -> int:
    """Cells of one line read alone; by its separators when a cell is beyond csv's limit."""
    try:
        return len(_cells(line, d))
    except csv.Error:
        return line.count(d) + 1


def _first_line_cells(line: str, d: str, shape: _Shape) -> list[str]:
    """The cells of the line where a stray quote opened, that quote kept as a character.

    Read as CSV, the quote opens a cell running to the end of the line: put it back in
    front of that cell. When that does not give a row's cell count, reading the line with
    quotes as plain characters may.
    """
    cells = _cells(line, d)
    error = _strict_error([line.rstrip("\r\n")], d)
    if error is not None and "end of data" in str(error) and cells:
        cells[-1] = '"' + cells[-1]
    if shape.fits(len(cells)):
        return cells
    literal = _cells(line, d, csv.QUOTE_NONE)
    return literal if shape.fits(len(literal)) else cells


def _note_spans(spans: list[tuple[int, int]], name: str, notes: list[str]) -> None:
    for start, end in spans[:SHOWN]:
        notes.append(
            f"{name}: line {start}: an unbalanced quote ran over lines {start}-{end}; the "
            "lines were read as separate rows"
        )
    if len(spans) > SHOWN:
        rest = ", ".join(f"{a}-{b}" for a, b in spans[SHOWN:][:SHOWN])
        more = " ..." if len(spans) > 2 * SHOWN else ""
        notes.append(
            f"{name}: {len(spans) - SHOWN} more unbalanced quote(s) ran over lines {rest}{more}; "
            "the lines were read as separate rows"
        )
