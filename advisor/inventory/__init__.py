"""Import: any inventory file into canonical tables (see `schema`), with a record of how.

`load_inventory` is the one entry point; `detect` picks the format module.
"""

from advisor.inventory.detect import FORMATS, detect_format, load_inventory
from advisor.inventory.schema import Inventory, Source

__all__ = ["FORMATS", "Inventory", "Source", "detect_format", "load_inventory"]
