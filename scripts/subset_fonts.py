"""Make the report fonts in reports/fonts from the full DejaVu Sans files.

The report ships DejaVu Sans 2.37 (Bitstream Vera licence, reports/fonts/LICENSE-DejaVu.txt)
cut down to the scripts an inventory is written in: Latin with all its extensions and
IPA, Greek, Cyrillic, and the punctuation, currency, arrow, maths and symbol blocks. The
full files hold about 6,000 glyphs each and WeasyPrint reads and subsets every font it uses
for each PDF; with the cut fonts that takes half a second less per report (benchmarks
README) and the package is 2 MB smaller. Characters outside these blocks (CJK, Arabic,
Hebrew) are still drawn, from a system font, when the machine has one.

Usage (the source is Debian's fonts-dejavu-core, or the files from dejavu-fonts.github.io)::

    .venv/bin/python scripts/subset_fonts.py /usr/share/fonts/truetype/dejavu
"""

from __future__ import annotations

import argparse
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

FONTS = (
    "DejaVuSans.ttf",
    "DejaVuSans-Bold.ttf",
    "DejaVuSans-Oblique.ttf",
    "DejaVuSansCondensed.ttf",
    "DejaVuSansCondensed-Bold.ttf",
)

#: Unicode blocks kept (first, last code point).
BLOCKS = (
    (0x0020, 0x007E),  # Basic Latin
    (0x00A0, 0x024F),  # Latin-1 Supplement, Latin Extended-A and -B
    (0x0250, 0x02FF),  # IPA extensions, spacing modifier letters
    (0x0300, 0x036F),  # combining diacritical marks
    (0x0370, 0x03FF),  # Greek
    (0x0400, 0x052F),  # Cyrillic and its supplement
    (0x1E00, 0x1EFF),  # Latin Extended Additional
    (0x2000, 0x206F),  # general punctuation: dashes, quotes, ellipsis, bullets
    (0x2070, 0x209F),  # super- and subscripts
    (0x20A0, 0x20CF),  # currency symbols
    (0x2100, 0x218F),  # letterlike symbols, number forms
    (0x2190, 0x23FF),  # arrows, mathematical operators, technical symbols
    (0x2460, 0x24FF),  # enclosed alphanumerics
    (0x2500, 0x25FF),  # box drawing, block elements, geometric shapes
    (0x2600, 0x27BF),  # miscellaneous symbols, dingbats (check marks, warning sign)
    (0xFB00, 0xFB06),  # Latin ligatures
    (0xFFFD, 0xFFFD),  # replacement character
)


def subset_font(source: Path, target: Path) -> None:
    """Keep BLOCKS, every layout feature (kerning, ligatures, marks) and the names."""
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False  # WeasyPrint drops hinting when it embeds a font
    options.legacy_kern = True
    options.drop_tables += ["FFTM"]
    font = TTFont(source)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[u for first, last in BLOCKS for u in range(first, last + 1)])
    subsetter.subset(font)
    font.save(target)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="folder with the full DejaVu TTF files")
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parent.parent / "reports" / "fonts"
    )
    args = parser.parse_args(argv)
    for name in FONTS:
        subset_font(args.source / name, args.out / name)
        print(f"{name}: {(args.out / name).stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
