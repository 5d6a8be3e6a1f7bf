"""Pre-flight checks of what an inventory arrives in, before any reader trusts it.

Three layers, each checked before the expensive work it protects:

- the path: only a regular file (or a folder of them) is read; a named pipe, a device or a
  socket would block the import forever, and a file above `limits.MAX_INPUT_BYTES` is
  refused before it is read;
- the zip: every part the import reads is bounded by the size the zip directory declares
  for it (the native reader stops at that size, and so does `iter_member` here), so a zip
  bomb is refused from the directory alone, without inflating it;
- the sheet XML: python-calamine allocates the whole rectangle that a sheet's cells span
  before it returns a row, and aborts the process when that fails; a single
  `<c r="A99999999">` is enough. `check_sheet` streams the sheet's XML once and refuses it
  when its cells reach beyond `limits`, or when it declares XML entities.

The sheet scan has to look at every cell reference, since one hostile reference anywhere is
enough, so it is built to cost little on the sheets real programs write: the sheet's
declared dimension (`<dimension ref="A1:CN20001"/>`) gives a box, one regular expression
skips every cell tag that starts with a reference inside that box, and only the rest (other
tags starting with "c", cells outside the box or written unusually) is looked at in Python.
When a dimension turns out wrong, or cells carry no reference and are placed by counting,
the sheet is measured cell by cell instead, as the native reader would place them.
"""

from __future__ import annotations

import os
import re
import stat
import struct
import threading
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from html import unescape
from pathlib import Path

from advisor.errors import InputError, short_error
from advisor.inventory import limits

#: Bytes inflated at a time; small enough to stay cheap in memory, large enough that the
#: per-chunk Python work is negligible next to the inflating.
_CHUNK = 1 << 20
#: Bytes at the end of a chunk whose tags are judged with the next chunk, so that no tag is
#: judged cut in half.
_TAIL = 512
#: Sheets up to this size are measured cell by cell when the quick scan cannot vouch for
#: them (a few seconds of Python at most); larger ones are refused with a line saying why.
_EXACT_SCAN_BYTES = 16 * 1024**2
#: Columns assumed for a sheet that declares no dimension (the old Excel limit, IV).
_DEFAULT_COLUMNS = 256
#: Parts the native reader reads when it opens a workbook, with how messages name them.
_OPEN_PARTS = {
    "xl/workbook.xml": "the workbook part",
    "xl/_rels/workbook.xml.rels": "the workbook relationships",
    "xl/sharedstrings.xml": "the shared strings",
    "xl/styles.xml": "the styles",
}


# --- the path --------------------------------------------------------------------------------


def check_regular_file(path: Path) -> os.stat_result:
    """The stat of `path` when it is a regular file of an acceptable size; refused otherwise.

    Opening a named pipe blocks until someone writes to it and reading /dev/zero never ends,
    so the kind of file is checked with stat, which never blocks, before anything opens it.
    """
    try:
        st = path.stat()
    except FileNotFoundError as exc:
        raise InputError(f"{path}: file not found") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    if not stat.S_ISREG(st.st_mode):
        raise InputError(
            f"{path}: is {_special_kind(st.st_mode)}, not a file; give an inventory file"
        )
    if st.st_size > limits.MAX_INPUT_BYTES:
        raise InputError(
            f"{path}: the file is {st.st_size:,} bytes; the limit is "
            f"{limits.MAX_INPUT_BYTES:,} bytes per inventory file"
        )
    return st


def _special_kind(mode: int) -> str:
    """What a non-regular file is, in a user's words."""
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "a special file"


# --- zip members -----------------------------------------------------------------------------


def iter_member(
    path: Path, info: zipfile.ZipInfo, what: str, limit: int, *, first: int = _CHUNK
) -> Iterator[bytes]:
    """The inflated bytes of one zip member, in chunks (the first of at most `first` bytes).

    The member's declared size must be within `limit`, and the stream must inflate to exactly
    that size: the native reader stops at the declared size too, so what is checked here is
    what it will read, and a lying header is refused instead of trusted. Corrupt deflate data
    and truncated files end in one line naming the file and the member (`what`).
    """
    _check_declared(path, info, what, limit)
    try:
        with path.open("rb") as fh:
            yield from _inflate(fh, _data_offset(fh, info, path, what), info, path, what, first)
    except zlib.error as exc:
        raise InputError(f"{path}: {what} is corrupted ({short_error(exc)})") from exc
    except OSError as exc:
        raise InputError(f"{path}: {what} cannot be read ({exc.strerror or exc})") from exc


def read_member(path: Path, info: zipfile.ZipInfo, what: str, limit: int) -> bytes:
    """A whole zip member, bounded like `iter_member`, with its CRC checked."""
    data = b"".join(iter_member(path, info, what, limit))
    if zlib.crc32(data) != info.CRC:
        raise InputError(f"{path}: {what} is corrupted (its checksum does not match)")
    return data


def _check_declared(path: Path, info: zipfile.ZipInfo, what: str, limit: int) -> None:
    """Refuse a member by what the zip directory says about it, before reading any of it."""
    if info.flag_bits & 0x1:
        raise InputError(f"{path}: {what} is encrypted; save an unprotected copy")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise InputError(
            f"{path}: {what} uses zip compression method {info.compress_type}, which is not "
            "supported (only stored and deflated members are)"
        )
    if info.file_size > limit:
        raise InputError(
            f"{path}: {what} would inflate to {info.file_size:,} bytes; the limit is "
            f"{limit:,} bytes"
        )


def _data_offset(fh, info: zipfile.ZipInfo, path: Path, what: str) -> int:
    """Where a member's data starts: after its local header, whose name and extra field
    lengths may differ from the central directory's."""
    fh.seek(info.header_offset)
    head = fh.read(30)
    if len(head) < 30 or head[:4] != b"PK\x03\x04":
        raise InputError(f"{path}: {what} is corrupted (its local header is missing)")
    name_len, extra_len = struct.unpack("<HH", head[26:30])
    return info.header_offset + 30 + name_len + extra_len


def _inflate(fh, offset: int, info: zipfile.ZipInfo, path: Path, what: str, first: int):
    """Chunks of a member's data, checked against its declared size while they are made."""
    fh.seek(offset)
    left, made, limit = info.compress_size, 0, first
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    pending = b""
    while True:
        if not pending:
            pending = fh.read(min(left, 1 << 18)) if left > 0 else b""
            left -= len(pending)
        if inflater is None:
            out, pending = pending[:limit], pending[limit:]
        else:
            out = inflater.decompress(pending, limit) if pending or not inflater.eof else b""
            pending = inflater.unconsumed_tail
        made += len(out)
        if made > info.file_size:
            raise InputError(
                f"{path}: {what} inflates beyond the {info.file_size:,} bytes its zip entry "
                "declares (a corrupted or forged zip)"
            )
        if out:
            yield out
            limit = _CHUNK
        elif not pending and (left <= 0 or (inflater is not None and inflater.eof)):
            break
    if made != info.file_size or (inflater is not None and not inflater.eof):
        raise InputError(
            f"{path}: {what} is corrupted (it ends after {made:,} of the {info.file_size:,} "
            "bytes its zip entry declares)"
        )


# --- workbook structure ----------------------------------------------------------------------

_ATTR = re.compile(rb"""([^\s=<>/"']+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_SHEET_TAG = re.compile(rb"<(?:[^\s<>/!?:]+:)?sheet\b([^>]*)>")
_REL_TAG = re.compile(rb"<(?:[^\s<>/!?:]+:)?Relationship\b([^>]*)>")


def _attrs(text: bytes) -> dict[bytes, bytes]:
    """Attributes of one tag as raw bytes; a repeated name keeps its last value, as the
    native reader does."""
    return {
        m.group(1): m.group(2) if m.group(2) is not None else m.group(3)
        for m in _ATTR.finditer(text)
    }


@dataclass
class Workbook:
    """An xlsx workbook's parts as its zip directory lists them, and where each sheet is."""

    path: Path
    parts: dict[str, list[zipfile.ZipInfo]]  # lower-case part name -> entries with that name
    sheets: dict[str, str] = field(default_factory=dict)  # sheet name -> lower-case part name
    verdicts: dict[str, InputError | None] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def part(self, name: str, what: str) -> zipfile.ZipInfo | None:
        """The single entry of a part (looked up ignoring case, as the native reader does)."""
        entries = self.parts.get(name.lower())
        if not entries:
            return None
        if len(entries) > 1:
            raise InputError(f"{self.path}: the zip holds {what} ({entries[0].filename}) twice")
        return entries[0]

    def read_small(self, name: str, what: str) -> bytes | None:
        """A small structural part (workbook, relationships) whole, refused if it declares
        entities."""
        info = self.part(name, what)
        if info is None:
            return None
        data = read_member(self.path, info, what, limits.MAX_XML_PART_BYTES)
        _check_prolog(self.path, what, data[:65536])
        return data


def open_checks(path: Path) -> Workbook | None:
    """The checks due before the native reader opens a workbook, and its structure (xlsx).

    The reader parses the workbook part, its relationships, the styles and all the shared
    strings at once when it opens a workbook; their declared sizes are bounded here and their
    prologs must declare no entities. Legacy .xls and .ods files get the file bound only
    (calamine bounds an ODS sheet itself).
    """
    st = check_regular_file(path)
    return _workbook(str(path), st.st_mtime_ns, st.st_size)


_CACHE: OrderedDict[tuple[str, int, int], Workbook | None] = OrderedDict()
_CACHE_LOCK = threading.Lock()


def _workbook(path: str, mtime: int, size: int) -> Workbook | None:
    """The structure of a workbook, read once per version of the file (detection, reading and
    the reading threads all ask for it)."""
    key = (path, mtime, size)
    with _CACHE_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    wb = _read_structure(Path(path))
    with _CACHE_LOCK:
        _CACHE[key] = wb
        while len(_CACHE) > 8:
            _CACHE.popitem(last=False)
    return wb


def _read_structure(path: Path) -> Workbook | None:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return None  # not a zip (.xls): the native reader's own errors apply
    parts: dict[str, list[zipfile.ZipInfo]] = {}
    for info in infos:
        parts.setdefault(info.filename.lower(), []).append(info)
    wb = Workbook(path, parts)
    if "content.xml" in parts and "xl/workbook.xml" not in parts:
        info = wb.part("content.xml", "the spreadsheet content (content.xml)")
        if info is not None:
            _check_declared(
                path, info, "the spreadsheet content (content.xml)", limits.MAX_XML_PART_BYTES
            )
        return None
    if "xl/workbook.xml" not in parts:
        return None
    for name, what in _OPEN_PARTS.items():
        info = wb.part(name, f"{what} ({name})")
        if info is not None:
            _check_declared(path, info, f"{what} ({info.filename})", limits.MAX_XML_PART_BYTES)
    _check_open_prolog(wb)
    wb.sheets = _sheet_parts(wb)
    return wb


def _check_open_prolog(wb: Workbook) -> None:
    """Styles and shared strings may be large: only their start is read, for a DOCTYPE."""
    for name in ("xl/sharedstrings.xml", "xl/styles.xml"):
        info = wb.part(name, _OPEN_PARTS[name])
        if info is not None:
            what = f"{_OPEN_PARTS[name]} ({info.filename})"
            head = next(
                iter_member(wb.path, info, what, limits.MAX_XML_PART_BYTES, first=65536), b""
            )
            _check_prolog(wb.path, what, head)


def _check_prolog(path: Path, what: str, head: bytes) -> None:
    """Refuse a part whose XML declares a DTD: entity declarations are how XML is made to
    expand into gigabytes or to read other files, and no spreadsheet program writes them."""
    at = head.find(b"<!DOCTYPE")
    if at < 0:
        at = head.find(b"<!ENTITY")
    if at >= 0:
        if b"<!ENTITY" in head[at:]:
            raise InputError(f"{path}: {what} declares XML entities, which are refused")
        raise InputError(f"{path}: {what} declares an XML DOCTYPE, which is refused")


def _sheet_parts(wb: Workbook) -> dict[str, str]:
    """Sheet name -> part name, resolved the way the native reader resolves them."""
    rels_xml = wb.read_small("xl/_rels/workbook.xml.rels", "the workbook relationships") or b""
    targets = {}
    for m in _REL_TAG.finditer(rels_xml):
        a = _attrs(m.group(1))
        if b"Id" in a and b"Target" in a:
            targets[a[b"Id"]] = a[b"Target"].decode("utf-8", "replace")
    book = wb.read_small("xl/workbook.xml", "the workbook part") or b""
    sheets: dict[str, str] = {}
    for m in _SHEET_TAG.finditer(book):
        a = _attrs(m.group(1))
        rid = a.get(b"r:id", a.get(b"relationships:id"))
        name = unescape(a.get(b"name", b"").decode("utf-8", "replace"))
        if name in sheets or rid not in targets:
            continue
        target = targets[rid]
        if target.startswith("/xl/"):
            target = target[1:]
        elif not target.startswith("xl/"):
            target = "xl/" + target
        sheets[name] = target.lower()
    return sheets


def check_sheets_total(path: Path, sheets: list[str]) -> None:
    """Refuse a workbook whose sheets to read, with its shared strings, inflate beyond
    `limits.MAX_WORKBOOK_XML_BYTES` together, from the zip directory alone."""
    st = check_regular_file(path)
    wb = _workbook(str(path), st.st_mtime_ns, st.st_size)
    if wb is None:
        return
    names = {wb.sheets[s] for s in sheets if s in wb.sheets} | {"xl/sharedstrings.xml"}
    total = sum(e.file_size for n in names for e in wb.parts.get(n, []))
    if total > limits.MAX_WORKBOOK_XML_BYTES:
        raise InputError(
            f"{path}: the {len(sheets)} sheet(s) to read and the shared strings would inflate "
            f"to {total:,} bytes; the limit is {limits.MAX_WORKBOOK_XML_BYTES:,} bytes per "
            "workbook"
        )


def sheet_xml_sizes(path: Path, sheets: list[str]) -> dict[str, int]:
    """Sheet name -> bytes its XML inflates to, from the zip directory (0 where unknown, as
    for .xls and .ods): how much memory reading a sheet will take grows with it."""
    st = check_regular_file(path)
    wb = _workbook(str(path), st.st_mtime_ns, st.st_size)
    if wb is None:
        return dict.fromkeys(sheets, 0)
    return {s: sum(e.file_size for e in wb.parts.get(wb.sheets.get(s, ""), [])) for s in sheets}


# --- sheet XML -------------------------------------------------------------------------------


def check_sheet(path: Path, sheet: str) -> None:
    """Refuse a sheet before the native reader parses it (see the module docstring).

    The verdict is kept, so detection, reading and a second look at the same sheet cost one
    scan; formats without sheet XML (.xls, .ods) pass here.
    """
    st = check_regular_file(path)
    wb = _workbook(str(path), st.st_mtime_ns, st.st_size)
    if wb is None:
        return
    with wb.lock:
        if sheet in wb.verdicts:
            verdict = wb.verdicts[sheet]
        else:
            verdict = wb.verdicts[sheet] = _verdict(wb, sheet)
    if verdict is not None:
        raise verdict


def _verdict(wb: Workbook, sheet: str) -> InputError | None:
    try:
        _scan_sheet(wb, sheet)
    except InputError as exc:
        return exc
    return None


def _scan_sheet(wb: Workbook, sheet: str) -> None:
    where = f"sheet '{sheet}'"
    part = wb.sheets.get(sheet)
    if part is None:
        raise InputError(
            f"{wb.path}: {where} is listed by the workbook but cannot be found among its parts"
        )
    info = wb.part(part, f"the part of {where}")
    if info is None:
        raise InputError(
            f"{wb.path}: {where} is listed by the workbook but its part ({part}) is missing "
            "from the file"
        )
    what = f"{where} ({info.filename})"
    scan = _SheetScan(wb.path, where)
    if scan.quick(iter_member(wb.path, info, what, limits.MAX_XML_PART_BYTES)):
        return
    if info.file_size > _EXACT_SCAN_BYTES:
        raise InputError(
            f"{wb.path}: {where} {scan.odd}, and at {info.file_size:,} bytes it is too large "
            "to be measured cell by cell; open it in a spreadsheet program and save it again"
        )
    scan.exact(iter_member(wb.path, info, what, limits.MAX_XML_PART_BYTES))


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def column_letters(n: int) -> str:
    """1 -> 'A', 16384 -> 'XFD'."""
    out = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def _position(ref: bytes) -> tuple[int, int] | None:
    """(row, column), 1-based, of a cell reference read as the native reader reads it: digits
    at the end, letters of either case before them; None where it would refuse the reference
    (it then fails the sheet, which is safe)."""
    m = re.fullmatch(rb"([A-Za-z]+)([0-9]+)", ref)
    if m is None or int(m.group(2)) == 0:
        return None
    return int(m.group(2)), _column_number(m.group(1))


def _number_upto(n: int) -> bytes:
    """A regular expression for the decimal numbers 1..n, written without leading zeros."""
    return _upto(str(n), "0123456789", "1").encode()


def _letters_upto(n: int) -> bytes:
    """A regular expression for the upper-case column names A..column_letters(n)."""
    return _upto(column_letters(n), "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "A").encode()


def _upto(bound: str, alphabet: str, first: str) -> str:
    """Words of 1..len(bound) symbols of `alphabet` (the first one at least `first`) that
    are at most `bound`, a shorter word being always smaller: numbers, and column names.

    Written as a tree of shared prefixes, so the regular expression engine never backtracks
    over alternatives; that makes the per-cell check of the quick scan about 12 % cheaper.
    """
    return f"(?:{_tree(bound, alphabet, first)})"


def _tree(bound: str, alphabet: str, first: str) -> str:
    low, high, k, head = alphabet[0], alphabet[-1], len(bound), bound[0]

    def span(a: str, b: str) -> str:
        return a if a == b else f"[{a}-{b}]"

    def any_of(count: int) -> str:
        return f"[{low}-{high}]{{0,{count}}}" if count > 0 else ""

    alts = []
    if head > first:
        alts.append(span(first, chr(ord(head) - 1)) + any_of(k - 1))
    alts.append(head + (f"(?:{_tree(bound[1:], alphabet, low)})?" if k > 1 else ""))
    if head < high and k > 1:
        alts.append(span(chr(ord(head) + 1), high) + any_of(k - 2))
    return "|".join(alts)


@lru_cache(maxsize=64)
def _unusual_cells(prefix: bytes, rows: int, columns: int) -> re.Pattern[bytes]:
    """Tags starting with "<c" (with the sheet's own namespace prefix) other than a cell tag
    whose first attribute is a reference inside rows x columns: the only tags the quick scan
    has to look at."""
    box = _letters_upto(columns) + _number_upto(rows)
    return re.compile(b"<" + re.escape(prefix) + b'c(?! r="' + box + b'")')


#: Any tag, quote-aware: name, attributes, and "/" when it closes itself.
_TAG = re.compile(rb"""<([^\s<>/!?]+)((?:\s+[^\s=<>/]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(/?)>""")
#: What decides whether a cell holds a value: its first <v> or <is> child, or its end.
_CELL_CONTENT = re.compile(
    rb"<(?:[^\s<>/!?:]+:)?(v|is)(?=[\s/>])[^>]*?(/?)>|</(?:[^\s<>/!?:]+:)?c\s*>"
)
#: An entity reference XML does not predefine (or a bare "&").
_BAD_ENTITY = re.compile(rb"&(?!(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6});)")
#: The root element and the dimension, from the first chunk of a sheet.
_ROOT = re.compile(rb"<(?![?!])([^\s<>/:]+:)?[^\s<>/:]+[\s>/]")
_DIMENSION = re.compile(rb"""<(?:[^\s<>/!?:]+:)?dimension\s+ref\s*=\s*["']([^"']*)["']""")
#: Tokens of the cell-by-cell measure.
_TOKEN = re.compile(rb"<(/?)(?:[^\s<>/!?:]{1,64}:)?(c|row|v|is)(?=[\s/>])")

_MORE = -1  # a handler's answer: the tag goes on in the next chunk
#: Longest tag or cell the scan waits for across chunks; real ones are a few hundred bytes.
_MAX_CARRY = 4 * 1024**2


def _stream(chunks: Iterator[bytes], judge, path: Path, where: str) -> bool:
    """Feed `judge(buf, stop)` the inflated XML chunk by chunk; it judges what starts before
    `stop` and returns where the next chunk must take over (the start of a tag cut in two).
    Returns False when there was no XML at all."""
    carry, seen = b"", False
    for chunk, final in _with_last(chunks):
        seen = True
        buf = carry + chunk
        stop = len(buf)
        if not final:
            stop -= _TAIL
            lt = buf.rfind(b"<", max(0, stop - 256), stop)
            stop = lt if lt >= 0 else stop  # no tag straddles the boundary
        cut = judge(buf, stop)
        if cut is None:
            return True
        carry = buf[cut:]
        if len(carry) > _MAX_CARRY:
            raise InputError(
                f"{path}: {where} has a tag or cell longer than {_MAX_CARRY:,} bytes, which is "
                "refused"
            )
    return seen


class _SheetScan:
    """Passes over one sheet's XML: quick (box from the dimension) or exact (every cell)."""

    def __init__(self, path: Path, where: str) -> None:
        self.path, self.where = path, where
        self.odd = ""  # why the quick scan cannot vouch for the sheet
        self.prefix = b""
        self.rows = self.columns = 0
        self.pattern: re.Pattern[bytes] | None = None

    def refuse(self, text: str) -> InputError:
        return InputError(f"{self.path}: {self.where} {text}")

    # quick scan ---------------------------------------------------------------------------

    def quick(self, chunks: Iterator[bytes]) -> bool:
        """True when every cell lies in a box within the limits; raises for a cell beyond
        Excel's limits or for entities; False when the exact measure must decide."""
        if not _stream(chunks, self._quick_chunk, self.path, self.where):
            raise self.refuse("is empty (its part holds no XML)")
        return not self.odd

    def _start(self, buf: bytes) -> re.Pattern[bytes]:
        """Namespace prefix, declared dimension and the box the quick scan checks against:
        the declared columns, and as many rows as the cell limit leaves (LibreOffice declares
        a million rows it does not fill)."""
        data = buf.find(b"sheetData")
        head = buf[: data if data >= 0 else 65536]
        root = _ROOT.search(buf)
        self.prefix = (root.group(1) or b"") if root else b""
        dim = _DIMENSION.search(head)
        end = _position(dim.group(1).split(b":")[-1].strip()) if dim else None
        self.columns = end[1] if end and end[1] <= limits.MAX_COLUMNS else _DEFAULT_COLUMNS
        self.rows = min(limits.MAX_ROWS, limits.MAX_SHEET_CELLS // self.columns)
        return _unusual_cells(self.prefix, self.rows, self.columns)

    def _quick_chunk(self, buf: bytes, stop: int) -> int | None:
        """Judge the tags starting before `stop`; returns where the next chunk takes over, or
        None once the exact measure has to decide."""
        if self.pattern is None:
            data = buf.find(b"sheetData")
            _check_prolog(self.path, self.where, buf[: data if data >= 0 else 65536])
            self.pattern = self._start(buf)
        self._markup(buf, stop)
        cut = stop
        pos = 0
        while True:
            m = self.pattern.search(buf, pos)
            if m is None or m.start() >= stop:
                break
            pos = self._unusual(buf, m.start())
            if pos == _MORE:
                cut = m.start()
                break
        if not self.odd:
            cut = min(cut, self._foreign_cells(buf, stop))
        return None if self.odd else cut

    def _markup(self, buf: bytes, stop: int) -> None:
        """Entities nobody defined: the native reader reads a number cell holding one as
        empty, a value lost without a word. (Entity declarations can only sit in the
        prolog, checked once; the reader never expands one, so any use is caught here.)"""
        if buf.find(b"&", 0, stop) < 0:
            return
        bad = _BAD_ENTITY.search(buf, 0, stop + 16)
        if bad is not None and bad.start() < stop:
            name = buf[bad.start() : bad.start() + 40].split(b";")[0].decode("utf-8", "replace")
            if re.fullmatch(r"&[A-Za-z_][\w.-]*", name):
                raise self.refuse(
                    f"uses the XML entity '{name};', which is not defined (a number cell "
                    "holding it would be read as empty)"
                )
            raise self.refuse("is not well-formed XML (a bare '&')")

    def _foreign_cells(self, buf: bytes, stop: int) -> int:
        """Cell tags with another namespace prefix than the sheet's own (the native reader
        ignores prefixes): rare, so found with a plain byte search and judged one by one.
        Returns where the next chunk must take over."""
        # bytes.find is memchr-fast for one byte and several times slower for two; in a sheet
        # without prefixes ":" is rare (one or two per row), so it is the needle there.
        needle = b"<c" if self.prefix else b":"
        at = buf.find(needle, 0, stop)
        while at >= 0 and not self.odd:
            if self.prefix or buf[at + 1 : at + 2] == b"c":
                start = at if self.prefix else buf.rfind(b"<", max(0, at - 80), at)
                closing = start < 0 or buf[start + 1 : start + 2] == b"/"
                if not closing and self._unusual(buf, start) == _MORE:
                    return start
            at = buf.find(needle, at + 1, stop)
        if self.prefix and not self.odd:
            own = buf.count(b"<" + self.prefix + b"c", 0, stop)
            own += buf.count(b"</" + self.prefix + b"c", 0, stop)
            if buf.count(b":c", 0, stop) != own:
                self.odd = "has cell tags with several namespace prefixes"
        return stop

    def _unusual(self, buf: bytes, at: int) -> int:
        """Judge one tag the box pattern did not vouch for; returns where to go on."""
        tag = _TAG.match(buf, at)
        if tag is None:
            return _MORE if buf.find(b">", at) < 0 else at + 2  # not a tag the reader takes
        if tag.group(1).split(b":")[-1] != b"c":
            return tag.end()
        # A repeated attribute is an XML error for the native reader, so the one r is it.
        ref = _attrs(tag.group(2)).get(b"r")
        if ref is None:
            self.odd = "has cells without a reference (placed by counting)"
            return tag.end()
        pos = _position(ref)
        if pos is None or tag.group(3):
            return tag.end()  # a reference the reader refuses, or an empty cell
        valued = _has_value(buf, tag.end())
        if valued is None:
            return _MORE
        if valued:
            self._cell(ref, *pos)
        return tag.end()

    def _cell(self, ref: bytes, row: int, col: int) -> None:
        """A cell with a value outside the box: refused beyond Excel's limits, else left to
        the exact measure (the declared dimension was wrong)."""
        text = ref.decode("ascii", "replace")
        _check_excel_limits(self.refuse, text, row, col)
        if row > self.rows or col > self.columns:
            self.odd = f"has values outside its declared dimension (first in {text[:24]})"

    # exact measure ------------------------------------------------------------------------

    def exact(self, chunks: Iterator[bytes]) -> None:
        """Place every cell with a value as the native reader does (its reference, else the
        running row and column) and refuse the sheet if the rectangle from A1 to the
        furthest one is beyond the limits."""
        state = _Counters(self.refuse)

        def judge(buf: bytes, stop: int) -> int:
            self._markup(buf, stop)
            return state.feed(buf, stop)

        _stream(chunks, judge, self.path, self.where)
        rows, cols = state.max_row, state.max_col
        if rows * cols > limits.MAX_SHEET_CELLS:
            raise self.refuse(
                f"spans {cols:,} columns x {rows:,} rows ({rows * cols:,} cells, A1 to "
                f"{column_letters(cols)}{rows}); the limit is {limits.MAX_SHEET_CELLS:,} "
                "cells per sheet"
            )


class _Counters:
    """Where the native reader puts cells: a reference wins, else the running row and
    column (1-based here)."""

    def __init__(self, refuse) -> None:
        self.refuse = refuse
        self.row = self.col = 1
        self.max_row = self.max_col = 0
        self.cell: tuple[int, int] | None = None
        self.valued = False

    def feed(self, buf: bytes, stop: int) -> int:
        """Account for the tags starting before `stop`; returns where to take over."""
        pos = 0
        while True:
            m = _TOKEN.search(buf, pos)
            if m is None or m.start() >= stop:
                return stop
            if m.group(1):
                pos = self._closing(m)
                continue
            tag = _TAG.match(buf, m.start())
            if tag is None:
                if buf.find(b">", m.start()) < 0:
                    return m.start()
                pos = m.end()
                continue
            pos = self._opening(buf, m.group(2), tag)

    def _closing(self, m: re.Match[bytes]) -> int:
        if m.group(2) == b"row":
            self.row, self.col = self.row + 1, 1
        elif m.group(2) == b"c" and self.cell is not None:
            self._close_cell()
        return m.end()

    def _opening(self, buf: bytes, name: bytes, tag: re.Match[bytes]) -> int:
        attrs, empty = _attrs(tag.group(2)), bool(tag.group(3))
        ref = attrs.get(b"r")
        if name == b"row":
            digits = re.search(rb"[0-9]+$", ref) if ref else None
            if digits:
                self.row = int(digits.group())
            if empty:
                self.row, self.col = self.row + 1, 1
        elif name == b"c":
            pos = _position(ref) if ref is not None else (self.row, self.col)
            if pos is not None:
                self.cell, self.valued, self.col = pos, False, pos[1]
                if empty:
                    self._close_cell()
        elif self.cell is not None and not empty:
            following = buf[tag.end() : tag.end() + 1]
            self.valued = self.valued or name == b"is" or following not in (b"<", b"")
        return tag.end()

    def _close_cell(self) -> None:
        assert self.cell is not None
        row, col = self.cell
        if self.valued:
            _check_excel_limits(self.refuse, f"{column_letters(col)}{row}", row, col)
            self.max_row, self.max_col = max(self.max_row, row), max(self.max_col, col)
        self.col, self.cell = col + 1, None


def _has_value(buf: bytes, at: int) -> bool | None:
    """Whether the cell whose start tag ends at `at` holds a value (a non-empty <v> or an
    <is>); None when its content goes on in the next chunk."""
    while True:
        m = _CELL_CONTENT.search(buf, at)
        if m is None:
            return None
        if m.group(1) is None:
            return False  # </c> first: no value
        if m.group(1) == b"is":
            return True
        if not m.group(2) and buf[m.end() : m.end() + 1] not in (b"<", b""):
            return True
        if m.end() >= len(buf):
            return None
        at = m.end()


def _check_excel_limits(refuse, ref: str, row: int, col: int) -> None:
    """Refuse a value beyond the last column or row Excel can hold."""
    if col > limits.MAX_COLUMNS:
        raise refuse(
            f"has a value in cell {ref[:24]} (column {col:,}); the limit is "
            f"{limits.MAX_COLUMNS:,} columns (XFD, Excel's maximum)"
        )
    if row > limits.MAX_ROWS:
        raise refuse(
            f"has a value in cell {ref[:24]} (row {row:,}); the limit is "
            f"{limits.MAX_ROWS:,} rows (Excel's maximum)"
        )


def _with_last(chunks: Iterator[bytes]) -> Iterator[tuple[bytes, bool]]:
    """Each chunk with whether it is the last one."""
    previous: bytes | None = None
    for chunk in chunks:
        if previous is not None:
            yield previous, False
        previous = chunk
    if previous is not None:
        yield previous, True
