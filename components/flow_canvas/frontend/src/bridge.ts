// Streamlit's component protocol (components v1), the few messages this component needs.
// The page posts "streamlit:render" with the Python arguments whenever they change; the
// component answers "componentReady" once, sets its frame's height, and sends a value
// (each value is a script run) only when the user acts.

export interface Theme {
  base: "light" | "dark";
  primaryColor: string;
  backgroundColor: string;
  secondaryBackgroundColor: string;
  textColor: string;
  font: string;
}

export interface Render {
  args: Record<string, unknown>;
  disabled: boolean;
  theme?: Theme;
}

function send(type: string, data: Record<string, unknown> = {}): void {
  window.parent.postMessage({ isStreamlitMessage: true, type, ...data }, "*");
}

export function listen(onRender: (render: Render) => void): void {
  window.addEventListener("message", (event: MessageEvent) => {
    if (event.source !== window.parent || event.data?.type !== "streamlit:render") return;
    const { args, disabled, theme } = event.data;
    onRender({ args: args ?? {}, disabled: Boolean(disabled), theme });
  });
  send("streamlit:componentReady", { apiVersion: 1 });
}

export function setFrameHeight(height: number): void {
  send("streamlit:setFrameHeight", { height });
}

export function setValue(value: unknown): void {
  send("streamlit:setComponentValue", { value, dataType: "json" });
}

/** The page's keyboard shortcuts (Streamlit buttons' `shortcut`, such as the designer's
 * Ctrl+Z) work while the canvas has focus too: a key pressed with Ctrl or Cmd here is
 * dispatched again on the page's document (same origin), where Streamlit listens. */
export function forwardShortcuts(): void {
  window.addEventListener("keydown", (event: KeyboardEvent) => {
    if (!(event.ctrlKey || event.metaKey) || event.repeat) return;
    const { key, code, ctrlKey, shiftKey, altKey, metaKey } = event;
    const copy = { key, code, ctrlKey, shiftKey, altKey, metaKey, bubbles: true, cancelable: true };
    try {
      window.parent.document.dispatchEvent(new KeyboardEvent("keydown", copy));
    } catch {
      // A page of another origin: its shortcuts need its own focus.
    }
  });
}

/** Ctrl+Z and Ctrl+Shift+Z (Cmd on macOS) typed in a text box of the page are the box's
 * own: Streamlit would also fire a button's shortcut for them (the designer's undo). A
 * listener on the page's window, in the capture phase, keeps such a key from Streamlit's
 * listeners; the box still undoes its own typing (a default action). Installed once. */
export function keepTextUndoInTextBoxes(): void {
  let page: Window & { __fcTextUndo?: boolean };
  try {
    page = window.parent;
    if (page === window || page.__fcTextUndo) return;
    page.__fcTextUndo = true;
  } catch {
    return; // a page of another origin: nothing to guard
  }
  page.addEventListener(
    "keydown",
    (event: KeyboardEvent) => {
      if (!(event.ctrlKey || event.metaKey) || event.key.toLowerCase() !== "z") return;
      const target = event.composedPath()[0] as HTMLElement | undefined;
      if (target?.closest?.("input, textarea, [contenteditable='true']")) event.stopPropagation();
    },
    true,
  );
}
