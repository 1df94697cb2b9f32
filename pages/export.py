"""Preview and export: validation report, wiring, config/DAG/pipeline JSON; import."""

import json

import streamlit as st

from builders.configs.fields import text_of
from builders.designs.code_folders import design_outside
from builders.designs.design import (
    DesignReport,
    config_document,
    dag_document,
    design_from_documents,
)
from builders.designs.workspace import file_stem
from builders.errors import PipelineDesignError
from builders.fileio import parse_json
from builders.starters import FOLDER as STARTERS
from components import session
from components.text import counted, md


def show_report(report) -> None:
    st.subheader("Validation")
    if not report.problems:
        st.success("The design is complete and valid.")
        return
    if report.valid:
        st.info("The design is valid; worth a look:")
    else:
        st.warning(
            f"{counted(len(report.problems), 'problem')} to fix before the pipeline can be built:"
        )
    st.dataframe(
        [
            {"node": p.node or "(design)", "field": p.field or "", "problem": p.message}
            for p in report.problems
        ],
        hide_index=True,
        width="stretch",
    )


def show_wiring(report) -> None:
    st.subheader("Wiring")
    rows = [
        {"from": wire.source, "to": f"{wire.consumer}.{wire.consumer_port}"}
        for wire in report.wires
    ]
    if rows:
        st.dataframe(rows, hide_index=True, width="stretch")
    else:
        st.caption("No inputs are wired yet.")


def show_parameters(design) -> None:
    st.subheader("Pipeline parameters")
    if not design.parameters:
        st.caption(
            "None: every value is fixed when the pipeline is compiled. Promote a field to a "
            "parameter in its node's form to let a run set it."
        )
        return
    rows = [
        {
            "parameter": p.name,
            "type": p.type,
            "default": text_of(p.default),
            "bound to": ", ".join(f"{b.node}.{b.field}" for b in p.bindings) or "(nothing)",
        }
        for p in design.parameters
    ]
    st.dataframe(rows, hide_index=True, width="stretch")


def full_report(design, report):
    """The report with what compiling found (SageMaker's request shapes, the SDK's own
    refusals), and the compiled pipeline or None: 'complete and valid' means it compiles
    and SageMaker's API would take it."""
    if not report.valid:
        return report, None
    pipeline = session.compiled(design)
    if isinstance(pipeline, PipelineDesignError):
        found = DesignReport(problems=(*report.problems, *pipeline.problems), wires=report.wires)
        return found, None
    return report, pipeline


def show_downloads(design, report, pipeline) -> None:
    stem = file_stem(design.name)
    config_json = json.dumps(config_document(design), indent=2)
    dag_json = json.dumps(dag_document(design), indent=2)
    left, middle, right = st.columns(3)
    left.download_button(
        "Download config JSON", config_json, f"{stem}.config.json", "application/json"
    )
    middle.download_button("Download DAG JSON", dag_json, f"{stem}.dag.json", "application/json")
    if pipeline is not None:
        definition = json.dumps(pipeline.definition, indent=2)
        right.download_button(
            "Download pipeline JSON", definition, f"{stem}.pipeline.json", "application/json"
        )
    else:
        right.info("The pipeline JSON is offered once the design is valid (see Validation).")
    with st.expander("Config JSON"):
        st.code(config_json, language="json")
    with st.expander("DAG JSON"):
        st.code(dag_json, language="json")
    if pipeline is not None:
        with st.expander(f"Pipeline definition JSON ({len(pipeline.step_names)} steps)"):
            st.code(json.dumps(pipeline.definition, indent=2), language="json")


def import_files() -> None:
    st.subheader("Import")
    st.caption(
        "A config JSON written by this tool (or by merge_and_save_configs), with or without "
        "its DAG JSON. It becomes a new design, which opens; the design open now is kept "
        "as it is, under its name on the Designs page."
    )
    with st.form("import", clear_on_submit=False):
        config_file = st.file_uploader("Config JSON", type=["json"], key="import_config")
        dag_file = st.file_uploader("DAG JSON (optional)", type=["json"], key="import_dag")
        name = st.text_input("Name of the new design", key="import_name")
        submitted = st.form_submit_button("Import as a new design", type="primary")
    if not submitted:
        return
    try:
        if config_file is None:
            raise PipelineDesignError("Choose a config JSON file to import.")
        name = session.workspace().check_new_name(name)
        config_doc = parse_json(config_file.getvalue(), f"config file {config_file.name}")
        dag = parse_json(dag_file.getvalue(), f"DAG file {dag_file.name}") if dag_file else None
        session.create_design(design_from_documents(name, config_doc, dag))
    except PipelineDesignError as error:
        st.error(f"Nothing was imported: {md(str(error))}")
        return
    design = session.current()
    session.notice("success", f"Imported '{design.name}' with {len(design.nodes)} steps.")
    roots = [session.workspace().root]
    for location in design_outside(design, [*roots, STARTERS]):  # before anything is staged
        session.notice("warning", location.describe(roots))
    st.switch_page("pages/designer.py")


st.title("Preview and export")
session.refresh()
session.show_notices("export")
design = session.current()
if design is None:
    st.info("No design is open: import one below, or create one on the Designs page.")
else:
    report, pipeline = full_report(design, session.report(design))
    show_report(report)
    show_wiring(report)
    show_parameters(design)
    st.subheader("Export")
    show_downloads(design, report, pipeline)
import_files()
