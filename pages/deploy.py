"""Deploy: the design to the local sandbox or to AWS, then follow the execution.

A deploy reads the design and never changes it: a failure leaves nothing to recover.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from builders.configs.base import BasePipelineConfig
from builders.configs.types import AwsRegion
from builders.deploying.definition_diff import DefinitionDiff, diff_definitions
from builders.deploying.deploy import (
    DEFAULT_TIMEOUT,
    DeployResult,
    Target,
    deploy,
    deployed_definition,
    execution_status,
    recent_executions,
)
from builders.deploying.rerun import FINISHED, rerun_from
from builders.designs.design import config_document, effective_values, step_type_of
from builders.designs.parameter_edits import start_values_of
from builders.errors import ConfigValidationError, DeployError
from builders.graph.validation import validate_config
from components import aws, session
from components.local_runs import choose_run, show_runs
from components.run_overlay import remember_execution
from components.text import counted, label, md, without_html_page

DEPLOYMENT = "deployment"  # the last deploy's Deployment
ENDED = "ended_executions"  # execution ARN -> its final status
CHANGES = "deploy_changes"  # the Changes a deploy waits on the user to confirm
RERUN = "aws_rerun_arn"  # the ARN of the last re-run started here: the executions are read again
SANDBOX, AWS = "Local sandbox", "AWS"
REGIONS = AwsRegion.__args__
DEFAULT_CHAIN = "(default credential chain)"
SANDBOX_NOTE = (
    "The local sandbox is an AWS stand-in on this machine (moto). A started execution runs "
    "every step here, reading and writing the sandbox's S3; a starter's sample data is placed "
    "there at deploy. The sandbox starts with the first deploy and its S3 is emptied when the "
    "app stops; the runs' records and logs stay in the workspace."
)


@dataclass(frozen=True)
class Deployment:
    """The last deploy of a design: its result, or the stage it failed at and why. (One
    class: the page script runs anew on every rerun, so isinstance would not hold.)"""

    design: str
    target: Target | None = None
    result: DeployResult | None = None
    failed_at: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class Changes:
    """What a deploy would change in the deployed pipeline, for this definition and target."""

    design: str
    definition: str
    target: tuple[str, str | None]  # (kind, profile)
    diff: DefinitionDiff
    label: str  # the target, in words


def changes_to_confirm(design, pipeline, target: Target, profile, timeout) -> Changes | None:
    """The changes to confirm before deploying, or None when there are none (a new pipeline,
    or the same definition)."""
    deployed = deployed_definition(target, pipeline.name, timeout)
    if deployed is None:
        return None
    diff = diff_definitions(deployed, pipeline.definition_json)
    if diff.empty:
        return None
    kind = (target.kind, profile)
    return Changes(design.name, pipeline.definition_json, kind, diff, target.label)


def confirmed(changes: Changes, pipeline_name: str) -> bool:
    """Show the changes; True once the user confirms them (the changes are then cleared)."""
    box = st.empty()
    with box.container():
        st.warning(
            f"This deploy changes the pipeline **{md(pipeline_name)}** on the "
            f"{md(changes.label)}. Check what changes, then deploy.",
            icon=":material/difference:",
        )
        st.code("\n".join(changes.diff.lines()), language="diff")
        left, right = st.columns(2)
        confirm = left.button("Deploy these changes", type="primary", key="confirm_deploy")
        cancel = right.button("Cancel", key="cancel_deploy")
    if confirm or cancel:
        st.session_state.pop(CHANGES, None)
        box.empty()
    return confirm


def choose_target(region: str) -> tuple[str, str | None]:
    """(target kind, AWS profile) as chosen on the page; AWS by default when it has keys."""
    default = 1 if aws.has_credentials(None) else 0
    kind = st.radio("Deploy to", [SANDBOX, AWS], index=default, horizontal=True, key="target")
    if kind == SANDBOX:
        st.info(SANDBOX_NOTE, icon=":material/science:")
        return "sandbox", None
    chosen = st.selectbox("AWS profile", [DEFAULT_CHAIN, *aws.profiles()], key="aws_profile")
    profile = None if chosen == DEFAULT_CHAIN else chosen
    if aws.has_credentials(profile):
        st.caption(f"Credentials found. Region **{md(region)}** (from the pipeline settings).")
    else:
        st.warning(
            "No AWS credentials found for this profile. Set AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY, run `aws configure` or `aws sso login`, or choose another "
            "profile; or deploy to the local sandbox to try the flow.",
            icon=":material/key_off:",
        )
    return "aws", profile


def parameter_values(definition: dict) -> dict[str, str]:
    """A value per pipeline parameter, its default prefilled."""
    values = {}
    for parameter in definition.get("Parameters", []):
        name = parameter["Name"]
        default = parameter.get("DefaultValue", "")
        values[name] = st.text_input(
            label(f"{name} ({parameter.get('Type', 'String')})"), str(default), key=f"param:{name}"
        )
    return values


def checked_values(design, given: dict[str, str]) -> dict[str, str] | None:
    """The run's parameter values, or None (and what is wrong, under the fields) when a value
    breaks its type or a bound field's rule."""
    try:
        return start_values_of(design, given)
    except ConfigValidationError as error:
        for problem in error.problems:
            st.error(md(str(problem)))
        return None


def run_deploy(
    design, pipeline, settings, kind: str, profile, start, parameters, timeout, confirmed=False
):
    """Deploy with progress shown stage by stage, giving up after `timeout` seconds; the
    outcome goes to session state and is shown outside the progress box, until the next
    deploy. Unless `confirmed`, changes to a deployed pipeline are kept to confirm first."""
    with st.status("Deploying...", expanded=True) as status:
        try:
            target = Target.of(kind, settings.region, profile)
            changes = (
                None
                if confirmed
                else changes_to_confirm(design, pipeline, target, profile, timeout)
            )
            if changes is not None:
                st.session_state[CHANGES] = changes
                status.update(label="Changes to confirm", state="complete", expanded=False)
                return
            result = deploy(
                pipeline,
                target,
                role_arn=settings.role,
                description=settings.pipeline_description,
                tags={"author": settings.author, "design": design.name},
                start=start,
                parameters=parameters,
                progress=lambda stage, message: status.write(f"**{stage}**: {md(message)}"),
                timeout=timeout,
                config_document=config_document(design) if kind == "sandbox" else None,
                design_id=design.id,
            )
        except DeployError as error:
            status.update(label=f"Deploy failed at {error.stage}", state="error", expanded=False)
            failure = Deployment(design.name, failed_at=error.stage, reason=error.message)
            st.session_state[DEPLOYMENT] = failure
            return
        status.update(label="Deployed", state="complete", expanded=False)
    if result.execution_arn and target.kind == "sandbox":
        choose_run(result.execution_arn.rsplit("/", 1)[-1])
    elif result.execution_arn:
        remember_execution(design, target, result.execution_arn)  # for the canvas
    st.session_state[DEPLOYMENT] = Deployment(design.name, target, result)


def show_failure(failure: Deployment) -> None:
    st.error(
        f"**Deploy failed at {md(failure.failed_at)}**: {md(without_html_page(failure.reason))}  \n"
        "Your design is unchanged.",
        icon=":material/error:",
    )


def deploy_settings(design) -> BasePipelineConfig | None:
    """The settings the pipeline was compiled with: a node's, since every node shares the
    region, role and names (validation checks it). None, with a message, if they are not
    usable: a deploy never starts from an empty or unknown region."""
    node = design.nodes[0]
    config, _ = validate_config(step_type_of(node).config_class, effective_values(design, node))
    if config is None or config.region not in REGIONS:
        region = design.settings.get("region") or "(empty)"
        st.error(
            f"The pipeline's region {md(region)} is not an AWS region. Choose one on "
            "Pipeline settings, then come back to deploy."
        )
        st.page_link("pages/settings.py", label="Pipeline settings", icon=":material/tune:")
        return None
    return config


def show_deployment(deployment: Deployment) -> None:
    result = deployment.result
    verb = "created" if result.created else "updated"
    st.success(
        f"Pipeline **{md(result.pipeline_name)}** {verb} on the {md(deployment.target.label)} "
        f"as {md(result.identity)}. Code: {counted(result.uploaded, 'file')} uploaded, "
        f"{result.skipped} already there."
    )
    st.text_input("Pipeline ARN", result.pipeline_arn, disabled=True)
    if result.console_url:
        st.link_button("Open in the AWS console", result.console_url, icon=":material/open_in_new:")
    if result.execution_arn:
        st.text_input("Execution ARN", result.execution_arn, disabled=True)
        if deployment.target.kind == "sandbox":
            return  # the run is shown under Runs in the sandbox
        status = _status(deployment.target, result.execution_arn)
        if status is None or status.finished:
            show_status(status)
        else:
            follow(deployment.target, result.execution_arn)


def _status(target: Target, execution_arn: str):
    """The execution's status; an ended one is read once, not on every rerun of the page."""
    ended = st.session_state.setdefault(ENDED, {})
    if execution_arn in ended:
        return ended[execution_arn]
    try:
        status = execution_status(target, execution_arn)
    except DeployError as error:
        st.warning(f"Could not read the execution's status: {md(error.message)}")
        return None
    if status.finished:
        ended[execution_arn] = status
    return status


@st.fragment(run_every=10)
def follow(target: Target, execution_arn: str) -> None:
    """The execution's status, read again every 10 s while it runs."""
    status = _status(target, execution_arn)
    show_status(status)
    if status is None or status.finished:
        st.rerun()  # the whole page, which then stops refreshing


def show_status(status) -> None:
    if status is None:
        return
    st.markdown(f"Execution status: **{md(status.status)}**")
    if status.failure_reason:
        st.error(md(status.failure_reason))
    if status.steps is not None:
        st.dataframe(status.steps, hide_index=True, width="stretch")
    elif status.steps_note:
        st.caption(md(status.steps_note))


@st.cache_data(ttl=15, show_spinner=False)
def _recent(target: Target, pipeline_name: str, latest: str | None) -> tuple[list[dict], str]:
    """(executions, why they could not be listed): read once per deploy (`latest` changes) or
    15 s, not on every click; a failure too, so an unreachable endpoint slows one rerun only."""
    try:
        return recent_executions(target, pipeline_name), ""
    except DeployError as error:
        return [], error.message


def show_recent(kind: str, region: str, profile: str | None, pipeline) -> None:
    if kind == "sandbox":
        show_runs(region, pipeline.name)
        return
    st.subheader("Recent executions")
    target = Target.of(kind, region, profile)
    deployment = st.session_state.get(DEPLOYMENT)
    latest = deployment.result.execution_arn if deployment and deployment.result else None
    rows, failure = _recent(target, pipeline.name, st.session_state.get(RERUN) or latest)
    if failure:
        st.caption(f"Could not list executions: {md(without_html_page(failure))}")
        return
    if rows:
        st.dataframe(rows, hide_index=True, width="stretch")
        rerun_control(target, pipeline.name, rows, pipeline.step_names)
    else:
        st.caption(f"No executions of {md(pipeline.name)} yet.")


def rerun_control(target: Target, pipeline_name: str, rows: list[dict], steps: list[str]) -> None:
    """Re-run an ended execution from a step: SageMaker's selective execution."""
    ended = [row for row in rows if row["status"] in FINISHED]
    if not ended:
        return
    with st.expander("Re-run from a step"):
        st.caption(
            "Runs the chosen step and every step after it again; the others reuse the chosen "
            "execution's results (SageMaker's selective execution)."
        )
        row = st.selectbox(
            "Execution",
            ended,
            format_func=lambda r: f"{r['execution']} ({r['status']}, {r['started']})",
            key="aws_rerun_execution",
        )
        step = st.selectbox("Re-run from step", steps, key="aws_rerun_step")
        if not st.button("Re-run", icon=":material/replay:", key="aws_rerun"):
            return
        try:
            arn = rerun_from(target, pipeline_name, row["arn"], [step])
        except DeployError as error:
            st.error(md(error.message))
            return
    st.session_state[RERUN] = arn
    remember_execution(session.current(), target, arn)  # the canvas shows it
    session.notice("success", f"Execution {arn} started: {step} and the steps after it.")
    st.rerun()


def deploy_page() -> None:
    st.title("Deploy")
    session.refresh()
    session.show_notices("deploy")
    design = session.current()
    if design is None:
        st.info("No design is open. Create or open one on the Designs page.")
        return
    report = session.report(design)
    if not report.valid:
        st.warning(
            f"The design has {counted(len(report.problems), 'problem')} to fix before it can be "
            "deployed: "
            "see Preview and export for the list, node by node."
        )
        st.page_link("pages/export.py", label="Preview and export", icon=":material/ios_share:")
        return
    pipeline = session.compiled(design)
    if isinstance(pipeline, Exception):
        st.error(md(str(pipeline)))
        return
    settings = deploy_settings(design)
    if settings is None:
        return
    kind, profile = choose_target(settings.region)
    start = st.toggle("Start an execution after deploying", value=True, key="start_execution")
    parameters = checked_values(design, parameter_values(pipeline.definition)) if start else None
    timeout = st.number_input(
        "Give up after (seconds)", 1, 3600, int(DEFAULT_TIMEOUT), step=30, key="deploy_timeout"
    )
    blocked = start and parameters is None
    if st.button(
        "Deploy", type="primary", icon=":material/rocket_launch:", key="deploy", disabled=blocked
    ):
        st.session_state[CHANGES] = None
        run_deploy(design, pipeline, settings, kind, profile, start, parameters, timeout)
    changes = st.session_state.get(CHANGES)
    if changes is not None and (changes.design, changes.definition, changes.target) != (
        design.name, pipeline.definition_json, (kind, profile)
    ):  # fmt: skip
        changes = st.session_state[CHANGES] = None  # the design or target changed since
    if changes is not None and confirmed(changes, pipeline.name):
        args = (design, pipeline, settings, kind, profile, start, parameters, timeout)
        run_deploy(*args, confirmed=True)
    outcome = st.session_state.get(DEPLOYMENT)
    if outcome is not None and outcome.design == design.name and outcome.failed_at:
        show_failure(outcome)
    elif outcome is not None and outcome.design == design.name:
        show_deployment(outcome)
    if kind == "sandbox" or aws.has_credentials(profile):  # else the warning above says why
        show_recent(kind, settings.region, profile, pipeline)


deploy_page()
