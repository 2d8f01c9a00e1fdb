"""The one error an import raises for bad input, naming the file, line and field at fault."""
from work.lifecycle import JobFailed


class ImportFailed(JobFailed):
    """Bad or unreadable input. The import is rolled back and the job shows this message."""

    def __init__(self, problem: str, *, file: str | None = None, line: int | None = None,
                 field: str | None = None):
        self.problem = problem
        self.file = file
        self.line = line
        self.field = field
        super().__init__(str(self))

    def __str__(self) -> str:
        where = [part for part in (
            self.file,
            f"line {self.line}" if self.line is not None else None,
            f"field {self.field}" if self.field else None,
        ) if part]
        return f"{', '.join(where)}: {self.problem}" if where else self.problem
