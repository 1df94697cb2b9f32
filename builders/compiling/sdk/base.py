"""Backend: what step builders, the template and the run policies ask of the SageMaker SDK.

One subclass per SDK major version (`v2.py`, `v3.py`). What both SDKs spell alike (conditions,
functions, parameters, property files, condition and fail steps, cache and retry policies, the
Pipeline) is done here through `workflow`, the SDK's classes by name; what they spell
differently (processors, estimators and ModelTrainer, models, transformers, sessions, image
lookups) each backend builds from the SDK-neutral jobs of `jobs.py`.

A new step type uses what is here. A kind of step only one step type makes is built in that
step type's folder, in its `sdk.py`: its table of where each SDK keeps the classes it needs
(`CLASSES`, major version -> class -> module) and the functions that build the step from
`Backend.classes(CLASSES)`; so no step type branches on the SDK version, and adding one
edits no backend.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar

from builders.compiling.sdk import jobs

# Both SDKs add a repack job when a model's inference code is outside its archive.
REPACK_REFUSED = (
    "SageMaker wants to repack this model with an extra job. Put the inference code "
    "into the model archive with a Packaging step instead."
)

# Condition operators and the SDK classes that compare (`!=` is ConditionNot of Equals).
_COMPARISONS = {
    ">=": "ConditionGreaterThanOrEqualTo",
    ">": "ConditionGreaterThan",
    "<=": "ConditionLessThanOrEqualTo",
    "<": "ConditionLessThan",
    "==": "ConditionEquals",
}
_PARAMETER_CLASSES = {
    "String": "ParameterString",
    "Integer": "ParameterInteger",
    "Float": "ParameterFloat",
    "Boolean": "ParameterBoolean",
}


class Workflow:
    """The SDK's workflow classes by name (`workflow.ConditionStep`), imported on first use.

    Only classes whose constructors take the same arguments in every supported SDK are here.
    """

    def __init__(self, modules: Mapping[str, str]):
        self._modules = dict(modules)  # class name -> module

    def __getattr__(self, name: str) -> Any:
        try:
            module = self._modules[name]
        except KeyError:
            raise AttributeError(f"No SDK workflow class named {name} is mapped") from None
        value = getattr(importlib.import_module(module), name)
        setattr(self, name, value)
        return value

    def __dir__(self) -> list[str]:
        return sorted(self._modules)


class Backend:
    """The SDK seen by builders. Subclasses set MAJOR and the workflow classes' modules."""

    MAJOR: ClassVar[int]
    WORKFLOW_MODULES: ClassVar[Mapping[str, str]]
    # Modules imported (once, quietly, offline) before anything is built: sagemaker_env.sdk().
    IMPORTS: ClassVar[Sequence[str]]
    SESSION_MODULE: ClassVar[str]  # Session and production_variant

    def __init__(self) -> None:
        self.workflow = Workflow(self.WORKFLOW_MODULES)
        self._classes: dict[tuple, Workflow] = {}

    # -- expressions ------------------------------------------------------------------------
    def join(self, values: Iterable[Any], on: str = "/") -> Any:
        """The values joined when the pipeline runs (Std:Join)."""
        return self.workflow.Join(on=on, values=list(values))

    @property
    def execution_id(self) -> Any:
        return self.workflow.ExecutionVariables.PIPELINE_EXECUTION_ID

    def property_file(self, name: str, output_name: str, path: str) -> Any:
        return self.workflow.PropertyFile(name=name, output_name=output_name, path=path)

    def json_get(self, step_name: str, property_file: Any, json_path: str) -> Any:
        return self.workflow.JsonGet(
            step_name=step_name, property_file=property_file, json_path=json_path
        )

    def condition(self, operator: str, left: Any, right: Any) -> Any:
        """The SDK's condition for `left operator right` (>=, >, <=, <, ==, !=)."""
        w = self.workflow
        if operator == "!=":
            return w.ConditionNot(expression=w.ConditionEquals(left=left, right=right))
        return getattr(w, _COMPARISONS[operator])(left=left, right=right)

    def parameter(self, kind: str, name: str, default: Any) -> Any:
        """A pipeline parameter of type String, Integer, Float or Boolean."""
        return getattr(self.workflow, _PARAMETER_CLASSES[kind])(name=name, default_value=default)

    def concrete(self, value: Any) -> Any:
        """A Parameter's default, any other value as it is (what compiling must know now)."""
        return value.default_value if isinstance(value, self.workflow.Parameter) else value

    # -- steps that are the same in every SDK ------------------------------------------------
    def condition_step(self, name: str, conditions: list[Any], depends_on: list[Any]) -> Any:
        """A ConditionStep with empty branches (the template fills IfSteps and ElseSteps)."""
        return self.workflow.ConditionStep(
            name=name, depends_on=depends_on or None, conditions=conditions
        )

    def fail_step(self, name: str, message: str, depends_on: list[Any]) -> Any:
        return self.workflow.FailStep(
            name=name, error_message=message, depends_on=depends_on or None
        )

    def pipeline(self, name: str, steps: list[Any], parameters: list[Any], session: Any) -> Any:
        return self.workflow.Pipeline(
            name=name, steps=steps, parameters=parameters, sagemaker_session=session
        )

    def session_helpers(self) -> Any:
        """The SDK's module of `Session` and `production_variant`."""
        return importlib.import_module(self.SESSION_MODULE)

    def classes(self, modules: Mapping[int, Mapping[str, str]]) -> Workflow:
        """A step type's SDK classes by name, from its table of where each SDK keeps them
        (major version -> class name -> module), imported on first use like `workflow`'s."""
        key = tuple(sorted(modules[self.MAJOR].items()))
        if key not in self._classes:
            self._classes[key] = Workflow(modules[self.MAJOR])
        return self._classes[key]

    # -- run policies ---------------------------------------------------------------------
    def inner_steps(self, step: Any) -> list[Any]:
        """The steps a step stands for in the definition (2.x's ModelStep holds its step)."""
        return getattr(step, "steps", None) or [step]

    def runs_job(self, step: Any) -> bool:
        """Whether the step runs a SageMaker job (the steps SageMaker caches)."""
        w = self.workflow
        return isinstance(step, w.ProcessingStep | w.TrainingStep | w.TransformStep | w.TuningStep)

    def retries(self, step: Any) -> bool:
        return isinstance(step, self.workflow.ConfigurableRetryStep)

    def cache_config(self, expire_after: str) -> Any:
        return self.workflow.CacheConfig(enable_caching=True, expire_after=expire_after)

    def retry_policies(
        self, step_failures: Sequence[str], job_failures: Sequence[str], **timing: Any
    ) -> list[Any]:
        """A StepRetryPolicy for the step's failures, a SageMakerJobStepRetryPolicy for the
        job's (each only when some are named). `timing`: max_attempts, interval_seconds,
        backoff_rate."""
        w = self.workflow
        policies = []
        # value=: these SDK enums ignore a positional value and return their first member.
        if step_failures:
            kinds = [w.StepExceptionTypeEnum(value=v) for v in step_failures]
            policies.append(w.StepRetryPolicy(exception_types=kinds, **timing))
        if job_failures:
            kinds = [w.SageMakerJobExceptionTypeEnum(value=v) for v in job_failures]
            policies.append(w.SageMakerJobStepRetryPolicy(exception_types=kinds, **timing))
        return policies

    # -- what each SDK spells its own way --------------------------------------------------
    def pipeline_session(self, region: str, bucket: str, boto_session: Any) -> Any:
        """A PipelineSession that builds steps without calling AWS (sagemaker_env caches it)."""
        raise NotImplementedError

    def image_uri(self, framework: str, region: str, version: str, **kwargs: Any) -> str:
        """The ECR image of a framework container (ValueError when there is none)."""
        raise NotImplementedError

    def processing_step(
        self,
        name: str,
        job: jobs.ProcessingJob,
        *,
        session: Any,
        depends_on: list[Any],
        property_files: Sequence[Any] = (),
    ) -> Any:
        raise NotImplementedError

    def training_step(
        self, name: str, job: jobs.TrainingJob, *, session: Any, depends_on: list[Any]
    ) -> Any:
        raise NotImplementedError

    def model_step(
        self, name: str, container: jobs.Container, *, session: Any, depends_on: list[Any]
    ) -> Any:
        """A CreateModel step named `<name>-CreateModel` (the name 2.x's ModelStep gives)."""
        raise NotImplementedError

    def registration_step(
        self, name: str, package: jobs.ModelPackage, *, session: Any, depends_on: list[Any]
    ) -> Any:
        """A RegisterModel step named `<name>-RegisterModel`."""
        raise NotImplementedError

    def transform_step(
        self, name: str, job: jobs.TransformJob, *, session: Any, depends_on: list[Any]
    ) -> Any:
        raise NotImplementedError

    def tuning_step(
        self, name: str, job: jobs.TuningJob, *, session: Any, depends_on: list[Any]
    ) -> Any:
        """A TuningStep; its definition names no dated job name, so a design compiles to
        the same definition every time."""
        raise NotImplementedError
