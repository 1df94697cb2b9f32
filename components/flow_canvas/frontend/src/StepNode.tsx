// A step: a box of fixed size (the layout relies on it) with the name on up to two lines
// (broken between the words of a CamelCase or snake_case name; in full on hover), the step
// type, and a status line in the status colour, which is also the border's; below it,
// when a run is shown, the step's run state as a chip (two lines at most: a condition's
// result). An input handle on the left; on the right one output handle, or one per branch
// (a condition's "if" and "else"), each labelled.
import { Fragment, memo, useEffect, useMemo, useState } from "react";
import { Handle, Position, type Node, type NodeProps } from "@xyflow/react";
import type { StepData } from "./types";

export type StepNode = Node<StepData, "step">;

/** The name with a line-break opportunity between its words: before an upper-case letter
 * that follows a lower-case one or a digit, and after _ - . or / */
function breakable(name: string) {
  const parts = name.split(/(?<=[a-z0-9])(?=[A-Z])|(?<=[_\-./])/);
  return parts.map((part, index) => (
    <Fragment key={index}>
      {index > 0 && <wbr />}
      {part}
    </Fragment>
  ));
}

// Memoised: React Flow renders every node's wrapper again whenever the canvas renders;
// a step whose props did not change is not drawn again (at 200 steps a click drew all of
// them three times).
export const StepNodeView = memo(function StepNodeView({ data, selected }: NodeProps<StepNode>) {
  const branches = data.branches ?? [];
  const classes = ["fc-node", selected && "fc-selected", branches.length > 0 && "fc-branching"];
  return (
    <div
      className={classes.filter(Boolean).join(" ")}
      style={{ borderColor: data.color || undefined }}
    >
      {data.has_input && <Handle type="target" position={Position.Left} />}
      <div className="fc-title" title={data.title}>
        {breakable(data.title)}
      </div>
      {data.subtitle && (
        <div className="fc-subtitle" title={data.subtitle}>
          {data.subtitle}
        </div>
      )}
      {data.status && (
        <div className="fc-status" style={{ color: data.color || undefined }} title={data.status}>
          {data.status}
        </div>
      )}
      {data.run && <RunChip data={data} />}
      {branches.map((branch, index) => {
        // Beside the type and the status, above the chip (a condition's result).
        const top = `${30 + (index * 25) / Math.max(1, branches.length - 1)}%`;
        return (
          <Fragment key={branch}>
            <Handle
              type="source"
              id={branch}
              position={Position.Right}
              style={{ top }}
              className={`fc-branch-handle fc-branch-${branch}`}
              aria-label={`${branch} branch of ${data.title}`}
            />
            <span className="fc-branch-label" style={{ top }}>
              {branch}
            </span>
          </Fragment>
        );
      })}
      {branches.length === 0 && data.has_output && <Handle type="source" position={Position.Right} />}
    </div>
  );
});

/** The run chip: its parts ("✓ succeeded", "3.2 s") each on one line; a chip too long for
 * one line breaks between them (a condition's result takes two lines). */
function RunChip({ data }: { data: StepData }) {
  const elapsed = useElapsed(data.run_elapsed);
  const text = elapsed === null ? data.run : `${data.run} · ${seconds(elapsed)}`;
  const parts = text.split(" · ");
  return (
    <div className="fc-run" title={data.run_title || text}>
      <span className="fc-run-chip" style={{ background: data.run_color || undefined }}>
        {parts.map((part, index) => (
          <Fragment key={index}>
            {index > 0 && " · "}
            <span className="fc-run-part">{part}</span>
          </Fragment>
        ))}
      </span>
    </div>
  );
}

/** A running step's seconds so far: Python's count at the push, plus the time since, once a
 * second (Python pushes again only when a state changes). */
function useElapsed(pushed: number | null): number | null {
  const since = useMemo(() => Date.now(), [pushed]);
  const [now, setNow] = useState(since);
  useEffect(() => {
    if (pushed === null) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [pushed]);
  return pushed === null ? null : pushed + Math.max(0, now - since) / 1000;
}

function seconds(value: number): string {
  const whole = Math.floor(value);
  return whole < 60 ? `${whole} s` : `${Math.floor(whole / 60)} min ${whole % 60} s`;
}
