// What Python sends (see components/flow_canvas/__init__.py) and the events sent back.

export interface StepData extends Record<string, unknown> {
  id: string;
  x: number;
  y: number;
  title: string;
  subtitle: string;
  status: string;
  color: string;
  has_input: boolean;
  has_output: boolean;
  branches: string[]; // named output handles ("if", "else") instead of the one output
  run: string; // the last run's state and duration ("" when no run is shown)
  run_color: string;
  run_title: string; // on hover: why it failed, was skipped or came from a cache
  run_elapsed: number | null; // a running step: its seconds so far, counted on here
}

export interface EdgeData extends Record<string, unknown> {
  id: string;
  source: string;
  target: string;
  source_handle: string; // the branch it leaves from ("" for a node's one output)
  label: string;
  title: string;
}

export interface PaletteItem {
  name: string; // what an "add" event names
  label: string;
  category: string;
  description: string;
}

export type Selection = { node: string } | { edge: string } | { nodes: string[] } | null;

export interface Args {
  nodes: StepData[];
  edges: EdgeData[];
  selected: Selection;
  height: number | null; // null: down to the bottom of the window
  fit_token: string | number | null;
  ack: number; // the newest event Python has handled: older ones are not sent again
  minimap_from: number;
  node_width: number;
  node_height: number;
  min_zoom: number;
  view_key: string | null; // the view is kept per key across page switches
  palette: PaletteItem[];
  inset_right: number; // pixels at the right the page covers (a panel over the canvas)
  summary?: string; // a line of text in the top bar (the design's state)
}

export type XY = [number, number];

export type Event =
  | { kind: "node_click" | "node_double_click"; node: string }
  | { kind: "edge_click"; edge: string }
  | { kind: "pane_click" }
  | { kind: "select"; nodes: string[] }
  | { kind: "connect"; source: string; target: string; source_handle?: string }
  | { kind: "move"; positions: Record<string, XY> }
  | { kind: "delete"; node?: string; edge?: string; nodes?: string[] }
  | { kind: "add"; step_type: string; position?: XY }
  | { kind: "copy"; nodes: string[] }
  | { kind: "paste"; position: XY }
  | { kind: "duplicate"; nodes: string[] };
