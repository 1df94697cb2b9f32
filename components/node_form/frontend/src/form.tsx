// The step's form, drawn by react-jsonschema-form (RJSF) from the JSON schema Python sends
// (the Config's Pydantic schema, shaped by builders/configs/form_schema.py). RJSF draws the
// fields, nested configs and tables; these templates and widgets only decide how a field
// looks and when it sends its value. Python is the source of truth: RJSF's validation is
// off (noValidate, no live validation) and the problems shown are Python's (extraErrors).
// Fields of one mode (a tuning range's min and max) come in `dependencies` branches: RJSF
// draws those of the mode held and keeps the others' values in formData.
// A change becomes one "set" event per changed field, with the value as typed.
import Form from "@rjsf/core";
import {
  ADDITIONAL_PROPERTY_FLAG,
  getUiOptions,
  type FieldProps,
  type FieldTemplateProps,
  type IconButtonProps,
  type ObjectFieldTemplateProps,
  type RJSFSchema,
  type WidgetProps,
} from "@rjsf/utils";
import validator from "@rjsf/validator-ajv8";
import { useRef, useState, type ReactNode } from "react";
import { TextBox } from "./TextBox";
import type { Edit, FormView } from "./types";

interface Context {
  node: string;
  send: (edit: Edit) => void;
}

const opened = new Map<string, boolean>(); // section switches, by node and section

function Section(props: { id: string; title: string; initially: boolean; children: ReactNode }) {
  const [open, setOpen] = useState(opened.get(props.id) ?? props.initially);
  const toggle = () => {
    opened.set(props.id, !open);
    setOpen(!open);
  };
  return (
    <div className="section" data-section={props.title}>
      <label className="switch">
        <input type="checkbox" role="switch" checked={open} onChange={toggle} />
        <span>{props.title}</span>
      </label>
      {open ? props.children : null}
    </div>
  );
}

function Switch(props: { label: string; checked: boolean; onChange: (on: boolean) => void; id?: string }) {
  return (
    <label className="switch">
      <input
        id={props.id}
        type="checkbox"
        role="switch"
        checked={props.checked}
        onChange={(event) => props.onChange(event.target.checked)}
      />
      <span>{props.label}</span>
    </label>
  );
}

function Help({ text }: { text?: string }) {
  return text ? (
    <span className="help" title={text} aria-label={text}>
      ?
    </span>
  ) : null;
}

function FieldTemplate(props: FieldTemplateProps) {
  const { id, label, required, rawErrors, children, fieldPathId, uiSchema, displayLabel } = props;
  const path = fieldPathId.path.join(".");
  if (path === "") return children;
  if (ADDITIONAL_PROPERTY_FLAG in props.schema) return <Row {...props} />;
  const options = getUiOptions(uiSchema);
  const context = props.registry.formContext as Context;
  const overridden = Boolean(options.overridden);
  const labelled = displayLabel && options.kind !== "bool" && options.kind !== "model";
  return (
    <div className="field" data-field={path} data-kind={String(options.kind ?? "")}>
      {labelled ? (
        <div className="label">
          <label htmlFor={id}>
            {label}
            {required ? " *" : ""}
          </label>
          <Help text={props.rawDescription} />
        </div>
      ) : null}
      {children}
      {(rawErrors ?? []).map((error, index) => (
        <div key={index} className="problem" role="alert">
          {error}
        </div>
      ))}
      {options.shared ? (
        <div className="override" data-override={path}>
          <Switch
            label="Override for this node"
            checked={overridden}
            onChange={(on) => context.send({ kind: "override", field: path, on })}
          />
        </div>
      ) : null}
    </div>
  );
}

/** A row of a table field (a dict): its name, its value and Remove. */
function Row(props: FieldTemplateProps) {
  const { id, label, children, rawErrors, onKeyRenameBlur, onRemoveProperty, fieldPathId } = props;
  return (
    <div className="pair" data-field={fieldPathId.path.join(".")}>
      <input
        key={label}
        id={`${id}-key`}
        type="text"
        aria-label="Name"
        defaultValue={label}
        onBlur={onKeyRenameBlur}
        onKeyDown={(event) => {
          if (event.key === "Enter") event.currentTarget.blur();
        }}
      />
      <div className="value">{children}</div>
      <button type="button" className="remove" title="Remove this row" onClick={onRemoveProperty}>
        Remove
      </button>
      {(rawErrors ?? []).map((error, index) => (
        <div key={index} className="problem" role="alert">
          {error}
        </div>
      ))}
    </div>
  );
}

function ObjectFieldTemplate(props: ObjectFieldTemplateProps) {
  const { properties, uiSchema, title, fieldPathId } = props;
  const context = props.registry.formContext as Context;
  const byName = new Map(properties.map((p) => [p.name, p.content]));
  if (fieldPathId.path.length > 0) {
    return (
      <fieldset className="nested">
        <legend>
          {title}
          <Help text={props.schema.description} />
        </legend>
        {properties.map((p) => p.content)}
        {props.schema.additionalProperties ? (
          <button type="button" className="add" onClick={props.onAddProperty}>
            + Add a row
          </button>
        ) : null}
      </fieldset>
    );
  }
  const options = getUiOptions(uiSchema);
  const settings = (options.settings as string[]) ?? [];
  const advanced = (options.advanced as string[]) ?? [];
  const main = properties.map((p) => p.name).filter((n) => !settings.includes(n) && !advanced.includes(n));
  return (
    <div className="fields">
      {settings.length ? (
        <Section id={`${context.node}:settings`} title="Pipeline settings" initially={Boolean(options.settingsOpen)}>
          <p className="caption">
            Shared by every step: a change here changes the pipeline settings. Switch on Override
            for this node to give this step its own value.
          </p>
          {settings.map((name) => byName.get(name))}
        </Section>
      ) : null}
      {main.map((name) => byName.get(name))}
      {advanced.length ? (
        <Section id={`${context.node}:advanced`} title="Advanced settings" initially={false}>
          {advanced.map((name) => byName.get(name))}
        </Section>
      ) : null}
    </div>
  );
}

function isNumber(schema: RJSFSchema): boolean {
  return schema.type === "number" || schema.type === "integer";
}

// Text and number boxes: the value goes out when committed (see TextBox). A number box
// sends a number, or null when emptied; a text box sends the text as typed ("" included).
/** The label a person reads is also the box's accessible name. */
function named(props: WidgetProps): string {
  return `${props.label}${props.required ? " *" : ""}`;
}

function BaseInputTemplate(props: WidgetProps) {
  const { id, value, schema, onChange, disabled, readonly } = props;
  const number = isNumber(schema);
  const shown = value === null || value === undefined ? "" : String(value);
  const commit = (text: string) => {
    if (!number) onChange(text);
    else onChange(text.trim() === "" ? null : Number(text));
  };
  return (
    <TextBox
      id={id}
      aria-label={named(props)}
      value={shown}
      number={number}
      onCommit={commit}
      disabled={disabled || readonly}
    />
  );
}

function TextareaWidget(props: WidgetProps) {
  const { id, value, onChange, disabled } = props;
  const [draft, setDraft] = useState<string | null>(null);
  const shown = value === null || value === undefined ? "" : String(value);
  const rows = Math.max(2, Math.min(12, (draft ?? shown).split("\n").length + 1));
  return (
    <textarea
      id={id}
      aria-label={named(props)}
      rows={rows}
      disabled={disabled}
      placeholder="One item per line"
      value={draft ?? shown}
      onChange={(event) => setDraft(event.target.value)}
      onBlur={() => {
        if (draft !== null && draft !== shown) onChange(draft);
        setDraft(null);
      }}
    />
  );
}

function CheckboxWidget(props: WidgetProps) {
  const { id, value, onChange, label, required, schema } = props;
  return (
    <span className="bool">
      <Switch id={id} label={`${label}${required ? " *" : ""}`} checked={Boolean(value)} onChange={onChange} />
      <Help text={schema.description} />
    </span>
  );
}

function SelectWidget(props: WidgetProps) {
  const { id, value, onChange, options, required, disabled, multiple } = props;
  const choices = options.enumOptions ?? [];
  const index = choices.findIndex((o) => JSON.stringify(o.value) === JSON.stringify(value));
  if (multiple) return null; // multichoice fields are drawn with check boxes
  return (
    <select
      id={id}
      aria-label={named(props)}
      value={index < 0 ? "" : String(index)}
      disabled={disabled}
      onChange={(event) => onChange(event.target.value === "" ? null : choices[Number(event.target.value)].value)}
    >
      <option value="">{required ? "Choose one" : "—"}</option>
      {choices.map((choice, i) => (
        <option key={i} value={String(i)}>
          {typeof choice.value === "boolean" ? String(choice.value) : choice.label}
        </option>
      ))}
    </select>
  );
}

function CheckboxesWidget(props: WidgetProps) {
  const { id, value, onChange, options } = props;
  const chosen: unknown[] = Array.isArray(value) ? value : [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  return (
    <div className="choices" id={id}>
      {(options.enumOptions ?? []).map((choice, i) => {
        const on = chosen.some((c) => same(c, choice.value));
        const toggle = () =>
          onChange(
            on
              ? chosen.filter((c) => !same(c, choice.value))
              : (options.enumOptions ?? []).map((o) => o.value).filter((v) => same(v, choice.value) || chosen.some((c) => same(c, v))),
          );
        return (
          <label key={i} className="choice">
            <input type="checkbox" checked={on} onChange={toggle} />
            <span>{String(choice.label)}</span>
          </label>
        );
      })}
    </div>
  );
}

function RemoveButton(props: IconButtonProps) {
  return (
    <button type="button" className="remove" onClick={props.onClick} disabled={props.disabled} title="Remove this row">
      Remove
    </button>
  );
}

function AddButton(props: IconButtonProps) {
  return (
    <button type="button" className="add" onClick={props.onClick} disabled={props.disabled}>
      + Add
    </button>
  );
}

function Nothing() {
  return null;
}

const templates = {
  FieldTemplate,
  ObjectFieldTemplate,
  BaseInputTemplate,
  ErrorListTemplate: Nothing,
  ButtonTemplates: { SubmitButton: Nothing, AddButton, RemoveButton },
};
const widgets = { TextareaWidget, CheckboxWidget, SelectWidget, CheckboxesWidget };

/** A number field is RJSF's text field: BaseInputTemplate already sends numbers. RJSF's own
 * NumberField builds an Intl.NumberFormat on every render of every number field (a fifth
 * of a form's render) to read a decimal separator no box here uses. */
function NumberField(props: FieldProps) {
  const { StringField } = props.registry.fields;
  return <StringField {...props} />;
}
const fields = { NumberField };

/** The fields whose values differ, as (dotted path, new value); a nested config is
 * compared field by field, anything else (a table, a list) as a whole. */
function changes(schema: RJSFSchema, before: unknown, after: unknown, path: string[]): [string, unknown][] {
  const nested = schema.type === "object" && schema.properties;
  if (nested && isRecord(before) && isRecord(after)) {
    return Object.entries(fieldsOf(schema)).flatMap(([name, sub]) =>
      changes(sub as RJSFSchema, before[name], after[name], [...path, name]),
    );
  }
  const same = JSON.stringify(before ?? null) === JSON.stringify(after ?? null);
  return same ? [] : [[path.join("."), after === undefined ? null : after]];
}

/** The fields of an object's modes (`dependencies` branches: see
 * builders/configs/form_schema.py), whichever mode is shown. */
function modeFields(schema: RJSFSchema): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [selector, dependency] of Object.entries(schema.dependencies ?? {})) {
    const branches = isRecord(dependency) && Array.isArray(dependency.oneOf) ? dependency.oneOf : [];
    for (const branch of branches as RJSFSchema[]) {
      for (const [name, sub] of Object.entries(branch.properties ?? {})) {
        if (name !== selector) fields[name] = sub;
      }
    }
  }
  return fields;
}

function fieldsOf(schema: RJSFSchema): Record<string, unknown> {
  return { ...schema.properties, ...modeFields(schema) };
}

/** `after` with the values of the fields of a mode no longer shown put back: RJSF clears
 * them when the mode switches (it sanitizes the data for the new branch), but they are the
 * user's, kept in the design and shown again when the user switches back. */
function kept(schema: RJSFSchema, before: unknown, after: unknown): unknown {
  const nested = schema.type === "object" && schema.properties;
  if (!nested || !isRecord(before) || !isRecord(after)) return after;
  const moded = modeFields(schema);
  const result: Record<string, unknown> = { ...after };
  for (const [name, sub] of Object.entries(fieldsOf(schema))) {
    if (result[name] === undefined && name in moded && before[name] !== undefined) {
      result[name] = before[name];
    } else if (isRecord(result[name])) {
      result[name] = kept(sub as RJSFSchema, before[name], result[name]);
    }
  }
  return result;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function StepForm(props: { node: string; view: FormView; send: (edit: Edit) => void }) {
  const { view, send, node } = props;
  const [shown, setShown] = useState(view.formData);
  const current = useRef(view.formData); // what the form holds, between two renders too
  // What Python sends wins, in the render it arrives in: an effect would first draw the
  // new node's schema with the old node's values, paint, and draw the form again.
  const [taken, setTaken] = useState(view.formData);
  if (taken !== view.formData) {
    setTaken(view.formData);
    setShown(view.formData);
    current.current = view.formData;
  }
  return (
    <Form
      tagName="div"
      schema={view.schema}
      uiSchema={view.uiSchema}
      formData={shown}
      validator={validator}
      noValidate
      showErrorList={false}
      extraErrors={view.errors}
      templates={templates}
      widgets={widgets}
      fields={fields}
      formContext={{ node, send }}
      experimental_defaultFormStateBehavior={{
        emptyObjectFields: "skipDefaults",
        arrayMinItems: { populate: "never" },
      }}
      onChange={(event) => {
        const after = kept(view.schema, current.current, event.formData) as Record<string, unknown>;
        for (const [field, value] of changes(view.schema, current.current, after, [])) {
          send({ kind: "set", field, value });
        }
        current.current = after;
        setShown(after);
      }}
    />
  );
}
