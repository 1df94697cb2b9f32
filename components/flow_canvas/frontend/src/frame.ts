// The canvas's height when Python gives none: from the frame's top down to the bottom of
// the page's window (the page is the same origin), measured again when the window is
// resized or something above the canvas grows or shrinks (a bar that appears).
const MIN_HEIGHT = 360;
const BOTTOM_GAP = 16; // pixels left below the canvas

export function windowHeight(): number | null {
  try {
    const frame = window.frameElement;
    if (!frame) return null;
    const top = frame.getBoundingClientRect().top;
    return Math.max(MIN_HEIGHT, Math.floor(window.parent.innerHeight - top - BOTTOM_GAP));
  } catch {
    return null; // a page of another origin: Python's height, or the minimum
  }
}

/** Calls `changed` whenever windowHeight() may have changed. */
export function watchWindowHeight(changed: () => void): void {
  try {
    const frame = window.frameElement;
    if (!frame) return;
    window.parent.addEventListener("resize", changed);
    // Whatever moves the frame up or down changes the size of the page's main column.
    const column = frame.closest('[data-testid="stMain"]') ?? frame.ownerDocument.body;
    new ResizeObserver(changed).observe(column);
    for (const block of column.querySelectorAll(':scope [data-testid="stVerticalBlock"]'))
      if (block.contains(frame)) new ResizeObserver(changed).observe(block);
  } catch {
    // a page of another origin: nothing to watch
  }
}

export { MIN_HEIGHT };
