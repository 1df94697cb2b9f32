// The canvas. Python owns the graph and the selection: what it sends is drawn, and the
// user's actions go back as events (clicks, a selection of several nodes, a connection, a
// drop, a removal request, an addition from the palette, copy and paste), never as a copy
// of the state. Locally the canvas only shows a click's selection and a drag's position
// until Python's answer arrives. The view is automatic until the user zooms or pans (see
// view.ts), is kept per view key across page switches, and follows the node Python
// selects (a new step) so that it is in sight.
import {
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
  type CSSProperties,
  type MouseEvent as ReactMouseEvent,
} from "react";
import {
  Background,
  ControlButton,
  Controls,
  MarkerType,
  MiniMap,
  Panel,
  ReactFlow,
  applyNodeChanges,
  useReactFlow,
  useStore,
  type Node,
  type NodeChange,
  type OnConnect,
  type OnNodeDrag,
  type Rect,
  type Viewport,
} from "@xyflow/react";
import type { Theme } from "./bridge";
import { LabelEdgeView, type LabelEdge } from "./LabelEdge";
import { acknowledge, emit } from "./outbox";
import { Finder } from "./Finder";
import { Palette, STEP_MIME, usePaletteOpen } from "./Palette";
import { StepNodeView, type StepNode } from "./StepNode";
import type { Args, EdgeData, Selection, StepData, XY } from "./types";
import { fittedView, keepView, keptView, viewShowing, type Pane } from "./view";

const nodeTypes = { step: StepNodeView };
const edgeTypes = { label: LabelEdgeView };
// Arrow heads scale with the stroke (1.5, or 3 when selected): the same size either way.
const ARROW = { type: MarkerType.ArrowClosed, width: 18, height: 18, color: "#8a8a94" };
const SELECTED_ARROW = { ...ARROW, width: 9, height: 9, color: "var(--fc-primary, #ff4b4b)" };

function sameData(a: StepData, b: StepData): boolean {
  return (Object.keys(b) as (keyof StepData)[]).every((key) =>
    key === "branches" ? a.branches?.join("\n") === b.branches?.join("\n") : a[key] === b[key],
  );
}

/** Python's nodes as React Flow nodes, reusing unchanged ones (React Flow then skips
 * them) and keeping the position of a node the user is dragging. */
function toFlowNodes(args: Args, previous: StepNode[], dragging: Set<string>): StepNode[] {
  const before = new Map(previous.map((node) => [node.id, node]));
  return sameItems(previous, args.nodes.map((data) => {
    const old = before.get(data.id);
    if (old && dragging.has(data.id)) return { ...old, data };
    if (old && sameData(old.data, data) && old.width === args.node_width && old.height === args.node_height)
      return old;
    const handlesKept =
      old &&
      old.data.has_input === data.has_input &&
      old.data.has_output === data.has_output &&
      old.data.branches?.join("\n") === data.branches?.join("\n");
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
  }));
}

/** `previous` when `next` holds the same objects in the same order: React Flow then has
 * nothing to take up (a new array makes it look at every node or edge again). */
function sameItems<T>(previous: T[], next: T[]): T[] {
  return next.length === previous.length && next.every((item, index) => item === previous[index])
    ? previous
    : next;
}

// One function for every render: a new one would make the minimap redraw all its nodes.
const minimapColor = (node: Node) => (node.data as StepData).color || "#999";

const sameEdge = (a: EdgeData, b: EdgeData) =>
  (Object.keys(b) as (keyof EdgeData)[]).every((key) => a[key] === b[key]);

/** Python's connections as React Flow edges, reusing the unchanged ones (same data, same
 * selection state): React Flow then redraws only the edges that changed, not all of them
 * (with their labels) on every push or click. */
function toFlowEdges(given: EdgeData[], selection: Selection, previous: LabelEdge[]): LabelEdge[] {
  const before = new Map(previous.map((edge) => [edge.id, edge]));
  return sameItems(previous, given.map((edge) => {
    const selected = isEdge(selection, edge.id);
    const old = before.get(edge.id);
    if (old && old.selected === selected && sameEdge(old.data as EdgeData, edge)) return old;
    return {
      id: edge.id,
      source: edge.source,
      target: edge.target,
      sourceHandle: edge.source_handle || null,
      type: "label",
      data: edge,
      selected,
      deletable: false,
      markerEnd: selected ? SELECTED_ARROW : ARROW,
      ariaLabel: `Edge from ${edge.source} to ${edge.target}`,
    };
  }));
}

/** The nodes a selection holds (none for an edge). */
function selectedNodes(selection: Selection): string[] {
  if (selection === null) return [];
  if ("node" in selection) return [selection.node];
  return "nodes" in selection ? selection.nodes : [];
}
const isEdge = (selection: Selection, id: string) =>
  selection !== null && "edge" in selection && selection.edge === id;

function bounds(args: Args): Rect | null {
  if (args.nodes.length === 0) return null;
  const xs = args.nodes.map((node) => node.x);
  const ys = args.nodes.map((node) => node.y);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return {
    x,
    y,
    width: Math.max(...xs) + args.node_width - x,
    height: Math.max(...ys) + args.node_height - y,
  };
}

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

const round = (value: number) => Math.round(value * 10) / 10;

export function Canvas({ args, theme, height }: { args: Args; theme?: Theme; height: number }) {
  const { getViewport, setViewport, screenToFlowPosition } = useReactFlow();
  const paneWidth = useStore((state) => state.width);
  const paneHeight = useStore((state) => state.height);
  const dragging = useRef(new Set<string>());
  const [nodes, setNodes] = useState(() => toFlowNodes(args, [], dragging.current));
  const [selection, setSelection] = useState<Selection>(args.selected ?? null);
  const [paletteOpen, setPaletteOpen] = usePaletteOpen(args.nodes.length === 0);
  // Python's push taken in the render it arrives in (React renders again before it
  // commits): an effect would commit the old nodes and selection, paint, and only then
  // draw the new ones, a frame or more later (~20 ms at 200 nodes).
  const [taken, setTaken] = useState(args);
  const wanted = JSON.stringify(args.selected ?? null);
  const [wantedTaken, setWantedTaken] = useState(wanted);
  if (taken !== args) {
    setTaken(args);
    setNodes(toFlowNodes(args, nodes, dragging.current));
  }
  if (wantedTaken !== wanted) {
    setWantedTaken(wanted);
    setSelection(JSON.parse(wanted));
  }
  const latest = useRef({ args, selection });
  latest.current = { args, selection };

  useEffect(() => acknowledge(args.ack), [args.ack]);

  // -- the view -------------------------------------------------------------------------
  const pane: Pane = { width: paneWidth, height: paneHeight, inset: args.inset_right };
  const token = String(args.fit_token ?? "");
  const nodeIds = args.nodes.map((node) => node.id).join("\n");
  const stepNames = useMemo(() => (nodeIds === "" ? [] : nodeIds.split("\n")), [nodeIds]);
  const moved = useRef(false); // the user zoomed or panned since the view was last fitted
  const gesture = useRef<Viewport | null>(null); // the view when the user's gesture began
  const applied = useRef<string | null>(null); // the fit token the view was set under

  const remember = useCallback(() => {
    const { args } = latest.current;
    if (applied.current === null) return;
    keepView(args.view_key, { viewport: getViewport(), moved: moved.current, token: applied.current });
  }, [getViewport]);

  /** "fit": while the view is automatic, the whole graph fitted (the page's panel over the
   * right side left out: a click must not make the graph jump); "follow": the view as it is.
   * Then the selected nodes are brought into sight, clear of that panel (a new step, a
   * paste); a step dropped or pasted where the user points stays where it was put. */
  const showView = (mode: "fit" | "follow") => {
    const { args, selection } = latest.current;
    const box = bounds(args);
    let view: Viewport = getViewport();
    if (mode === "fit" && !moved.current && box) {
      view = fittedView(box, { ...pane, inset: 0 }, args.min_zoom);
      setViewport(view);
    }
    const chosen = new Set(selectedNodes(selection));
    const group = bounds({ ...args, nodes: args.nodes.filter((n) => chosen.has(n.id)) });
    const shown = group && viewShowing(group, view, pane);
    if (shown) setViewport(shown);
    remember();
  };

  useEffect(() => {
    if (paneWidth === 0 || paneHeight === 0) return; // not laid out yet
    if (applied.current === null) {
      applied.current = token;
      const kept = keptView(args.view_key, token);
      if (kept) {
        moved.current = kept.moved;
        setViewport(kept.viewport);
        showView("follow");
        return;
      }
    } else if (applied.current !== token) {
      applied.current = token;
      moved.current = false;
    }
    showView("fit");
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [paneWidth, paneHeight, token]);

  useEffect(() => {
    if (applied.current !== null) showView("follow");
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [nodeIds]);

  const inset = useRef(args.inset_right);
  useEffect(() => {
    const closed = args.inset_right < inset.current; // the page's panel closed: fit again
    inset.current = args.inset_right;
    if (applied.current !== null) showView(closed ? "fit" : "follow");
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [wanted, args.inset_right]);

  const fitAgain = () => {
    moved.current = false;
    showView("fit");
  };
  const userZoomed = () => {
    moved.current = true;
    requestAnimationFrame(remember);
  };

  // -- selection --------------------------------------------------------------------------
  const chooseNodes = useCallback((ids: string[]) => {
    if (ids.length === 0) {
      if (latest.current.selection === null) return; // nothing to tell Python
      setSelection(null);
      emit({ kind: "pane_click" });
    } else if (ids.length === 1) {
      setSelection({ node: ids[0] });
      emit({ kind: "node_click", node: ids[0] });
    } else {
      setSelection({ nodes: ids });
      emit({ kind: "select", nodes: ids });
    }
  }, []);
  const selectEdge = useCallback((id: string) => {
    setSelection({ edge: id });
    emit({ kind: "edge_click", edge: id });
  }, []);

  const boxing = useRef<Set<string> | null>(null); // the nodes in a selection box being drawn

  // -- the keyboard -------------------------------------------------------------------------
  const pointer = useRef<{ x: number; y: number } | null>(null); // over the pane, if it is

  /** Where pasted nodes go: at the pointer when it is over the canvas, else in the middle
   * of what is in sight (top-left corner of the first node). */
  const pastePosition = useCallback((): XY => {
    const { args } = latest.current;
    const frame = document.querySelector(".react-flow")!.getBoundingClientRect();
    const middle = { x: frame.left + (pane.width - pane.inset) / 2, y: frame.top + pane.height / 2 };
    const flow = screenToFlowPosition(pointer.current ?? middle);
    return [round(flow.x - args.node_width / 2), round(flow.y - args.node_height / 2)];
  }, [screenToFlowPosition, pane.width, pane.height, pane.inset]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.repeat) return;
      if ((event.target as HTMLElement).closest?.("input, textarea, [contenteditable]")) return;
      const { selection, args } = latest.current;
      const chosen = selectedNodes(selection);
      const command = event.ctrlKey || event.metaKey;
      const key = event.key.toLowerCase();
      if (event.key === "Delete" || event.key === "Backspace") {
        if (selection === null) return;
        event.preventDefault();
        emit(chosen.length > 1 ? { kind: "delete", nodes: chosen } : { kind: "delete", ...selection });
      } else if (command && key === "c" && chosen.length > 0) {
        emit({ kind: "copy", nodes: chosen });
      } else if (command && key === "v") {
        event.preventDefault();
        emit({ kind: "paste", position: pastePosition() });
      } else if (command && key === "d" && chosen.length > 0) {
        event.preventDefault();
        emit({ kind: "duplicate", nodes: chosen });
      } else if (command && key === "a" && args.nodes.length > 0) {
        event.preventDefault();
        chooseNodes(args.nodes.map((node) => node.id));
      } else if (event.key === "Escape") {
        chooseNodes([]);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [chooseNodes, pastePosition]);

  // -- what React Flow draws ---------------------------------------------------------------
  const shown = useRef({ nodes: [] as StepNode[], chosen: new Map<StepNode, StepNode>() });
  const shownNodes = useMemo(() => {
    // A chosen node is drawn as a copy marked selected; the same copy while it is unchanged.
    const chosenIds = new Set(selectedNodes(selection));
    const chosen = new Map<StepNode, StepNode>();
    const drawn = nodes.map((node) => {
      if ((node.selected ?? false) === chosenIds.has(node.id)) return node; // undefined: not
      const copy = shown.current.chosen.get(node) ?? { ...node, selected: chosenIds.has(node.id) };
      chosen.set(node, copy);
      return copy;
    });
    shown.current = { nodes: sameItems(shown.current.nodes, drawn), chosen };
    return shown.current.nodes;
  }, [nodes, selection]);
  const drawnEdges = useRef<LabelEdge[]>([]);
  const edges: LabelEdge[] = useMemo(
    () => (drawnEdges.current = toFlowEdges(args.edges, selection, drawnEdges.current)),
    [args.edges, selection],
  );

  // Only moves and measurements are applied here: selection and removal are Python's. A
  // selection box reports the nodes it holds; they are chosen when it is released.
  const onNodesChange = useCallback((changes: NodeChange<StepNode>[]) => {
    const kept = changes.filter((change) => change.type === "position" || change.type === "dimensions");
    if (kept.length > 0) setNodes((current) => applyNodeChanges(kept, current));
    const box = boxing.current;
    if (box === null) return;
    for (const change of changes)
      if (change.type === "select") change.selected ? box.add(change.id) : box.delete(change.id);
  }, []);

  const onNodeDragStart: OnNodeDrag<StepNode> = useCallback((_, __, moving) => {
    for (const node of moving) dragging.current.add(node.id);
  }, []);
  const onNodeDragStop: OnNodeDrag<StepNode> = useCallback((_, __, moving) => {
    const given = new Map(latest.current.args.nodes.map((node) => [node.id, node]));
    const positions: Record<string, XY> = {};
    for (const node of moving) {
      dragging.current.delete(node.id);
      const before = given.get(node.id);
      const { x, y } = node.position;
      if (!before || Math.abs(before.x - x) > 0.5 || Math.abs(before.y - y) > 0.5)
        positions[node.id] = [round(x), round(y)];
    }
    if (Object.keys(positions).length > 0) emit({ kind: "move", positions });
  }, []);

  const onConnect: OnConnect = useCallback(({ source, target, sourceHandle }) => {
    if (!source || !target || source === target) return;
    emit(sourceHandle ? { kind: "connect", source, target, source_handle: sourceHandle } : { kind: "connect", source, target });
  }, []);

  // React Flow's handlers keep their identity across renders: a new one makes it render
  // every node's and edge's wrapper again.
  const onNodeClick = useCallback((event: ReactMouseEvent, node: StepNode) => {
    if (!(event.shiftKey || event.metaKey || event.ctrlKey)) return chooseNodes([node.id]);
    const chosen = selectedNodes(latest.current.selection);
    chooseNodes(chosen.includes(node.id) ? chosen.filter((id) => id !== node.id) : [...chosen, node.id]);
  }, [chooseNodes]);
  const onNodeDoubleClick = useCallback(
    (_: ReactMouseEvent, node: StepNode) => emit({ kind: "node_double_click", node: node.id }),
    [],
  );
  const onEdgeClick = useCallback((_: ReactMouseEvent, edge: LabelEdge) => selectEdge(edge.id), [selectEdge]);
  const onPaneClick = useCallback(() => chooseNodes([]), [chooseNodes]);
  const onSelectionStart = useCallback(() => (boxing.current = new Set()), []);
  const onSelectionEnd = useCallback(() => {
    const box = boxing.current;
    boxing.current = null;
    if (box && box.size > 0) chooseNodes([...box]);
  }, [chooseNodes]);
  const onMoveStart = useCallback((event: MouseEvent | TouchEvent | null, viewport: Viewport) => {
    gesture.current = event ? viewport : null; // the user's wheel or drag, not a fit
  }, []);
  const onMoveEnd = useCallback((_: MouseEvent | TouchEvent | null, viewport: Viewport) => {
    const start = gesture.current;
    gesture.current = null;
    const changed = start && (start.x !== viewport.x || start.y !== viewport.y || start.zoom !== viewport.zoom);
    if (changed) moved.current = true; // a click on the pane is no move
    remember();
  }, [remember]);
  const minimapStyle = useMemo(() => ({ marginRight: 15 + args.inset_right }), [args.inset_right]);

  const addStep = (name: string, at?: { x: number; y: number }) => {
    if (!at) return emit({ kind: "add", step_type: name });
    const flow = screenToFlowPosition(at);
    emit({
      kind: "add",
      step_type: name,
      position: [round(flow.x - args.node_width / 2), round(flow.y - args.node_height / 2)],
    });
  };

  return (
    <div className="fc-canvas" style={themeStyle(height, theme)}>
      {args.palette.length > 0 && paletteOpen && (
        <Palette items={args.palette} onAdd={(name) => addStep(name)} onClose={() => setPaletteOpen(false)} />
      )}
      <div
        className="fc-flow"
        onDragOver={(event) => {
          if (!event.dataTransfer.types.includes(STEP_MIME)) return;
          event.preventDefault();
          event.dataTransfer.dropEffect = "copy";
        }}
        onDrop={(event) => {
          const name = event.dataTransfer.getData(STEP_MIME);
          if (!name) return;
          event.preventDefault();
          addStep(name, { x: event.clientX, y: event.clientY });
        }}
        onPointerMove={(event) => {
          const over = (event.target as HTMLElement).closest?.(".react-flow__pane, .react-flow__node");
          pointer.current = over ? { x: event.clientX, y: event.clientY } : null;
        }}
        onPointerLeave={() => (pointer.current = null)}
      >
        <ReactFlow<StepNode, LabelEdge>
          nodes={shownNodes}
          edges={edges}
          nodeTypes={nodeTypes}
          edgeTypes={edgeTypes}
          onNodesChange={onNodesChange}
          onNodeDragStart={onNodeDragStart}
          onNodeDragStop={onNodeDragStop}
          onNodeClick={onNodeClick}
          onNodeDoubleClick={onNodeDoubleClick}
          onEdgeClick={onEdgeClick}
          onPaneClick={onPaneClick}
          onSelectionStart={onSelectionStart}
          onSelectionEnd={onSelectionEnd}
          onConnect={onConnect}
          onMoveStart={onMoveStart}
          onMoveEnd={onMoveEnd}
          colorMode={theme?.base === "dark" ? "dark" : "light"}
          minZoom={args.min_zoom}
          maxZoom={2}
          deleteKeyCode={null}
          selectionKeyCode="Shift"
          multiSelectionKeyCode={null}
          zoomOnDoubleClick={false}
          proOptions={{ hideAttribution: true }}
        >
          <Background gap={20} size={1} />
          <Controls showInteractive={false} showFitView={false} onZoomIn={userZoomed} onZoomOut={userZoomed}>
            <ControlButton
              onClick={fitAgain}
              className="react-flow__controls-fitview"
              title="Fit the view"
              aria-label="Fit the view"
            >
              <svg viewBox="0 0 32 30" aria-hidden="true">
                <path d="M3.7 11.8h3.2V5.1h6.6V1.9H3.7v9.9zM25.1 5.1h-6.6V1.9h9.8v9.9h-3.2V5.1zM6.9 24.9h6.6v3.2H3.7v-9.9h3.2v6.7zM25.1 18.2h3.2v9.9h-9.8v-3.2h6.6v-6.7z" />
              </svg>
            </ControlButton>
          </Controls>
          {args.nodes.length >= args.minimap_from && (
            <MiniMap
              pannable
              zoomable
              style={minimapStyle}
              nodeColor={minimapColor} />
          )}
          <Panel position="top-left" className="fc-top">
            {args.palette.length > 0 && !paletteOpen && (
              <button type="button" className="fc-palette-open" onClick={() => setPaletteOpen(true)}>
                + Steps
              </button>
            )}
            {args.nodes.length > 0 && <Finder names={stepNames} onGo={(name) => chooseNodes([name])} />}
            {args.summary && (
              <p className="fc-summary" role="status">
                {args.summary}
              </p>
            )}
          </Panel>
        </ReactFlow>
      </div>
    </div>
  );
}
