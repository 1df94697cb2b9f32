// What Python sends the panel (components/node_panel.py builds it) and what the panel sends
// back: only the user's edits, as events (components/form_edits.py applies them).
import type { ErrorSchema, RJSFSchema, UiSchema } from "@rjsf/utils";

export interface Problem {
  field: string;
  message: string;
}

export interface Port {
  direction: "input" | "output";
  name: string;
  kind: string;
  source: string | null; // an input's producer, or what it lacks ("not connected")
}

export interface Derived {
  name: string;
  label: string;
  value: string;
  description: string;
}

export interface BoundField {
  field: string;
  label: string;
  parameter: string;
  type: string;
  others: number; // other fields bound to the same parameter
  shared: string; // ", shared with 2 other fields", or ""
  default: string; // the default as text
}

export interface Parameters {
  bound: BoundField[];
  free: { field: string; label: string; suggested: string }[];
  existing: string[];
}

export interface Preview {
  title?: string;
  blocks?: { caption: string; body: string; language: string }[];
  info?: string;
}

export interface FormView {
  schema: RJSFSchema;
  uiSchema: UiSchema;
  formData: Record<string, unknown>;
  errors: ErrorSchema;
  general: string[];
  derived: Derived[];
}

export interface PanelData {
  ack: number; // the last event Python handled
  node: string;
  title: string; // the step type's display name
  description: string;
  badge: { label: string; color: "green" | "orange" | "red" };
  problems: Problem[]; // the first few, also shown under their fields
  more: number;
  messages: Record<string, string>; // a refused rename or promotion, by action
  ports: Port[];
  form: FormView;
  parameters: Parameters | null;
  preview: Preview | null;
}

export type Edit =
  | { kind: "set"; field: string; value: unknown }
  | { kind: "override"; field: string; on: boolean }
  | { kind: "rename"; name: string }
  | { kind: "delete" }
  | { kind: "promote"; field: string; parameter: string }
  | { kind: "unbind"; field: string }
  | { kind: "default"; field: string; parameter: string; text: string };

export type Event = Edit & { node: string };
