"""Scripts that run inside SageMaker jobs. Staged to S3 as a folder; keep them Python 3.8."""
