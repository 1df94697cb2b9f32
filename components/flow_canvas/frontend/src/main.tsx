import { createRoot } from "react-dom/client";
import { ReactFlowProvider } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import "./canvas.css";
import { forwardShortcuts, keepTextUndoInTextBoxes, listen, setFrameHeight } from "./bridge";
import { Canvas } from "./Canvas";
import type { Args } from "./types";

const root = createRoot(document.getElementById("root")!);
let height = -1;
forwardShortcuts();
keepTextUndoInTextBoxes();

// Each render message is a new set of arguments for the same, still mounted canvas.
listen(({ args, theme }) => {
  const given = args as unknown as Args;
  if (given.height !== height) setFrameHeight((height = given.height));
  root.render(
    <ReactFlowProvider>
      <Canvas args={given} theme={theme} />
    </ReactFlowProvider>,
  );
});
