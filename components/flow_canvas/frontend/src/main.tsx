import { flushSync } from "react-dom";
import { createRoot } from "react-dom/client";
import { ReactFlowProvider } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import "./canvas.css";
import { forwardShortcuts, keepTextUndoInTextBoxes, listen, setFrameHeight, type Render } from "./bridge";
import { Canvas } from "./Canvas";
import { MIN_HEIGHT, watchWindowHeight, windowHeight } from "./frame";
import type { Args } from "./types";

const root = createRoot(document.getElementById("root")!);
let height = -1;
let below: number | null = null; // the window's height below the frame, as last measured
let last: Render | null = null;
forwardShortcuts();
keepTextUndoInTextBoxes();

// Each render message is a new set of arguments for the same, still mounted canvas; the
// height is Python's, or the window's below the frame: measured once, then again when it
// may have changed (measuring on every message would lay the page out there and then).
// The canvas is drawn in the message's task: React would otherwise draw it in a task of
// its own, often after the page's next frame.
function draw(): void {
  if (last === null) return;
  const given = last.args as unknown as Args;
  if (given.height == null && below === null) below = windowHeight();
  const wanted = given.height ?? below ?? MIN_HEIGHT;
  if (wanted !== height) setFrameHeight((height = wanted));
  const { theme } = last;
  flushSync(() =>
    root.render(
      <ReactFlowProvider>
        <Canvas args={given} theme={theme} height={wanted} />
      </ReactFlowProvider>,
    ),
  );
}

listen((render) => {
  last = render;
  draw();
});
let pending = false;
watchWindowHeight(() => {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    const measured = windowHeight();
    if (measured === below) return;
    below = measured;
    if (last !== null && (last.args as unknown as Args).height == null) draw();
  });
});
