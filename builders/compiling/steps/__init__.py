"""The bases step builders share: StepBuilderBase, processing, training and model steps.

Importing this package imports the SageMaker SDK through `sdk()` first, so its offline set-up
does not depend on which module a program imports first: every module here imports the SDK
at its top, and step types' builders import SDK classes inside their methods or from here.
"""

from builders.compiling.sagemaker_env import sdk

sdk()
