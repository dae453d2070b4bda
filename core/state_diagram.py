"""A state machine as a picture: the states and transitions of a model's FSM ``status`` field, laid out
in layers and drawn as inline SVG on the server (no JavaScript: the Content-Security-Policy allows no
inline script, and the page must work without any).

The states and transitions are read from the field itself (:func:`machine_edges`), the same source the
generated Mermaid in ``docs/state-machines.md`` uses (``manage.py statemachines``). Labels are the
states' choice labels and the transitions' ``custom["label"]``, in the active language: a reader sees
"Actief" and "Opschorten", never ``active`` or ``suspend``.

The layout is a small Sugiyama-style layered drawing: back edges are reversed, every state gets the
longest-path layer from the initial state, long edges pass through invisible waypoints, the order
inside a layer follows the barycentre of the neighbours, and edge labels are placed where they overlap
neither a state nor another label. It depends only on the model and the language, so it is computed
once per (model, language); :func:`state_diagram` then marks the current state and the steps the
reader may take now.
"""

import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import models
from django.utils.translation import get_language, gettext

from core.transitions import transition_label

# geometry (px); text widths are estimated, the browser's font is not known on the server
FONT_STATE = 13
FONT_EDGE = 12
CHAR_STATE = 7.4
CHAR_EDGE = 6.6
NODE_MIN_WIDTH = 110
NODE_MAX_TEXT = 22  # characters on one line of a state before it wraps
NODE_PAD_X = 14
LINE_HEIGHT = 16
NODE_PAD_Y = 10
LAYER_GAP = 64
NODE_GAP = 48
DUMMY_WIDTH = 14
MARGIN = 16
SWEEPS = 6


@dataclass(frozen=True)
class Edge:
    """One transition of the machine: ``name`` from state ``source`` to state ``target``."""

    source: str
    target: str
    name: str


def machine_edges(model: type[models.Model], field_name: str = "status") -> list[Edge]:
    """Every (source, target, transition) of the FSM field, in the order the states are declared."""
    fsm_field: Any = model._meta.get_field(field_name)
    values = [value for value, _label in fsm_field.choices]
    order = {value: i for i, value in enumerate(values)}
    edges = []
    for t in fsm_field.get_all_transitions(model):
        sources = [v for v in values if v != t.target] if t.source in ("*", "+") else [t.source]
        edges += [Edge(source, t.target, t.name) for source in sources if t.target is not None]
    edges.sort(key=lambda e: (order.get(e.source, len(order)), order.get(e.target, len(order)), e.name))
    return list(dict.fromkeys(edges))


# --------------------------------------------------------------------------- what a template draws


@dataclass(frozen=True)
class Node:
    value: str
    label: str
    lines: tuple[str, ...]
    x: float  # left
    y: float  # top
    width: float
    height: float
    current: bool = False
    reachable_now: bool = False  # a step the reader may take now leads here

    @property
    def text_x(self) -> float:
        return self.x + self.width / 2

    @property
    def text_lines(self) -> list[tuple[float, str]]:
        first = self.y + self.height / 2 - (len(self.lines) - 1) * LINE_HEIGHT / 2 + FONT_STATE * 0.35
        return [(round(first + i * LINE_HEIGHT, 1), line) for i, line in enumerate(self.lines)]


@dataclass(frozen=True)
class DrawnEdge:
    source: str
    target: str
    names: tuple[str, ...]
    label: str
    path: str
    label_x: float
    label_y: float
    label_anchor: str
    available: bool = False  # the reader may take this step now


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    url: str = ""


@dataclass(frozen=True)
class Diagram:
    """A laid-out machine; ``current`` and the reader's ``steps`` are filled by :func:`state_diagram`."""

    key: str
    title: str
    width: float
    height: float
    nodes: tuple[Node, ...]
    edges: tuple[DrawnEdge, ...]
    current: str = ""
    current_label: str = ""
    steps: tuple[Step, ...] = ()
    transitions: tuple[tuple[str, str, str], ...] = field(default=())  # (from label, to label, step label)

    @property
    def description(self) -> str:
        """The whole machine in words, for screen readers (the SVG's ``<desc>``)."""
        parts = []
        if self.current_label:
            parts.append(gettext("Current state: %(state)s.") % {"state": self.current_label})
        parts += [
            gettext("From %(source)s to %(target)s: %(step)s.") % {"source": s, "target": t, "step": n}
            for s, t, n in self.transitions
        ]
        return " ".join(parts)


def _wrap(text: str) -> tuple[str, ...]:
    if len(text) <= NODE_MAX_TEXT or " " not in text:
        return (text,)
    words = text.split(" ")
    best: tuple[str, ...] = (text,)
    best_width = len(text)
    for i in range(1, len(words)):
        first, second = " ".join(words[:i]), " ".join(words[i:])
        width = max(len(first), len(second))
        if width < best_width:
            best, best_width = (first, second), width
    return best


def _layers(states: list[str], initial: str, pairs: list[tuple[str, str]]) -> tuple[dict[str, int], set]:
    """Longest-path layers after reversing the back edges of a depth-first search from ``initial``."""
    succ: dict[str, list[str]] = defaultdict(list)
    for s, t in pairs:
        succ[s].append(t)
    back: set[tuple[str, str]] = set()
    visited: set[str] = set()
    on_stack: set[str] = set()

    def visit(node: str) -> None:
        visited.add(node)
        on_stack.add(node)
        for nxt in succ[node]:
            if nxt in on_stack:
                back.add((node, nxt))
            elif nxt not in visited:
                visit(nxt)
        on_stack.discard(node)

    for start in [initial] + states:
        if start not in visited:
            visit(start)
    dag = [(t, s) if (s, t) in back else (s, t) for s, t in pairs if s != t]
    layer = dict.fromkeys(states, 0)
    for _ in states:  # relax: at most len(states) rounds in a DAG
        changed = False
        for s, t in dag:
            if layer[t] < layer[s] + 1:
                layer[t] = layer[s] + 1
                changed = True
        if not changed:
            break
    return layer, back


@functools.lru_cache(maxsize=64)
def _layout(model: Any, field_name: str, language: str | None) -> Diagram:
    fsm_field: Any = model._meta.get_field(field_name)
    labels = {value: str(label) for value, label in fsm_field.choices}
    states = list(labels)
    initial = fsm_field.default if fsm_field.default in labels else states[0]
    edges = [e for e in machine_edges(model, field_name) if e.source in labels and e.target in labels]
    step_labels = {e.name: transition_label(model, e.name) for e in edges}

    # one drawn edge per (source, target); two transitions between the same states share it
    grouped: dict[tuple[str, str], list[str]] = defaultdict(list)
    for e in edges:
        grouped[(e.source, e.target)].append(e.name)
    pairs = list(grouped)
    layer, back = _layers(states, initial, pairs)

    # waypoints: a layout edge that spans several layers passes through one dummy per layer in between
    node_w: dict[str, float] = {}
    node_lines: dict[str, tuple[str, ...]] = {}
    for value in states:
        node_lines[value] = _wrap(labels[value])
        text = max(len(line) for line in node_lines[value])
        node_w[value] = max(NODE_MIN_WIDTH, text * CHAR_STATE + 2 * NODE_PAD_X)
    width_all = max(node_w.values())  # one width for every state: a calmer picture
    for value in states:
        node_w[value] = width_all
    node_h = max(len(lines) for lines in node_lines.values()) * LINE_HEIGHT + 2 * NODE_PAD_Y

    chains: dict[tuple[str, str], list[str]] = {}  # layout order: upper end first
    members: dict[int, list[str]] = defaultdict(list)
    for value in states:
        members[layer[value]].append(value)
    upper: dict[str, list[str]] = defaultdict(list)
    lower: dict[str, list[str]] = defaultdict(list)
    for s, t in pairs:
        if s == t:
            continue
        top, bottom = (t, s) if layer[t] < layer[s] else (s, t)
        if layer[top] == layer[bottom]:  # same layer (cannot happen after layering, kept for safety)
            layer[bottom] += 1
            members[layer[top]].remove(bottom)
            members[layer[bottom]].append(bottom)
        chain = [top]
        for level in range(layer[top] + 1, layer[bottom]):
            dummy = f"~{s}~{t}~{level}"
            node_w[dummy] = DUMMY_WIDTH
            members[level].append(dummy)
            layer[dummy] = level
            chain.append(dummy)
        chain.append(bottom)
        chains[(s, t)] = chain
        for a, b in zip(chain, chain[1:], strict=False):
            lower[a].append(b)
            upper[b].append(a)
    depth = max(layer.values()) + 1
    order = [members[i] for i in range(depth)]

    def positions() -> dict[str, int]:
        return {n: i for row in order for i, n in enumerate(row)}

    def crossings() -> int:
        pos = positions()
        count = 0
        for i in range(depth - 1):
            segs = [(pos[a], pos[b]) for a in order[i] for b in lower[a]]
            count += sum(
                1 for j, (a1, b1) in enumerate(segs) for a2, b2 in segs[j + 1 :] if (a1 - a2) * (b1 - b2) < 0
            )
        return count

    best, best_crossings = [row[:] for row in order], crossings()
    for sweep in range(SWEEPS):
        rows = list(range(1, depth)) if sweep % 2 == 0 else list(range(depth - 2, -1, -1))
        for i in rows:
            pos = positions()
            neighbours = upper if sweep % 2 == 0 else lower

            rank: dict[str, tuple[float, int]] = {}
            for n in order[i]:
                near = neighbours[n]
                rank[n] = (sum(pos[m] for m in near) / len(near) if near else pos[n], pos[n])
            order[i] = sorted(order[i], key=rank.__getitem__)
        current_crossings = crossings()
        if current_crossings < best_crossings:
            best, best_crossings = [row[:] for row in order], current_crossings
    order = best

    # x: centres; start packed, then pull each node towards its neighbours, keeping order and spacing
    x: dict[str, float] = {}
    for row in order:
        cursor = 0.0
        for n in row:
            x[n] = cursor + node_w[n] / 2
            cursor += node_w[n] + NODE_GAP

    def gap(a: str, b: str) -> float:
        return (node_w[a] + node_w[b]) / 2 + (
            NODE_GAP if not (a.startswith("~") and b.startswith("~")) else 12
        )

    def settle(row: list[str], wanted: dict[str, float]) -> None:
        """Each node as close to where it wants to be as the order and spacing allow: the mean of
        resolving the overlaps pushing to the right and pushing to the left (both keep the spacing)."""
        right = dict(wanted)
        for a, b in zip(row, row[1:], strict=False):
            right[b] = max(right[b], right[a] + gap(a, b))
        left = dict(wanted)
        for a, b in reversed(list(zip(row, row[1:], strict=False))):
            left[a] = min(left[a], left[b] - gap(a, b))
        for n in row:
            x[n] = (right[n] + left[n]) / 2

    for sweep in range(8):
        neighbours = upper if sweep % 2 == 0 else lower
        rows = list(range(depth)) if sweep % 2 == 0 else list(range(depth - 1, -1, -1))
        for i in rows:
            wanted = {
                n: (sum(x[m] for m in neighbours[n]) / len(neighbours[n]) if neighbours[n] else x[n])
                for n in order[i]
            }
            settle(order[i], wanted)
    left = min(x[n] - node_w[n] / 2 for n in x)
    for n in x:
        x[n] += MARGIN - left
    width = max(x[n] + node_w[n] / 2 for n in x) + MARGIN

    # the gap under a layer grows with the number of edges crossing it, so that their labels fit
    crossing = [0] * depth
    for chain in chains.values():
        for a in chain[:-1]:
            crossing[layer[a]] += 1
    tops = [float(MARGIN)]
    for level in range(depth - 1):
        tops.append(tops[-1] + node_h + max(LAYER_GAP, 24 + crossing[level] * 22))

    def top_y(level: int) -> float:
        return tops[level]

    # ports: where the edges leave a state's bottom and enter its top, spread in the order of the far end
    bottom_ports: dict[str, list[tuple[float, tuple[str, str]]]] = defaultdict(list)
    top_ports: dict[str, list[tuple[float, tuple[str, str]]]] = defaultdict(list)
    for key, chain in chains.items():
        bottom_ports[chain[0]].append((x[chain[1]], key))
        top_ports[chain[-1]].append((x[chain[-2]], key))

    def port(ports: dict, node: str, key: tuple[str, str]) -> float:
        ordered = sorted(ports[node], key=lambda item: (item[0], item[1] in back, item[1]))
        keys = [k for _x, k in ordered]
        span = node_w[node] * 0.6
        if len(keys) == 1:
            return x[node]
        return x[node] - span / 2 + span * keys.index(key) / (len(keys) - 1)

    drawn: list[DrawnEdge] = []
    occupied: list[tuple[float, float, float, float]] = [
        (x[v] - node_w[v] / 2, top_y(layer[v]), x[v] + node_w[v] / 2, top_y(layer[v]) + node_h)
        for v in states
    ]
    segments_of: dict[tuple[str, str], list[tuple[tuple[float, float], tuple[float, float]]]] = {}
    for key, chain in chains.items():
        points: list[tuple[float, float]] = [
            (port(bottom_ports, chain[0], key), top_y(layer[chain[0]]) + node_h)
        ]
        for dummy in chain[1:-1]:
            points += [(x[dummy], top_y(layer[dummy])), (x[dummy], top_y(layer[dummy]) + node_h)]
        points.append((port(top_ports, chain[-1], key), top_y(layer[chain[-1]])))
        curves = [(points[i], points[i + 1]) for i in range(0, len(points), 2)]
        segments_of[key] = curves
    # every edge as sample points: a label should cover no line
    samples: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for key, curves in segments_of.items():
        pts = [_point(curve, i / 12) for curve in curves for i in range(13)]
        for upper_curve, lower_curve in zip(curves, curves[1:], strict=False):  # through a waypoint's row
            (xa, ya), (_xb, yb) = upper_curve[1], lower_curve[0]
            pts += [(xa, ya + (yb - ya) * i / 6) for i in range(7)]
        samples[key] = pts
    # labels: near the source, where they overlap no state, no other label and no other line
    for key, chain in chains.items():
        s, t = key
        curves = segments_of[key]
        reversed_edge = chain[0] != s
        points_flat = [p for curve in curves for p in curve]
        if reversed_edge:
            points_flat.reverse()
        path = _path(points_flat)
        label = " / ".join(step_labels[n] for n in grouped[key])
        label_w = len(label) * CHAR_EDGE
        lines = [p for pts in samples.values() for p in pts]
        lx, ly, anchor = _place_label(curves[::-1] if reversed_edge else curves, label_w, occupied, lines)
        box_left = lx - (label_w if anchor == "end" else 0)
        occupied.append((box_left - 2, ly - FONT_EDGE, box_left + label_w + 2, ly + 4))
        drawn.append(DrawnEdge(s, t, tuple(grouped[key]), label, path, round(lx, 1), round(ly, 1), anchor))
        width = max(width, box_left + label_w + MARGIN)

    nodes = tuple(
        Node(
            value=v,
            label=labels[v],
            lines=node_lines[v],
            x=round(x[v] - node_w[v] / 2, 1),
            y=top_y(layer[v]),
            width=round(node_w[v], 1),
            height=node_h,
        )
        for v in states
    )
    height = top_y(depth - 1) + node_h + MARGIN
    return Diagram(
        key=model._meta.model_name or "machine",
        title=str(model._meta.verbose_name),
        width=round(width, 1),
        height=round(height, 1),
        nodes=nodes,
        edges=tuple(drawn),
        transitions=tuple((labels[e.source], labels[e.target], step_labels[e.name]) for e in edges),
    )


def _point(curve: tuple[tuple[float, float], tuple[float, float]], t: float) -> tuple[float, float]:
    """A point of the vertical S-curve from ``curve[0]`` to ``curve[1]`` (the cubic :func:`_path` draws)."""
    (x0, y0), (x1, y1) = curve
    mid = (y0 + y1) / 2
    u = 1 - t
    bx = u**3 * x0 + 3 * u * u * t * x0 + 3 * u * t * t * x1 + t**3 * x1
    by = u**3 * y0 + 3 * u * u * t * mid + 3 * u * t * t * mid + t**3 * y1
    return bx, by


def _place_label(curves, label_w: float, occupied: list, lines: list) -> tuple[float, float, str]:
    """Where the label of an edge goes: beside one of its ``curves`` (the one at the source first), in
    the spot that overlaps no box of ``occupied`` and crosses the fewest points of the edges'
    ``lines`` (the first such spot: the middle of the curve is tried first)."""

    def box(lx: float, ly: float, anchor: str) -> tuple[float, float, float, float]:
        left = lx - (label_w if anchor == "end" else 0)
        return (left - 2, ly - FONT_EDGE, left + label_w + 2, ly + 4)

    def clear_of_boxes(b: tuple[float, float, float, float]) -> bool:
        return b[0] >= 0 and not any(
            b[0] < o[2] and o[0] < b[2] and b[1] < o[3] and o[1] < b[3] for o in occupied
        )

    def crossed(b: tuple[float, float, float, float]) -> int:
        return sum(1 for px, py in lines if b[0] - 3 <= px <= b[2] + 3 and b[1] - 2 <= py <= b[3] + 2)

    candidates = []
    for curve in curves:
        (x0, _y0), (x1, _y1) = curve
        sides = ("start", "end") if x1 >= x0 else ("end", "start")
        for t in (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.12, 0.88):
            px, py = _point(curve, t)
            py += FONT_EDGE * 0.35
            candidates += [(px + 6 if side == "start" else px - 6, py, side) for side in sides]
    placeable = [c for c in candidates if clear_of_boxes(box(*c))] or candidates
    return min(placeable, key=lambda c: crossed(box(*c)))  # min() keeps the first of equals


def _path(points: list[tuple[float, float]]) -> str:
    """S-curves between the pairs of points, straight lines through the waypoints' rows."""
    (x0, y0) = points[0]
    parts = [f"M{x0:.1f},{y0:.1f}"]
    for i in range(1, len(points)):
        (xa, ya), (xb, yb) = points[i - 1], points[i]
        if i % 2 == 1:  # a curve between two rows
            mid = (ya + yb) / 2
            parts.append(f"C{xa:.1f},{mid:.1f} {xb:.1f},{mid:.1f} {xb:.1f},{yb:.1f}")
        else:  # through a waypoint's row
            parts.append(f"L{xb:.1f},{yb:.1f}")
    return " ".join(parts)


def state_diagram(
    obj: Any,
    *,
    available: Iterable[str] = (),
    step_labels: dict[str, str] | None = None,
    step_urls: dict[str, str] | None = None,
    field_name: str = "status",
) -> Diagram:
    """The diagram of ``obj``'s machine with its current state highlighted, the transitions in
    ``available`` (what the reader may take now, e.g. ``core.transitions.available_transitions``)
    marked, and those steps listed with their labels (``step_labels``; operations that are no
    transition, such as an extension, are listed too) and links (``step_urls``)."""
    model: Any = type(obj)
    base = _layout(model, field_name, get_language())
    current = getattr(obj, field_name)
    names = list(available)
    now = set(names)
    edges = tuple(
        replace(e, available=e.source == current and bool(now.intersection(e.names))) for e in base.edges
    )
    reachable = {e.target for e in edges if e.available}
    nodes = tuple(
        replace(n, current=n.value == current, reachable_now=n.value in reachable) for n in base.nodes
    )
    labels = step_labels or {}
    urls = step_urls or {}
    steps = tuple(Step(n, labels.get(n) or transition_label(model, n), urls.get(n, "")) for n in names)
    current_label = next((n.label for n in nodes if n.current), str(current))
    return replace(
        base,
        key=f"{base.key}-{getattr(obj, 'pk', '') or ''}",
        nodes=nodes,
        edges=edges,
        current=current,
        current_label=current_label,
        steps=steps,
    )
