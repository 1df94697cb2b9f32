"""Building SageMaker objects: a design's configs and DAG become a pipeline definition.

`compile.py` is the entry point (`compile_pipeline`), `template.py` wires outputs to inputs
and asks each step type's builder for its step, `steps/` holds the builders' shared bases,
`sagemaker_env.py` sets the SDK up offline without changing the process, `staging.py` gives
local code content-addressed S3 URIs (uploaded only at deploy; `secret_files.py` keeps
credentials out) and `gc_tuning.py` is the CLI's and benchmarks' opt-in collector tuning.
Only `steps/` and the step types' builders import the SDK when imported.
"""
