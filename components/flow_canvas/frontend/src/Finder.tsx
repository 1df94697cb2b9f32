// "Go to a step": the keyboard's way to a node, in the canvas's top bar. Typing a step's
// name (the browser offers the names) or a part of it and Enter selects it as a click does,
// and the canvas brings it into sight. It lives in the canvas, not in the page: a page
// widget is built again on every run of the designer (a select box of every step's name
// cost ~20 ms of the page's time per click), this is drawn only when the names change.
import { useState } from "react";

/** The step `text` names: exactly, else the first whose name contains it (any case). */
export function matchStep(names: string[], text: string): string | null {
  const wanted = text.trim();
  if (wanted === "") return null;
  if (names.includes(wanted)) return wanted;
  const lower = wanted.toLowerCase();
  return names.find((name) => name.toLowerCase().includes(lower)) ?? null;
}

export function Finder(props: { names: string[]; onGo: (name: string) => void }) {
  const [text, setText] = useState("");
  const [missed, setMissed] = useState(false);
  const go = (name: string) => {
    setText("");
    setMissed(false);
    props.onGo(name);
  };
  return (
    <div className="fc-find">
      <input
        type="search"
        list="fc-find-steps"
        placeholder="Go to a step"
        aria-label="Go to a step"
        aria-invalid={missed}
        aria-describedby={missed ? "fc-find-missed" : undefined}
        value={text}
        onChange={(event) => {
          const value = event.target.value;
          setMissed(false);
          // A name the browser's list filled in, or typed whole: chosen at once.
          if (props.names.includes(value)) return go(value);
          setText(value);
        }}
        onKeyDown={(event) => {
          if (event.key === "Escape") {
            setText("");
            setMissed(false);
          } else if (event.key === "Enter") {
            const found = matchStep(props.names, text);
            if (found) go(found);
            else setMissed(text.trim() !== "");
          }
        }}
      />
      <datalist id="fc-find-steps">
        {props.names.map((name) => (
          <option key={name} value={name} />
        ))}
      </datalist>
      {missed && (
        <p id="fc-find-missed" className="fc-find-missed" role="status">
          No step's name contains “{text.trim()}”.
        </p>
      )}
    </div>
  );
}
