// The canvas's automatic view, and the view kept per design across page switches.
//
// Until the user zooms or pans, the view is automatic: the whole graph, at up to zoom 1,
// fitted again whenever the pane's size changes or the page's panel closes (nodes added
// or selected are brought into sight by the least pan, so that a step dropped or pasted at
// the pointer stays under it). A graph too large for
// that at a readable size is shown at the readable zoom from its start (its left, and its
// top when it is also too high): the user pans (the minimap shows the rest) rather than
// squints. The view leaves room for what the page draws over the canvas's right side.
import type { Rect, Viewport } from "@xyflow/react";

export const READABLE_PX = 11; // the smallest node text on screen, in pixels
export const SMALLEST_FONT_PX = 13; // the nodes' smallest font at zoom 1 (canvas.css)
export const READABLE_ZOOM = READABLE_PX / SMALLEST_FONT_PX;
const PAD = 16; // pixels between the fitted graph and the pane's edges
const MARGIN = 24; // pixels kept between a node brought into view and the pane's edges

export interface Pane {
  width: number;
  height: number;
  inset: number; // pixels at the right the page covers
}

/** The automatic view of `bounds` (flow coordinates) in `pane`. */
export function fittedView(bounds: Rect, pane: Pane, minZoom: number): Viewport {
  const width = Math.max(1, pane.width - pane.inset - 2 * PAD);
  const height = Math.max(1, pane.height - 2 * PAD);
  const whole = Math.min(1, width / Math.max(1, bounds.width), height / Math.max(1, bounds.height));
  const zoom = Math.max(whole, READABLE_ZOOM, minZoom);
  const place = (start: number, size: number, room: number) =>
    size * zoom <= room ? PAD + (room - size * zoom) / 2 - start * zoom : PAD - start * zoom;
  return {
    x: place(bounds.x, bounds.width, width),
    y: place(bounds.y, bounds.height, height),
    zoom,
  };
}

/** The view moved as little as possible so that `box` is in sight (null: it already is). */
export function viewShowing(box: Rect, view: Viewport, pane: Pane): Viewport | null {
  const shift = (start: number, size: number, offset: number, room: number) => {
    const low = start * view.zoom + offset;
    const high = (start + size) * view.zoom + offset;
    if (high > room - MARGIN) return Math.max(room - MARGIN - high, MARGIN - low);
    return low < MARGIN ? MARGIN - low : 0;
  };
  const dx = shift(box.x, box.width, view.x, pane.width - pane.inset);
  const dy = shift(box.y, box.height, view.y, pane.height);
  if (Math.abs(dx) < 1 && Math.abs(dy) < 1) return null;
  return { x: view.x + dx, y: view.y + dy, zoom: view.zoom };
}

/** The view as the user left it, kept in the tab's session storage per view key. It is
 * taken up only under the same fit token (another design opened, or Tidy layout, fit). */
export interface KeptView {
  viewport: Viewport;
  moved: boolean; // the user zoomed or panned: the view is no longer automatic
  token: string;
}

const storageKey = (key: string) => `flow-canvas-view:${key}`;

export function keptView(key: string | null, token: string): KeptView | null {
  if (key === null) return null;
  try {
    const kept = JSON.parse(sessionStorage.getItem(storageKey(key)) ?? "null") as KeptView | null;
    return kept && kept.token === token ? kept : null;
  } catch {
    return null; // storage unavailable or garbled: fit instead
  }
}

export function keepView(key: string | null, view: KeptView): void {
  if (key === null) return;
  try {
    sessionStorage.setItem(storageKey(key), JSON.stringify(view));
  } catch {
    // storage unavailable: the view is fitted again next time
  }
}
