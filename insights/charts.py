"""Server-rendered SVG charts: no script, no CDN, no inline style (CSP ``style-src 'self'``).

Every chart has a ``<title>`` and ``<desc>`` (``role="img"``, ``aria-labelledby``); its numbers
are also in the HTML table next to it and in the CSV export. Text is escaped here.
"""

from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

PALETTE = (
    "#1f6fb2", "#d9622b", "#2e9c5a", "#8a4fbf", "#c23b5a", "#1b9aa0", "#8c6d1f", "#5b6b7f",
    "#e0a100", "#3b3fbf",
)  # fmt: skip
INK, MUTED, GRID = "#1c2330", "#5b6472", "#e3e7ee"


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if value % 1 else f"{int(value)}"


def _text(x: float, y: float, content: str, *, anchor: str = "start", fill: str = INK) -> str:
    """A text element; ``content`` must already be escaped."""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}">{content}</text>'


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _open(chart_id: str, title: str, desc: str, width: int, height: int) -> list[str]:
    return [
        f'<svg id="{escape(chart_id)}" class="chart" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="{escape(chart_id)}-t {escape(chart_id)}-d" '
        'xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" font-size="11">',
        f'<title id="{escape(chart_id)}-t">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-d">{escape(desc)}</desc>',
    ]


def _legend(series: list[Series], x: float, y: float, colors=PALETTE) -> list[str]:
    out, cursor = ['<g class="legend" aria-hidden="true">'], x
    for i, s in enumerate(series):
        color = colors[i % len(colors)]
        out.append(
            f'<rect x="{cursor:.1f}" y="{y - 8:.1f}" width="10" height="10" fill="{color}"/>'
        )
        out.append(
            f'<text x="{cursor + 14:.1f}" y="{y + 1:.1f}" fill="{INK}">{escape(s.name)}</text>'
        )
        cursor += 24 + 6.5 * len(s.name)
    out.append("</g>")
    return out


def _empty(chart_id: str, title: str) -> SafeString:
    parts = _open(chart_id, title, "No data in this period.", 600, 60)
    parts.append(
        f'<text x="300" y="34" text-anchor="middle" fill="{MUTED}">No data in this period</text>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def hbar_chart(
    chart_id: str,
    title: str,
    labels: list[str],
    series: list[Series],
    *,
    unit: str = "",
    markers: list[float | None] | None = None,
    marker_name: str = "",
) -> SafeString:
    """Horizontal bars: one group per label, one bar per series; optional target markers."""
    values = [v for s in series for v in s.values if v is not None]
    marks = [m for m in (markers or []) if m is not None]
    if not labels or not (values or marks):
        return _empty(chart_id, title)
    top = _nice_max(max([*values, *marks, 0]))
    left, right, bar_h, gap = 150, 60, 12, 10
    group_h = bar_h * len(series) + gap
    legend_h = 22 if len(series) > 1 or marks else 0
    width, height = 640, legend_h + group_h * len(labels) + 26
    plot_w = width - left - right
    desc = f"{title}. " + "; ".join(
        f"{label}: "
        + ", ".join(
            f"{s.name} {_num(s.values[i]) if s.values[i] is not None else 'none'}{unit}"
            for s in series
        )
        for i, label in enumerate(labels)
    )
    out = _open(chart_id, title, desc, width, height)
    if legend_h:
        legend = list(series)
        out += _legend(legend, left, 12)
        if marks:
            x = left + sum(24 + 6.5 * len(s.name) for s in series)
            out.append(
                f'<line x1="{x:.1f}" y1="4" x2="{x:.1f}" y2="14" stroke="{INK}" stroke-width="2"/>'
            )
            out.append(f'<text x="{x + 6:.1f}" y="13" fill="{INK}">{escape(marker_name)}</text>')
    for tick in range(5):
        x = left + plot_w * tick / 4
        out.append(
            f'<line x1="{x:.1f}" y1="{legend_h}" x2="{x:.1f}" y2="{height - 20}" stroke="{GRID}"/>'
        )
        out.append(
            _text(
                x, height - 6, f"{_num(top * tick / 4)}{escape(unit)}", anchor="middle", fill=MUTED
            )
        )
    for i, label in enumerate(labels):
        y0 = legend_h + i * group_h + gap / 2
        out.append(_text(left - 6, y0 + group_h / 2, escape(label[:24]), anchor="end"))
        for j, s in enumerate(series):
            value = s.values[i]
            if value is None:
                continue
            w = max(plot_w * value / top, 1)
            y = y0 + j * bar_h
            out.append(
                f'<rect class="bar" x="{left}" y="{y:.1f}" width="{w:.1f}" height="{bar_h - 2}" '
                f'fill="{PALETTE[j % len(PALETTE)]}" '
                f'aria-label="{escape(label)} {escape(s.name)}: {_num(value)}{escape(unit)}"/>'
            )
            out.append(_text(left + w + 4, y + bar_h - 3, _num(value)))
        if markers and markers[i] is not None:
            x = left + plot_w * markers[i] / top
            out.append(
                f'<line class="target" x1="{x:.1f}" y1="{y0 - 2:.1f}" x2="{x:.1f}" '
                f'y2="{y0 + bar_h * len(series) + 2:.1f}" stroke="{INK}" stroke-width="2" '
                f'aria-label="{escape(label)} {escape(marker_name)}: '
                f'{_num(markers[i])}{escape(unit)}"/>'
            )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped


def line_chart(
    chart_id: str, title: str, x_labels: list[str], series: list[Series], *, unit: str = ""
) -> SafeString:
    """Lines over time (x = buckets in order); every point is a circle with a label."""
    values = [v for s in series for v in s.values if v is not None]
    if not x_labels or not values:
        return _empty(chart_id, title)
    low = min(0.0, min(values))
    top = _nice_max(max(values)) if max(values) > 0 else 0.0
    if low < 0:
        low = -_nice_max(-low)
    span = (top - low) or 1.0
    left, right, top_pad, bottom = 48, 16, 28, 34
    width, height = 640, 240
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    step = plot_w / max(len(x_labels) - 1, 1)

    def y_of(v: float) -> float:
        return top_pad + plot_h * (1 - (v - low) / span)

    desc = f"{title}, {x_labels[0]} to {x_labels[-1]}. " + "; ".join(
        f"{s.name}: total {_num(sum(v for v in s.values if v is not None))}{unit}, "
        f"peak {_num(max((v for v in s.values if v is not None), default=0))}{unit}"
        for s in series
    )
    out = _open(chart_id, title, desc, width, height)
    out += _legend(series, left, 14)
    for tick in range(5):
        v = low + span * tick / 4
        y = y_of(v)
        out.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>'
        )
        out.append(_text(left - 4, y + 3, _num(v), anchor="end", fill=MUTED))
    every = max(1, len(x_labels) // 8)
    for i, label in enumerate(x_labels):
        if i % every == 0 or i == len(x_labels) - 1:
            out.append(
                _text(left + i * step, height - 14, escape(label), anchor="middle", fill=MUTED)
            )
    for j, s in enumerate(series):
        color = PALETTE[j % len(PALETTE)]
        points = [(left + i * step, y_of(v)) for i, v in enumerate(s.values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            out.append(
                f'<polyline class="line" points="{path}" fill="none" stroke="{color}" '
                'stroke-width="2"/>'
            )
        if len(points) <= 60:
            for i, v in enumerate(s.values):
                if v is None:
                    continue
                out.append(
                    f'<circle cx="{left + i * step:.1f}" cy="{y_of(v):.1f}" r="2.5" fill="{color}">'
                    f"<title>{escape(s.name)} {escape(x_labels[i])}: "
                    f"{_num(v)}{escape(unit)}</title></circle>"
                )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped


def column_chart(
    chart_id: str,
    title: str,
    x_labels: list[str],
    values: list[float],
    *,
    name: str,
    shade: list[float] | None = None,
    shade_name: str = "",
) -> SafeString:
    """Vertical bars (e.g. 24 hours); ``shade`` (0..1 per bar) draws a band behind each bar,
    as tall as the share (e.g. how much of the week that hour is staffed)."""
    if not x_labels or not any(values):
        return _empty(chart_id, title)
    top = _nice_max(max(values))
    left, right, top_pad, bottom = 48, 12, 28, 30
    width, height = 640, 220
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    slot = plot_w / len(x_labels)
    desc = f"{title}. " + ", ".join(
        f"{label}: {_num(v)}" + (f" ({round(100 * shade[i])}% staffed)" if shade else "")
        for i, (label, v) in enumerate(zip(x_labels, values, strict=True))
    )
    out = _open(chart_id, title, desc, width, height)
    legend = [Series(name, [])]
    out += _legend(legend, left, 14)
    if shade is not None:
        x = left + 30 + 6.5 * len(name)
        out.append(f'<rect x="{x:.1f}" y="6" width="10" height="10" fill="#dcefe2"/>')
        out.append(f'<text x="{x + 14:.1f}" y="15" fill="{INK}">{escape(shade_name)}</text>')
    for tick in range(5):
        v = top * tick / 4
        y = top_pad + plot_h * (1 - tick / 4)
        out.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>'
        )
        out.append(_text(left - 4, y + 3, _num(v), anchor="end", fill=MUTED))
    for i, (label, v) in enumerate(zip(x_labels, values, strict=True)):
        x = left + i * slot
        if shade is not None and shade[i] > 0:
            h = plot_h * shade[i]
            out.append(
                f'<rect class="staffed" x="{x:.1f}" y="{top_pad + plot_h - h:.1f}" '
                f'width="{slot:.1f}" height="{h:.1f}" fill="#dcefe2"/>'
            )
        h = plot_h * v / top
        out.append(
            f'<rect class="bar" x="{x + slot * 0.15:.1f}" y="{top_pad + plot_h - h:.1f}" '
            f'width="{slot * 0.7:.1f}" height="{max(h, 0):.1f}" fill="{PALETTE[0]}" '
            f'aria-label="{escape(label)}: {_num(v)}"/>'
        )
        out.append(_text(x + slot / 2, height - 12, escape(label), anchor="middle", fill=MUTED))
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped
