// A connection drawn as React Flow's default curve, with its label (if any) as HTML at the
// curve's middle, as large as the nodes' text, cut with an ellipsis when long; its title is
// shown on hover over the label or the curve. A click on the label is a click on the edge:
// React passes the label's events (rendered in a portal) up to the edge, whose click
// handler reports it.
import { memo } from "react";
import {
  BaseEdge,
  EdgeLabelRenderer,
  getBezierPath,
  type Edge,
  type EdgeProps,
} from "@xyflow/react";
import type { EdgeData } from "./types";

export type LabelEdge = Edge<EdgeData, "label">;

// Memoised, as the nodes are (StepNode.tsx): an unchanged connection is not drawn again.
export const LabelEdgeView = memo(function LabelEdgeView(props: EdgeProps<LabelEdge>) {
  const { id, data, selected, markerEnd } = props;
  const [path, labelX, labelY] = getBezierPath(props);
  const title = data?.title || data?.label;
  return (
    <>
      {title && <title>{title}</title>}
      <BaseEdge id={id} path={path} markerEnd={markerEnd} interactionWidth={20} />
      {data?.label && (
        <EdgeLabelRenderer>
          <div
            className={selected ? "fc-edge-label fc-selected nodrag nopan" : "fc-edge-label nodrag nopan"}
            data-edge={id}
            title={title}
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
          >
            {data.label}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
});
