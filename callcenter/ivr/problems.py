"""What flow loading and validation report: one :class:`FlowError` per problem, naming ``file:line:column``
and the node; :class:`FlowValidationError` carries them when a flow cannot load."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

__all__ = ["FlowError", "FlowValidationError", "Path_", "node_of"]

#: A position in the flow document: ("nodes", "menu", "options", 0, "next")
Path_ = tuple


@dataclass(frozen=True)
class FlowError:
    file: str
    line: int
    column: int
    message: str
    node: str | None = None
    severity: str = "error"     # "error" or "warning"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        sev = "" if self.severity == "error" else f"{self.severity}: "
        node = f"node '{self.node}': " if self.node else ""
        return f"{where}: {sev}{node}{self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "column": self.column, "node": self.node,
                "message": self.message, "severity": self.severity, "text": str(self)}


class FlowValidationError(Exception):
    def __init__(self, errors: Sequence[FlowError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


def node_of(path: Path_) -> str | None:
    """The node a position is inside of, if any."""
    if len(path) >= 2 and path[0] == "nodes":
        return str(path[1])
    return None
