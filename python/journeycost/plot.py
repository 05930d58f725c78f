"""matplotlib figures of journeycost results (``pip install 'journeycost[plot]'``).

Each function takes a result and an optional matplotlib ``Axes`` to draw on, and returns the
``Figure``. Money is converted to float only here, for drawing, after the exact sums.
"""

from __future__ import annotations

from typing import Any, Optional

RED = "#c0392b"
BLUE = "#1f5fa8"


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError as e:
        raise ImportError("plots need matplotlib, which is not installed: pip install 'journeycost[plot]'") from e
    return plt


def _axes(ax: Optional[Any]) -> Any:
    if ax is not None:
        return ax
    _, new = _pyplot().subplots(figsize=(8, 4.5))
    return new


def _group(comparison: Any, table: str, group: Optional[str]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The rows of one table for one group, and that group's totals. A grouped comparison
    needs ``group=``; an ungrouped one must not be given one."""
    from journeycost._journeycost import JourneyCostError

    rows = getattr(comparison, table).rows()
    totals = comparison.totals
    by = comparison.by
    if by is None:
        if group is not None:
            raise JourneyCostError(f"this comparison is not grouped, so there is no group {group!r}")
        return rows, totals[0]
    names = [t["group"] for t in totals]
    if group not in names:
        raise JourneyCostError(f"this comparison is grouped by {by!r}: pass group= one of {names}")
    return [r for r in rows if r[by] == group], totals[names.index(group)]


def red_blue(comparison: Any, ax: Optional[Any] = None, group: Optional[str] = None) -> Any:
    """The red and blue lines: the cumulative cost of the baseline and the alternative."""
    rows, totals = _group(comparison, "series", group)
    ax = _axes(ax)
    for pathway, colour, way in ((comparison.baseline, RED, "old way"), (comparison.alternative, BLUE, "new way")):
        points = [r for r in rows if r["pathway"] == pathway]
        ax.plot(
            [r["period"] for r in points],
            [float(r["cumulative_cost"]) for r in points],
            color=colour,
            label=f"{pathway} ({way})",
            linewidth=2,
        )
    labels = sorted({r["period"] for r in rows})
    step = max(1, len(labels) // 8)
    ax.set_xticks(labels[::step])
    if totals["break_even"] is not None:
        ax.axvline(totals["break_even"], color="grey", linestyle=":", label=f"break-even {totals['break_even']}")
    ax.set_ylabel(f"cumulative cost, £ ({comparison.price_base} prices)")
    ax.set_title("Cumulative cost: old way (red) and new way (blue)")
    ax.legend()
    ax.figure.tight_layout()
    return ax.figure


def agencies(comparison: Any, ax: Optional[Any] = None, group: Optional[str] = None) -> Any:
    """Who pays and who saves: each agency's saving (blue) or extra cost (red)."""
    rows, _ = _group(comparison, "agencies", group)
    rows = [r for r in rows if r["agency"] != "TOTAL"]
    ax = _axes(ax)
    names = [r["agency"] for r in rows]
    savings = [float(r["saving"]) for r in rows]
    ax.barh(names, savings, color=[BLUE if s >= 0 else RED for s in savings])
    ax.axvline(0, color="black", linewidth=0.8)
    ax.invert_yaxis()
    ax.set_xlabel(f"saving, £ ({comparison.price_base} prices)")
    ax.set_title("Who saves (blue) and who pays more (red)")
    ax.figure.tight_layout()
    return ax.figure


def tiers(comparison: Any, ax: Optional[Any] = None, group: Optional[str] = None) -> Any:
    """The triangle of need: cost by tier, baseline against alternative."""
    rows, _ = _group(comparison, "tiers", group)
    ax = _axes(ax)
    from ._journeycost import TIERS

    order = [label for label, _ in TIERS]
    width = 0.4
    for k, (pathway, colour) in enumerate(((comparison.baseline, RED), (comparison.alternative, BLUE))):
        cost = {r["tier"]: float(r["cost"]) for r in rows if r["pathway"] == pathway}
        ax.barh(
            [i + (k - 0.5) * width for i in range(len(order))],
            [cost.get(t, 0.0) for t in order],
            height=width,
            color=colour,
            label=pathway,
        )
    ax.set_yticks(range(len(order)), [name for _, name in TIERS])
    ax.set_xlabel(f"cost, £ ({comparison.price_base} prices)")
    ax.set_title("The triangle of need: cost by tier")
    ax.legend()
    ax.figure.tight_layout()
    return ax.figure


def extrapolation(result: Any, ax: Optional[Any] = None) -> Any:
    """The distribution of the net annual saving, with its median and 90% interval."""
    ax = _axes(ax)
    tables = dict(result.tables)
    bins = tables["histogram"].rows()
    lows = [float(b["from"]) / 1e9 for b in bins]
    widths = [(float(b["to"]) - float(b["from"])) / 1e9 for b in bins]
    ax.bar(lows, [b["count"] for b in bins], width=widths, align="edge", color=BLUE, edgecolor="white")
    summary = result.net_annual
    ax.axvline(summary["median"] / 1e9, color="black", label="median")
    for q in (5.0, 95.0):
        if q in summary["percentiles"]:
            ax.axvline(summary["percentiles"][q] / 1e9, color="grey", linestyle="--")
    ax.set_xlabel("net annual saving, £bn")
    ax.set_ylabel("draws")
    ax.set_title(f"{result.draws:,} draws (seed {result.seed})")
    ax.legend()
    ax.figure.tight_layout()
    return ax.figure
