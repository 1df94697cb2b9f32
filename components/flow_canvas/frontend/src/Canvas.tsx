// The canvas. Python owns the graph and the selection: what it sends is drawn, and the
// user's actions go back as events (clicks, a connection, a drop, a removal request),
// never as a copy of the state. Locally the canvas only shows a click's selection and a
// drag's position until Python's answer arrives. Pan and zoom are the user's and survive
// every new render; the view is fitted on the first render and when fit_token changes.
import { useCallback, useEffect, useMemo, useRef, useState, type CSSProperties } from "react";
import {
  Background,
  Controls,
  MarkerType,
  MiniMap,
  ReactFlow,
  applyNodeChanges,
  useReactFlow,
  type NodeChange,
  type OnConnect,
  type OnNodeDrag,
} from "@xyflow/react";
import type { Theme } from "./bridge";
import { LabelEdgeView, type LabelEdge } from "./LabelEdge";
import { acknowledge, emit } from "./outbox";
import { StepNodeView, type StepNode } from "./StepNode";
import type { Args, Selection, StepData } from "./types";

const nodeTypes = { step: StepNodeView };
const edgeTypes = { label: LabelEdgeView };
const FIT = { padding: 0.08 };
// Arrow heads scale with the stroke (1.5, or 3 when selected): the same size either way.
const ARROW = { type: MarkerType.ArrowClosed, width: 18, height: 18, color: "#8a8a94" };
const SELECTED_ARROW = { ...ARROW, width: 9, height: 9, color: "var(--fc-primary, #ff4b4b)" };

function sameData(a: StepData, b: StepData): boolean {
  return (Object.keys(b) as (keyof StepData)[]).every((key) => a[key] === b[key]);
}

/** Python's nodes as React Flow nodes, reusing unchanged ones (React Flow then skips
 * them) and keeping the position of a node the user is dragging. */
function toFlowNodes(args: Args, previous: StepNode[], dragging: Set<string>): StepNode[] {
  const before = new Map(previous.map((node) => [node.id, node]));
  return args.nodes.map((data) => {
    const old = before.get(data.id);
    if (old && dragging.has(data.id)) return { ...old, data };
    if (old && sameData(old.data, data) && old.width === args.node_width && old.height === args.node_height)
      return old;
    const handlesKept =
      old && old.data.has_input === data.has_input && old.data.has_output === data.has_output;
    return {
      id: data.id,
      type: "step",
      data,
      position: { x: data.x, y: data.y },
      width: args.node_width,
      height: args.node_height,
      measured: handlesKept ? old.measured : undefined, // otherwise measured again
      deletable: false,
      ariaLabel: data.title,
    };
  });
}

const isNode = (selection: Selection, id: string) =>
  selection !== null && "node" in selection && selection.node === id;
const isEdge = (selection: Selection, id: string) =>
  selection !== null && "edge" in selection && selection.edge === id;

function themeStyle(height: number, theme?: Theme): CSSProperties {
  const vars: Record<string, string> = theme
    ? {
        "--fc-primary": theme.primaryColor,
        "--fc-background": theme.backgroundColor,
        "--fc-surface": theme.secondaryBackgroundColor,
        "--fc-text": theme.textColor,
        "--fc-font": theme.font,
      }
    : {};
  return { ...vars, height } as CSSProperties;
}

export function Canvas({ args, theme }: { args: Args; theme?: Theme }) {
  const { fitView } = useReactFlow();
  const dragging = useRef(new Set<string>());
  const [nodes, setNodes] = useState(() => toFlowNodes(args, [], dragging.current));
  const [selection, setSelection] = useState<Selection>(args.selected ?? null);
  const latest = useRef({ args, selection });
  latest.current = { args, selection };

  useEffect(() => acknowledge(args.ack), [args.ack]);
  useEffect(() => setNodes((previous) => toFlowNodes(args, previous, dragging.current)), [args]);
  const wanted = JSON.stringify(args.selected ?? null);
  useEffect(() => setSelection(JSON.parse(wanted)), [wanted]);

  const fitToken = useRef(args.fit_token);
  useEffect(() => {
    if (fitToken.current === args.fit_token) return;
    fitToken.current = args.fit_token;
    requestAnimationFrame(() => void fitView(FIT)); // after the new nodes are measured
  }, [args.fit_token, fitView]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.key !== "Delete" && event.key !== "Backspace") || event.repeat) return;
      if ((event.target as HTMLElement).closest?.("input, textarea, [contenteditable]")) return;
      const selected = latest.current.selection;
      if (selected === null) return;
      event.preventDefault();
      emit({ kind: "delete", ...selected });
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const shownNodes = useMemo(
    () =>
      nodes.map((node) =>
        node.selected === isNode(selection, node.id)
          ? node
          : { ...node, selected: isNode(selection, node.id) },
      ),
    [nodes, selection],
  );
  const edges: LabelEdge[] = useMemo(
    () =>
      args.edges.map((edge) => ({
        id: edge.id,
        source: edge.source,
        target: edge.target,
        type: "label",
        data: edge,
        selected: isEdge(selection, edge.id),
        deletable: false,
        markerEnd: isEdge(selection, edge.id) ? SELECTED_ARROW : ARROW,
        ariaLabel: `Edge from ${edge.source} to ${edge.target}`,
      })),
    [args.edges, selection],
  );

  // Only moves and measurements are applied here: selection and removal are Python's.
  const onNodesChange = useCallback((changes: NodeChange<StepNode>[]) => {
    const kept = changes.filter((change) => change.type === "position" || change.type === "dimensions");
    if (kept.length > 0) setNodes((current) => applyNodeChanges(kept, current));
  }, []);

  const onNodeDragStart: OnNodeDrag<StepNode> = useCallback((_, __, moving) => {
    for (const node of moving) dragging.current.add(node.id);
  }, []);
  const onNodeDragStop: OnNodeDrag<StepNode> = useCallback((_, __, moving) => {
    const given = new Map(latest.current.args.nodes.map((node) => [node.id, node]));
    const positions: Record<string, [number, number]> = {};
    for (const node of moving) {
      dragging.current.delete(node.id);
      const before = given.get(node.id);
      const { x, y } = node.position;
      if (!before || Math.abs(before.x - x) > 0.5 || Math.abs(before.y - y) > 0.5)
        positions[node.id] = [Math.round(x * 10) / 10, Math.round(y * 10) / 10];
    }
    if (Object.keys(positions).length > 0) emit({ kind: "move", positions });
  }, []);

  const selectNode = useCallback((id: string) => {
    setSelection({ node: id });
    emit({ kind: "node_click", node: id });
  }, []);
  const selectEdge = useCallback((id: string) => {
    setSelection({ edge: id });
    emit({ kind: "edge_click", edge: id });
  }, []);
  const clearSelection = useCallback(() => {
    if (latest.current.selection === null) return; // nothing to tell Python
    setSelection(null);
    emit({ kind: "pane_click" });
  }, []);
  const onConnect: OnConnect = useCallback(({ source, target }) => {
    if (source && target && source !== target) emit({ kind: "connect", source, target });
  }, []);

  return (
    <div className="fc-canvas" style={themeStyle(args.height, theme)}>
      <ReactFlow<StepNode, LabelEdge>
        nodes={shownNodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onNodeDragStart={onNodeDragStart}
        onNodeDragStop={onNodeDragStop}
        onNodeClick={(_, node) => selectNode(node.id)}
        onNodeDoubleClick={(_, node) => emit({ kind: "node_double_click", node: node.id })}
        onEdgeClick={(_, edge) => selectEdge(edge.id)}
        onPaneClick={clearSelection}
        onConnect={onConnect}
        colorMode={theme?.base === "dark" ? "dark" : "light"}
        fitView
        fitViewOptions={FIT}
        minZoom={args.min_zoom}
        maxZoom={2}
        deleteKeyCode={null}
        selectionKeyCode={null}
        multiSelectionKeyCode={null}
        zoomOnDoubleClick={false}
        proOptions={{ hideAttribution: true }}
      >
        <Background gap={20} size={1} />
        <Controls showInteractive={false} />
        {args.nodes.length >= args.minimap_from && (
          <MiniMap pannable zoomable nodeColor={(node) => (node.data as StepData).color || "#999"} />
        )}
      </ReactFlow>
    </div>
  );
}
