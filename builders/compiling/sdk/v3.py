"""The SageMaker Python SDK 3.x backend: sagemaker-core, -train and -mlops.

What 3.x changes, as the installed packages have it (its migration guide's pipeline snippet
names modules that do not exist):
- workflow classes live in `sagemaker.mlops.workflow` (Pipeline, steps, ModelStep, retry),
  parameters, conditions, functions and properties in `sagemaker.core.workflow`;
- steps take `step_args` only: processing from `sagemaker.core.processing.Processor.run`,
  training from `sagemaker.train.ModelTrainer.train` (the estimators are gone), transforms
  from `sagemaker.core.transformer.Transformer.transform`;
- ModelStep takes what the PipelineSession records of `Session.create_model` and
  `model_registry.create_model_package_from_containers`: the calls ModelBuilder's build()
  and register() end in. ModelBuilder itself is not used to build: its build() costs 2.9 s
  offline, asks IAM about the role, sends telemetry unless the SDK config opts out, and has
  no Framework or FrameworkVersion for the registry;
- ModelTrainer with source code adds an `sm_drivers` input channel (the SDK's container
  drivers, written to a temporary folder and uploaded) and runs `sm_train.sh` from it as the
  container's entry point. Our session stages that folder content-addressed like any code
  (`upload_data`), so compiling uploads nothing and the definition does not change between
  compiles.

Telemetry: ModelTrainer.train sends it unless the session's SDK config says
`TelemetryOptOut`: the trainer gets a view of the session whose config says so. The SDK
validates that config against its whole JSON schema at every lookup (65 ms each); the
trainer's own lookups go through a config manager that validates a config once, so a
training step pays for one validation, the telemetry check's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from builders.compiling.sdk import jobs
from builders.compiling.sdk.base import REPACK_REFUSED, Backend
from builders.errors import StepBuildError

_M, _C = "sagemaker.mlops.workflow.", "sagemaker.core.workflow."
WORKFLOW_MODULES = {
    **dict.fromkeys(
        (
            "Step",
            "ProcessingStep",
            "TrainingStep",
            "TransformStep",
            "TuningStep",
            "CacheConfig",
            "ConfigurableRetryStep",
        ),
        _M + "steps",
    ),
    "Pipeline": _M + "pipeline",
    "PipelineSession": _C + "pipeline_context",
    "ModelStep": _M + "model_step",
    "ConditionStep": _M + "condition_step",
    "FailStep": _M + "fail_step",
    "CallbackStep": _M + "callback_step",
    **dict.fromkeys(
        (
            "ConditionEquals",
            "ConditionGreaterThan",
            "ConditionGreaterThanOrEqualTo",
            "ConditionLessThan",
            "ConditionLessThanOrEqualTo",
            "ConditionNot",
            "ConditionIn",
            "ConditionOr",
        ),
        _C + "conditions",
    ),
    **dict.fromkeys(("Join", "JsonGet"), _C + "functions"),
    "ExecutionVariables": _C + "execution_variables",
    **dict.fromkeys(
        (
            "Parameter",
            "ParameterString",
            "ParameterInteger",
            "ParameterFloat",
            "ParameterBoolean",
        ),
        _C + "parameters",
    ),
    "PropertyFile": _C + "properties",
    **dict.fromkeys(
        (
            "StepRetryPolicy",
            "SageMakerJobStepRetryPolicy",
            "StepExceptionTypeEnum",
            "SageMakerJobExceptionTypeEnum",
        ),
        _M + "retry",
    ),
}
# The SDK config that turns telemetry off (its "SDK defaults" file has the same shape).
TELEMETRY_OPT_OUT = {
    "SchemaVersion": "1.0",
    "SageMaker": {"PythonSDK": {"Modules": {"TelemetryOptOut": True}}},
}


class SdkV3(Backend):
    MAJOR = 3
    SESSION_MODULE = "sagemaker.core.helper.session_helper"
    WORKFLOW_MODULES = WORKFLOW_MODULES
    # What compiling uses; sagemaker-mlops' package imports ModelBuilder and with it most of
    # sagemaker-serve and -train, but not its feature store (pyiceberg, s3fs).
    IMPORTS = (
        "sagemaker.core.workflow.pipeline_context",
        "sagemaker.core.processing",
        "sagemaker.core.transformer",
        "sagemaker.train.model_trainer",
        "sagemaker.mlops.workflow.pipeline",
        "sagemaker.mlops.workflow.steps",
        "sagemaker.mlops.workflow.model_step",
    )

    def pipeline_session(self, region: str, bucket: str, boto_session: Any) -> Any:
        from builders.compiling.sdk.v3_session import offline_pipeline_session

        return offline_pipeline_session(bucket, boto_session)

    def image_uri(self, framework: str, region: str, version: str, **kwargs: Any) -> str:
        from sagemaker.core import image_uris

        return image_uris.retrieve(framework, region, version=version, **kwargs)

    def processing_step(
        self,
        name: str,
        job: jobs.ProcessingJob,
        *,
        session: Any,
        depends_on: list[Any],
        property_files: Sequence[Any] = (),
    ) -> Any:
        from sagemaker.core.processing import Processor
        from sagemaker.core.shapes import (
            ProcessingInput,
            ProcessingOutput,
            ProcessingS3Input,
            ProcessingS3Output,
        )

        from builders.compiling.sdk.v3_steps import step_classes

        processor = Processor(
            role=job.role,
            image_uri=job.image,
            entrypoint=list(job.entrypoint),
            instance_count=job.instance_count,
            instance_type=job.instance_type,
            volume_size_in_gb=job.volume_size_gb,
            max_runtime_in_seconds=job.max_runtime_seconds,
            env=dict(job.environment) or None,
            sagemaker_session=session,
            base_job_name=job.base_job_name,
        )
        step_args = processor.run(
            inputs=[
                ProcessingInput(
                    input_name=i.name,
                    app_managed=False,  # as 2.x writes it: the same job, the same cache key
                    s3_input=ProcessingS3Input(
                        s3_uri=i.source,
                        local_path=i.destination,
                        s3_data_type="S3Prefix",
                        s3_input_mode="File",
                    ),
                )
                for i in job.inputs
            ],
            outputs=[
                ProcessingOutput(
                    output_name=o.name,
                    app_managed=False,
                    s3_output=ProcessingS3Output(
                        s3_uri=o.destination, local_path=o.source, s3_upload_mode="EndOfJob"
                    ),
                )
                for o in job.outputs
            ],
            arguments=list(job.arguments) or None,
        )
        return step_classes()[0](
            name=name,
            step_args=step_args,
            depends_on=depends_on,
            property_files=list(property_files) or None,
        )

    def training_step(
        self, name: str, job: jobs.TrainingJob, *, session: Any, depends_on: list[Any]
    ) -> Any:
        trainer = _trainer(job, session)
        step_args = trainer.train(input_data_config=_input_data(job))
        return self.workflow.TrainingStep(name=name, step_args=step_args, depends_on=depends_on)

    def tuning_step(
        self, name: str, job: jobs.TuningJob, *, session: Any, depends_on: list[Any]
    ) -> Any:
        """A TuningStep from `HyperparameterTuner.tune` over the training's ModelTrainer.

        The tuning API takes no container entry point: 3.x's tuner runs the trials in the
        framework container's script mode (`sagemaker_program`, `sagemaker_submit_directory`
        = the staged code), as 2.x does, and adds its drivers channel (staged too).
        """
        from sagemaker.train.tuner import HyperparameterTuner

        training = job.training
        tuner = HyperparameterTuner(
            model_trainer=_trainer(training, session),
            objective_metric_name=job.objective_metric,
            hyperparameter_ranges=_ranges(job.ranges),
            metric_definitions=[dict(d) for d in training.metric_definitions] or None,
            strategy=job.strategy,
            objective_type=job.objective_type,
            max_jobs=job.max_jobs,
            max_parallel_jobs=job.max_parallel_jobs,
            early_stopping_type=job.early_stopping or "Off",
            base_tuning_job_name=job.base_job_name,
            random_seed=job.random_seed,
            max_runtime_in_seconds=job.max_runtime_seconds,
        )
        step_args = tuner.tune(inputs=_input_data(training))
        return self.workflow.TuningStep(name=name, step_args=step_args, depends_on=depends_on)

    def model_step(
        self, name: str, container: jobs.Container, *, session: Any, depends_on: list[Any]
    ) -> Any:
        def create() -> None:
            session.create_model(
                name=name, role=container.role, container_defs=_container(container)
            )

        return _model_step(f"{name}-CreateModel", container, session, create, depends_on)

    def registration_step(
        self, name: str, package: jobs.ModelPackage, *, session: Any, depends_on: list[Any]
    ) -> Any:
        from sagemaker.core.model_registry import (
            create_model_package_from_containers,
            get_model_package_args,
        )

        container = {
            **_container(package.container),
            "Framework": package.framework,
            "FrameworkVersion": package.framework_version,
        }

        # What ModelBuilder.register() passes on, for this container.
        arguments = get_model_package_args(
            list(package.content_types),
            list(package.response_types),
            inference_instances=list(package.inference_instances),
            transform_instances=list(package.transform_instances),
            model_package_group_name=package.group,
            model_metrics=_model_metrics(package.quality_report),
            approval_status=package.approval_status,
            description=package.description,
            container_def_list=[container],
            customer_metadata_properties=dict(package.customer_metadata or {}) or None,
            domain=package.domain,
            sample_payload_url=package.sample_payload_url,
            task=package.task,
        )

        def register() -> None:
            create_model_package_from_containers(session, **arguments)

        return _model_step(
            f"{name}-RegisterModel", package.container, session, register, depends_on
        )

    def transform_step(
        self, name: str, job: jobs.TransformJob, *, session: Any, depends_on: list[Any]
    ) -> Any:
        from sagemaker.core.transformer import Transformer

        from builders.compiling.sdk.v3_steps import step_classes

        count = self.concrete(job.instance_count)  # see v3_steps.TransformStep
        transformer = Transformer(
            model_name=job.model_name,
            instance_type=job.instance_type,
            instance_count=count,
            output_path=job.output_path,
            accept=job.accept,
            assemble_with=job.assemble_with,
            max_payload=job.max_payload_mb,
            sagemaker_session=session,
            base_transform_job_name=job.base_job_name,
        )
        step_args = transformer.transform(
            data=job.data,
            content_type=job.content_type,
            split_type=job.split_type,
            input_filter=job.input_filter,
            join_source=job.join_source,
            output_filter=job.output_filter,
        )
        return step_classes()[1](
            name=name,
            step_args=step_args,
            depends_on=depends_on,
            instance_count=None if count is job.instance_count else job.instance_count,
        )


def _trainer(job: jobs.TrainingJob, session: Any) -> Any:
    """A ModelTrainer of the job, under a view of the session that opts out of telemetry."""
    from sagemaker.core.shapes import MetricDefinition
    from sagemaker.core.training.configs import (
        Compute,
        OutputDataConfig,
        SourceCode,
        StoppingCondition,
    )
    from sagemaker.train import ModelTrainer

    from builders.compiling.sdk.v3_session import config_validated_once, trainer_session

    source_code = None
    if job.code is not None:  # else the image's own algorithm
        source_code = SourceCode(source_dir=job.code, entry_script=job.entry_point)
    view = trainer_session(session, job.stage_folder, TELEMETRY_OPT_OUT)
    trainer = ModelTrainer(
        sagemaker_session=view,
        config_mgr=config_validated_once(view.sagemaker_config),
        role=job.role,
        base_job_name=job.base_job_name,
        training_image=job.image,
        source_code=source_code,
        hyperparameters=dict(job.hyperparameters),
        environment=dict(job.environment),  # {}: the trainer's default
        compute=Compute(
            instance_type=job.instance_type,
            instance_count=job.instance_count,
            volume_size_in_gb=job.volume_size_gb,
        ),
        stopping_condition=StoppingCondition(max_runtime_in_seconds=job.max_runtime_seconds),
        output_data_config=OutputDataConfig(s3_output_path=job.output_path),
    )
    if job.metric_definitions:
        trainer = trainer.with_metric_definitions(
            [MetricDefinition(name=d["Name"], regex=d["Regex"]) for d in job.metric_definitions]
        )
    return trainer


def _input_data(job: jobs.TrainingJob) -> list[Any]:
    from sagemaker.core.training.configs import InputData

    return [
        InputData(
            channel_name=c.name,
            data_source=c.source,
            **({"content_type": c.content_type} if c.content_type else {}),
        )
        for c in job.channels
    ]


def _ranges(ranges: Sequence[jobs.SearchRange]) -> dict[str, Any]:
    from sagemaker.core.parameter import (
        CategoricalParameter,
        ContinuousParameter,
        IntegerParameter,
    )

    sdk = {}
    for r in ranges:
        if r.kind == "categorical":
            sdk[r.name] = CategoricalParameter(list(r.values))
        else:
            kind = IntegerParameter if r.kind == "integer" else ContinuousParameter
            sdk[r.name] = kind(r.min_value, r.max_value, scaling_type=r.scaling)
    return sdk


def _container(container: jobs.Container) -> dict[str, Any]:
    from sagemaker.core.helper.session_helper import container_def

    return container_def(
        container.image,
        model_data_url=container.model_data,
        env=dict(container.environment or {}) or None,
    )


def _model_step(
    name: str, container: jobs.Container, session: Any, request: Any, depends_on: list[Any]
) -> Any:
    """A ModelStep from what the PipelineSession records while `request` runs.

    The session records CreateModel and CreateModelPackage requests for a model object: a
    ModelBuilder of the container (not built, see the module's docstring).
    """
    from sagemaker.mlops.workflow.model_step import ModelStep
    from sagemaker.serve import ModelBuilder

    model = ModelBuilder(
        image_uri=container.image,
        s3_model_data_url=container.model_data,
        role_arn=container.role,
        env_vars=dict(container.environment or {}),
        sagemaker_session=session,
        # Its default ({"auto": True}) raises its own deprecation; this is the "unset" value.
        dependencies={"auto": False},
    )
    session.init_model_step_arguments(model)
    try:
        request()
        step_args = session.context
    finally:
        session.context = None
    step = ModelStep(name=name, step_args=step_args, depends_on=depends_on or None)
    if step.steps:
        raise StepBuildError(REPACK_REFUSED, node=name)
    return step


def _model_metrics(report: Any) -> Any:
    if report is None:
        return None
    from sagemaker.core.model_metrics import MetricsSource, ModelMetrics

    return ModelMetrics(
        model_statistics=MetricsSource(s3_uri=report, content_type="application/json")
    )
