"""The tidy layout as Chromium draws it: node boxes measured on the canvas fit the size the
layout assumes, none overlaps another, and no edge's drawn path runs behind a node."""

from __future__ import annotations

from playwright.sync_api import Page
from test_designer import CANVAS, canvas, create_from_starter, settle, steady_box

from builders.graph.layout import NODE_HEIGHT, NODE_WIDTH

GEOMETRY = """(selector) => {
  const doc = document.querySelector(selector).contentDocument;
  const zoom = Number(/scale\\(([\\d.]+)\\)/.exec(
    doc.querySelector(".react-flow__viewport").style.transform)[1]);
  const nodes = [...doc.querySelectorAll(".react-flow__node")].map((node) => {
    const box = node.getBoundingClientRect();
    return {id: node.dataset.id, x: box.x, y: box.y, w: box.width, h: box.height};
  });
  const edges = [...doc.querySelectorAll(".react-flow__edge")].map((edge) => {
    const path = edge.querySelector(".react-flow__edge-path");
    const length = path.getTotalLength(), matrix = path.getScreenCTM();
    const points = [];
    for (let i = 0; i <= 60; i++) {
      const p = path.getPointAtLength((length * i) / 60);
      points.push([p.x * matrix.a + p.y * matrix.c + matrix.e,
                   p.x * matrix.b + p.y * matrix.d + matrix.f]);
    }
    return {label: edge.getAttribute("aria-label"), points};
  });
  return {zoom, nodes, edges};
}"""


def test_the_starter_is_tidy_on_the_canvas(page: Page, server, artifacts):
    settle(page)
    create_from_starter(page, "fraud")
    frame = canvas(page)
    steady_box(page, frame.locator(".react-flow__node").last)  # the view has been fitted
    page.screenshot(path=artifacts / "layout-starter.png")
    drawn = page.evaluate(GEOMETRY, CANVAS)
    zoom, nodes = drawn["zoom"], drawn["nodes"]
    assert len(nodes) == 9 and len(drawn["edges"]) == 9
    for node in nodes:  # the size builders/graph/layout.py lays nodes out with
        assert abs(node["w"] / zoom - NODE_WIDTH) < 2, node
        assert abs(node["h"] / zoom - NODE_HEIGHT) < 1, node
    for i, a in enumerate(nodes):
        for b in nodes[i + 1 :]:
            assert not _overlap(a, b), (a["id"], b["id"])
    for edge in drawn["edges"]:
        ends = edge["label"].removeprefix("Edge from ").split(" to ")
        for node in nodes:
            if node["id"] not in ends:
                inside = [p for p in edge["points"] if _inside(p, node, margin=2)]
                assert not inside, (edge["label"], node["id"])


def _overlap(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["w"]
        and b["x"] < a["x"] + a["w"]
        and a["y"] < b["y"] + b["h"]
        and b["y"] < a["y"] + a["h"]
    )


def _inside(point, box: dict, margin: float) -> bool:
    x, y = point
    return (
        box["x"] + margin < x < box["x"] + box["w"] - margin
        and box["y"] + margin < y < box["y"] + box["h"] - margin
    )
