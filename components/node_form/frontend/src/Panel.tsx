// The panel of one node: its name and status, what to fix, its ports, the generated form,
// its pipeline parameters and its step type's preview. Everything shown comes from Python;
// the panel sends only the user's edits (see types.ts).
import { useState } from "react";
import { StepForm } from "./form";
import { emit } from "./outbox";
import { TextBox } from "./TextBox";
import type { Edit, PanelData, Parameters } from "./types";

export function Panel({ data }: { data: PanelData }) {
  const send = (edit: Edit) => emit({ ...edit, node: data.node });
  return (
    <div className="panel" data-node-form={data.node}>
      <div className="head">
        <h3>{data.node}</h3>
        <button type="button" className="delete" title="Remove the node" onClick={() => send({ kind: "delete" })}>
          Delete
        </button>
      </div>
      <p className="caption">
        {data.title}: {data.description}
      </p>
      <div className="status">
        <span className={`badge ${data.badge.color}`}>{data.badge.label}</span>
        {data.problems.length ? (
          <ul className="problems">
            {data.problems.map((p, i) => (
              <li key={i}>
                <strong>{p.field || "step"}</strong>: {p.message}
              </li>
            ))}
            {data.more ? <li>and {data.more} more, under their fields</li> : null}
          </ul>
        ) : null}
      </div>
      <div className="field" data-field=":name">
        <label className="label" htmlFor="node-name">
          Node name
        </label>
        <TextBox
          key={data.node}
          id="node-name"
          value={data.node}
          title="Unique in the design; it becomes the SageMaker step name."
          onCommit={(name) => send({ kind: "rename", name })}
        />
        {data.messages.rename ? (
          <div className="problem" role="alert">
            {data.messages.rename}
          </div>
        ) : null}
      </div>
      <details className="ports">
        <summary>Inputs and outputs</summary>
        <ul>
          {data.ports.map((port, i) => (
            <li key={i}>
              {port.direction} <strong>{port.name}</strong> ({port.kind})
              {port.direction === "input" ? ` ← ${port.source}` : ""}
            </li>
          ))}
          {data.ports.length ? null : <li>This step has no ports.</li>}
        </ul>
      </details>
      {data.form.general.map((line, i) => (
        <div key={i} className="problem" role="alert">
          {line}
        </div>
      ))}
      <StepForm key={`form:${data.node}`} node={data.node} view={data.form} send={send} />
      {data.form.derived.length ? (
        <div className="derived">
          <p className="caption">Derived values (read-only)</p>
          {data.form.derived.map((d) => (
            <div className="field" key={d.name} data-field={d.name}>
              <label className="label" htmlFor={`derived-${d.name}`}>
                {d.label}
              </label>
              <input id={`derived-${d.name}`} type="text" value={d.value} disabled title={d.description} />
            </div>
          ))}
        </div>
      ) : null}
      {data.parameters ? (
        <ParametersSection key={`parameters:${data.node}`} parameters={data.parameters} send={send} error={data.messages.promote} />
      ) : null}
      {data.preview ? <PreviewSection preview={data.preview} /> : null}
    </div>
  );
}

function ParametersSection(props: { parameters: Parameters; send: (edit: Edit) => void; error?: string }) {
  const { parameters, send, error } = props;
  const [promoting, setPromoting] = useState(false);
  const [field, setField] = useState(parameters.free[0]?.field ?? "");
  const chosen = parameters.free.find((f) => f.field === field) ?? parameters.free[0];
  const [name, setName] = useState<string | null>(null);
  return (
    <div className="parameters">
      <h4>Pipeline parameters</h4>
      {parameters.bound.map((b) => (
        <div className="field bound" key={b.field} data-field={`:parameter:${b.field}`}>
          <p className="caption">
            <strong>{b.label}</strong> takes its value from parameter <code>{b.parameter}</code> ({b.type}
            {b.shared}); a run can set another.
          </p>
          <div className="row">
            <label className="label" htmlFor={`default-${b.field}`}>
              Default of {b.parameter}
            </label>
            <TextBox
              key={`${b.parameter}:${b.default}`}
              id={`default-${b.field}`}
              value={b.default}
              onCommit={(text) => send({ kind: "default", field: b.field, parameter: b.parameter, text })}
            />
            <button type="button" title="Give the field its own value" onClick={() => send({ kind: "unbind", field: b.field })}>
              Unbind
            </button>
          </div>
        </div>
      ))}
      {parameters.free.length ? (
        <label className="switch">
          <input type="checkbox" role="switch" checked={promoting} onChange={() => setPromoting(!promoting)} />
          <span>Promote a field to a pipeline parameter</span>
        </label>
      ) : null}
      {promoting && chosen ? (
        <div className="promote">
          <label className="label" htmlFor="promote-field">
            Field
          </label>
          <select
            id="promote-field"
            value={chosen.field}
            onChange={(event) => {
              setField(event.target.value);
              setName(null);
            }}
          >
            {parameters.free.map((f) => (
              <option key={f.field} value={f.field}>
                {f.label}
              </option>
            ))}
          </select>
          <label
            className="label"
            htmlFor="promote-name"
            title={`A new name makes a parameter with this field's type and value as its default. An existing one (${
              parameters.existing.join(", ") || "none yet"
            }) binds this field to it too.`}
          >
            Parameter name
          </label>
          <input id="promote-name" type="text" value={name ?? chosen.suggested} onChange={(event) => setName(event.target.value)} />
          <button type="button" onClick={() => send({ kind: "promote", field: chosen.field, parameter: name ?? chosen.suggested })}>
            Promote
          </button>
        </div>
      ) : null}
      {error ? (
        <div className="problem" role="alert">
          {error}
        </div>
      ) : null}
    </div>
  );
}

function PreviewSection({ preview }: { preview: NonNullable<PanelData["preview"]> }) {
  if (preview.info) return <p className="info">{preview.info}</p>;
  return (
    <div className="preview">
      <h4>{preview.title}</h4>
      {(preview.blocks ?? []).map((block, i) => (
        <div key={i}>
          <p className="caption">{block.caption}</p>
          <pre>
            <code data-language={block.language}>{block.body}</code>
          </pre>
        </div>
      ))}
    </div>
  );
}
