"""The SageMaker Python SDK 2.x backend (kept until 2.x's end of support, 2027-07-06).

Estimators, processors, models and transformers of `sagemaker.*`, under a PipelineSession.
Import it through `builders.compiling.sdk.base()`, which imports the SDK offline first.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Sequence
from typing import Any

from builders.compiling.sagemaker_env import boto3_default_session
from builders.compiling.sdk import jobs
from builders.compiling.sdk.base import REPACK_REFUSED, Backend
from builders.errors import StepBuildError

_W = "sagemaker.workflow."
WORKFLOW_MODULES = {
    **dict.fromkeys(
        ("Step", "ProcessingStep", "TrainingStep", "TransformStep", "TuningStep"),
        _W + "steps",
    ),
    **dict.fromkeys(("CacheConfig", "ConfigurableRetryStep"), _W + "steps"),
    "Pipeline": _W + "pipeline",
    "PipelineSession": _W + "pipeline_context",
    "ModelStep": _W + "model_step",
    "ConditionStep": _W + "condition_step",
    "FailStep": _W + "fail_step",
    "CallbackStep": _W + "callback_step",
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
        _W + "conditions",
    ),
    **dict.fromkeys(("Join", "JsonGet"), _W + "functions"),
    "ExecutionVariables": _W + "execution_variables",
    **dict.fromkeys(
        (
            "Parameter",
            "ParameterString",
            "ParameterInteger",
            "ParameterFloat",
            "ParameterBoolean",
        ),
        _W + "parameters",
    ),
    "PropertyFile": _W + "properties",
    **dict.fromkeys(
        (
            "StepRetryPolicy",
            "SageMakerJobStepRetryPolicy",
            "StepExceptionTypeEnum",
            "SageMakerJobExceptionTypeEnum",
        ),
        _W + "retry",
    ),
}
# The frameworks' estimators, by the name training step types give (TrainingJob.framework).
ESTIMATORS = {
    "xgboost": ("sagemaker.xgboost", "XGBoost"),
    "pytorch": ("sagemaker.pytorch", "PyTorch"),
    "sklearn": ("sagemaker.sklearn", "SKLearn"),
}


class SdkV2(Backend):
    MAJOR = 2
    WORKFLOW_MODULES = WORKFLOW_MODULES
    IMPORTS = ("sagemaker", "sagemaker.workflow.pipeline")
    SESSION_MODULE = "sagemaker.session"

    def pipeline_session(self, region: str, bucket: str, boto_session: Any) -> Any:
        from sagemaker.workflow.pipeline_context import PipelineSession

        class OfflinePipelineSession(PipelineSession):
            """Its default bucket is the pipeline's bucket, taken as given.

            The SDK's own default_bucket() asks S3 whether the bucket exists (and creates it);
            compiling never touches S3: deploy's preflight checks the bucket.
            """

            def default_bucket(self) -> str:
                return bucket

        return OfflinePipelineSession(boto_session=boto_session, default_bucket=bucket)

    def image_uri(self, framework: str, region: str, version: str, **kwargs: Any) -> str:
        from sagemaker import image_uris

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
        from sagemaker.processing import ProcessingInput, ProcessingOutput, Processor

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
                ProcessingInput(input_name=i.name, source=i.source, destination=i.destination)
                for i in job.inputs
            ],
            outputs=[
                ProcessingOutput(output_name=o.name, source=o.source, destination=o.destination)
                for o in job.outputs
            ],
            arguments=list(job.arguments) or None,
        )
        return self.workflow.ProcessingStep(
            name=name,
            step_args=step_args,
            depends_on=depends_on,
            property_files=list(property_files) or None,
        )

    def training_step(
        self, name: str, job: jobs.TrainingJob, *, session: Any, depends_on: list[Any]
    ) -> Any:
        from sagemaker.inputs import TrainingInput

        with boto3_default_session(session.boto_session):
            estimator = _estimator(job, session)
        # Given the estimator, not `step_args=estimator.fit()`: fit() sends SDK telemetry,
        # which only a non-empty SDK config turns off, and 2.x validates a non-empty config's
        # whole schema at every config lookup (0.46 s each, ~14 per training step).
        return self.workflow.TrainingStep(
            name=name,
            estimator=estimator,
            inputs={
                c.name: TrainingInput(c.source, content_type=c.content_type) for c in job.channels
            },
            depends_on=depends_on,
        )

    def model_step(
        self, name: str, container: jobs.Container, *, session: Any, depends_on: list[Any]
    ) -> Any:
        step_args = _model(container, session).create(instance_type=container.instance_type)
        return _single_model_step(name, step_args, depends_on)

    def registration_step(
        self, name: str, package: jobs.ModelPackage, *, session: Any, depends_on: list[Any]
    ) -> Any:
        step_args = _model(package.container, session).register(
            content_types=list(package.content_types),
            response_types=list(package.response_types),
            inference_instances=list(package.inference_instances),
            transform_instances=list(package.transform_instances),
            model_package_group_name=package.group,
            approval_status=package.approval_status,
            description=package.description,
            domain=package.domain,
            task=package.task,
            sample_payload_url=package.sample_payload_url,
            customer_metadata_properties=dict(package.customer_metadata or {}) or None,
            model_metrics=_model_metrics(package.quality_report),
            framework=package.framework,
            framework_version=package.framework_version,
        )
        return _single_model_step(name, step_args, depends_on)

    def transform_step(
        self, name: str, job: jobs.TransformJob, *, session: Any, depends_on: list[Any]
    ) -> Any:
        from sagemaker.transformer import Transformer

        transformer = Transformer(
            model_name=job.model_name,
            instance_type=job.instance_type,
            instance_count=job.instance_count,
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
        return self.workflow.TransformStep(name=name, step_args=step_args, depends_on=depends_on)

    def tuning_step(
        self, name: str, job: jobs.TuningJob, *, session: Any, depends_on: list[Any]
    ) -> Any:
        from sagemaker.inputs import TrainingInput
        from sagemaker.tuner import HyperparameterTuner

        training = job.training
        with boto3_default_session(session.boto_session):
            estimator = _estimator(training, session)
        tuner = HyperparameterTuner(
            estimator,
            objective_metric_name=job.objective_metric,
            hyperparameter_ranges=_ranges(job.ranges),
            metric_definitions=[dict(d) for d in training.metric_definitions] or None,
            strategy=job.strategy,
            objective_type=job.objective_type,
            max_jobs=job.max_jobs,
            max_parallel_jobs=job.max_parallel_jobs,
            early_stopping_type=job.early_stopping,
            base_tuning_job_name=job.base_job_name,
            random_seed=job.random_seed,
            max_runtime_in_seconds=job.max_runtime_seconds,
        )
        step_args = tuner.fit(
            inputs={
                c.name: TrainingInput(c.source, content_type=c.content_type)
                for c in training.channels
            }
        )
        return _tuning_step_class()(name=name, step_args=step_args, depends_on=depends_on)


def _ranges(ranges: Sequence[jobs.SearchRange]) -> dict[str, Any]:
    from sagemaker.tuner import CategoricalParameter, ContinuousParameter, IntegerParameter

    sdk = {}
    for r in ranges:
        if r.kind == "categorical":
            sdk[r.name] = CategoricalParameter(list(r.values))
        else:
            kind = IntegerParameter if r.kind == "integer" else ContinuousParameter
            sdk[r.name] = kind(r.min_value, r.max_value, scaling_type=r.scaling)
    return sdk


@functools.cache
def _tuning_step_class() -> type:
    from sagemaker.workflow.steps import TuningStep

    class Tuning(TuningStep):
        """The SDK's TuningStep without the dated job name its estimator adds to the static
        hyperparameters (its TrainingStep drops it too: the same design compiles to the same
        definition), and without the null job count it writes for a grid search (SageMaker
        counts the grid's jobs itself; null is no number)."""

        @property
        def arguments(self) -> dict[str, Any]:
            return without_dated_name(super().arguments)

    return Tuning


def without_dated_name(request: dict[str, Any]) -> dict[str, Any]:
    """A tuning request without `sagemaker_job_name` and null resource limits."""
    static = request.get("TrainingJobDefinition", {}).get("StaticHyperParameters", {})
    static.pop("sagemaker_job_name", None)
    limits = request.get("HyperParameterTuningJobConfig", {}).get("ResourceLimits", {})
    for name in [name for name, value in limits.items() if value is None]:
        del limits[name]
    return request


def _estimator(job: jobs.TrainingJob, session: Any) -> Any:
    """The framework's estimator running the staged code, or the image's own algorithm."""
    options: dict[str, Any] = dict(
        image_uri=job.image,
        role=job.role,
        instance_type=job.instance_type,
        instance_count=job.instance_count,
        volume_size=job.volume_size_gb,
        max_run=job.max_runtime_seconds,
        output_path=job.output_path,
        sagemaker_session=session,
        base_job_name=job.base_job_name,
        hyperparameters=dict(job.hyperparameters) or None,
        metric_definitions=[dict(d) for d in job.metric_definitions] or None,
        environment=dict(job.environment) or None,
        disable_profiler=True,
        debugger_hook_config=False,
    )
    if job.code is None:
        from sagemaker.estimator import Estimator

        return Estimator(**options)
    module, class_name = ESTIMATORS[job.framework]
    return getattr(importlib.import_module(module), class_name)(
        entry_point=job.entry_point,
        source_dir=job.code,
        framework_version=job.framework_version,
        py_version=job.py_version,
        code_location=job.code_location,  # the code is staged: nothing goes here
        **options,
    )


def _model(container: jobs.Container, session: Any) -> Any:
    from sagemaker.model import Model

    return Model(
        image_uri=container.image,
        model_data=container.model_data,
        role=container.role,
        env=dict(container.environment or {}) or None,
        sagemaker_session=session,
    )


def _single_model_step(name: str, step_args: Any, depends_on: list[Any]) -> Any:
    """2.x's ModelStep: `<name>-CreateModel` or `<name>-RegisterModel`, exactly one step
    (with inference code outside the archive it would add a repack job)."""
    from sagemaker.workflow.model_step import ModelStep

    step = ModelStep(name=name, step_args=step_args, depends_on=depends_on or None)
    if len(step.steps) != 1:
        raise StepBuildError(REPACK_REFUSED, node=name)
    return step


def _model_metrics(report: Any) -> Any:
    if report is None:
        return None
    from sagemaker.model_metrics import MetricsSource, ModelMetrics

    return ModelMetrics(
        model_statistics=MetricsSource(s3_uri=report, content_type="application/json")
    )
