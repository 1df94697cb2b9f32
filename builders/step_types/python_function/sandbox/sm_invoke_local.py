"""The sandbox's stand-in for the SDK's job driver: the SDK's own function runtime, here.

SageMaker's job driver (`job_driver.sh`) bootstraps the job (installs the requirements,
unpacks the workspace), changes to the workspace folder and runs
`python -m sagemaker.remote_function.invoke_function <the step's container arguments>`
(`sagemaker.core.remote_function` in SDK 3.x: the runner passes the package first). The
sandbox has unpacked the workspace under the job's container root and runs this instead:
the same runtime, in the workspace, with the runtime's one literal container path (where a
failure's reason goes) under the container root. The requirements are not installed: the
job runs with this Python's packages. This file is alone in its folder, so nothing of the
project is importable by the user's code when it runs.
"""

import importlib
import os
import sys

ROOT_ENV = "SM_PIPELINE_CONTAINER_ROOT"
WORKSPACE = "sagemaker_remote_function_workspace"


def main() -> None:
    runtime, arguments = sys.argv[1], sys.argv[2:]  # sagemaker[.core].remote_function
    root = os.environ[ROOT_ENV]
    workspace = os.path.join(root, WORKSPACE)
    os.chdir(workspace)
    sys.path[0] = workspace  # `python -m` in the workspace puts it first, as here
    errors = importlib.import_module(f"{runtime}.errors")
    invoke_function = importlib.import_module(f"{runtime}.invoke_function")
    errors.FAILURE_REASON_PATH = os.path.join(root, "opt", "ml", "output", "failure")
    os.makedirs(os.path.dirname(errors.FAILURE_REASON_PATH), exist_ok=True)
    invoke_function.main(arguments)


if __name__ == "__main__":
    main()
