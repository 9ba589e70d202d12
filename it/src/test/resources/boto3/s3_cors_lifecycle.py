"""S3 CORS and lifecycle configuration through boto3, as the destination account's administrator: put_bucket_cors and
put_bucket_lifecycle_configuration read back, S3's refusals of bad ones, the x-amz-expiration botocore parses, and a
preflight through boto3's own HTTP session; prints what it found as one JSON document for the Java test to check."""
import json
import os

import boto3
import urllib3
from botocore.config import Config
from botocore.exceptions import ClientError

s3 = boto3.client("s3", region_name="us-east-1", aws_access_key_id=os.environ["DEST_KEY"],
                  aws_secret_access_key=os.environ["DEST_SECRET"],
                  config=Config(s3={"addressing_style": "path"}, signature_version="s3v4"))
found = {}


def error_of(call):
    try:
        call()
    except ClientError as e:
        return {"code": e.response["Error"]["Code"], "status": e.response["ResponseMetadata"]["HTTPStatusCode"],
                "message": e.response["Error"].get("Message")}
    return None


bucket = "boto3-rules"
s3.create_bucket(Bucket=bucket)
found["noCors"] = error_of(lambda: s3.get_bucket_cors(Bucket=bucket))
s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [
    {"ID": "web", "AllowedOrigins": ["https://app.example.com"], "AllowedMethods": ["GET", "PUT"],
     "AllowedHeaders": ["*"], "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 120}]})
found["cors"] = s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
found["badMethod"] = error_of(lambda: s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [
    {"AllowedOrigins": ["*"], "AllowedMethods": ["OPTIONS"]}]}))
found["corsAfterRefusal"] = s3.get_bucket_cors(Bucket=bucket)["CORSRules"][0]["ID"]

preflight = urllib3.PoolManager().request("OPTIONS", os.environ["AWS_ENDPOINT_URL"] + "/" + bucket + "/file", headers={
    "Origin": "https://app.example.com", "Access-Control-Request-Method": "PUT",
    "Access-Control-Request-Headers": "content-type"})
found["preflight"] = {"status": preflight.status,
                      "origin": preflight.headers.get("Access-Control-Allow-Origin"),
                      "methods": preflight.headers.get("Access-Control-Allow-Methods"),
                      "headers": preflight.headers.get("Access-Control-Allow-Headers"),
                      "maxAge": preflight.headers.get("Access-Control-Max-Age")}

found["noLifecycle"] = error_of(lambda: s3.get_bucket_lifecycle_configuration(Bucket=bucket))
s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
    {"ID": "logs", "Status": "Enabled", "Filter": {"Prefix": "logs/"}, "Expiration": {"Days": 7},
     "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 2}},
    {"ID": "big", "Status": "Enabled", "Filter": {"ObjectSizeGreaterThan": 1048576},
     "Transitions": [{"Days": 30, "StorageClass": "GLACIER"}]}]})
found["lifecycle"] = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
found["zeroDays"] = error_of(lambda: s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={
    "Rules": [{"ID": "zero", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 0}}]}))
found["lifecycleAfterRefusal"] = [r["ID"] for r in s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]]
found["putExpiration"] = s3.put_object(Bucket=bucket, Key="logs/today", Body=b"x").get("Expiration")
found["headExpiration"] = s3.head_object(Bucket=bucket, Key="logs/today").get("Expiration")
found["otherExpiration"] = s3.put_object(Bucket=bucket, Key="other", Body=b"x").get("Expiration")
s3.delete_bucket_lifecycle(Bucket=bucket)
s3.delete_bucket_cors(Bucket=bucket)
found["deleted"] = [error_of(lambda: s3.get_bucket_lifecycle_configuration(Bucket=bucket))["code"],
                    error_of(lambda: s3.get_bucket_cors(Bucket=bucket))["code"]]
print(json.dumps(found))
