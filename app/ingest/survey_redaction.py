"""A survey export without what identifies people: the e-mails, names, addresses, phone
numbers, IP addresses, locations and respondent ids a tool writes beside the answers. An
upload is kept this way for its preview; the columns stay (so the layout reads the same),
their cells are emptied, keeping any line breaks so every line and row keeps its number."""

import csv
import re
from pathlib import Path

from app.ingest.survey_layout import Column
from app.ingest.survey_plan import SurveyOptions, open_survey_chunks
from app.ingest.tabular import XLSX, normalise_header

_IDENTITY_KEYS = {
    "email", "e-mail", "emailaddress", "ipaddress", "ip", "ipaddr", "name", "firstname",
    "lastname", "fullname", "name_first", "name_last", "first_name", "last_name", "recipient",
    "recipientlastname", "recipientfirstname", "recipientemail", "externalreference",
    "externaldatareference", "locationlatitude", "locationlongitude", "latitude", "longitude",
    "address", "telephone", "phone", "phonenumber", "deviceid", "subscriberid", "simserial",
    "username", "respondentid", "responseid", "_uuid", "meta/instanceid", "token", "refurl",
    "referrerurl", "gps", "_recordid",
}  # fmt: skip
_IDENTITY_PATTERN = re.compile(r"^(customdata|_gps_|telephone_|e-?mail)")


def is_identifying(column: Column) -> bool:
    """A column that says who answered (or from where), never what they said."""
    keys = [normalise_header(n) for n in column.names if n]
    return any(k in _IDENTITY_KEYS or _IDENTITY_PATTERN.match(k) for k in keys)


def _emptied(cell: str) -> str:
    """Nothing of the cell but its line breaks, so the file keeps its line numbers."""
    return "\n" * (cell.count("\n") + cell.count("\r") - cell.count("\r\n"))


def redact_survey_file(path: Path, out: Path, file_name: str) -> int:
    """Write the export to `out` with every identifying column's data cells emptied (a CSV,
    or a workbook for a workbook); returns how many columns were emptied."""
    dialect, layout, chunks = open_survey_chunks(path, SurveyOptions(), file_name)
    emptied = [c.index for c in layout.columns if is_identifying(c)]
    header = _header_rows(path, file_name, layout.header_rows)
    if dialect.encoding == XLSX:
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet()
        for cells in header:
            sheet.append(cells)
        for chunk in chunks:
            for cells in chunk.cells:
                sheet.append(_without(cells, emptied))
        book.save(out)
        return len(emptied)
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=dialect.delimiter, lineterminator="\r\n")
        writer.writerows(header)
        for chunk in chunks:
            writer.writerows(_without(cells, emptied) for cells in chunk.cells)
    return len(emptied)


def _without(cells: list[str], emptied: list[int]) -> list[str]:
    if not emptied:
        return cells
    kept = list(cells)
    for index in emptied:
        if index < len(kept) and kept[index]:
            kept[index] = _emptied(kept[index])
    return kept


def _header_rows(path: Path, file_name: str, count: int) -> list[list[str]]:
    from app.ingest.tabular import iter_rows

    header: list[list[str]] = []
    for row in iter_rows(path, display_name=file_name):
        if len(header) == count:
            break
        header.append(row.cells)
    return header
