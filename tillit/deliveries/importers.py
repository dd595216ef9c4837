"""The contract between the delivery pipeline and each kind of file.

Domain apps (registry, care, later the ledger) define an `Importer` per file kind and
register it from their AppConfig.ready(), so this lower layer never imports them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.utils.translation import gettext as _

from tillit.common.errors import ApplicationError
from tillit.common.tabular import Column


@dataclass(frozen=True)
class RowIssue:
    row: int
    column: str
    value: str
    reason: str
    severity: str = "error"  # "error" rejects the row; "warning" keeps it


class RowRejected(ApplicationError):
    """Raised by Importer.parse for a row that cannot be loaded."""

    code = "row.rejected"

    def __init__(self, column: str, value: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.value = value
        self.reason = reason


@dataclass
class ParsedRow:
    row: int
    data: Any
    warnings: list[RowIssue] = field(default_factory=list)


@dataclass
class WriteSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


class Importer(ABC):
    """Parses rows of one file kind and writes the accepted ones.

    One instance serves one delivery: `prepare` may load look-up tables once, `parse`
    validates a single row (raising RowRejected), `check_rows` does checks across rows
    (duplicates, rows that must agree) and `write` stores the accepted rows idempotently:
    writing the same rows twice must leave everything unchanged.
    """

    kind: ClassVar[str]
    label: ClassVar[str]
    columns: ClassVar[Sequence[Column]]

    def __init__(self, *, actor: Any, organisation: Any = None) -> None:
        self.actor = actor
        self.organisation = organisation
        # The columns the delivered file has: an optional column that is absent leaves the
        # stored value alone, while an empty cell in a present column clears it.
        self.present_columns: frozenset[str] = frozenset()

    def prepare(self) -> None:
        """Load what parsing needs (catalogues, existing keys) once per delivery."""

    @abstractmethod
    def parse(self, row: int, values: dict[str, str]) -> ParsedRow: ...

    def check_rows(self, rows: list[ParsedRow]) -> list[RowIssue]:
        """Cross-row errors; the rows they name are rejected."""
        return []

    @abstractmethod
    def write(self, rows: list[ParsedRow], *, delivery: Any) -> WriteSummary: ...


IMPORTERS: dict[str, type[Importer]] = {}


@dataclass(frozen=True)
class Decider:
    """How a kind that is not loaded row by row (visits) is loaded, accepted or rejected."""

    load: Callable[..., Any]
    accept: Callable[..., Any]
    reject: Callable[..., Any]
    label: Any = ""


DECIDERS: dict[str, Decider] = {}


def register_decider(
    kind: str, *, load: Callable[..., Any], accept: Callable[..., Any], reject: Callable[..., Any], label: Any = ""
) -> None:
    """Let the delivery pages and commands load, accept or reject deliveries of `kind`."""
    DECIDERS[kind] = Decider(load=load, accept=accept, reject=reject, label=label)


def register(importer: type[Importer]) -> type[Importer]:
    """Make a file kind loadable by the CLI, the upload page and the demo."""
    IMPORTERS[importer.kind] = importer
    return importer


def kind_labels() -> dict[str, str]:
    """Each loadable kind with its label, in registration order."""
    labels = {kind: str(importer.label) for kind, importer in IMPORTERS.items()}
    labels.update({kind: str(decider.label) for kind, decider in DECIDERS.items()})
    return labels


def importer_for(kind: str) -> type[Importer]:
    try:
        return IMPORTERS[kind]
    except KeyError:
        known = ", ".join(sorted(IMPORTERS))
        raise ApplicationError(
            _("There is no delivery kind %(kind)s; use one of: %(known)s.") % {"kind": kind, "known": known},
            code="delivery.kind",
        ) from None
