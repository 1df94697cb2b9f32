// The node panel as a Streamlit custom component v2 (no iframe): Streamlit imports this
// module and calls its default export with Python's data on the first render and whenever
// the data changes. The React root is made once per mount point and drawn again with the
// new data, so what the user is typing survives a push. The cleanup runs when Streamlit
// removes the element. The page keeps one panel element while nodes are selected in turn
// (a new one would cost a fresh mount per click), so the panel scrolls its container back
// to the top itself when it shows another node.
import "./panel.css";
import { flushSync } from "react-dom";
import { createRoot, type Root } from "react-dom/client";
import { keepTextUndoInTextBoxes } from "./keys";
import { acknowledge, connect } from "./outbox";
import { Panel } from "./Panel";
import type { PanelData } from "./types";

interface ComponentArgs {
  data: { panel: PanelData };
  parentElement: HTMLElement | ShadowRoot;
  setTriggerValue: (name: string, value: unknown) => void;
}

const mounted = new WeakMap<object, { root: Root; host: HTMLElement; node?: string }>();

/** The nearest ancestor that scrolls (the page's panel over the canvas), across the shadow root. */
function scroller(start: HTMLElement): HTMLElement | null {
  let at: Node | null = start.parentNode;
  while (at) {
    if (at instanceof ShadowRoot) at = at.host;
    else if (at instanceof HTMLElement) {
      const overflow = getComputedStyle(at).overflowY;
      if (overflow === "auto" || overflow === "scroll") return at;
      at = at.parentNode;
    } else return null;
  }
  return null;
}

export default function render({ data: { panel: data }, parentElement, setTriggerValue }: ComponentArgs) {
  keepTextUndoInTextBoxes();
  let entry = mounted.get(parentElement);
  if (entry === undefined) {
    const host = document.createElement("div");
    host.className = "node-form";
    parentElement.appendChild(host);
    entry = { root: createRoot(host), host };
    mounted.set(parentElement, entry);
  }
  connect(setTriggerValue);
  acknowledge(data.ack ?? 0);
  if (entry.node !== undefined && entry.node !== data.node) {
    const around = scroller(entry.host);
    if (around) around.scrollTop = 0; // another node's panel opens at its top
  }
  entry.node = data.node;
  // Drawn now, in Streamlit's task: React would otherwise draw it in a task of its own,
  // after the page's next frame (a frame of the old panel, then a frame more for the new).
  const { root } = entry;
  flushSync(() => root.render(<Panel data={data} />));
  const done = entry;
  return () => {
    done.root.unmount();
    done.host.remove();
    mounted.delete(parentElement);
  };
}
