"""Small SVG charts rendered on the server: no JavaScript, no inline styles
(the CSP forbids them); colours come from classes in sla.css."""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 48, 10, 12, 40


def _scale(maximum: float) -> float:
    """A round top for the y axis."""
    if maximum <= 0:
        return 1
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10_000, 50_000,
                 100_000, 500_000, 1_000_000):
        if maximum <= step:
            return step
    return maximum


def _frame(title: str, body: SafeString, top_value: float) -> SafeString:
    plot_h = HEIGHT - TOP - BOTTOM
    grid = format_html_join(
        "", '<line class="chart-grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
        '<text class="chart-axis" x="{}" y="{}" text-anchor="end">{}</text>',
        (
            (LEFT, WIDTH - RIGHT, _f(TOP + plot_h * (1 - f)), _f(TOP + plot_h * (1 - f)), LEFT - 4,
             _f(TOP + plot_h * (1 - f) + 4), _number(top_value * f))
            for f in (0, 0.5, 1)
        ),
    )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}" '
        'xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}{}</svg>',
        WIDTH, HEIGHT, title, title, grid, body,
    )


def _f(value: float) -> str:
    return f"{value:.1f}"


def _number(value: float) -> str:
    return f"{value:g}" if value < 10_000 else f"{value / 1000:g}k"


def _label_every(count: int) -> int:
    return max(1, count // 10 + (1 if count % 10 else 0))


def bar_chart(points: list[tuple[str, float]], *, title: str) -> SafeString:
    """Vertical bars, one per (label, value)."""
    top = _scale(max((v for _l, v in points), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(points), 1)
    every = _label_every(len(points))
    parts = []
    for i, (label, value) in enumerate(points):
        h = plot_h * value / top
        x = LEFT + i * slot + slot * 0.15
        parts.append(format_html(
            '<rect class="chart-bar" x="{}" y="{}" width="{}" height="{}">'
            "<title>{}: {}</title></rect>",
            _f(x), _f(TOP + plot_h - h), _f(slot * 0.7), _f(h), label, _number(value),
        ))
        if i % every == 0:
            parts.append(format_html(
                '<text class="chart-axis" x="{}" y="{}" text-anchor="middle">{}</text>',
                _f(LEFT + i * slot + slot / 2), HEIGHT - BOTTOM + 16, label,
            ))
    return _frame(title, format_html_join("", "{}", ((p,) for p in parts)), top)


def line_chart(points: list[tuple[str, float]], *, title: str) -> SafeString:
    """A line with a dot per (label, value)."""
    top = _scale(max((v for _l, v in points), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(points) - 1, 1)
    every = _label_every(len(points))
    coords = [(LEFT + i * step, TOP + plot_h * (1 - value / top)) for i, (_l, value) in enumerate(points)]
    parts = [format_html('<polyline class="chart-line" points="{}"/>',
                         " ".join(f"{x:.1f},{y:.1f}" for x, y in coords))]
    for i, ((label, value), (x, y)) in enumerate(zip(points, coords, strict=True)):
        parts.append(format_html('<circle class="chart-dot" cx="{}" cy="{}" r="3">'
                                 "<title>{}: {}</title></circle>", _f(x), _f(y), label, _number(value)))
        if i % every == 0:
            parts.append(format_html(
                '<text class="chart-axis" x="{}" y="{}" text-anchor="middle">{}</text>',
                _f(x), HEIGHT - BOTTOM + 16, label))
    return _frame(title, format_html_join("", "{}", ((p,) for p in parts)), top)
