// The palette: the step types by category, in a panel at the canvas's left that opens and
// closes (the choice is kept for the tab). A click on an item adds the step (Python picks
// its place); an item dragged onto the canvas is added where it is dropped.
import { useState } from "react";
import type { PaletteItem } from "./types";

export const STEP_MIME = "application/x-flow-canvas-step";
const OPEN_KEY = "flow-canvas-palette-open";

/** Whether the palette is open: as the user left it in this tab, else open for an empty
 * canvas only (a design's nodes need the room). */
export function usePaletteOpen(empty: boolean): [boolean, (open: boolean) => void] {
  const [open, setOpen] = useState<boolean>(() => {
    try {
      const kept = sessionStorage.getItem(OPEN_KEY);
      return kept === null ? empty : kept === "true";
    } catch {
      return empty;
    }
  });
  const choose = (value: boolean) => {
    setOpen(value);
    try {
      sessionStorage.setItem(OPEN_KEY, String(value));
    } catch {
      // storage unavailable: the choice lasts while the canvas is shown
    }
  };
  return [open, choose];
}

function byCategory(items: PaletteItem[]): [string, PaletteItem[]][] {
  const groups = new Map<string, PaletteItem[]>();
  for (const item of items) groups.set(item.category, [...(groups.get(item.category) ?? []), item]);
  return [...groups];
}

export function Palette(props: {
  items: PaletteItem[];
  onAdd: (name: string) => void;
  onClose: () => void;
}) {
  return (
    <nav className="fc-palette" aria-label="Steps">
      <div className="fc-palette-head">
        <span>Steps</span>
        <button type="button" className="fc-palette-close" title="Close the steps" onClick={props.onClose}>
          «
        </button>
      </div>
      <p className="fc-palette-hint">Click a step to add it, or drag it onto the canvas.</p>
      {byCategory(props.items).map(([category, items]) => (
        <section key={category} className="fc-palette-group">
          <h3>{category}</h3>
          {items.map((item) => (
            <button
              key={item.name}
              type="button"
              className="fc-palette-item"
              draggable
              title={item.description}
              data-step-type={item.name}
              onClick={() => props.onAdd(item.name)}
              onDragStart={(event) => {
                event.dataTransfer.setData(STEP_MIME, item.name);
                event.dataTransfer.effectAllowed = "copy";
              }}
            >
              {item.label}
            </button>
          ))}
        </section>
      ))}
    </nav>
  );
}
