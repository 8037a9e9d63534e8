"""Reading a page's heatmap as a user would: each department's cells, their words, their
n and interval, their colour class and what a screen reader says (stdlib parser only)."""

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Cell:
    value: str = ""
    detail: str = ""
    classes: str = ""
    label: str = ""
    link: str = ""


@dataclass
class _Reader(HTMLParser):
    rows: dict[str, list[Cell]] = field(default_factory=dict)
    _in_table: bool = False
    _row_name: list[str] | None = None
    _in_row_header: bool = False
    _cell: Cell | None = None
    _spans: list[str] = field(default_factory=list)  # the classes of the open spans

    def __post_init__(self) -> None:
        super().__init__()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "table" and "heatmap" in found.get("class", "").split():
            self._in_table = True
        if not self._in_table:
            return
        if tag == "tr":
            self._row_name = []
        elif tag == "th" and found.get("scope") == "row":
            self._in_row_header = True
        elif tag == "td":
            self._cell = Cell(classes=found.get("class", ""))
        elif self._cell is not None and "cell" in found.get("class", "").split():
            self._cell.label = found.get("aria-label") or found.get("title", "")
            self._cell.link = found.get("href", "")
        elif tag == "span" and (self._cell is not None or self._in_row_header):
            self._spans.append(found.get("class", ""))

    def handle_endtag(self, tag: str) -> None:
        if not self._in_table:
            return
        if tag == "table":
            self._in_table = False
        elif tag == "th":
            self._in_row_header = False
        elif tag == "td" and self._cell is not None and self._row_name is not None:
            name = "".join(self._row_name).strip()
            self.rows.setdefault(name, []).append(self._cell)
            self._cell = None
        elif tag == "span" and self._spans:
            self._spans.pop()

    def handle_data(self, data: str) -> None:
        if self._in_row_header and self._row_name is not None and not self._spans:
            self._row_name.append(data)
        # What a sighted user reads: the text outside screen-reader-only spans.
        if self._cell is None or "sr-only" in self._spans:
            return
        part = self._spans[-1] if self._spans else ""
        if part == "v":
            self._cell.value += data
        elif part == "n":
            self._cell.detail += (" · " if self._cell.detail else "") + data

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def heatmap_rows(page: str) -> dict[str, list[Cell]]:
    """Department name -> its cells, in the heatmap's column order."""
    reader = _Reader()
    reader.feed(page)
    return reader.rows
