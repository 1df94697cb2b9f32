"""A node click on the flow canvas component, against a floor, in Chromium.

    python benchmarks/canvas_component.py [--repeat 10] [--sizes 10,200]

Two apps under `streamlit run`, each in its own browser session, clicked in turn (the
machine drifts): the floor (benchmarks/ui_browser.py's one-button app: click -> text) and
tests/browser/flow_canvas_app.py (components.flow_canvas drawing a grid of nodes, its
events read before drawing: one run). Until the designer dropped streamlit-flow, this also
measured a streamlit-flow app drawing the same grid (see this file's history). Per click,
from the pointerdown (recorded in the page):

- result: the first animation frame where the clicked node's status line on the canvas
  says "selected" (Python's answer, pushed to the canvas) with no script running;
- idle: when the page last had a script running, once it stayed idle for a second (the
  component's echo runs included);
- runs: the script runs the click caused (each app counts its runs on the page).

Prints medians, p95 and the medians' ratios to the floor's result time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from ui_browser import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    FLOOR_APP,
    NOT_RUNNING,
    PROBE,
    REPO,
    App,
    Floor,
    NoResult,
    percentile,
    timed,
)

from components.flow_canvas import IFRAME_TITLE

QUIET_MS = 1000
LAST_BUSY = """(quiet) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const running = !app || app.dataset.testScriptState !== "notRunning" ||
    document.querySelector('[data-testid="stStatusWidget"]');
  const t = performance.now();
  if (running || window.__lastBusy === undefined) window.__lastBusy = t;
  return !running && t - window.__lastBusy > quiet && performance.timeOrigin + window.__lastBusy;
}"""


class Canvas:
    """A session of one canvas app: click nodes, read the app's run count."""

    def __init__(self, browser, app: App, iframe_title: str, nodes: int):
        self.iframe = f'iframe[title="{iframe_title}"]'
        self.context = browser.new_context(viewport={"width": 1500, "height": 1000})
        self.page = self.context.new_page()
        self.page.add_init_script(PROBE)
        self.page.set_default_timeout(120_000)
        self.page.goto(f"{app.url}/?nodes={nodes}")
        self.page.frame_locator(self.iframe).locator(".react-flow__node").first.wait_for()
        self.idle()
        self.clicks, self.nodes = 0, nodes

    def runs(self) -> int:
        return int(self.page.get_by_text("runs: ", exact=False).inner_text().split()[1])

    def idle(self) -> float:
        """Wait until no script ran for QUIET_MS; return when one last ran (epoch ms)."""
        self.page.evaluate("delete window.__lastBusy")
        done = self.page.wait_for_function(LAST_BUSY, arg=QUIET_MS, polling="raf", timeout=60_000)
        return done.json_value()

    def click(self) -> dict[str, float]:
        self.clicks += 1
        # Two nodes in the middle (in view at any size), in turn: each click selects anew.
        node = f"Step-{self.nodes // 2 // 5 * 5 + self.clicks % 2}"
        selector = f'.react-flow__node[data-id="{node}"]'
        box = self.page.frame_locator(self.iframe).locator(selector).bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        runs = self.runs()
        shown = f"""() => document.querySelector('{self.iframe}').contentDocument
          .querySelector('{selector}')?.textContent.includes("● selected") && {NOT_RUNNING}"""
        sample = timed(self.page, "pointerdown", lambda: self.page.mouse.click(x, y), shown)
        idle = self.idle()
        return {
            "result": sample.seconds,
            "idle": (max(idle, sample.end) - sample.start) / 1000,
            "runs": self.runs() - runs,
        }

    def close(self) -> None:
        self.context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=10, help="clicks per app and size")
    parser.add_argument("--sizes", default="10,200", help="numbers of nodes")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    from playwright.sync_api import sync_playwright

    root = Path(tempfile.mkdtemp(prefix="canvas-component-"))
    (root / "floor.py").write_text(FLOOR_APP)
    workspace = root / "workspace"
    apps = {
        "floor": App(root / "floor.py", workspace),
        "flow_canvas": App(REPO / "tests" / "browser" / "flow_canvas_app.py", workspace),
    }
    titles = {"flow_canvas": IFRAME_TITLE}
    found: dict[tuple[str, int], list[dict]] = {}
    floor_times: list[float] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            floor = Floor(browser, apps["floor"])
            sessions = {
                (name, size): Canvas(browser, apps[name], title, size)
                for size in sizes
                for name, title in titles.items()
            }
            for round_ in range(args.repeat):
                print(f"round {round_ + 1}/{args.repeat}", file=sys.stderr)
                for (name, size), session in sessions.items():
                    floor_times.append(floor.click().seconds)
                    try:
                        found.setdefault((name, size), []).append(session.click())
                    except NoResult as error:
                        print(f"{name}, {size} nodes: {error}", file=sys.stderr)
            browser.close()
    finally:
        for app in apps.values():
            app.stop()
    report(found, floor_times)


def report(found: dict[tuple[str, int], list[dict]], floor_times: list[float]) -> None:
    floor, p95 = statistics.median(floor_times), percentile(floor_times, 0.95)
    print(f"\nfloor (one-button app, click -> text): median {floor * 1000:.0f} ms, "
          f"p95 {p95 * 1000:.0f} ms, {len(floor_times)} samples\n")  # fmt: skip
    print(f"{'canvas':<16}{'nodes':>6}{'result':>9}{'p95':>8}{'/floor':>8}"
          f"{'idle':>9}{'p95':>8}{'/floor':>8}{'runs':>6}{'n':>4}")  # fmt: skip
    for (name, size), samples in found.items():
        result = [s["result"] for s in samples]
        idle = [s["idle"] for s in samples]
        runs = statistics.median(s["runs"] for s in samples)
        print(
            f"{name:<16}{size:>6}"
            f"{statistics.median(result) * 1000:>7.0f}ms{percentile(result, 0.95) * 1000:>6.0f}ms"
            f"{statistics.median(result) / floor:>7.1f}x"
            f"{statistics.median(idle) * 1000:>7.0f}ms{percentile(idle, 0.95) * 1000:>6.0f}ms"
            f"{statistics.median(idle) / floor:>7.1f}x{runs:>6g}{len(samples):>4}"
        )


if __name__ == "__main__":
    main()
