"""Deploy: the design to the local sandbox or to AWS, then follow the execution.

A deploy reads the design and never changes it: a failure leaves nothing to recover.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from builders.configs.base import BasePipelineConfig
from builders.deploy import (
    DeployResult,
    Target,
    credentials_available,
    deploy,
    execution_status,
    recent_executions,
)
from builders.errors import DeployError
from builders.sandbox import sandbox_running
from components import session
from components.text import md

DEPLOYMENT = "deployment"
SANDBOX, AWS = "Local sandbox", "AWS"
DEFAULT_CHAIN = "(default credential chain)"
SANDBOX_NOTE = (
    "The local sandbox is an AWS stand-in on this machine (moto). It accepts and records the "
    "pipeline, the uploaded code and executions, which report Succeeded at once, but it runs "
    "no jobs. It starts with the first deploy and stops with the app."
)


@dataclass(frozen=True)
class Deployment:
    design: str
    target: Target
    result: DeployResult


@st.cache_data(ttl=30, show_spinner="Looking for AWS credentials...")
def _has_credentials(profile: str | None) -> bool:
    return credentials_available(profile)


@st.cache_data(ttl=300)
def _profiles() -> list[str]:
    import boto3

    return boto3.Session().available_profiles


def choose_target(region: str) -> tuple[str, str | None]:
    """(target kind, AWS profile) as chosen on the page; AWS by default when it has keys."""
    default = 1 if _has_credentials(None) else 0
    kind = st.radio("Deploy to", [SANDBOX, AWS], index=default, horizontal=True, key="target")
    if kind == SANDBOX:
        st.info(SANDBOX_NOTE, icon=":material/science:")
        return "sandbox", None
    chosen = st.selectbox("AWS profile", [DEFAULT_CHAIN, *_profiles()], key="aws_profile")
    profile = None if chosen == DEFAULT_CHAIN else chosen
    if _has_credentials(profile):
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
            md(f"{name} ({parameter.get('Type', 'String')})"), str(default), key=f"param:{name}"
        )
    return values


def run_deploy(design, pipeline, kind: str, profile: str | None, start: bool, parameters):
    """Deploy with progress shown stage by stage; the outcome goes to session state."""
    settings = BasePipelineConfig.model_validate(design.settings)
    with st.status("Deploying...", expanded=True) as status:
        try:
            target = _target(kind, settings.region, profile)
            result = deploy(
                pipeline,
                target,
                role_arn=settings.role,
                description=settings.pipeline_description,
                tags={"author": settings.author, "design": design.name},
                start=start,
                parameters=parameters,
                progress=lambda stage, message: status.write(f"**{stage}**: {md(message)}"),
            )
        except DeployError as error:
            status.update(label=f"Deploy failed at {error.stage}", state="error")
            st.error(md(error.message), icon=":material/error:")
            st.caption("Your design is unchanged.")
            return
        status.update(label="Deployed", state="complete", expanded=False)
    st.session_state[DEPLOYMENT] = Deployment(design.name, target, result)


def _target(kind: str, region: str, profile: str | None) -> Target:
    if kind == "aws":
        return Target("aws", region, profile=profile)
    try:
        return Target.local_sandbox(region)
    except OSError as error:
        raise DeployError(
            f"The local sandbox did not start ({error}). Restart the app and try again.",
            stage="preflight",
        ) from None


def show_deployment(deployment: Deployment) -> None:
    result = deployment.result
    verb = "created" if result.created else "updated"
    st.success(
        f"Pipeline **{md(result.pipeline_name)}** {verb} on the {md(deployment.target.label)} "
        f"as {md(result.identity)}. Code: {result.uploaded} file(s) uploaded, "
        f"{result.skipped} already there."
    )
    st.text_input("Pipeline ARN", result.pipeline_arn, disabled=True)
    if result.console_url:
        st.link_button("Open in the AWS console", result.console_url, icon=":material/open_in_new:")
    if result.execution_arn:
        st.text_input("Execution ARN", result.execution_arn, disabled=True)
        status = _status(deployment.target, result.execution_arn)
        if status is None or status.finished:
            show_status(status)
        else:
            follow(deployment.target, result.execution_arn)


def _status(target: Target, execution_arn: str):
    try:
        return execution_status(target, execution_arn)
    except DeployError as error:
        st.warning(f"Could not read the execution's status: {md(error.message)}")
        return None


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


def show_recent(kind: str, region: str, profile: str | None, pipeline_name: str) -> None:
    st.subheader("Recent executions")
    if kind == "sandbox" and not sandbox_running():
        st.caption("The sandbox is not running yet: nothing was deployed to it in this session.")
        return
    target = Target.local_sandbox(region) if kind == "sandbox" else Target("aws", region, profile)
    try:
        rows = recent_executions(target, pipeline_name)
    except DeployError as error:
        st.caption(f"Could not list executions: {md(error.message)}")
        return
    if rows:
        st.dataframe(rows, hide_index=True, width="stretch")
    else:
        st.caption(f"No executions of {md(pipeline_name)} yet.")


def deploy_page() -> None:
    design = session.current()
    st.title("Deploy")
    session.show_notices()
    if design is None:
        st.info("No design is open. Create or open one on the Designs page.")
        return
    report = session.report(design)
    if not report.valid:
        st.warning(
            f"The design has {len(report.problems)} problem(s) to fix before it can be deployed: "
            "see Preview and export for the list, node by node."
        )
        st.page_link("pages/export.py", label="Preview and export", icon=":material/ios_share:")
        return
    pipeline = session.compiled(design)
    if isinstance(pipeline, Exception):
        st.error(md(str(pipeline)))
        return
    region = design.settings.get("region", "")
    kind, profile = choose_target(region)
    start = st.toggle("Start an execution after deploying", value=True, key="start_execution")
    parameters = parameter_values(pipeline.definition) if start else None
    if st.button("Deploy", type="primary", icon=":material/rocket_launch:", key="deploy"):
        run_deploy(design, pipeline, kind, profile, start, parameters)
    deployment = st.session_state.get(DEPLOYMENT)
    if deployment is not None and deployment.design == design.name:
        show_deployment(deployment)
    show_recent(kind, region, profile, pipeline.name)


deploy_page()
