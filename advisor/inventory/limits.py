"""Bounds on what an inventory file may ask the import to do.

A spreadsheet is a zip of XML parts, and a few bytes of it can claim a sheet of billions of
cells or a part that inflates to gigabytes. The native reader (python-calamine) trusts those
claims: it allocates the whole rectangle a sheet's cells span before it hands back a single
row, and aborts the process when that allocation fails. So every claim is checked against
these bounds first, and a file above one is refused with one line naming the bound.

Calibration: a synthetic RVTools 4.7 export of 100,000 VMs (`benchmarks/make_rvtools.py
100000`, columns and their order from a real 4.6.1 export) is 111 MB on disk. Its largest
sheets are vInfo, A1:CN100001 (92 x 100,001 = 9.2 million cells, 244 MB of XML), and vDisk,
A1:AP200001 (42 x 200,001 = 8.4 million cells, 260 MB of XML); its shared strings are 74 MB
and the parts the import reads add up to 947 MB. Every bound below leaves that export room to
grow (more custom attributes, more disks per VM) and still stops a hostile file before it
costs more than a few seconds and a few GB.
"""

from __future__ import annotations

#: Columns in one sheet or CSV table: Excel's own maximum (column XFD). A value in XFD itself
#: is legal; a reference beyond it cannot come from a spreadsheet program.
MAX_COLUMNS = 16_384

#: Rows in one sheet: Excel's own maximum.
MAX_ROWS = 1_048_576

#: Cells one sheet may span (rows x columns, counted from A1 as the import reads them).
#: 6.5 times the largest sheet of the 100,000-VM export; the native reader needs 32 bytes per
#: cell of the rectangle before the import sees a row, so this caps that at about 2 GB. It
#: also admits a value in column XFD on up to 3,662 rows.
MAX_SHEET_CELLS = 60_000_000

#: Uncompressed size of one XML part the import reads (a sheet, the shared strings). Twice the
#: largest part of the 100,000-VM export (vDisk, 260 MB); a sheet of that size takes the native
#: reader about 5 s, so the bound also caps the time one part can cost.
MAX_XML_PART_BYTES = 512 * 1024**2

#: Uncompressed size of all the XML parts the import reads from one workbook (the sheets it
#: reads plus the shared strings): three times the 947 MB of the 100,000-VM export.
MAX_WORKBOOK_XML_BYTES = 3 * 1024**3

#: Uncompressed size of one CSV file, alone, in a folder or in a zip. An RVTools vInfo of
#: 100,000 VMs as CSV is about 100 MB; the text is decoded and split in memory (several times
#: its size), so the bound is lower than for XML parts.
MAX_CSV_BYTES = 512 * 1024**2

#: Uncompressed size of all the CSV files of one RVTools CSV export (folder or zip).
MAX_CSV_TOTAL_BYTES = 2 * 1024**3

#: Size on disk of the inventory file itself: nine times the 100,000-VM workbook.
MAX_INPUT_BYTES = 1024**3
