"""Deploy: stage code to S3, upsert and start the pipeline in AWS or the local sandbox.

`deploy.py` runs the stages (preflight, stage code, upsert, start, follow) against AWS;
`sandbox.py` deploys to the local stand-in, whose runner lives in `builders/localrun/`.
"""
