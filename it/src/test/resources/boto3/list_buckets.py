"""Lists the destination account's buckets with boto3 (signed with this machine's real clock) and prints their names
as a JSON array."""
import json
import os

import boto3

s3 = boto3.client("s3", region_name="us-east-1", aws_access_key_id=os.environ["DEST_KEY"],
                  aws_secret_access_key=os.environ["DEST_SECRET"])
print(json.dumps([b["Name"] for b in s3.list_buckets()["Buckets"]]))
