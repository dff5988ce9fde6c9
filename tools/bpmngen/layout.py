"""Geometry for generated diagrams: a grid of columns inside horizontal lanes, and
orthogonal edges between shapes. Only what the generator needs; bpmn.io redraws nothing."""

from __future__ import annotations

from dataclasses import dataclass

SIZES = {
    "task": (100, 80),
    "event": (36, 36),
    "gateway": (50, 50),
}
POOL_X, POOL_Y = 160, 80
POOL_LABEL = 30  # the vertical band with the participant's name
FIRST_COLUMN_X = 260  # centre of column 0
COLUMN_WIDTH = 160
ROW_HEIGHT = 120
LANE_PADDING = 70  # room above the first row and below the last one of a lane


def shape_family(kind: str) -> str:
    if kind.endswith("Event") or kind in ("start", "end", "catch", "boundary"):
        return "event"
    if kind.endswith("Gateway"):
        return "gateway"
    return "task"


@dataclass
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h


@dataclass
class LaneBox:
    name: str
    lane_id: str
    box: Box
    rows: int


def lane_boxes(lanes: list[tuple[str, str, int]], columns: int) -> tuple[Box, list[LaneBox]]:
    """``lanes`` = [(lane id, name, number of rows)] top to bottom -> pool box and lane boxes."""
    width = POOL_LABEL + (FIRST_COLUMN_X - POOL_X - POOL_LABEL) + columns * COLUMN_WIDTH + 40
    y = POOL_Y
    result = []
    for lane_id, name, rows in lanes:
        height = 2 * LANE_PADDING + rows * ROW_HEIGHT - 20
        result.append(LaneBox(name, lane_id, Box(POOL_X + POOL_LABEL, y, width - POOL_LABEL, height), rows))
        y += height
    pool = Box(POOL_X, POOL_Y, width, y - POOL_Y)
    return pool, result


def node_box(kind: str, lane: LaneBox, column: float, row: int) -> Box:
    w, h = SIZES[shape_family(kind)]
    cx = FIRST_COLUMN_X + column * COLUMN_WIDTH
    cy = lane.box.y + LANE_PADDING + row * ROW_HEIGHT + 20
    return Box(cx - w / 2, cy - h / 2, w, h)


def boundary_box(host: Box, offset: int = 0) -> Box:
    """A boundary event sits on the bottom edge of its host, towards the right."""
    w, h = SIZES["event"]
    cx = host.right - 22 - offset * 44
    return Box(cx - w / 2, host.bottom - h / 2, w, h)


def edge_points(src: Box, dst: Box, route: str = "auto") -> list[tuple[float, float]]:
    """Orthogonal waypoints. ``route``: auto | above | below | down (vertical first) | hv."""
    if route == "down":
        # From a boundary event or a lower branch: go down/up, then right (or left) into the target.
        start = (src.cx, src.bottom if dst.cy > src.cy else src.y)
        if abs(src.cx - dst.cx) < 1:
            return [start, (dst.cx, dst.y if dst.cy > src.cy else dst.bottom)]
        end = (dst.x, dst.cy) if dst.cx > src.cx else (dst.right, dst.cy)
        return [start, (src.cx, dst.cy), end]
    if route in ("above", "below"):
        # A loop back (or a jump over other shapes) travels outside the row.
        if route == "above":
            lane_y = min(src.y, dst.y) - 30
            return [(src.cx, src.y), (src.cx, lane_y), (dst.cx, lane_y), (dst.cx, dst.y)]
        lane_y = max(src.bottom, dst.bottom) + 30
        return [(src.cx, src.bottom), (src.cx, lane_y), (dst.cx, lane_y), (dst.cx, dst.bottom)]
    if route == "hv":
        # Horizontal first, then vertical into the target's top or bottom.
        start = (src.x, src.cy) if dst.cx < src.cx else (src.right, src.cy)
        return [start, (dst.cx, src.cy), (dst.cx, dst.bottom if dst.cy < src.cy else dst.y)]
    if abs(src.cy - dst.cy) < 1:
        if dst.cx >= src.cx:
            return [(src.right, src.cy), (dst.x, dst.cy)]
        return [(src.x, src.cy), (dst.right, dst.cy)]
    if dst.cx > src.cx:
        # Leave a gateway by its top/bottom corner, a task by its right side.
        if src.w == src.h == SIZES["gateway"][0]:
            start = (src.cx, src.bottom if dst.cy > src.cy else src.y)
            return [start, (src.cx, dst.cy), (dst.x, dst.cy)]
        mid = (src.right + dst.x) / 2
        return [(src.right, src.cy), (mid, src.cy), (mid, dst.cy), (dst.x, dst.cy)]
    # Target to the left in another row: go vertical first, enter from the side facing us.
    start = (src.cx, src.bottom if dst.cy > src.cy else src.y)
    return [start, (src.cx, dst.cy), (dst.right, dst.cy)]


def label_box(points: list[tuple[float, float]], text: str) -> Box:
    """A label beside the first segment of an edge."""
    (x1, y1), (_x2, y2) = points[0], points[1]
    width = min(max(len(text) * 6.5, 30), 140)
    if abs(y1 - y2) < 1:  # horizontal: above the line
        return Box(x1 + 6, y1 - 22, width, 14)
    return Box(x1 + 6, (y1 + y2) / 2 - 7, width, 14)
