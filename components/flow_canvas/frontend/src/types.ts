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
  run: string; // the last run's state and duration ("" when no run is shown)
  run_color: string;
  run_title: string; // on hover: why it failed, was skipped or came from a cache
  run_elapsed: number | null; // a running step: its seconds so far, counted on here
}

export interface EdgeData extends Record<string, unknown> {
  id: string;
  source: string;
  target: string;
  label: string;
  title: string;
}

export type Selection = { node: string } | { edge: string } | null;

export interface Args {
  nodes: StepData[];
  edges: EdgeData[];
  selected: Selection;
  height: number;
  fit_token: string | number | null;
  ack: number; // the newest event Python has handled: older ones are not sent again
  minimap_from: number;
  node_width: number;
  node_height: number;
  min_zoom: number;
}

export type Event =
  | { kind: "node_click" | "node_double_click"; node: string }
  | { kind: "edge_click"; edge: string }
  | { kind: "pane_click" }
  | { kind: "connect"; source: string; target: string }
  | { kind: "move"; positions: Record<string, [number, number]> }
  | { kind: "delete"; node?: string; edge?: string };
