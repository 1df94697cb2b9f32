"""3.x sessions for offline builds: the pipeline's bucket, nothing uploaded, telemetry off.

The PipelineSession of a compile is shared by its steps (creating one loads botocore's
models). A training step gets a view of it (`trainer_session`): the same clients, its own
step context, the SDK config that opts out of telemetry, and where to stage the folder the
SDK writes for the job.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from builders.errors import StepBuildError

_validated: set[str] = set()
_validated_lock = threading.Lock()


def offline_pipeline_session(bucket: str, boto_session: Any) -> Any:
    from sagemaker.core.workflow.pipeline_context import PipelineSession

    class OfflinePipelineSession(PipelineSession):
        """Its default bucket is the pipeline's, taken as given (the SDK's own asks S3 and
        creates it); what the SDK would upload is staged instead (`stage_folder`)."""

        stage_folder: Callable[[Path], str] | None = None

        def default_bucket(self) -> str:
            return bucket

        def upload_data(self, path, bucket=None, key_prefix="data", callback=None, extra_args=None):
            folder = Path(path)
            if self.stage_folder is None or not folder.is_dir():
                raise StepBuildError(
                    f"The SageMaker SDK asked to upload {path} while compiling; compiling "
                    "uploads nothing. Give an s3:// location or a local folder of code."
                )
            return self.stage_folder(folder)

    return OfflinePipelineSession(boto_session=boto_session, default_bucket=bucket)


def trainer_session(session: Any, stage_folder: Callable[[Path], str], config: Mapping) -> Any:
    """A view of `session` for one ModelTrainer: its SDK config also says `config`
    (TelemetryOptOut), and folders the SDK writes for the job go to `stage_folder`."""
    view = copy.copy(session)
    view.context = None
    view.stage_folder = stage_folder
    view.sagemaker_config = _merged(session.sagemaker_config or {}, config)
    return view


def _merged(base: Mapping, extra: Mapping) -> dict:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merged(merged[key], value)
        else:
            merged[key] = value
    return merged


def config_validated_once(config: Mapping) -> Any:
    """ModelTrainer's config manager (its `config_mgr` field) for a session whose SDK config
    is `config`: the user's SDK config, which the session validated when it was made, and
    TELEMETRY_OPT_OUT (tests/test_offline.py validates it against the SDK's schema).

    The SDK's manager validates the whole SDK config against its JSON schema at every lookup:
    65 ms of CPU, ten times per training step. This one validates a config it was not given
    as valid, once.
    """
    from sagemaker.core.config.config_manager import SageMakerConfig

    with _validated_lock:
        _validated.add(_key(config))

    class ConfigValidatedOnce(SageMakerConfig):
        def validate_sagemaker_config(self, sagemaker_config=None):
            key = _key(sagemaker_config)
            if key in _validated:
                return
            SageMakerConfig.validate_sagemaker_config(sagemaker_config)
            with _validated_lock:
                _validated.add(key)

    return ConfigValidatedOnce()


def _key(config: Any) -> str:
    return json.dumps(config, sort_keys=True, default=repr)
