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
let last: Render | null = null;
forwardShortcuts();
keepTextUndoInTextBoxes();

// Each render message is a new set of arguments for the same, still mounted canvas; the
// height is Python's, or the window's below the frame (drawn again when that changes).
function draw(): void {
  if (last === null) return;
  const given = last.args as unknown as Args;
  const wanted = given.height ?? windowHeight() ?? MIN_HEIGHT;
  if (wanted !== height) setFrameHeight((height = wanted));
  root.render(
    <ReactFlowProvider>
      <Canvas args={given} theme={last.theme} height={height} />
    </ReactFlowProvider>,
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
    if (last !== null && (last.args as unknown as Args).height == null && windowHeight() !== height) draw();
  });
});
