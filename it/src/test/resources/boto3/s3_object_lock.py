"""S3 Object Lock through boto3, as the destination account's administrator: a bucket created with Object Lock, its
default retention, a retention put on a version, the delete S3 refuses of it and the delete marker it still allows,
and the versioning that cannot be suspended; prints what it found as one JSON document for the Java test to check."""
import datetime
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
        return {"code": e.response["Error"]["Code"], "status": e.response["ResponseMetadata"]["HTTPStatusCode"],
                "message": e.response["Error"].get("Message")}
    return None


bucket = "boto3-locked"
s3.create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=True)
found["versioning"] = s3.get_bucket_versioning(Bucket=bucket).get("Status")
s3.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration={
    "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}})
found["configuration"] = s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]
found["suspend"] = error_of(lambda: s3.put_bucket_versioning(Bucket=bucket,
                                                             VersioningConfiguration={"Status": "Suspended"}))

version = s3.put_object(Bucket=bucket, Key="ledger", Body=b"entry")["VersionId"]
found["defaultMode"] = s3.head_object(Bucket=bucket, Key="ledger").get("ObjectLockMode")
until = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) + datetime.timedelta(days=30)
# The default retention is GOVERNANCE: making it COMPLIANCE takes the bypass, which the administrator may use.
found["withoutBypass"] = error_of(lambda: s3.put_object_retention(
    Bucket=bucket, Key="ledger", VersionId=version, Retention={"Mode": "COMPLIANCE", "RetainUntilDate": until}))
s3.put_object_retention(Bucket=bucket, Key="ledger", VersionId=version, BypassGovernanceRetention=True,
                        Retention={"Mode": "COMPLIANCE", "RetainUntilDate": until})
retention = s3.get_object_retention(Bucket=bucket, Key="ledger", VersionId=version)["Retention"]
found["retention"] = {"mode": retention["Mode"], "until": retention["RetainUntilDate"] == until}
found["shorten"] = error_of(lambda: s3.put_object_retention(
    Bucket=bucket, Key="ledger", VersionId=version, BypassGovernanceRetention=True,
    Retention={"Mode": "COMPLIANCE", "RetainUntilDate": until - datetime.timedelta(days=1)}))
found["delete"] = error_of(lambda: s3.delete_object(Bucket=bucket, Key="ledger", VersionId=version,
                                                    BypassGovernanceRetention=True))
found["marker"] = s3.delete_object(Bucket=bucket, Key="ledger").get("DeleteMarker")
found["stillThere"] = s3.get_object(Bucket=bucket, Key="ledger", VersionId=version)["Body"].read().decode()

s3.create_bucket(Bucket="boto3-unlocked")
found["unlocked"] = error_of(lambda: s3.get_object_lock_configuration(Bucket="boto3-unlocked"))
print(json.dumps(found))
