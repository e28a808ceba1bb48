"""The one CSV writer of every export (console tickets, SLA reports):
UTF-8 with a BOM for Excel, and every cell defused against formula
injection, so no export can forget it."""

import csv
from decimal import Decimal

# Characters that make a spreadsheet read a cell as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """The cell as text, with a leading quote where a spreadsheet would
    otherwise run it as a formula (CSV injection). Numbers stay numbers:
    only text that starts like a formula is touched."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        return str(value)
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


class SafeWriter:
    """csv.writer whose rows go through safe_cell."""

    def __init__(self, out):
        self._writer = csv.writer(out)

    def writerow(self, row) -> None:
        self._writer.writerow([safe_cell(cell) for cell in row])

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)


def writer(out) -> SafeWriter:
    """A SafeWriter on `out` (a file or an HttpResponse), after the BOM
    Excel needs to read UTF-8."""
    out.write("\ufeff")
    return SafeWriter(out)
