// The node panel as a Streamlit custom component v2 (no iframe): Streamlit imports this
// module and calls its default export with Python's data on the first render and whenever
// the data changes. The React root is made once per mount point and drawn again with the
// new data, so what the user is typing survives a push. The cleanup runs when Streamlit
// removes the element.
import "./panel.css";
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

const mounted = new WeakMap<object, { root: Root; host: HTMLElement }>();

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
  entry.root.render(<Panel data={data} />);
  const done = entry;
  return () => {
    done.root.unmount();
    done.host.remove();
    mounted.delete(parentElement);
  };
}
