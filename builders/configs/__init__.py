"""What step configs share: base classes, field types and markers, container versions.

`base.py` holds the pipeline settings every step shares and the processing and training
bases, `types.py` field types precise enough to validate and to draw a form (and the
LOCAL_PATH, ADVANCED and Container markers the registry and forms read), `api_rules.py`
SageMaker's own rules from botocore's service model, `fields.py` what a form needs to know
about a Config class. Each step type's own Config lives in its package.
"""
