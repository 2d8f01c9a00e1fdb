"""Small server-side SVG line charts of a training run's per-epoch metrics, for the admin (no JavaScript library).

Each series is drawn in its own vertical scale, so a loss near 5 and a validation metric near 0.2 both fill the
chart; the legend gives each series' range.
"""
from django.utils.html import format_html, format_html_join

WIDTH, HEIGHT, PAD = 640, 200, 24
COLOURS = ["#2563eb", "#dc2626", "#059669", "#d97706"]


def series_of(epochs: list[dict], names: list[str]) -> dict[str, list[float]]:
    """The values of each metric across the run's epoch entries, in order, for the metrics present."""
    series = {name: [entry[name] for entry in epochs if isinstance(entry.get(name), int | float)] for name in names}
    return {name: values for name, values in series.items() if values}


def line_chart(series: dict[str, list[float]], *, title: str) -> str:
    """An SVG chart with one polyline per series (x: the entry's position), safe to put into a page."""
    if not series:
        return ""
    longest = max(len(values) for values in series.values())
    lines, legend = [], []
    for n, (name, values) in enumerate(series.items()):
        low, high = min(values), max(values)
        span = (high - low) or 1.0
        points = " ".join(
            f"{PAD + (WIDTH - 2 * PAD) * i / max(longest - 1, 1):.1f},"
            f"{HEIGHT - PAD - (HEIGHT - 2 * PAD) * (value - low) / span:.1f}"
            for i, value in enumerate(values))
        colour = COLOURS[n % len(COLOURS)]
        lines.append((colour, points))
        legend.append((colour, name, f"{low:.4g}", f"{high:.4g}"))
    return format_html(
        '<figure class="training-chart"><svg viewBox="0 0 {} {}" width="{}" height="{}" role="img" '
        'aria-label="{}"><rect width="100%" height="100%" fill="#fff" stroke="#ddd"/>{}</svg>'
        "<figcaption><strong>{}</strong> (each line in its own scale): {}</figcaption></figure>",
        WIDTH, HEIGHT, WIDTH, HEIGHT, title,
        format_html_join("", '<polyline fill="none" stroke="{}" stroke-width="2" points="{}"/>', lines),
        title,
        format_html_join(", ", '<span style="color:{}">■</span> {} {}–{}', legend),
    )
