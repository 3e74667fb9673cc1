"""A laid-out Drawing as inline SVG: real <text> (selectable, searchable, printable), a <title> on every element
(the whole text of what a box shortens), ids and data- attributes naming what each element stands for."""

from __future__ import annotations

from planner.render.html.layout import LINE, Drawing
from planner.render.markup import html_text


def text(value: object) -> str:
    """Text for HTML or SVG: escaped as every renderer escapes (control, bidi and separator characters and lone
    surrogates shown as visible escapes: not allowed in XML, possibly hostile in a hand-edited state)."""
    return html_text(str(value))


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


HEAD = ' class="head"'
ARROWS = ("create", "update", "replace", "delete", "forward", "endpoint")


def svg(drawing: Drawing, caption: str) -> str:
    """The drawing as an <svg> element of its own size (the page scales it down to the window's width)."""
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="drawing" viewBox="0 0 {_n(drawing.width)} '
           f'{_n(drawing.height)}" width="{_n(drawing.width)}" height="{_n(drawing.height)}" role="img" '
           f'aria-label="{text(caption)}"><title>{text(caption)}</title><defs>']
    out += [f'<marker id="arrow-{kind}" class="arrow {kind}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
            f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z"/></marker>' for kind in ARROWS]
    out.append("</defs>")
    for box in drawing.boxes:
        out.append(f'<g class="box {text(box.kind)}" id="{text(box.id)}" data-level="{box.level}" '
                   f'data-name="{text(box.name)}"><title>{text(box.title)}</title>'
                   f'<rect x="{_n(box.x)}" y="{_n(box.y)}" width="{_n(box.w)}" height="{_n(box.h)}" rx="4"/>')
        out += [f'<text x="{_n(box.x + 6)}" y="{_n(box.y + 5 + LINE * (i + 1) - 3)}"{HEAD if i == 0 else ""}>'
                f"{text(line)}</text>" for i, line in enumerate(box.lines)]
        out.append("</g>")
    for link in drawing.links:
        kind = link.kind.split()[-1]
        marker = f' marker-end="url(#arrow-{kind})"' if kind in ARROWS else ""
        if link.y1 == link.y2 and link.kind.startswith("step") and link.x2 == link.x1 + 24:  # a lane acting again
            x, y = link.x1, link.y1
            shape = (f'<path class="link {text(link.kind)}" d="M{_n(x)},{_n(y - 8)}h24v10h-22"{marker} '
                     f'data-from="{text(link.source)}" data-to="{text(link.target)}">')
            out.append(f"{shape}<title>{text(link.title)}</title></path>")
            continue
        out.append(f'<line class="link {text(link.kind)}" x1="{_n(link.x1)}" y1="{_n(link.y1)}" x2="{_n(link.x2)}" '
                   f'y2="{_n(link.y2)}"{marker} data-from="{text(link.source)}" data-to="{text(link.target)}">'
                   f"<title>{text(link.title)}</title></line>")
    for label in drawing.labels:
        out.append(f'<text class="label {text(label.kind)}" x="{_n(label.x)}" y="{_n(label.y)}">'
                   f"<title>{text(label.title)}</title>{text(label.text)}</text>")
    out.append("</svg>")
    return "".join(out)
