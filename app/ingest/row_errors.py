"""Collecting bad rows so a file is refused with every problem named at once."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RowError:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", {self.field}" if self.field else "")
        return f"{where}: {self.message}"


@dataclass
class RowErrors:
    file_name: str
    errors: list[RowError] = field(default_factory=list)

    def add(self, line: int, field_name: str, message: str) -> None:
        self.errors.append(RowError(line, field_name, message))

    def __bool__(self) -> bool:
        return bool(self.errors)

    def report(self, limit: int = 50) -> str:
        lines = [f"{self.file_name}: {len(self.errors)} bad row(s), nothing imported:"]
        lines += [f"  {e}" for e in self.errors[:limit]]
        if len(self.errors) > limit:
            lines.append(f"  ... and {len(self.errors) - limit} more")
        return "\n".join(lines)


class ImportRefused(ValueError):
    """A file with bad rows, refused whole; `errors` names each one."""

    def __init__(self, errors: RowErrors) -> None:
        super().__init__(errors.report())
        self.errors = errors
