"""Server-side SVG charts of a training run's per-epoch metrics, for the admin (no JavaScript library).

A run's epochs are entries with a phase, a tower (any name, or none), an epoch and metrics. `run_panels` draws one
panel per (phase, tower) present, in the order they first appear, and in each panel one chart per unit: losses
together (training and validation), errors in stars (RMSE, MAE), shares from 0 to 1 (nDCG, precision, recall, MAP,
accuracy), and any other metric on its own. Every chart has axes with ticks, the x axis in epochs and the y axis
in its unit, and a legend.
"""
import math
import re

from django.utils.html import escape, format_html_join
from django.utils.safestring import mark_safe

WIDTH, HEIGHT = 260, 160
LEFT, RIGHT, TOP, BOTTOM = 48, 10, 10, 36
COLOURS = ["#2563eb", "#dc2626", "#059669", "#d97706", "#7c3aed", "#db2777"]
NOT_METRICS = {"phase", "tower", "epoch", "seconds"}
# What a metric measures, by its name without "val_": (chart title, unit on the y axis).
UNITS = [(re.compile(r"loss$"), ("Loss", "loss")),
         (re.compile(r"^(rmse|mae)$"), ("Rating error", "stars")),
         (re.compile(r"^(ndcg|precision|recall|map|accuracy|auc)(_at_\d+|@\d+)?$"), ("Ranking and accuracy",
                                                                                      "share (0–1)"))]


def run_panels(epochs: list[dict]) -> str:
    """The run's charts, one panel per phase and tower, safe to put into a page ("" without epochs)."""
    groups: dict[tuple[str, str], list[dict]] = {}
    for entry in epochs:
        groups.setdefault((str(entry.get("phase", "")), str(entry.get("tower", "") or "")), []).append(entry)
    panels = []
    for (phase, tower), entries in groups.items():
        charts = [line_chart(series, title=title, unit=unit) for (title, unit), series in _by_unit(entries).items()]
        if charts:
            heading = " · ".join(part for part in (phase, tower and f"{tower} tower") if part) or "Training"
            panels.append((heading, format_html_join("", "{}", ((chart,) for chart in charts))))
    return format_html_join("", '<section class="chart-panel"><h3>{}</h3><div class="charts">{}</div></section>',
                            panels)


def _by_unit(entries: list[dict]) -> dict[tuple[str, str], dict[str, list[tuple[float, float]]]]:
    """Each metric's (epoch, value) points, grouped by chart (title, unit)."""
    charts: dict[tuple[str, str], dict[str, list[tuple[float, float]]]] = {}
    for n, entry in enumerate(entries, start=1):
        x = entry.get("epoch", n)
        if not isinstance(x, int | float):
            x = n
        for name, value in entry.items():
            if name in NOT_METRICS or isinstance(value, bool) or not isinstance(value, int | float):
                continue
            if not math.isfinite(value):
                continue
            charts.setdefault(unit_of(name), {}).setdefault(name, []).append((float(x), float(value)))
    return charts


def unit_of(name: str) -> tuple[str, str]:
    """The chart a metric goes into: (title, unit of its y axis)."""
    bare = name.removeprefix("val_")
    for pattern, chart in UNITS:
        if pattern.search(bare):
            return chart
    return bare.replace("_", " ").capitalize(), bare


def ticks(low: float, high: float, count: int = 4) -> list[float]:
    """About `count` round values spanning low..high (1, 2 or 5 times a power of ten apart)."""
    if high <= low:
        high = low + (abs(low) or 1.0)
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    values, value = [], first
    while value < high + step * 0.999:
        values.append(round(value, 12))
        value += step
    return values


def _label(value: float, step: float) -> str:
    digits = max(0, -math.floor(math.log10(step))) if step > 0 else 0
    return f"{value:.{min(digits, 6)}f}"


def line_chart(series: dict[str, list[tuple[float, float]]], *, title: str, unit: str) -> str:
    """An SVG line chart of (x, y) series sharing axes: x in epochs, y in `unit`; safe to put into a page."""
    points = [point for values in series.values() for point in values]
    if not points:
        return ""
    xs, ys = [x for x, _ in points], [y for _, y in points]
    y_ticks = ticks(min(ys), max(ys))
    x_low, x_high = min(xs), max(xs)
    x_ticks = [t for t in ticks(x_low, x_high if x_high > x_low else x_low + 1, 5) if t == int(t)] or [x_low]
    x_low, x_high = min(x_low, x_ticks[0]), max(x_high, x_ticks[-1], x_low + 1)
    y_low, y_high = y_ticks[0], y_ticks[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def at(x, y):
        return (LEFT + plot_w * (x - x_low) / (x_high - x_low), TOP + plot_h * (1 - (y - y_low) / (y_high - y_low)))

    y_step = y_ticks[1] - y_ticks[0] if len(y_ticks) > 1 else 1.0
    parts = [f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>']
    for t in y_ticks:
        y = at(x_low, t)[1]
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
                     f'<text x="{LEFT - 4}" y="{y + 4:.1f}" class="tick" text-anchor="end">{_label(t, y_step)}</text>')
    bottom = TOP + plot_h
    parts.append(f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{bottom}" class="axis y-axis"/>'
                 f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{bottom}" y2="{bottom}" class="axis x-axis"/>')
    for t in x_ticks:
        x = at(t, y_low)[0]
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{bottom}" y2="{bottom + 4}" class="axis"/>'
                     f'<text x="{x:.1f}" y="{bottom + 15}" class="tick" text-anchor="middle">{t:g}</text>')
    parts.append(f'<text x="{LEFT + plot_w / 2:.0f}" y="{HEIGHT - 6}" class="axis-title" text-anchor="middle">'
                 f'epoch</text><text transform="translate(12 {TOP + plot_h / 2:.0f}) rotate(-90)" '
                 f'class="axis-title" text-anchor="middle">{escape(unit)}</text>')
    legend = []
    for n, (name, values) in enumerate(series.items()):
        colour = COLOURS[n % len(COLOURS)]
        coordinates = " ".join("{:.1f},{:.1f}".format(*at(x, y)) for x, y in values)
        dashed = ' stroke-dasharray="5 3"' if name.startswith("val_") else ""  # validation: dashed
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dashed} points="{coordinates}"/>')
        if len(values) < 30:
            parts.extend(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="2.5" fill="{colour}"/>'
                         for cx, cy in (at(x, y) for x, y in values))
        legend.append(f'<span style="color:{colour}">■</span> {escape(name)} (last {values[-1][1]:.4g})')
    style = ("<style>.grid{stroke:#e5e7eb}.axis{stroke:#6b7280}.tick{font:10px sans-serif;fill:#4b5563}"
             ".axis-title{font:11px sans-serif;fill:#111827}</style>")
    return mark_safe(
        f'<figure class="training-chart"><svg viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'role="img" aria-label="{escape(title)}: {escape(unit)} by epoch">{style}{"".join(parts)}</svg>'
        f'<figcaption><strong>{escape(title)}</strong> · {" ".join(legend)}</figcaption></figure>')
