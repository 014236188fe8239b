"""Timing helpers and the result table.

Every figure is a median over repeated runs, and every target is a ratio against a
baseline measured in the same run, so machine load shifts both sides alike.
"""

from __future__ import annotations

import dataclasses
import statistics
import time
import typing as t


def measure(action: t.Callable[[], object], *, repeat: int) -> list[float]:
    """Run ``action`` ``repeat`` times; return the wall-clock seconds of each run."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return samples


def median(samples: t.Sequence[float]) -> float:
    return statistics.median(samples)


def percentile(samples: t.Sequence[float], fraction: float) -> float:
    """Return the nearest-rank percentile (``fraction`` between 0 and 1)."""
    ordered = sorted(samples)
    index = max(0, min(len(ordered) - 1, round(fraction * len(ordered)) - 1))
    return ordered[index]


@dataclasses.dataclass
class Row:
    """One line of the result table.

    ``value`` is in ``unit``; ``ratio`` is against ``baseline`` (another row's name
    in the same case); ``target`` states the goal, ``met`` whether this run met it.
    """

    case: str
    name: str
    value: float | None
    unit: str = "ms"
    baseline: str | None = None
    ratio: float | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""

    def to_dict(self) -> dict[str, t.Any]:
        return dataclasses.asdict(self)


class Results:
    """Rows of all cases, with ratios filled in against named baselines."""

    def __init__(self) -> None:
        self.rows: list[Row] = []

    def add(self, row: Row) -> Row:
        if row.baseline is not None and row.value is not None:
            base = self.find(row.case, row.baseline)
            if base is not None and base.value:
                row.ratio = row.value / base.value
        self.rows.append(row)
        return row

    def find(self, case: str, name: str) -> Row | None:
        for row in self.rows:
            if row.case == case and row.name == name:
                return row
        return None

    def table(self) -> str:
        header = ("case", "measurement", "median", "ratio", "target", "met", "note")
        lines = [header]
        for row in self.rows:
            value = "n/a" if row.value is None else f"{row.value:.1f} {row.unit}"
            ratio = "" if row.ratio is None else f"{row.ratio:.2f}x {row.baseline}"
            met = {None: "", True: "yes", False: "NO"}[row.met]
            lines.append((row.case, row.name, value, ratio, row.target, met, row.note))
        widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
        out = []
        for number, line in enumerate(lines):
            out.append(
                "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip()
            )
            if number == 0:
                out.append("  ".join("-" * width for width in widths))
        return "\n".join(out)
