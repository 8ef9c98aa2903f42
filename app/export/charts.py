"""Charts as SVG, computed from the Summary only (so a chart can never show what the summary masks).

Geometry is worked out here; the drawing is in templates/charts/*.svg. The same SVG is shown on pages
(no JavaScript) and placed in the PDF.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

from app.export import wording
from app.export.summary import CaseSummary
from app.i18n import current, day_month, gettext, number

FONT = "sparring, DejaVu Sans, sans-serif"  # "sparring" is the font the PDF registers
BEFORE, AFTER = "#0b5cad", "#6c3fb5"


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    colour: str
    masked: bool


@dataclass
class Chart:
    title: str
    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    labels: list[tuple[float, float, str]] = field(default_factory=list)  # x, y, text
    lines: list[tuple[str, str]] = field(default_factory=list)  # polyline points, colour
    dots: list[tuple[float, float, str]] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)  # colour, text
    font: str = FONT


def _value(count: str) -> int | None:
    """A shown count as a number; None for a masked ("<3") or withheld ("x") one."""
    return int(count) if count.isdigit() else None


def case_chart(case: CaseSummary, threshold: int) -> Chart:
    """Votes per option before and after the group talk; masked counts get a hatched stub."""
    left, right, row, bar_h = 34, 60, 46, 16
    width = 520
    span = width - left - right
    counts = [_value(c) for o in case.options for c in (o.before, o.after)]
    top = max([c for c in counts if c is not None] + [threshold])
    chart = Chart(
        title=gettext("Stemmer før og efter drøftelsen: %(title)s", title=wording.text(case.title)),
        width=width,
        height=30 + row * len(case.options),
        legend=[(BEFORE, gettext("Før")), (AFTER, gettext("Efter"))],
    )
    for i, option in enumerate(case.options):
        y = 28 + i * row
        chart.labels.append((4, y + bar_h + 4, option.key))
        for j, (count, colour) in enumerate(((option.before, BEFORE), (option.after, AFTER))):
            value = _value(count)
            masked = value is None
            shown = (threshold - 1) / 2 if value is None else value
            chart.bars.append(
                Bar(left, y + j * (bar_h + 2), span * shown / top, bar_h, count, colour, masked)
            )
    return chart


@dataclass(frozen=True)
class Point:
    date: str
    value: float | None


def trend_chart(title: str, series: list[tuple[str, str, list[Point]]]) -> Chart:
    """Values 0-1 over sessions (oldest left), one line per series (name, colour, points)."""
    left, top, width, height = 40, 28, 520, 180
    plot_w, plot_h = width - left - 40, height - top - 30
    chart = Chart(title=title, width=width, height=height)
    chart.legend = [(colour, name) for name, colour, _ in series]
    for tick in (0.0, 0.5, 1.0):
        chart.labels.append((4, top + plot_h * (1 - tick) + 4, number(current.get(), tick, 1)))
    count = max((len(points) for _, _, points in series), default=0)
    step = plot_w / max(count - 1, 1)
    for _, colour, points in series:
        xy = [
            (left + i * step, top + plot_h * (1 - p.value))
            for i, p in enumerate(points)
            if p.value is not None
        ]
        chart.lines.append((" ".join(f"{x:.1f},{y:.1f}" for x, y in xy), colour))
        chart.dots += [(x, y, colour) for x, y in xy]
    if series:
        for i, point in enumerate(series[0][2]):
            day = day_month(current.get(), point.date)
            chart.labels.append((left + i * step - 14, height - 8, day))
    return chart


def svg(chart: Chart) -> Markup:
    """The chart as SVG, safe to place in a page: the template escaped every text in it."""
    from app.web import render  # here, not above: the environment offers this module's charts

    return Markup(render("charts/chart.svg", chart=chart))


def case_chart_svg(case: CaseSummary, threshold: int) -> Markup:
    return svg(case_chart(case, threshold))
