"""Report charts: matplotlib figures rendered to self-contained SVG (the HTML report) or PNG
(the PDF).

Each public function takes plain, already aggregated data (a handful of numbers and labels)
and returns a `Chart` that holds that data and its description; the image is drawn on first
use. The report model is therefore cheap to build and to send to the PDF process, which
draws the charts itself (matplotlib is imported only where a chart is drawn). Figures are
`matplotlib.figure.Figure`s on their own Agg canvas (no pyplot, so no global figure
registry) inside `rc_context`, so rendering a report never changes matplotlib's global
settings. Text is drawn as glyph outlines of DejaVu Sans (bundled with matplotlib, the same
family the report ships), so an SVG needs no font and fetches nothing. Labels come from
inventories: `$` is escaped so a server name is never read as mathtext.

Why two formats: an SVG stays sharp at any zoom in a browser, but WeasyPrint draws an SVG
node by node, glyph outline after glyph outline, which took about a third of the PDF's
layout time. The PDF therefore embeds the same figure as an opaque PNG at `PRINT_DPI`
(sharp in print at the charts' printed size, which is about the figure size); the renderer
of the PDF asks for it with `raster_charts()`.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from markupsafe import Markup

READINESS_COLORS = {
    "ready": "#3d8b5a",
    "conditional": "#e2a93b",
    "not_ready": "#c0392b",
    "unknown": "#a3abb3",
}
INK = "#2b2f33"
MUTED = "#6b737b"
GRID = "#e3e6e9"
ALERT = "#c0392b"
WARN = "#e2a93b"
#: Resolution of the PNG charts in the PDF. The figures are drawn at their printed size
#: (6.4 in for the text column, 3.3 in for a half), so this is the printed resolution.
PRINT_DPI = 200

#: The format `Chart.src` embeds: "svg" (default, the HTML report) or "png" (the PDF).
_FORMAT: ContextVar[str] = ContextVar("chart_format", default="svg")

_RC = {
    "svg.fonttype": "path",
    "svg.hashsalt": "advisor-report",
    "svg.image_inline": True,
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "text.color": INK,
    "axes.edgecolor": GRID,
    "axes.labelcolor": MUTED,
    "axes.titlesize": 9,
    "xtick.color": MUTED,
    "ytick.color": INK,
    "xtick.labelsize": 7.5,
    "ytick.labelsize": 7.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "text.usetex": False,
    "path.simplify": True,
}


@contextmanager
def raster_charts() -> Iterator[None]:
    """Within this block `Chart.src` embeds PNG instead of SVG (for the PDF: see the module
    docstring). A context variable, so a renderer in another thread is not affected."""
    token = _FORMAT.set("png")
    try:
        yield
    finally:
        _FORMAT.reset(token)


@dataclass(frozen=True)
class Chart:
    """One chart: its data, a short description for readers without images, and the image,
    drawn on first use in each format. Charts are drawn lazily so that a report model can
    be built (and sent to the process that lays out the PDF) before matplotlib is even
    imported there."""

    # A module-level function of this module (so it pickles); it ends with `_save(fig)`,
    # which writes the format `_drawn` asks for.
    draw: Callable[..., str | bytes]
    args: tuple[Any, ...]
    alt: str
    #: Width on the page as a share of the text column (the template sets the width).
    width: str = "100%"

    def _drawn(self, fmt: str) -> Any:
        token = _FORMAT.set(fmt)
        try:
            return self.draw(*self.args)
        finally:
            _FORMAT.reset(token)

    @cached_property
    def svg(self) -> str:
        """The chart as SVG text (drawn once)."""
        return self._drawn("svg")

    @cached_property
    def png(self) -> bytes:
        """The chart as an opaque RGB PNG at `PRINT_DPI` (drawn once)."""
        return self._drawn("png")

    @property
    def src(self) -> Markup:
        """The chart as a data: URI, for an <img> that needs no fetch and runs no script:
        SVG, or PNG inside `raster_charts()`. Marked safe (base64 holds no character HTML
        would escape) so that the templates' shortening of long texts
        (`html_report._finalize`) leaves it whole."""
        if _FORMAT.get() == "png":
            return Markup("data:image/png;base64," + base64.b64encode(self.png).decode())
        return Markup("data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode())


def _label(text: object, limit: int = 30) -> str:
    """A safe axis label: plain text (no mathtext), shortened with an ellipsis."""
    s = str(text)
    if len(s) > limit:
        s = s[: limit - 1] + "…"
    return s.replace("\\", "\\\\").replace("$", r"\$")


@contextmanager
def _canvas(width: float, height: float) -> Iterator[Any]:
    """A figure on its own Agg canvas (no pyplot, no global backend or figure registry),
    drawn and saved under the report's settings (`rc_context`, undone on exit)."""
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with rc_context(_RC):
        fig = Figure(figsize=(width, height))
        FigureCanvasAgg(fig)
        yield fig


def _value_axis(ax: Any, label: str, *, thousands: bool = True) -> None:
    """The value axis of a horizontal bar chart: label, light grid behind the bars, no
    ticks on the category axis, and thousands separators where asked."""
    ax.set_xlabel(label)
    ax.grid(axis="x", color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    ax.tick_params(axis="y", length=0)
    if thousands:
        from matplotlib.ticker import StrMethodFormatter

        ax.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))


def _save(fig) -> str | bytes:
    """The finished figure in the format being drawn (see `Chart._drawn`)."""
    return _png(fig) if _FORMAT.get() == "png" else _svg(fig)


def _svg(fig) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, transparent=True)
    text = buf.getvalue()
    start = text.find("<svg")
    return text[start:] if start >= 0 else text


def _png(fig) -> bytes:
    """An opaque RGB PNG on white. Without an alpha channel WeasyPrint embeds the pixels as
    they are; with one it splits off and compresses a separate mask. Fast compression:
    WeasyPrint decodes and recompresses the image anyway."""
    import numpy as np
    from PIL import Image

    fig.set_dpi(PRINT_DPI)
    fig.patch.set_facecolor("white")
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())[..., :3]
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels)).save(
        buf, format="PNG", compress_level=1, dpi=(PRINT_DPI, PRINT_DPI)
    )
    return buf.getvalue()


def _shade(hex_color: str, amount: float) -> str:
    """Mix a colour with white (amount > 0) or black (amount < 0)."""
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    t = 255 if amount > 0 else 0
    a = abs(amount)
    mix = [round(c + (t - c) * a) for c in (r, g, b)]
    return "#" + "".join(f"{c:02x}" for c in mix)


def _draw_readiness(counts: Sequence[tuple[str, str, int]]) -> str:
    """Donut of the readiness classes: (key, label, count) in the report's order."""
    total = sum(c for _, _, c in counts)
    from matplotlib.patches import FancyBboxPatch

    with _canvas(3.3, 1.55) as fig:
        ax = fig.add_axes((0.0, 0.02, 0.46, 0.96))
        values = [c for _, _, c in counts]
        colors = [READINESS_COLORS[k] for k, _, _ in counts]
        if total:
            ax.pie(
                values,
                colors=colors,
                startangle=90,
                counterclock=False,
                wedgeprops={"width": 0.36, "edgecolor": "white", "linewidth": 1.2},
            )
        else:
            ax.pie([1], colors=[GRID], wedgeprops={"width": 0.36})
        ax.text(0, 0.08, f"{total:,}", ha="center", va="center", fontsize=14, weight="bold")
        ax.text(0, -0.22, "servers", ha="center", va="center", fontsize=7.5, color=MUTED)
        ax.set_aspect("equal")
        lx = fig.add_axes((0.5, 0.1, 0.5, 0.8))
        lx.axis("off")
        for i, (key, label, n) in enumerate(counts):
            y = 1 - (i + 0.5) / len(counts)
            lx.add_patch(
                FancyBboxPatch(
                    (0.0, y - 0.05),
                    0.09,
                    0.1,
                    boxstyle="round,pad=0,rounding_size=0.02",
                    color=READINESS_COLORS[key],
                    transform=lx.transAxes,
                )
            )
            share = f"{n / total:.0%}" if total else "-"
            lx.text(0.14, y, _label(label), va="center", fontsize=7.5)
            lx.text(0.99, y, f"{n:,} · {share}", va="center", ha="right", fontsize=7.5, color=MUTED)
        return _save(fig)


def _draw_disposition(counts: Sequence[tuple[str, int]], color: str) -> str:
    """Horizontal bars of servers per suggested disposition, in the report's order."""

    with _canvas(3.3, 1.55) as fig:
        ax = fig.add_axes((0.25, 0.06, 0.68, 0.88))
        labels = [_label(k) for k, _ in counts][::-1]
        values = [n for _, n in counts][::-1]
        shades = [_shade(color, a) for a in (0.0, 0.25, 0.45, -0.25, 0.65)][: len(values)][::-1]
        bars = ax.barh(labels, values, color=shades, height=0.62)
        top = max(values) if values and max(values) else 1
        for bar, v in zip(bars, values, strict=True):
            ax.text(
                bar.get_width() + top * 0.02,
                bar.get_y() + bar.get_height() / 2,
                f"{v:,}",
                va="center",
                fontsize=7.5,
            )
        ax.set_xlim(0, top * 1.18)
        ax.xaxis.set_visible(False)
        ax.spines["bottom"].set_visible(False)
        ax.spines["left"].set_color(GRID)
        ax.tick_params(axis="y", length=0)
        return _save(fig)


def _draw_storage(rows: Sequence[tuple[str, float, float, bool]], color: str) -> str:
    """Used and provisioned GiB of the largest servers: (name, used, provisioned, flagged).

    Flagged servers (a large-disk finding) are drawn in the alert colour.
    """
    rows = list(rows)[::-1]
    height = 0.9 + 0.2 * len(rows)

    with _canvas(6.4, height) as fig:
        ax = fig.add_axes((0.24, 0.7 / height, 0.72, 1 - 0.95 / height))
        names = [_label(r[0], 28) for r in rows]
        used = [r[1] for r in rows]
        prov = [max(r[2], r[1]) if r[2] == r[2] else r[1] for r in rows]
        ax.barh(names, prov, color=_shade(color, 0.8), height=0.66, label="provisioned")
        ax.barh(
            names,
            used,
            color=[ALERT if r[3] else color for r in rows],
            height=0.66,
            label="used",
        )
        top = max(prov) if prov else 1
        for i, v in enumerate(used):
            ax.text(prov[i] + top * 0.01, i, _gib(v), va="center", fontsize=7, color=MUTED)
        ax.set_xlim(0, top * 1.14)
        _value_axis(ax, "GiB (dark: used, light: provisioned; red: a large-disk finding)")
        return _save(fig)


def _gib(v: float) -> str:
    return f"{v / 1024:,.1f} TiB" if v >= 1024 else f"{v:,.0f} GiB"


def _bar_label(ax, y: float, value: float, text: str, span: float) -> None:
    """A bar's label: after the bar, or inside it in white when the bar is long."""
    inside = value > span * 0.55
    ax.text(
        value - span * 0.01 if inside else value + span * 0.01,
        y,
        _label(text, 60),
        va="center",
        ha="right" if inside else "left",
        fontsize=7,
        color="white" if inside else MUTED,
        bbox=None if inside else {"facecolor": "white", "edgecolor": "none", "pad": 0.6},
        zorder=4,
    )


def _relevant(thresholds: Sequence[tuple[str, float]], values: Sequence[float]):
    """Thresholds worth drawing: those near the data, and at least the lowest one."""
    ordered = sorted(thresholds, key=lambda t: t[1])
    peak = max(values, default=0)
    near = [t for t in ordered if t[1] <= max(peak * 1.8, 1)]
    return near or ordered[:1]


def _threshold_lines(ax, lines: Sequence[tuple[str, float]], top: float) -> None:
    styles = ["--", ":", "-."]
    for i, (label, value) in enumerate(lines):
        ax.axvline(value, color=ALERT if i == 0 else WARN, linestyle=styles[i % 3], linewidth=1)
        ax.text(
            value,
            1.0,
            f" {_label(label, 40)}",
            transform=ax.get_xaxis_transform(),
            rotation=0,
            va="bottom",
            ha="left" if value < top * 0.7 else "right",
            fontsize=6.8,
            color=MUTED,
        )


def _draw_copy_time(
    rows: Sequence[tuple[str, float, str]], thresholds: Sequence[tuple[str, float]], color: str
) -> str:
    """Hours to copy each site's used data over its uplink: (site, hours, bar label)."""
    rows = list(rows)[::-1]
    height = 1.1 + 0.3 * len(rows)

    with _canvas(6.4, height) as fig:
        ax = fig.add_axes((0.24, 0.6 / height, 0.72, 1 - 1.0 / height))
        names = [_label(r[0], 28) for r in rows]
        hours = [r[1] for r in rows]
        shown = _relevant(thresholds, hours)
        limit = min((v for _, v in shown), default=0)
        top = max([*hours, *(v for _, v in shown), 1])
        colors = [ALERT if limit and h > limit else color for h in hours]
        ax.barh(names, hours, color=colors, height=0.6)
        for i, r in enumerate(rows):
            _bar_label(ax, i, r[1], r[2], top * 1.15)
        ax.set_xlim(0, top * 1.15)
        _threshold_lines(ax, shown, top * 1.15)
        _value_axis(ax, "hours of copying over the site uplink")
        return _save(fig)


def _draw_rtt(
    rows: Sequence[tuple[str, float, float | None, str]],
    thresholds: Sequence[tuple[str, float]],
    color: str,
) -> str:
    """Round trip per site to the target zone: (site, rtt ms, nearest-zone rtt, its label).

    The nearest zone is a hollow marker when it is a different zone than the target.
    """
    rows = list(rows)[::-1]
    height = 1.2 + 0.3 * len(rows)

    with _canvas(6.4, height) as fig:
        ax = fig.add_axes((0.24, 0.75 / height, 0.72, 1 - 1.15 / height))
        names = [_label(r[0], 28) for r in rows]
        rtts = [r[1] for r in rows]
        shown = _relevant(thresholds, rtts)
        top = max([*rtts, *(v for _, v in shown), 1])
        ax.barh(names, rtts, color=color, height=0.6, label="to the target zone")
        for i, r in enumerate(rows):
            _bar_label(ax, i, r[1], f"{r[1]:,.1f} ms", top * 1.2)
        near = [(i, r[2], r[3]) for i, r in enumerate(rows) if r[2] is not None and r[3]]
        if near:
            ax.scatter(
                [v for _, v, _ in near],
                [i for i, _, _ in near],
                marker="D",
                s=22,
                facecolors="white",
                edgecolors=INK,
                zorder=3,
                label="nearest zone",
            )
        ax.set_xlim(0, top * 1.2)
        _threshold_lines(ax, shown, top * 1.2)
        _value_axis(
            ax,
            "estimated round trip, ms (diamond: the nearest zone, where it differs)",
            thousands=False,
        )
        return _save(fig)


#: Colours the pilot wave may take in the timeline chart: whichever differs most from the
#: branding's primary colour (a green brand would hide a green pilot). An oversized wave is
#: drawn in the alert colour, a wave after blockers hatched (it waits for work outside the
#: plan).
PILOT_COLORS = ("#7b5ea7", "#3d8b5a", "#2f6fb0")


def _distinct(color: str, candidates: Sequence[str]) -> str:
    """The candidate colour farthest from `color` (plain RGB distance is enough here)."""

    def rgb(c: str) -> tuple[int, ...]:
        return tuple(int(c.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))

    base = rgb(color)
    return max(
        candidates, key=lambda c: sum((a - b) ** 2 for a, b in zip(rgb(c), base, strict=True))
    )


def _draw_gantt(
    rows: Sequence[tuple[str, int, int, int, str, str]], total_days: int, start: Any, color: str
) -> str:
    """One bar per wave over calendar weeks: (label, first day, last day, accepted day,
    kind, bar label), days counted from `start`, the plan's first day (a Monday). A light
    tail after each bar is the parallel run until the wave is accepted."""
    import datetime as dt

    from matplotlib.patches import Patch

    rows = list(rows)[::-1]
    pilot = _distinct(color, PILOT_COLORS)
    height = 1.25 + 0.24 * len(rows)
    span = max(total_days, 7)
    weeks = -(-span // 7)
    step = max(1, -(-weeks // 12))  # at most about 12 date labels
    with _canvas(6.4, height) as fig:
        ax = fig.add_axes((0.17, 0.55 / height, 0.8, 1 - 1.0 / height))
        # One barh call per kind of bar, not per wave: each call builds a container and
        # updates the limits, which made 40 waves take seconds.
        fills = [{"pilot": pilot, "oversized": ALERT}.get(r[4], color) for r in rows]
        ys = list(range(len(rows)))
        ax.barh(
            ys,
            [r[3] - r[2] for r in rows],
            left=[r[2] + 1 for r in rows],
            height=0.3,
            color=[_shade(f, 0.7) for f in fills],
            linewidth=0,
        )
        for blocked in (False, True):
            pick = [i for i, r in enumerate(rows) if (r[4] == "after blockers") == blocked]
            if not pick:
                continue
            ax.barh(
                pick,
                [rows[i][2] - rows[i][1] + 1 for i in pick],
                left=[rows[i][1] for i in pick],
                height=0.62,
                color=[_shade(fills[i], 0.35) if blocked else fills[i] for i in pick],
                hatch="////" if blocked else None,
                edgecolor="white" if blocked else None,
                linewidth=0,
            )
        for i, (_, _, _, accepted, _, label) in enumerate(rows):
            ax.text(
                accepted + 1 + span * 0.01,
                i,
                _label(label, 40),
                va="center",
                fontsize=6.8,
                color=MUTED,
            )
        ax.set_yticks(range(len(rows)), [_label(r[0], 24) for r in rows])
        ticks = list(range(0, weeks * 7 + 1, 7 * step))
        labels = []
        year = None
        for t in ticks:
            day = start + dt.timedelta(days=t)
            labels.append(f"{day.day} {day:%b}" + (f"\n{day.year}" if day.year != year else ""))
            year = day.year
        ax.set_xticks(ticks, labels)
        # A grid line per week as one collection: minor ticks would build an artist each.
        ax.vlines(
            range(0, weeks * 7 + 1, 7),
            -0.6,
            len(rows) - 0.4,
            color=GRID,
            linewidth=0.5,
            zorder=0,
        )
        ax.tick_params(axis="y", length=0)
        ax.set_xlim(0, span * 1.16 + 3)
        ax.set_ylim(-0.6, len(rows) - 0.4)
        kinds = {r[4] for r in rows}
        legend = [Patch(color=color, label="wave")]
        if "pilot" in kinds:
            legend.insert(0, Patch(color=pilot, label="pilot"))
        if "oversized" in kinds:
            legend.append(Patch(color=ALERT, label="oversized: longer than planned"))
        if "after blockers" in kinds:
            legend.append(
                Patch(
                    facecolor=_shade(color, 0.35),
                    hatch="////",
                    edgecolor="white",
                    label="after its blockers",
                )
            )
        legend.append(Patch(color=_shade(color, 0.7), label="parallel run until accepted"))
        ax.legend(
            handles=legend,
            loc="lower left",
            bbox_to_anchor=(0, 1.0),
            ncol=len(legend),
            frameon=False,
            fontsize=6.8,
            handlelength=1.4,
            columnspacing=1.2,
            borderaxespad=0.3,
        )
        return _save(fig)


# --- the charts the report model asks for ------------------------------------------------


def readiness_chart(counts: Sequence[tuple[str, str, int]]) -> Chart:
    """Donut of the readiness classes: (key, label, count) in the report's order."""
    alt = "Readiness: " + ", ".join(f"{label} {n}" for _, label, n in counts)
    return Chart(_draw_readiness, (tuple(counts),), alt, "49%")


def disposition_chart(counts: Sequence[tuple[str, int]], color: str) -> Chart:
    """Horizontal bars of servers per suggested disposition, in the report's order."""
    alt = "Suggested dispositions: " + ", ".join(f"{k} {n}" for k, n in counts)
    return Chart(_draw_disposition, (tuple(counts), color), alt, "49%")


def storage_chart(rows: Sequence[tuple[str, float, float, bool]], color: str) -> Chart:
    """Used and provisioned GiB of the largest servers: (name, used, provisioned, flagged);
    flagged servers (a large-disk finding) are drawn in the alert colour."""
    alt = "Largest servers by used storage: " + ", ".join(f"{r[0]} {_gib(r[1])}" for r in rows)
    return Chart(_draw_storage, (tuple(rows), color), alt)


def copy_time_chart(
    rows: Sequence[tuple[str, float, str]], thresholds: Sequence[tuple[str, float]], color: str
) -> Chart:
    """Hours to copy each site's used data over its uplink: (site, hours, bar label)."""
    alt = "Copy time per site: " + ", ".join(f"{r[0]} {r[1]:,.0f} h" for r in rows)
    return Chart(_draw_copy_time, (tuple(rows), tuple(thresholds), color), alt)


def rtt_chart(
    rows: Sequence[tuple[str, float, float | None, str]],
    thresholds: Sequence[tuple[str, float]],
    color: str,
) -> Chart:
    """Round trip per site to the target zone: (site, rtt ms, nearest-zone rtt, its label);
    the nearest zone is a hollow marker when it is a different zone than the target."""
    alt = "Round trip per site: " + ", ".join(f"{r[0]} {r[1]:.1f} ms" for r in rows)
    return Chart(_draw_rtt, (tuple(rows), tuple(thresholds), color), alt)


def gantt_chart(
    rows: Sequence[tuple[str, int, int, int, str, str]], total_days: int, start: Any, color: str
) -> Chart:
    """The waves over calendar weeks: (label, first day, last day, accepted day, kind, bar
    label) with days counted from `start`; the pilot and oversized waves in their own
    colours, a light tail for each wave's parallel run."""
    from datetime import timedelta

    from advisor.report.formatting import fmt_span

    when = [fmt_span(start + timedelta(days=r[1]), start + timedelta(days=r[2])) for r in rows]
    alt = "Waves over time: " + "; ".join(f"{r[0]} {w}" for r, w in zip(rows, when, strict=True))
    return Chart(_draw_gantt, (tuple(rows), int(total_days), start, color), alt)
