// A text or number box that sends its value when the user commits it (Enter, or leaving
// the box), as Streamlit's own boxes do: typing sends nothing, so no script run per key.
// What is typed stays in the box until it is sent; then the box shows what Python holds.
import { useState, type KeyboardEvent, type InputHTMLAttributes } from "react";

type Props = Omit<InputHTMLAttributes<HTMLInputElement>, "value" | "onChange" | "type"> & {
  value: string;
  number?: boolean;
  onCommit: (text: string) => void;
};

export function TextBox({ value, number = false, onCommit, ...rest }: Props) {
  const [draft, setDraft] = useState<string | null>(null);

  const commit = (target: HTMLInputElement) => {
    if (draft === null) return;
    setDraft(null);
    // A number box holding what is not a number reads as empty: keep the value, send nothing.
    if (number && target.validity.badInput) return;
    if (draft !== value) onCommit(draft);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "Enter") {
      event.preventDefault();
      commit(event.currentTarget);
    } else if (event.key === "Escape") {
      setDraft(null);
    }
  };
  return (
    <input
      {...rest}
      type={number ? "number" : "text"}
      step={number ? "any" : undefined}
      value={draft ?? value}
      onChange={(event) => setDraft(event.target.value)}
      onKeyDown={onKeyDown}
      onBlur={(event) => commit(event.currentTarget)}
    />
  );
}
