"""S3 POST-form uploads and SSE-C through boto3, as the destination account's administrator: forms made by
generate_presigned_post and POSTed with requests (success statuses, ${filename}, metadata, content-length-range, a
changed field, an extra field), and an object put and read with a customer-provided key; prints what it found as one
JSON document for the Java test to check."""
import base64
import hashlib
import html
import json
import os
import re

import boto3
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint = os.environ["AWS_ENDPOINT_URL"]
s3 = boto3.client("s3", region_name="us-east-1", aws_access_key_id=os.environ["DEST_KEY"],
                  aws_secret_access_key=os.environ["DEST_SECRET"],
                  config=Config(s3={"addressing_style": "path"}, signature_version="s3v4"))
found = {}
bucket = "boto3-forms"
s3.create_bucket(Bucket=bucket)


def error_of(response):
    code = re.search(r"<Code>(.*?)</Code>", response.text)
    message = re.search(r"<Message>(.*?)</Message>", response.text)
    return {"status": response.status_code, "code": code and code.group(1),
            "message": message and html.unescape(message.group(1))}


def keys():
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []))


post = s3.generate_presigned_post(
    bucket, "uploads/${filename}",
    Fields={"success_action_status": "201", "Content-Type": "text/plain", "x-amz-meta-origin": "form"},
    Conditions=[{"success_action_status": "201"}, ["starts-with", "$Content-Type", "text/"],
                {"x-amz-meta-origin": "form"}, ["content-length-range", 1, 100]],
    ExpiresIn=600)
created = requests.post(post["url"], data=post["fields"], files={"file": ("hello.txt", b"hello from a form")})
found["created"] = {"status": created.status_code,
                    "key": re.search(r"<Key>(.*?)</Key>", created.text).group(1),
                    "location": created.headers.get("Location")}
got = s3.get_object(Bucket=bucket, Key="uploads/hello.txt")
found["body"] = got["Body"].read().decode()
found["contentType"] = got["ContentType"]
found["metadata"] = got["Metadata"]

too_large = requests.post(post["url"], data=post["fields"], files={"file": ("big.txt", b"x" * 101)})
found["tooLarge"] = error_of(too_large)
changed = dict(post["fields"], **{"x-amz-meta-origin": "elsewhere"})
found["changed"] = error_of(requests.post(post["url"], data=changed, files={"file": ("c.txt", b"c")}))
extra = dict(post["fields"], **{"x-amz-meta-extra": "1"})
found["extra"] = error_of(requests.post(post["url"], data=extra, files={"file": ("e.txt", b"e")}))
found["keys"] = keys()

plain = s3.generate_presigned_post(bucket, "plain.bin", ExpiresIn=600)
found["noContent"] = requests.post(plain["url"], data=plain["fields"],
                                   files={"file": ("p", b"plain bytes")}).status_code

key = os.urandom(32)
sse = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": key}
put = s3.put_object(Bucket=bucket, Key="sealed", Body=b"sealed by boto3", **sse)
found["sseMd5"] = put["SSECustomerKeyMD5"] == base64.b64encode(hashlib.md5(key).digest()).decode()
found["sseBody"] = s3.get_object(Bucket=bucket, Key="sealed", **sse)["Body"].read().decode()
try:
    s3.get_object(Bucket=bucket, Key="sealed")
    found["sseWithout"] = None
except ClientError as e:
    found["sseWithout"] = e.response["Error"]["Code"]
print(json.dumps(found))
