"""The component object's interface: counts per slot, why it has no information, its audit leaf.

Each of the 21 components is one ``Measure`` instance (its class named by ``measure:`` in the rule file).
A measure (a) computes numerator and denominator for every unit and the province at once, vectorised over
the dossiers or petitions (``Facts``); (b) says in Vietnamese why it has no information, and words the
facts of each row that cost points; (c) builds its audit leaf: the dossiers, petitions or units that decided
it, each with its file and row. Grading (``grading``) decides the source (portal, evidence, recomputed),
the points and the reason's sentence, the same way for every component.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np
import pandas as pd

from .facts import FILE, ROW, Facts

if TYPE_CHECKING:
    from .ruleset import ComponentSpec

LEAF_COLUMNS = ["id", "file", "row", "fact"]


@dataclass(frozen=True)
class Counts:
    """Numerators and denominators per slot (units, then the province)."""

    numerator: np.ndarray
    denominator: np.ndarray


class Measure:
    """One component. Subclasses set ``needs`` (facts without which it has no information)."""

    #: the facts (``Facts.dossier_present`` / ``petition_present`` / units' columns) it needs
    needs: ClassVar[tuple[str, ...]] = ()
    #: what its rows are called in a reason ("hồ sơ", "phản ánh, kiến nghị", "xã")
    noun: ClassVar[str] = "hồ sơ"
    #: True when evidence may give the denominator alone and the numerator is counted (3.2, 4.2)
    counts_numerator: ClassVar[bool] = False

    def __init__(self, spec: ComponentSpec):
        self.spec = spec

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.spec.code})"

    def available(self, facts: Facts) -> bool:
        return not self.lacking(facts)

    def lacking(self, facts: Facts) -> list[str]:
        """The facts it needs that the data do not hold."""
        return [n for n in self.needs if n not in facts.dossier_present]

    def missing_reason(self, facts: Facts) -> str:
        lacking = ", ".join(f"'{c}'" for c in self.lacking(facts))
        return f"tệp dossiers không có cột {lacking}" if lacking else "không có số liệu"

    def counts(self, facts: Facts) -> Counts | None:
        """Numerator and denominator per slot, or None without information."""
        raise NotImplementedError

    def leaf(self, facts: Facts, slot: int) -> pd.DataFrame:
        """The rows that decided the slot's figure (those that cost points first), with file and row."""
        return pd.DataFrame(columns=LEAF_COLUMNS)


def leaf_frame(frame: pd.DataFrame, mask: np.ndarray, id_column: str, facts: list[str] | np.ndarray) -> pd.DataFrame:
    """A leaf from the rows of ``frame`` under ``mask`` and one fact text per selected row."""
    rows = frame[mask]
    return pd.DataFrame({"id": rows[id_column].astype(object).to_numpy(), "file": rows[FILE].to_numpy(),
                         "row": rows[ROW].to_numpy(), "fact": np.asarray(facts, dtype=object)},
                        columns=LEAF_COLUMNS).reset_index(drop=True)
