// A step: a box of fixed size (the layout relies on it) with the name cut to two lines
// (the full name on hover), the step type, and a status line in the status colour, which
// is also the border's. An input handle on the left, an output handle on the right.
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
      {data.has_output && <Handle type="source" position={Position.Right} />}
    </div>
  );
}
