"""Block Public Access through boto3, as the destination account's administrator: the account-level configuration
(S3 Control: put/get/delete_public_access_block) and its effect on a bucket's put_bucket_policy; prints what it found
as one JSON document for the Java test to check.

S3 Control requests go to <account>.<endpoint host>. A host name under .localhost resolves to the loopback address
where systemd-resolved or a browser does so; Python's resolver here does not, so this script resolves such names as
those resolvers would (the only thing it changes: botocore itself is untouched)."""
import json
import os
import socket
from urllib.parse import urlparse

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

_getaddrinfo = socket.getaddrinfo


def _loopback_localhost(host, *args, **kwargs):
    if isinstance(host, str) and host.endswith(".localhost"):
        host = "127.0.0.1"
    return _getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = _loopback_localhost

endpoint = urlparse(os.environ["AWS_ENDPOINT_URL"])
control_endpoint = "http://localhost:%d" % endpoint.port
credentials = {"aws_access_key_id": os.environ["DEST_KEY"], "aws_secret_access_key": os.environ["DEST_SECRET"]}
control = boto3.client("s3control", region_name="us-east-1", endpoint_url=control_endpoint, **credentials)
s3 = boto3.client("s3", region_name="us-east-1", config=Config(s3={"addressing_style": "path"}), **credentials)
account = "555566667777"
found = {}


def error_of(call):
    try:
        call()
    except ClientError as e:
        return {"code": e.response["Error"]["Code"], "status": e.response["ResponseMetadata"]["HTTPStatusCode"],
                "message": e.response["Error"].get("Message")}
    return None


public_policy = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::boto3-bpa/*"}]})
s3.create_bucket(Bucket="boto3-bpa")
s3.delete_public_access_block(Bucket="boto3-bpa")
found["none"] = error_of(lambda: control.get_public_access_block(AccountId=account))
control.put_public_access_block(AccountId=account, PublicAccessBlockConfiguration={
    "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
found["account"] = control.get_public_access_block(AccountId=account)["PublicAccessBlockConfiguration"]
found["publicPolicy"] = error_of(lambda: s3.put_bucket_policy(Bucket="boto3-bpa", Policy=public_policy))
found["policyAfterRefusal"] = error_of(lambda: s3.get_bucket_policy(Bucket="boto3-bpa"))
control.delete_public_access_block(AccountId=account)
found["afterDelete"] = error_of(lambda: control.get_public_access_block(AccountId=account))
s3.put_bucket_policy(Bucket="boto3-bpa", Policy=public_policy)
found["policyStatus"] = s3.get_bucket_policy_status(Bucket="boto3-bpa")["PolicyStatus"]["IsPublic"]
print(json.dumps(found))
