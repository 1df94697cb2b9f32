"""Step builders: each turns one Config into exactly one SageMaker step.

Importing any of them imports the SageMaker SDK through `sdk()` first, so that its offline
set-up does not depend on which builders module a program imports first.
"""

from builders.sagemaker_env import sdk

sdk()
