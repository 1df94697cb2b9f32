"""A data check as a Lambda function: deploy creates it from this folder (handler
checks.check_features); the pipeline calls it with the features' S3 folder."""

import csv
import io
import os

import boto3


def check_features(event, context):
    """Count the rows and the fraud rate of the CSV files under event["features"]; pass the
    folder on as "checked" when there are at least event["min_rows"] rows."""
    bucket, _, prefix = event["features"][len("s3://") :].partition("/")
    s3 = boto3.client("s3", region_name=os.environ.get("AWS_REGION"))
    rows = frauds = 0
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=prefix.rstrip("/") + "/")
    for item in listed.get("Contents", []):
        if item["Key"].endswith(".csv"):
            body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read().decode()
            for row in csv.DictReader(io.StringIO(body)):
                rows += 1
                frauds += int(row["is_fraud"])
    if rows < event["min_rows"]:
        raise ValueError(f"Only {rows} rows under {event['features']}: {event['min_rows']} needed.")
    return {
        "checked": event["features"],
        "rows": rows,
        "fraud_rate": frauds / rows,
        "passed": True,
    }
