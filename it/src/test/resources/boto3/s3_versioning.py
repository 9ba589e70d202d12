"""S3 versioning through boto3, as the destination account's administrator: a suspended bucket's null version,
copies, tags and DeleteObjects by version, and boto3's list_object_versions paginator; prints what it found as one
JSON document for the Java test to check."""
import json
import os

import boto3
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
        return {"code": e.response["Error"]["Code"], "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}
    return None


bucket = "boto3-versions"
s3.create_bucket(Bucket=bucket)
found["never"] = s3.get_bucket_versioning(Bucket=bucket).get("Status")
s3.put_object(Bucket=bucket, Key="doc", Body=b"before")
s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
v1 = s3.put_object(Bucket=bucket, Key="doc", Body=b"one", Tagging="stage=one")["VersionId"]
s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
found["suspendedPutVersionId"] = s3.put_object(Bucket=bucket, Key="doc", Body=b"null").get("VersionId")
found["nullVersion"] = s3.get_object(Bucket=bucket, Key="doc", VersionId="null")["Body"].read().decode()
s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
found["status"] = s3.get_bucket_versioning(Bucket=bucket)["Status"]

s3.put_object_tagging(Bucket=bucket, Key="doc", VersionId=v1,
                      Tagging={"TagSet": [{"Key": "stage", "Value": "kept"}]})
found["v1Tags"] = s3.get_object_tagging(Bucket=bucket, Key="doc", VersionId=v1)["TagSet"]
copy = s3.copy_object(Bucket=bucket, Key="restored", CopySource={"Bucket": bucket, "Key": "doc", "VersionId": v1})
found["copySourceVersionId"] = copy["CopySourceVersionId"] == v1
found["restored"] = s3.get_object(Bucket=bucket, Key="restored")["Body"].read().decode()

deleted = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "doc", "VersionId": "null"}, {"Key": "restored"}]})
found["deleted"] = sorted([{"key": d["Key"], "versionId": d.get("VersionId"), "marker": d.get("DeleteMarker", False)}
                           for d in deleted["Deleted"]], key=lambda d: d["key"])
found["docNow"] = s3.get_object(Bucket=bucket, Key="doc")["Body"].read().decode()
found["restoredNow"] = error_of(lambda: s3.get_object(Bucket=bucket, Key="restored"))
found["missingVersion"] = error_of(lambda: s3.get_object(Bucket=bucket, Key="doc", VersionId="null"))

for i in range(5):
    s3.put_object(Bucket=bucket, Key="many", Body=str(i).encode())
pages = s3.get_paginator("list_object_versions").paginate(Bucket=bucket, PaginationConfig={"PageSize": 2})
found["listed"] = [(v["Key"], v["IsLatest"]) for page in pages for v in page.get("Versions", [])]
found["markers"] = [m["Key"] for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket)
                    for m in page.get("DeleteMarkers", [])]
print(json.dumps(found))
