"""Generators of hostile workbooks and CSV zips, written byte by byte into a test's folder.

Nothing binary is committed: each case is made here from hand-written sheet XML and a small
zip writer that can also state sizes a member does not have (a lying header) or hold a
deflate stream that was never produced by compressing its content (a zip bomb of a GB made
in milliseconds, from one literal and a run of back-references).
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
VINFO_HEADERS = ("VM", "Powerstate", "CPUs", "Memory")


# --- sheet XML ---------------------------------------------------------------------------------


def cell(ref: str | None, value: object) -> str:
    """One cell: text inline, numbers as numbers; `ref` None leaves the position to counting."""
    at = f' r="{ref}"' if ref else ""
    if isinstance(value, str):
        return f'<c{at} t="inlineStr"><is><t>{value}</t></is></c>'
    return f"<c{at}><v>{value}</v></c>"


def row(number: int | None, *cells: str) -> str:
    at = f' r="{number}"' if number is not None else ""
    return f"<row{at}>{''.join(cells)}</row>"


def vinfo_rows(vms: int = 2) -> list[str]:
    """A header and `vms` rows of a minimal vInfo tab, as row XML."""
    letters = "ABCD"
    rows = [row(1, *(cell(f"{c}1", h) for c, h in zip(letters, VINFO_HEADERS, strict=True)))]
    for i in range(vms):
        n = i + 2
        values = (f"vm{i:03d}", "poweredOn", 2, 4096)
        rows.append(row(n, *(cell(f"{c}{n}", v) for c, v in zip(letters, values, strict=True))))
    return rows


def sheet_xml(rows: Iterable[str], dimension: str | None = None, prolog: str = XML_DECL) -> str:
    """A worksheet part around `rows`, with a declared dimension when given."""
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    body = "".join(rows)
    return f'{prolog}<worksheet xmlns="{MAIN_NS}">{dim}<sheetData>{body}</sheetData></worksheet>'


# --- workbooks -----------------------------------------------------------------------------------


def workbook_parts(names: Sequence[str]) -> dict[str, str]:
    """The parts of an xlsx around sheets `names` (sheet i is xl/worksheets/sheet{i+1}.xml)."""
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(len(names))
    )
    sheets = "".join(
        f'<sheet name="{n}" sheetId="{i + 1}" r:id="rId{i + 1}"/>' for i, n in enumerate(names)
    )
    rels = "".join(
        f'<Relationship Id="rId{i + 1}" Type="{REL_NS}/worksheet" '
        f'Target="worksheets/sheet{i + 1}.xml"/>'
        for i in range(len(names))
    )
    return {
        "[Content_Types].xml": (
            f'{XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
            f'sheet.main+xml"/>{overrides}</Types>'
        ),
        "_rels/.rels": (
            f'{XML_DECL}<Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" '
            f'Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'{XML_DECL}<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>{sheets}'
            "</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'{XML_DECL}<Relationships xmlns="{PKG_REL_NS}">{rels}</Relationships>'
        ),
    }


def write_xlsx(path: Path, sheets: dict[str, str], *, missing: Sequence[str] = ()) -> Path:
    """An xlsx holding `sheets` (name -> worksheet XML); sheets in `missing` are listed by the
    workbook but their part is left out of the zip."""
    names = list(sheets)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in workbook_parts(names).items():
            zf.writestr(name, text)
        for i, name in enumerate(names):
            if name not in missing:
                zf.writestr(f"xl/worksheets/sheet{i + 1}.xml", sheets[name])
    return path


def write_vinfo(path: Path, rows: Iterable[str], dimension: str | None = None) -> Path:
    """A one-sheet workbook whose sheet 'vInfo' holds `rows`."""
    return write_xlsx(path, {"vInfo": sheet_xml(rows, dimension)})


# --- a zip written by hand ----------------------------------------------------------------------


@dataclass
class RawMember:
    """A zip member as stored: its bytes after compression and what its headers declare."""

    name: str
    data: bytes
    size: int  # the uncompressed size the headers declare
    crc: int = 0
    method: int = zipfile.ZIP_DEFLATED


def deflated(name: str, content: bytes) -> RawMember:
    """An honest member: `content` compressed with zlib as a raw deflate stream."""
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    data = packer.compress(content) + packer.flush()
    return RawMember(name, data, len(content), zlib.crc32(content))


def write_raw_zip(path: Path, members: Sequence[RawMember]) -> Path:
    """A zip file of `members` exactly as given (local headers, data, central directory)."""
    out = bytearray()
    central = bytearray()
    for m in members:
        name = m.name.encode()
        offset = len(out)
        fields = (20, 0, m.method, 0, 0x21, m.crc, len(m.data), m.size, len(name), 0)
        out += struct.pack("<4s5H3I2H", b"PK\x03\x04", *fields) + name + m.data
        central += struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, *fields, 0, 0, 0, 0, offset) + name
    end = struct.pack(
        "<4s4H2IH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), len(out), 0
    )
    path.write_bytes(bytes(out + central + end))
    return path


class _Bits:
    """A deflate bit writer: fields least significant bit first, Huffman codes most
    significant bit first."""

    def __init__(self) -> None:
        self.out = bytearray()
        self.acc = 0
        self.n = 0

    def bits(self, value: int, count: int) -> None:
        self.acc |= value << self.n
        self.n += count
        while self.n >= 8:
            self.out.append(self.acc & 0xFF)
            self.acc >>= 8
            self.n -= 8

    def code(self, value: int, count: int) -> None:
        self.bits(int(f"{value:0{count}b}"[::-1], 2), count)

    def align(self) -> None:
        if self.n:
            self.bits(0, 8 - self.n)

    def stored(self, data: bytes, final: bool) -> None:
        """Stored blocks holding `data` (a final empty one when `data` is empty)."""
        pieces = [data[i : i + 65535] for i in range(0, len(data), 65535)] or [b""]
        for i, piece in enumerate(pieces):
            self.bits(1 if final and i == len(pieces) - 1 else 0, 1)
            self.bits(0, 2)
            self.align()
            self.out += struct.pack("<HH", len(piece), len(piece) ^ 0xFFFF) + piece


def _run_pairs(bits: _Bits, count: int) -> None:
    """`count` back-references of length 258 at distance 1 (fixed codes 285 and 0)."""
    for _ in range(count):
        bits.code(0b11000101, 8)
        bits.code(0, 5)


def deflate_run(prefix: bytes, byte: int, groups: int, suffix: bytes) -> tuple[bytes, int]:
    """A raw deflate stream inflating to `prefix`, then one byte repeated
    1 + 258 * (1 + 8 * groups) times, then `suffix`; returns it with its inflated size.

    Eight back-references take 104 bits, a whole number of bytes, so once the stream is
    byte-aligned the same 13 bytes repeat: a GB of output costs 6 MB and no compressing.
    """
    bits = _Bits()
    bits.stored(prefix, final=False)
    bits.bits(0, 1)
    bits.bits(1, 2)  # fixed Huffman block
    bits.code(0x30 + byte, 8)  # the literal (byte < 144)
    _run_pairs(bits, 1)  # 3 + 8 + 13 bits: byte-aligned again
    group = _Bits()
    _run_pairs(group, 8)
    bits.out += bytes(group.out) * groups
    bits.code(0, 7)  # end of block
    bits.stored(suffix, final=True)
    size = len(prefix) + 1 + 258 * (1 + 8 * groups) + len(suffix)
    return bytes(bits.out), size


def xlsx_with_sheet_member(path: Path, member: RawMember) -> Path:
    """A one-sheet workbook ('vInfo') whose sheet part is `member` as given."""
    parts = [deflated(n, t.encode()) for n, t in workbook_parts(["vInfo"]).items()]
    member.name = "xl/worksheets/sheet1.xml"
    return write_raw_zip(path, [*parts, member])


def sheet_bomb(path: Path, inflated: int) -> Path:
    """A workbook whose vInfo sheet honestly declares about `inflated` bytes of XML: a header
    row, then whitespace, never compressed."""
    prefix = sheet_xml(vinfo_rows(1)).split("</sheetData>")[0].encode()
    groups = max(0, (inflated - len(prefix)) // (258 * 8))
    data, size = deflate_run(prefix, 0x20, groups, b"</sheetData></worksheet>")
    return xlsx_with_sheet_member(path, RawMember("", data, size))


def sheet_lying_size(path: Path, declared: int, inflated: int) -> Path:
    """A workbook whose vInfo part declares `declared` bytes but inflates to about
    `inflated`: the header lies."""
    prefix = sheet_xml(vinfo_rows(1)).split("</sheetData>")[0].encode()
    data, _ = deflate_run(prefix, 0x20, inflated // (258 * 8), b"</sheetData></worksheet>")
    return xlsx_with_sheet_member(path, RawMember("", data, declared))


def sheet_corrupt(path: Path) -> Path:
    """A workbook whose vInfo part is not a deflate stream at all (its first block has the
    reserved block type), so inflating it fails at once."""
    good = deflated("", sheet_xml(vinfo_rows(200)).encode())
    good.data = b"\xff" * 16 + good.data
    return xlsx_with_sheet_member(path, good)


# --- CSV ------------------------------------------------------------------------------------------


VINFO_CSV = "VM,Powerstate,CPUs,Memory\r\nvm001,poweredOn,2,4096\r\n"


def csv_zip(path: Path, members: Sequence[RawMember]) -> Path:
    """An RVTools CSV export as a zip of the given members."""
    return write_raw_zip(path, members)


def csv_bomb_member(name: str, inflated: int) -> RawMember:
    """A CSV member honestly declaring about `inflated` bytes: a header, then spaces."""
    data, size = deflate_run(VINFO_CSV.encode(), 0x20, inflated // (258 * 8), b"\r\n")
    return RawMember(name, data, size)


def corrupt_member(name: str, content: bytes) -> RawMember:
    """`content` deflated, then damaged: its first block has the reserved block type."""
    member = deflated(name, content)
    member.data = b"\xff" * 16 + member.data
    return member


def wide_csv(path: Path, columns: int) -> Path:
    """A CSV whose header and one row are `columns` wide."""
    header = ",".join(["Server", "vCPU"] + [f"c{i}" for i in range(columns - 2)])
    values = ",".join(["web01", "2"] + ["x"] * (columns - 2))
    path.write_text(f"{header}\n{values}\n")
    return path
