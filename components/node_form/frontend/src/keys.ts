/** Ctrl+Z and Ctrl+Shift+Z (Cmd on macOS) typed in a text box are the box's own: Streamlit
 * would also fire a button's shortcut for them (the designer's undo). The panel lives in
 * the page (components v2, in a shadow root), so a listener on the window in the capture
 * phase keeps such a key from Streamlit's listeners; the box still undoes its own typing.
 * The canvas installs the same guard (the same flag): installed once. */
export function keepTextUndoInTextBoxes(): void {
  const page = window as Window & { __fcTextUndo?: boolean };
  if (page.__fcTextUndo) return;
  page.__fcTextUndo = true;
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
