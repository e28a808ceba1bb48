"""Small SVG charts rendered on the server: no JavaScript, no inline styles
(the CSP forbids them); colours come from classes in sla.css."""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH, HEIGHT = 600, 180  # the plot only: the axis labels are HTML around it
TOP, BOTTOM = 6, 1  # room for the top and bottom grid lines' strokes
DENSE = 12  # more points than this: x labels too close together for a phone


def _scale(maximum: float) -> float:
    """A round top for the y axis."""
    if maximum <= 0:
        return 1
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10_000, 50_000,
                 100_000, 500_000, 1_000_000):
        if maximum <= step:
            return step
    return maximum


def _frame(title: str, body: SafeString, top_value: float,
           labels: list[tuple[str, str]]) -> SafeString:
    """The plot (SVG, one image with the title as its name) between HTML axis
    labels: text on the card's own background, readable at any width and
    whose contrast a checker can decide (text in an SVG has no background)."""
    plot_h = HEIGHT - TOP - BOTTOM
    grid = format_html_join(
        "", '<line class="chart-grid" x1="0" x2="{}" y1="{}" y2="{}"/>',
        ((WIDTH, _f(TOP + plot_h * f), _f(TOP + plot_h * f)) for f in (0, 0.5, 1)),
    )
    svg = format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}" '
        'xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}{}</svg>',
        WIDTH, HEIGHT, title, title, grid, body,
    )
    y_axis = format_html_join("", "<li>{}</li>", ((_number(top_value * f),) for f in (1, 0.5, 0)))
    x_axis = format_html_join(
        "", "<li{}>{}</li>",
        ((format_html(' class="{}"', css) if css else "", label) for label, css in labels))
    return format_html(
        '<div class="chart-frame"><ol class="chart-y" aria-hidden="true">{}</ol>{}'
        '<ol class="chart-x{}" aria-hidden="true">{}</ol></div>',
        y_axis, svg, " chart-x--dense" if len(labels) > DENSE else "", x_axis,
    )


def _f(value: float) -> str:
    return f"{value:.1f}"


def _number(value: float) -> str:
    return f"{value:g}" if value < 10_000 else f"{value / 1000:g}k"


def _label_every(count: int) -> int:
    return max(1, count // 10 + (1 if count % 10 else 0))


def _shown_labels(points: list[tuple[str, float]]) -> list[tuple[str, str]]:
    """(text, class) per point: a label every few points (at most about ten),
    blank between them; on a dense chart every other shown one is minor
    (sla.css hides those on a narrow chart)."""
    every = _label_every(len(points))
    dense = len(points) > DENSE
    return [(label, "chart-x__minor" if dense and i % (2 * every) else "") if i % every == 0
            else ("", "") for i, (label, _v) in enumerate(points)]


def bar_chart(points: list[tuple[str, float]], *, title: str) -> SafeString:
    """Vertical bars, one per (label, value)."""
    top = _scale(max((v for _l, v in points), default=0))
    plot_h = HEIGHT - TOP - BOTTOM
    slot = WIDTH / max(len(points), 1)
    parts = []
    for i, (label, value) in enumerate(points):
        h = plot_h * value / top
        parts.append(format_html(
            '<rect class="chart-bar" x="{}" y="{}" width="{}" height="{}">'
            "<title>{}: {}</title></rect>",
            _f(i * slot + slot * 0.15), _f(TOP + plot_h - h), _f(slot * 0.7), _f(h), label,
            _number(value),
        ))
    return _frame(title, format_html_join("", "{}", ((p,) for p in parts)), top,
                  _shown_labels(points))


def line_chart(points: list[tuple[str, float]], *, title: str) -> SafeString:
    """A line with a dot per (label, value), each in the middle of its slot
    (where the HTML label below it is centred)."""
    top = _scale(max((v for _l, v in points), default=0))
    plot_h = HEIGHT - TOP - BOTTOM
    slot = WIDTH / max(len(points), 1)
    coords = [(i * slot + slot / 2, TOP + plot_h * (1 - value / top))
              for i, (_l, value) in enumerate(points)]
    parts = [format_html('<polyline class="chart-line" points="{}"/>',
                         " ".join(f"{x:.1f},{y:.1f}" for x, y in coords))]
    for (label, value), (x, y) in zip(points, coords, strict=True):
        parts.append(format_html('<circle class="chart-dot" cx="{}" cy="{}" r="3">'
                                 "<title>{}: {}</title></circle>", _f(x), _f(y), label, _number(value)))
    return _frame(title, format_html_join("", "{}", ((p,) for p in parts)), top,
                  _shown_labels(points))
