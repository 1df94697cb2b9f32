// A step: a box of fixed size (the layout relies on it) with the name cut to two lines
// (the full name on hover), the step type, and a status line in the status colour, which
// is also the border's; below it, when a run is shown, the step's run state as a chip.
// An input handle on the left, an output handle on the right.
import { useEffect, useMemo, useState } from "react";
import { Handle, Position, type Node, type NodeProps } from "@xyflow/react";
import type { StepData } from "./types";

export type StepNode = Node<StepData, "step">;

export function StepNodeView({ data, selected }: NodeProps<StepNode>) {
  return (
    <div
      className={selected ? "fc-node fc-selected" : "fc-node"}
      style={{ borderColor: data.color || undefined }}
    >
      {data.has_input && <Handle type="target" position={Position.Left} />}
      <div className="fc-title" title={data.title}>
        {data.title}
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
      {data.has_output && <Handle type="source" position={Position.Right} />}
    </div>
  );
}

function RunChip({ data }: { data: StepData }) {
  const elapsed = useElapsed(data.run_elapsed);
  const text = elapsed === null ? data.run : `${data.run} · ${seconds(elapsed)}`;
  return (
    <div className="fc-run" title={data.run_title || text}>
      <span className="fc-run-chip" style={{ background: data.run_color || undefined }}>
        {text}
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
