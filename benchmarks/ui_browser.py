"""What a user waits for in the designer, measured in Chromium, against a floor in the same run.

    python benchmarks/ui_browser.py [--repeat 10] [--sizes 10,50,200] [--quick] [--trace] [--cpu]
                                    [--renders] [--against CHECKOUT]

Each action is timed in the browser, from the user's input event (pointer or key, recorded by
a listener in the page) to the first animation frame where the page shows its result:

- click a node: its panel heading is shown and the script run that drew the form has ended;
- edit a field: the node's badge on the canvas changed and the workspace file holds the value
  (the file's modification time counts when it is later than the badge);
- add a step: the new node is on the canvas;
- connect two nodes (drag from handle to handle): the connection is drawn from the design
  (its id is ours, not the component's) and saved;
- undo (the toolbar's button, after the round's connection or added step): the canvas no
  longer shows what the edit added, and the file is back to the design before it.

The floor is a one-page Streamlit app whose button click renders a text, started the same
way (`streamlit run` from the repository, so with the same .streamlit/config.toml). Designs of
10, 50 and 200 nodes are repeated blocks of the xgboost starter plus one data loading step.
Preview: a fresh server per repetition; first visit to "Preview and export" after start-up
(until the pipeline JSON can be downloaded), a later visit in the same session, and a first
visit in a new session (a new compile, with the SDK already imported).

--cpu adds, per action, the CPU time the app's script runs took (load-independent), the
server's CPU and the runs' wall time, and the page renderer's busy time (Chromium's metrics).
--renders adds, per action, how many times Streamlit's page committed (React) and how many
of its components rendered, counted through React's devtools hook (the canvas's and the node
panel's own React copies are not counted), settling included. They move far less with the
machine's load than times do (commits still follow how the messages happened to be batched),
so what an element fewer on the page saves shows in a short run. The counting costs a little
time itself: times taken with it compare only with times taken with it.
--trace prints, per action, the timeline of one repetition: websocket messages (script runs
begin with new_session and end with script_finished), the canvas iframe's render messages,
the values it sends back (each one a rerun) and the browser's long tasks; and, from the
server's own clock, when each run started and ended and when each message was sent: a gap
between the server's last message and the result is the page's.
"""

from __future__ import annotations

import argparse
import base64
import json
import math
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests" / "browser")]

from conftest import CHROMIUM, CHROMIUM_FLAGS  # noqa: E402  (the browser tests' flags)

from builders.designs.design import Design, move_nodes  # noqa: E402
from builders.designs.workspace import WORKSPACE_ENV, Workspace  # noqa: E402
from builders.graph.layout import tidy_positions  # noqa: E402
from builders.starters import design_from_starter  # noqa: E402
from components.flow_canvas import IFRAME_TITLE  # noqa: E402

CANVAS = f'iframe[title="{IFRAME_TITLE}"]'
TRACING = False  # --trace: the probe records websocket messages too
COUNTING = False  # --renders: the pages count their React commits and component renders
FLOOR_APP = """
import streamlit as st

if st.button("Click me"):
    st.session_state.clicks = st.session_state.get("clicks", 0) + 1
st.write(f"clicked {st.session_state.get('clicks', 0)}")
"""

# Runs in every frame (page and canvas iframe) before the page's own scripts: records input
# events, websocket traffic, component messages and long tasks with epoch-millisecond times.
PROBE = """
(() => {
  const now = () => performance.timeOrigin + performance.now();
  const top = window.top;
  const log = (entry) => { try { (top.__trace = top.__trace || []).push(entry); } catch (e) {} };
  for (const type of ["pointerdown", "pointerup", "keydown"]) {
    window.addEventListener(type, (event) => {
      try { if (top.__armed === type && top.__t0 == null) top.__t0 = now(); } catch (e) {}
    }, true);
  }
  const where = window === top ? "page" : "iframe";
  window.addEventListener("message", (event) => {
    const type = event.data && event.data.type;
    if (type) log({t: now(), where, what: "message", type});
  });
  if (window === top) {
    const Native = window.WebSocket;
    const encode = (data) => {
      if (!(data instanceof ArrayBuffer) && !ArrayBuffer.isView(data)) return null;
      const bytes = new Uint8Array(data.buffer || data, data.byteOffset || 0, data.byteLength);
      let text = "";
      for (let i = 0; i < bytes.length; i += 8192)
        text += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192));
      return btoa(text);
    };
    window.WebSocket = function (...args) {
      const socket = new Native(...args);
      socket.addEventListener("message", (event) => {
        if (top.__tracing) log({t: now(), where, what: "in", data: encode(event.data)});
      });
      const send = socket.send.bind(socket);
      socket.send = (data) => {
        if (top.__tracing) log({t: now(), where, what: "out", data: encode(data)});
        send(data);
      };
      return socket;
    };
    window.WebSocket.prototype = Native.prototype;
    Object.assign(window.WebSocket, Native);
  }
  try {
    new PerformanceObserver((list) => {
      for (const task of list.getEntries())
        log({t: performance.timeOrigin + task.startTime, where, what: "longtask",
             ms: task.duration});
    }).observe({type: "longtask"});
  } catch (e) {}
})();
"""


# -- designs and servers --------------------------------------------------------------------
def bench_design(size: int) -> Design:
    """size/10 blocks of the xgboost starter's 9 steps plus one data loading step."""
    starter = design_from_starter("xgboost_end_to_end", "starter")
    block = (
        *starter.nodes,
        starter.node("DataLoadingCalibration").model_copy(update={"name": "ExtraDataLoading"}),
    )
    nodes, edges = [], []
    for index in range(size // 10):
        nodes += [n.model_copy(update={"name": f"{n.name}-{index}"}) for n in block]
        edges += [(f"{s}-{index}", f"{t}-{index}") for s, t in starter.edges]
    design = Design(
        name=f"bench-{size}", settings=starter.settings, nodes=tuple(nodes), edges=tuple(edges)
    )
    return move_nodes(design, tidy_positions(design.dag()))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class App:
    """`streamlit run SCRIPT` from the repository (its config applies), on 127.0.0.1."""

    def __init__(
        self, script: Path, workspace: Path, env: dict[str, str] | None = None, cwd: Path = REPO
    ):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        given = env or {}
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update({WORKSPACE_ENV: str(workspace), "AWS_EC2_METADATA_DISABLED": "true"})
        env.update(given)
        env.update(AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_CONFIG_FILE=os.devnull)
        self.log_path = workspace.parent / f"{script.stem}-{self.port}.log"
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(script), "--server.port",
             str(self.port), "--server.address", "127.0.0.1", "--server.headless", "true"],
            cwd=cwd, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"{script} did not start; see {self.log_path}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:  # a loaded machine: end it rather than lose the run
            self.process.kill()
            self.process.wait(15)
        self.log.close()


# -- timing in the page ---------------------------------------------------------------------
class NoResult(Exception):
    """The page did not show the action's result in time."""


@dataclass
class Sample:
    start: float  # epoch ms of the user's input event
    end: float  # epoch ms of the first frame showing the result
    trace: list[dict] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return (self.end - self.start) / 1000

    def until_saved(self, path: Path) -> Sample:
        """The result counts from when `path` was written too, if that was later."""
        self.end = max(self.end, path.stat().st_mtime * 1000)
        return self


def timed(page, event: str, act: Callable[[], None], shown_js: str, arg=None) -> Sample:
    """Seconds from the first `event` (pointerdown, pointerup or keydown) after arming to the
    first animation frame where `shown_js` (a function of arg) is true."""
    page.evaluate(
        "([event, tracing]) => { window.__trace = []; window.__t0 = null; "
        "window.__armed = event; window.__tracing = tracing; }",
        [event, TRACING],
    )
    act()
    wait = f"""(arg) => window.__t0 != null && ({shown_js})(arg)
      && performance.timeOrigin + performance.now()"""
    try:
        done = page.wait_for_function(wait, arg=arg, polling="raf", timeout=60_000).json_value()
    except Exception as error:
        shot = Path(tempfile.gettempdir()) / f"ui-browser-no-result-{time.time():.0f}.png"
        page.screenshot(path=shot, full_page=True)
        status = page.get_by_test_id("stStatusWidget").all_inner_texts()
        raise NoResult(f"no result within 60 s (status: {status}); see {shot}") from error
    return Sample(page.evaluate("window.__t0"), done)


def finish(page, sample: Sample) -> Sample:
    """Let the page settle (echo reruns included) and keep what the probe recorded."""
    settle(page)
    sample.trace = page.evaluate("window.__trace")
    return sample


def settle(page, quiet_ms: int = 400) -> None:
    """Wait until no script runs and none started for `quiet_ms` (echo reruns included)."""
    try:
        page.wait_for_function(
            """(quiet) => {
              const app = document.querySelector('[data-testid="stApp"]');
              const running = !app || app.dataset.testScriptState !== "notRunning" ||
                document.querySelector('[data-testid="stStatusWidget"]');
              const t = performance.now();
              if (running || window.__busySince === undefined) window.__busySince = t;
              if (running) return false;
              return t - window.__busySince > quiet;
            }""",
            arg=quiet_ms,
            polling="raf",
            timeout=60_000,
        )
    except Exception as error:
        status = page.get_by_test_id("stStatusWidget").all_inner_texts()
        raise NoResult(f"the page kept running for 60 s (status: {status})") from error
    page.evaluate("delete window.__busySince")


NOT_RUNNING = """document.querySelector('[data-testid="stApp"]').dataset.testScriptState
  === "notRunning" && !document.querySelector('[data-testid="stStatusWidget"]')"""
CANVAS_DOC = f"document.querySelector('{CANVAS}')?.contentDocument"
# The main area's h3 headings: the page's and those of components v2 drawn in a shadow root
# (the node panel's heading is the node's name).
HEADINGS = """[...document.querySelectorAll("[data-testid=stMain] h3"),
  ...[...document.querySelectorAll("[data-testid=stMain] [data-testid=stBidiComponentIsolated]")]
    .flatMap((host) => host.shadowRoot ? [...host.shadowRoot.querySelectorAll("h3")] : [])]"""


# --renders: React's devtools hook, in the page only (not in the canvas's frame). A component
# rendered in a commit when it is new or did work (React's PerformedWork flag); a subtree
# whose children are the ones of the last commit was not visited (its flags are old ones).
RENDERS_HOOK = """
(() => {
  if (window !== window.top) return;
  const count = (window.__renders = {commits: 0, components: 0});
  const COMPONENTS = new Set([0, 1, 11, 14, 15]);  // function, class, forwardRef, memo
  const walk = (fiber) => {
    for (let at = fiber; at; at = at.sibling) {
      const fresh = at.alternate === null;
      if (COMPONENTS.has(at.tag) && (fresh || at.flags & 1)) count.components += 1;
      if (at.child && (fresh || at.child !== at.alternate.child)) walk(at.child);
    }
  };
  window.__REACT_DEVTOOLS_GLOBAL_HOOK__ = {
    supportsFiber: true, renderers: new Map(), isDisabled: false,
    inject(renderer) { this.renderers.set(this.renderers.size + 1, renderer);
                       return this.renderers.size; },
    onCommitFiberRoot(id, root) { count.commits += 1; walk(root.current.child); },
    onCommitFiberUnmount() {}, onPostCommitFiberRoot() {}, checkDCE() {},
  };
})();
"""


class PageMeter:
    """Counters a page keeps growing; `grown` is how much each grew since the last call."""

    def __init__(self):
        self.last = self.read()

    def read(self) -> dict[str, float]:
        raise NotImplementedError

    def grown(self) -> dict[str, float]:
        now, last = self.read(), self.last
        self.last = now
        return {name: now[name] - last[name] for name in now}


class PageRenders(PageMeter):
    """The page's React commits and component renders since the last call (--renders)."""

    def __init__(self, page):
        self.page = page
        super().__init__()

    def read(self) -> dict[str, float]:
        return self.page.evaluate("window.__renders || {commits: 0, components: 0}")

    def since_last(self) -> tuple[float, float]:
        grown = self.grown()
        return grown["commits"], grown["components"]


# -- the designer's actions -------------------------------------------------------------------
def on_canvas(condition: str) -> str:
    """A predicate on the canvas node named arg.node: `condition` over `node`."""
    return f"""(arg) => {{
      const node = {CANVAS_DOC}?.querySelector(`.react-flow__node[data-id="${{arg.node}}"]`);
      return Boolean(node && {condition});
    }}"""


def visible_nodes(page) -> list[str]:
    """Names of the canvas nodes whose centre is inside the canvas and the window, and not
    under the minimap, the zoom controls, the palette or the page's panel over the canvas."""
    return page.evaluate(
        """(selector) => {
          const frame = document.querySelector(selector);
          const outer = frame.getBoundingClientRect();
          const doc = frame.contentDocument;
          const inside = [".react-flow__minimap", ".react-flow__controls", ".fc-palette", ".fc-top"]
          const covers = [...doc.querySelectorAll(inside.join(", "))]
            .map((e) => e.getBoundingClientRect());  // a click there does not reach a node
          const drawer = document.querySelector('[class*="st-key-drawer"]');
          if (drawer) {  // the panel, in the page's coordinates: into the frame's
            const r = drawer.getBoundingClientRect();
            covers.push({left: r.left - outer.left, right: r.right - outer.left,
                         top: r.top - outer.top, bottom: r.bottom - outer.top});
          }
          return [...doc.querySelectorAll(".react-flow__node")].filter((n) => {
            const box = n.getBoundingClientRect();
            const x = box.x + box.width / 2, y = box.y + box.height / 2;
            return x > 20 && y > 20 && x < outer.width - 20 && y < outer.height - 20 &&
              outer.y + y > 0 && outer.y + y < window.innerHeight &&
              !covers.some((c) => x > c.left && x < c.right && y > c.top && y < c.bottom);
          }).map((n) => n.dataset.id);
        }""",
        CANVAS,
    )


def steady(page, locator) -> None:
    """Wait until the element stops moving (the canvas animates zoom and fit)."""
    box = locator.bounding_box()
    for _ in range(30):
        page.wait_for_timeout(100)
        again = locator.bounding_box()
        if again == box:
            return
        box = again


def centre(page, selector: str) -> tuple[float, float]:
    box = page.frame_locator(CANVAS).locator(selector).bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


class Designer:
    """One browser session on one design, and the timed actions on it."""

    def __init__(self, browser, app: App, space: Workspace, design: Design):
        self.space, self.name = space, design.name
        space.save(design)  # saving makes it the design a new session opens
        self.context = browser.new_context(viewport={"width": 1500, "height": 1000})
        self.page = self.context.new_page()
        self.page.add_init_script(PROBE)
        if COUNTING:
            self.page.add_init_script(RENDERS_HOOK)
        self.page.set_default_timeout(120_000)
        self.page.goto(app.url)
        self.page.frame_locator(CANVAS).locator(".react-flow__node").first.wait_for()
        settle(self.page, 1000)
        self.edits = 0

    def reload(self) -> None:
        """Start again from a fresh page (after an action that never showed its result)."""
        self.page.reload()
        self.page.frame_locator(CANVAS).locator(".react-flow__node").first.wait_for()
        settle(self.page, 1000)

    @property
    def path(self) -> Path:
        return self.space.path(self.name)

    def design(self) -> Design:
        return self.space.load(self.name)

    def wait_saved(self, check: Callable[[Design], bool]) -> None:
        deadline = time.time() + 30
        while not check(self.design()):
            if time.time() > deadline:
                raise RuntimeError(f"the change was not saved in {self.path}")
            time.sleep(0.02)

    def pick(self, prefix: str, avoid: str | None = None) -> str:
        shown = [n for n in visible_nodes(self.page) if n != avoid]
        return next((n for n in shown if n.startswith(prefix)), shown[0])

    def selected(self) -> str | None:
        return self.page.evaluate(
            f"() => {HEADINGS}.map((h) => h.textContent.trim()).find((text) => text) || null"
        )

    def show_canvas(self) -> None:
        """Scroll the page back up to the canvas (the palette's buttons scroll it down)."""
        self.page.locator(CANVAS).evaluate("(frame) => frame.scrollIntoView({block: 'start'})")

    def select(self, node: str) -> None:
        """Go to `node` by its name in the canvas's top bar (for nodes the canvas does not show)."""
        finder = self.page.frame_locator(CANVAS).get_by_role("combobox", name="Go to a step")
        if finder.count():
            finder.fill(node)
        else:  # an older checkout (--against): the toolbar's step picker
            picker = self.page.locator('[class*="st-key-pick-"]').get_by_test_id("stSelectbox")
            picker.click()
            self.page.keyboard.type(node)
            self.page.get_by_role("option", name=node, exact=True).click()
        self.page.locator("[data-testid=stMain] h3", has_text=node).wait_for()
        settle(self.page)

    def click_node(self, prefix: str) -> Sample:
        """Click a visible node of the type `prefix` (not the selected one): its form shown."""
        self.show_canvas()
        node = self.pick(prefix, avoid=self.selected())
        x, y = centre(self.page, f'.react-flow__node[data-id="{node}"]')
        shown = f"""() => {HEADINGS}
          .some((h) => h.textContent.trim() === {json.dumps(node)}) && {NOT_RUNNING}"""
        sample = timed(self.page, "pointerdown", lambda: self.page.mouse.click(x, y), shown)
        return finish(self.page, sample)

    def edit_field(self) -> Sample:
        """Empty a Payload node's objective (its badge shows a problem), or fill it again."""
        node = self.selected() or ""
        if not node.startswith("Payload"):
            node = next(n for n in self.design().node_names if n.startswith("Payload"))
            self.select(node)
        objective = "model_registration_objective"
        self.edits += 1
        value = "" if self.design().node(node).values.get(objective) else f"Goal{self.edits}"
        box = self.page.get_by_role("textbox", name="Model registration objective")
        box.fill(value)
        badge = "problem" if value == "" else "ready"
        shown = on_canvas(f"node.textContent.includes({json.dumps(badge)})")
        sample = timed(self.page, "keydown", lambda: box.press("Enter"), shown, {"node": node})
        self.wait_saved(lambda design: design.node(node).values.get(objective) == value)
        return finish(self.page, sample).until_saved(self.path)

    def add_step(self) -> Sample:
        """Add a batch transform from the palette (inside the canvas): the new node on it."""
        from builders.designs.design import unique_name

        new = unique_name(self.design(), "BatchTransform")
        frame = self.page.frame_locator(CANVAS)
        item = frame.locator(".fc-palette-item").filter(has_text="Batch transform")
        if not item.is_visible():
            frame.locator(".fc-palette-open").click()
        sample = timed(self.page, "pointerdown", item.click, on_canvas("true"), {"node": new})
        self.wait_saved(lambda design: new in design.node_names)
        return finish(self.page, sample).until_saved(self.path)

    def connect(self) -> list[Sample]:
        """Drag from a visible node's output handle to another's input: a new connection
        drawn from the design (our ids, not the component's) and saved. At 200 nodes the
        handles are 1 px: zoom in first, as a person would. A drop that the component snapped
        to another handle, which the designer refused, is no sample (said on stderr)."""
        self.show_canvas()
        source, target = self.free_pair()
        handle = '.react-flow__node[data-id="{}"] .react-flow__handle.{}'
        start = centre(self.page, handle.format(source, "source"))
        end = centre(self.page, handle.format(target, "target"))
        box = self.page.frame_locator(CANVAS).locator(handle.format(source, "source"))
        if box.bounding_box()["width"] < 4:
            self.page.mouse.move((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
            self.page.mouse.wheel(0, -500)
            steady(self.page, box)
            start = centre(self.page, handle.format(source, "source"))
            end = centre(self.page, handle.format(target, "target"))
        edges = len(self.design().edges)

        def drag() -> None:
            self.page.mouse.move(*start)
            self.page.mouse.down()
            self.page.mouse.move(*end, steps=8)
            self.page.mouse.up()

        ours = f"""() => [...{CANVAS_DOC}.querySelectorAll('[data-testid*="->"]')]
          .map((edge) => edge.dataset.testid)"""
        refused = 'document.body.innerText.includes("refused:")'  # the designer's notice
        before = self.page.evaluate(f"() => ({{drawn: ({ours})(), refused: {refused}}})")
        shown = f"""(before) => ({ours})().some((id) => !before.drawn.includes(id))
          || (!before.refused && {refused})"""
        sample = finish(self.page, timed(self.page, "pointerup", drag, shown, before))
        if len(self.design().edges) != edges + 1:
            print(f"{source} -> {target}: dropped on another handle, refused", file=sys.stderr)
            return []
        return [sample.until_saved(self.path)]

    def free_pair(self) -> tuple[str, str]:
        """The closest two visible nodes the designer lets the user connect, not connected."""
        from builders.designs.design import connection_problem

        design = self.design()
        for _ in range(2):  # the view shows too few nodes: fit it, as a person would
            shown = visible_nodes(self.page)
            pairs = [
                (source, target)
                for target in shown
                for source in shown
                if (source, target) not in design.edges
                and not connection_problem(design, source, target)
            ]
            if pairs:
                break
            close = self.page.locator(".st-key-close_panel").get_by_role("button")
            if close.count():  # the panel over the canvas hides nodes: closed, as a person would
                close.click()
                settle(self.page)
            fit = self.page.frame_locator(CANVAS).locator(".react-flow__controls-fitview")
            fit.click()
            steady(self.page, self.page.frame_locator(CANVAS).locator(".react-flow__node").last)
        if not pairs:
            raise RuntimeError("no two visible nodes are left to connect")
        where = {n: centre(self.page, f'.react-flow__node[data-id="{n}"]') for n in shown}
        return min(pairs, key=lambda p: math.dist(where[p[0]], where[p[1]]))

    def close(self) -> None:
        self.context.close()


def undo(designer: Designer) -> Sample:
    """Undo the last edit (this round's connection, or its added step): what it drew gone
    from the canvas, and the file back to the design before it."""
    page = designer.page
    edited = designer.design()
    button = page.locator(".st-key-undo").get_by_role("button")
    if button.is_disabled():  # a reload after a failed action starts the history afresh
        raise RuntimeError("nothing to undo (the page was reloaded)")
    drawn = f"""() => [...{CANVAS_DOC}.querySelectorAll('.react-flow__node, .react-flow__edge')]
      .map((e) => e.dataset.id || e.dataset.testid).sort().join(",")"""
    before = page.evaluate(drawn)
    shown = f"(before) => ({drawn})() !== before && {NOT_RUNNING}"
    sample = timed(page, "pointerdown", button.click, shown, before)
    designer.wait_saved(lambda design: design != edited)
    return finish(page, sample).until_saved(designer.path)


class Floor:
    """The one-button app: click, and the text it renders."""

    def __init__(self, browser, app: App):
        self.context = browser.new_context(viewport={"width": 1500, "height": 1000})
        self.page = self.context.new_page()
        self.page.add_init_script(PROBE)
        if COUNTING:
            self.page.add_init_script(RENDERS_HOOK)
        self.page.goto(app.url)
        self.page.get_by_text("clicked 0").wait_for()
        self.clicks = 0

    def click(self) -> Sample:
        self.clicks += 1
        text = json.dumps(f"clicked {self.clicks}")
        shown = f"() => document.body.innerText.includes({text})"
        button = self.page.get_by_role("button", name="Click me")
        sample = timed(self.page, "pointerdown", button.click, shown)
        return finish(self.page, sample)

    def close(self) -> None:
        self.context.close()


# -- Preview after start-up -------------------------------------------------------------------
PREVIEW = "Preview and export"


def visit(page, title: str, shown: str) -> Sample:
    link = page.get_by_test_id("stTopNavLink").filter(has_text=title)
    return finish(page, timed(page, "pointerdown", link.click, shown))


def preview_visits(browser, root: Path, think: float) -> dict[str, Sample]:
    """A fresh server: first visit to Preview, a later one, and a first one in a new session."""
    workspace = Path(tempfile.mkdtemp(dir=root))
    space, design = Workspace(workspace), bench_design(10)
    app = App(REPO / "app.py", workspace)
    downloadable = f"""() => [...document.querySelectorAll("button")]
      .some((b) => b.innerText.includes("Download pipeline JSON")) && {NOT_RUNNING}"""
    try:
        first_session = Designer(browser, app, space, design)
        time.sleep(think)  # the user looks at the design before going to Preview
        page = first_session.page
        visits = {"first visit after start-up": visit(page, PREVIEW, downloadable)}
        visit(page, "Designer", f"() => {CANVAS_DOC} != null && {NOT_RUNNING}")
        visits["later visit, same session"] = visit(page, PREVIEW, downloadable)
        second_session = Designer(browser, app, space, design)
        visits["first visit, new session"] = visit(second_session.page, PREVIEW, downloadable)
        first_session.close()
        second_session.close()
        return visits
    finally:
        app.stop()


# -- the run ---------------------------------------------------------------------------------
def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timeline(sample: Sample) -> list[str]:
    """The probe's records, decoded: script runs, component messages, long tasks, and with
    the server's marks (--trace) when its runs started and ended and it sent each message.
    Consecutive deltas are counted on one line: received by the page, or sent by the server
    (the time of the last one)."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    lines: list[str] = []
    deltas = {"in": 0, "sent": 0}
    last = {"in": "", "sent": ""}  # when the last delta of each run of them came or went

    def add(line: str) -> None:
        if deltas["in"]:
            lines.append(f"{last['in']}  in   {deltas['in']} deltas (the last)")
        if deltas["sent"]:
            lines.append(f"{last['sent']}  server sent {deltas['sent']} deltas (the last)")
        deltas.update(dict.fromkeys(deltas, 0))
        lines.append(line)

    shown = {"t": sample.end, "where": "page", "what": "result"}
    for entry in sorted([*sample.trace, shown], key=lambda e: e["t"]):
        at = f"{entry['t'] - sample.start:+8.0f} ms"
        what = entry["what"]
        if what == "result":
            add(f"{at}  page   the result shown")
        elif entry["where"] == "server":
            if what == "sent delta":
                deltas["sent"] += 1
                last["sent"] = at
            else:
                add(f"{at}  server {what}")
        elif what in ("in", "out") and entry.get("data"):
            raw = base64.b64decode(entry["data"])
            message = (ForwardMsg if what == "in" else BackMsg).FromString(raw)
            kind = message.WhichOneof("type")
            if kind == "delta":
                deltas["in"] += 1
                last["in"] = at
            elif kind not in ("heartbeat_ack", "app_heartbeat"):
                add(f"{at}  {what:<4} {kind} ({len(raw)} bytes)")
        elif what == "message":
            add(f"{at}  {entry['where']:<6} {entry['type']}")
        elif what == "longtask" and entry["where"] == "page":  # the iframe shares the thread
            add(f"{at}  {entry['where']:<6} long task {entry['ms']:.0f} ms")
    runs = sum("in   new_session" in line for line in lines)
    values = sum("setComponentValue" in line and "page" in line for line in lines)
    busy = sum(e["ms"] for e in sample.trace if e["what"] == "longtask" and e["where"] == "page")
    lines.append(
        f"{'':>11}   script runs: {runs}; canvas values sent: {values}; long tasks: {busy:.0f} ms"
    )
    return lines


def main() -> None:
    global TRACING, COUNTING
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=10, help="samples per action and size")
    parser.add_argument("--sizes", default="10,50,200", help="design sizes, in nodes")
    parser.add_argument("--preview-repeat", type=int, default=3, help="fresh servers")
    parser.add_argument("--think", type=float, default=2.0, help="seconds before Preview")
    parser.add_argument("--quick", action="store_true", help="3 repeats, 10 and 200 nodes")
    parser.add_argument("--trace", action="store_true", help="timelines of the last samples")
    parser.add_argument("--cpu", action="store_true", help="the script runs' CPU time too")
    parser.add_argument(
        "--renders", action="store_true", help="the page's React commits and renders too"
    )
    parser.add_argument(
        "--against",
        type=Path,
        help="another checkout of the app (e.g. main, unpacked), measured in the same rounds: "
        "rows 'N A' are this one, 'N B' that one",
    )
    args = parser.parse_args()
    if args.quick:
        args.repeat, args.sizes, args.preview_repeat = 3, "10,200", 1
    TRACING, COUNTING = args.trace, args.renders
    sizes = [int(size) for size in args.sizes.split(",")]
    from playwright.sync_api import sync_playwright

    root = Path(tempfile.mkdtemp(prefix="ui-browser-"))
    floor_script = root / "floor.py"
    floor_script.write_text(FLOOR_APP)
    workspace = root / "workspace"
    space = Workspace(workspace)
    samples: dict[tuple[str, int], list[Sample]] = {}
    floor_samples: list[Sample] = []
    failures: dict[tuple[str, int], int] = {}
    actions = {
        "click a node": lambda d: [d.click_node("XGBoostTraining"), d.click_node("Payload")],
        "edit a field": lambda d: [d.edit_field()],
        "add a step": lambda d: [d.add_step()],
        "connect two nodes": lambda d: d.connect(),
        "undo": lambda d: [undo(d)],
    }
    cpu: dict[tuple[str, int], list[list[float]]] = {}
    renders: dict[tuple[str, int], list[tuple[float, float]]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        env = server_probe(root, args.cpu, args.trace)
        app = App(REPO / "app.py", workspace, env)
        # The floor's runs untouched by the CPU probe; traced, it shows the server's marks too.
        floor_app = App(floor_script, workspace, env if args.trace else None)
        apps = {"": (app, space)}
        if args.against:  # its own workspace: the two apps never edit one file
            other = root / "workspace-b"
            app_b = App(args.against / "app.py", other, env, cwd=args.against)
            apps = {" A": (app, space), " B": (app_b, Workspace(other))}
        try:
            floor = Floor(browser, floor_app)
            designers, runs = {}, {}
            for tag, (served, kept) in apps.items():
                for size in sizes:
                    designers[f"{size}{tag}"] = Designer(browser, served, kept, bench_design(size))
                    runs[f"{size}{tag}"] = ScriptCpu(served.log_path)
            pages = {size: BrowserCpu(d.page) for size, d in designers.items()} if args.cpu else {}
            floor_cpu = BrowserCpu(floor.page) if args.cpu else None
            counted = (
                {size: PageRenders(d.page) for size, d in designers.items()} if COUNTING else {}
            )
            floor_counted = PageRenders(floor.page) if COUNTING else None
            for round_ in range(args.repeat):
                print(f"round {round_ + 1}/{args.repeat}", file=sys.stderr)
                for size, designer in designers.items():  # interleaved: the machine drifts
                    if floor_cpu:
                        floor_cpu.since_last()
                    if floor_counted:
                        floor_counted.since_last()
                    floor_samples.append(floor.click())
                    if floor_counted:
                        renders.setdefault(("floor", 0), []).append(floor_counted.since_last())
                    if floor_cpu:
                        cpu.setdefault(("floor", 0), []).append([0, 0, 0, *floor_cpu.since_last()])
                    for action, run in actions.items():
                        found = samples.setdefault((action, size), [])
                        try:
                            runs[size].since_last()
                            if COUNTING:
                                counted[size].since_last()
                            if args.cpu:
                                pages[size].since_last()
                            taken = run(designer)
                            found.extend(taken)
                            if COUNTING and taken:
                                made = counted[size].since_last()
                                renders.setdefault((action, size), []).append(
                                    tuple(n / len(taken) for n in made)
                                )
                            if args.cpu and taken:
                                spent = [*runs[size].since_last(), *pages[size].since_last()]
                                per = [t / len(taken) for t in spent]
                                cpu.setdefault((action, size), []).append(per)
                        except (NoResult, RuntimeError) as error:  # RuntimeError: not saved
                            print(f"{action}, {size} nodes: {error}", file=sys.stderr)
                            failures[action, size] = failures.get((action, size), 0) + 1
                            designer.reload()
        finally:
            for served, _ in apps.values():
                served.stop()
            floor_app.stop()
        previews: dict[str, list[Sample]] = {}
        for _ in range(args.preview_repeat):
            try:
                visits = preview_visits(browser, root, args.think)
            except NoResult as error:
                print(f"Preview: {error}", file=sys.stderr)
                failures["Preview", 10] = failures.get(("Preview", 10), 0) + 1
                continue
            for name, sample in visits.items():
                previews.setdefault(name, []).append(sample)
        browser.close()
    logs = [served.log_path for served, _ in apps.values()] + [floor_app.log_path]
    report(samples, floor_samples, previews, failures, args, logs)
    if cpu:
        print(
            "\nper action, medians in ms: the script runs' CPU (its thread, time.thread_time),"
            "\nthe server process's CPU meanwhile and the runs' wall time; the page's renderer:"
            "\nall its tasks, scripts, style and layout (Chromium's metrics, settling included)"
        )
        print(f"  {'':<26}{'cpu':>6}{'proc':>6}{'wall':>6}{'page':>8}{'js':>6}{'style':>7}")
        for (action, size), times in cpu.items():
            thread, process, wall, task, js, style = (
                statistics.median(t[i] for t in times) for i in range(6)
            )
            print(
                f"  {action:<20}{size:>6}{thread:>6.0f}{process:>6.0f}{wall:>6.0f}"
                f"{task:>8.0f}{js:>6.0f}{style:>7.0f}"
            )
    if COUNTING:
        print("\nper action, medians: the page's React commits and component renders")
        print(f"  {'':<26}{'commits':>8}{'renders':>9}{'x floor':>9}")
        floor_renders = statistics.median(n for _, n in renders["floor", 0]) or 1
        for (action, size), counts in renders.items():
            commits = statistics.median(c for c, _ in counts)
            components = statistics.median(n for _, n in counts)
            print(
                f"  {action:<20}{size:>6}{commits:>8.0f}{components:>9.0f}"
                f"{components / floor_renders:>8.1f}x"
            )
    shutil.rmtree(root, ignore_errors=True)


# --cpu: each script run's CPU time, printed by the app's process (a sitecustomize module
# on its PYTHONPATH wraps Streamlit's ScriptRunner._run_script) and read from its log. CPU
# time, not wall time: it does not grow with the machine's load.
CPU_PROBE = """
import sys, time
from streamlit.runtime.scriptrunner import script_runner

_run = script_runner.ScriptRunner._run_script


def _timed(self, *args, **kwargs):
    start = time.thread_time(), time.process_time(), time.perf_counter()
    try:
        return _run(self, *args, **kwargs)
    finally:
        ends = time.thread_time(), time.process_time(), time.perf_counter()
        spent = [(end - begun) * 1000 for begun, end in zip(start, ends)]
        print("SCRIPT-CPU-MS %.2f %.2f %.2f" % tuple(spent), file=sys.stderr, flush=True)


script_runner.ScriptRunner._run_script = _timed
"""


# --trace: the server's side of each run, printed by the app's process with epoch times
# (when a script run starts and ends, when each message is handed to the websocket), read
# from its log and merged into the timelines. Wraps Streamlit internals: if they moved, the
# probe says so in the log and the timelines show the page's side only.
TRACE_PROBE = """
import sys, time
from streamlit.runtime.scriptrunner import script_runner


def _mark(what):
    print("SERVER-MARK %.3f %s" % (time.time() * 1000, what), file=sys.stderr, flush=True)


_script = script_runner.ScriptRunner._run_script


def _marked(self, *args, **kwargs):
    _mark("script-start")
    try:
        return _script(self, *args, **kwargs)
    finally:
        _mark("script-end")


script_runner.ScriptRunner._run_script = _marked
try:
    from streamlit.web.server.starlette.starlette_websocket import StarletteSessionClient

    _write = StarletteSessionClient.write_forward_msg

    def _sent(self, msg):
        _mark("sent " + msg.WhichOneof("type"))
        return _write(self, msg)

    StarletteSessionClient.write_forward_msg = _sent
except (ImportError, AttributeError) as error:
    print("SERVER-MARK probe: no websocket client to wrap (%s)" % error, file=sys.stderr)
"""


def server_probe(root: Path, cpu: bool, trace: bool) -> dict[str, str] | None:
    """The environment that starts an app with the probes asked for (None: none)."""
    if not (cpu or trace):
        return None
    folder = root / "server-probe"
    folder.mkdir(exist_ok=True)
    parts = [CPU_PROBE] * cpu + [TRACE_PROBE] * trace
    (folder / "sitecustomize.py").write_text("\n".join(parts))
    return {"PYTHONPATH": str(folder)}


def server_marks(logs: list[Path]) -> list[dict]:
    """The trace probe's marks in the apps' logs, as timeline entries."""
    marks = []
    for log in logs:
        for line in log.read_text(errors="replace").splitlines():
            parts = line.split(" ", 2)
            if len(parts) == 3 and parts[0] == "SERVER-MARK" and parts[1] != "probe:":
                marks.append({"t": float(parts[1]), "where": "server", "what": parts[2]})
    return marks


class BrowserCpu(PageMeter):
    """The milliseconds the page's renderer spent (Chromium's Performance metrics: all
    tasks, and of them scripts and style and layout) since the last call; the canvas's
    frame runs in the same renderer. Includes the settling after the result (no run)."""

    NAMES = ("TaskDuration", "ScriptDuration", "RecalcStyleDuration", "LayoutDuration")

    def __init__(self, page):
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Performance.enable")
        super().__init__()

    def read(self) -> dict[str, float]:
        metrics = self.cdp.send("Performance.getMetrics")["metrics"]
        return {m["name"]: m["value"] * 1000 for m in metrics if m["name"] in self.NAMES}

    def since_last(self) -> tuple[float, float, float]:
        spent = self.grown()
        style_layout = spent["RecalcStyleDuration"] + spent["LayoutDuration"]
        return spent["TaskDuration"], spent["ScriptDuration"], style_layout


class ScriptCpu:
    """The CPU milliseconds of the script runs the app logged since the last call."""

    def __init__(self, log: Path):
        self.log, self.read = log, log.stat().st_size

    def since_last(self) -> tuple[float, float, float]:
        """(script thread CPU, whole process CPU, wall) summed over the runs, in ms."""
        with self.log.open("rb") as file:
            file.seek(self.read)
            data = file.read()
        self.read += len(data)
        text = data.decode(errors="replace")
        runs = [[float(x) for x in line.split()[1:4]] for line in text.splitlines()
                if line.startswith("SCRIPT-CPU-MS")]  # fmt: skip
        return tuple(sum(run[i] for run in runs) for i in range(3))


def report(samples, floor_samples, previews, failures, args, logs: list[Path]) -> None:
    floor = [s.seconds for s in floor_samples]
    floor_median, floor_p95 = statistics.median(floor), percentile(floor, 0.95)
    print(f"\nfloor (one-button app, click -> text): median {floor_median * 1000:.0f} ms, "
          f"p95 {floor_p95 * 1000:.0f} ms, {len(floor)} samples")  # fmt: skip
    print(f"\n{'action':<20}{'nodes':>6}{'median':>10}{'p95':>10}{'median/floor':>14}"
          f"{'p95/floor':>11}{'n':>4}")  # fmt: skip
    for (action, size), found in samples.items():
        if not found:
            print(f"{action:<20}{size:>6}   -")
            continue
        times = [s.seconds for s in found]
        median, p95 = statistics.median(times), percentile(times, 0.95)
        failed = failures.get((action, size))
        print(
            f"{action:<20}{size:>6}{median * 1000:>8.0f}ms{p95 * 1000:>8.0f}ms"
            f"{median / floor_median:>13.1f}x{p95 / floor_p95:>10.1f}x{len(times):>4}"
            + (f"  ({failed} showed no result within 60 s)" if failed else "")
        )
    if previews:
        print(f"\nPreview and export (10 nodes, {args.preview_repeat} fresh servers, "
              f"{args.think:g} s after the designer was shown):")  # fmt: skip
        if failures.get(("Preview", 10)):
            print(f"  ({failures['Preview', 10]} servers showed no Preview within 60 s)")
        later = statistics.median(s.seconds for s in previews["later visit, same session"])
        for name, found in previews.items():
            median = statistics.median(s.seconds for s in found)
            print(f"  {name:<28}{median * 1000:>8.0f} ms  {median / later:>5.1f}x a later visit")
    if args.trace:
        marks = server_marks(logs)
        for sample in [*floor_samples, *(s for found in samples.values() for s in found)]:
            sample.trace += [m for m in marks if sample.start - 5 < m["t"] < sample.end + 100]
        for (action, size), found in samples.items():
            if found:
                print(
                    f"\n-- {action}, {size} nodes (last sample, {found[-1].seconds * 1000:.0f} ms)"
                )
                print("\n".join(timeline(found[-1])))
        print(f"\n-- floor (last sample, {floor_samples[-1].seconds * 1000:.0f} ms)")
        print("\n".join(timeline(floor_samples[-1])))
        for name, found in previews.items():
            print(f"\n-- Preview, {name} ({found[-1].seconds * 1000:.0f} ms)")
            print("\n".join(timeline(found[-1])))


if __name__ == "__main__":
    main()
