# boto3 against crossrole (AWS_ENDPOINT_URL), as the destination account's administrator: a retried
# CompleteMultipartUpload, checksum types, a URL-encoded listing asked for explicitly (botocore then leaves it
# encoded), ListBuckets pages, GetObjectAttributes, a copy a bucket policy denies by s3:x-amz-copy-source, tags and
# Content-Encoding as sent, an eleventh tag, and non-ASCII metadata (which botocore refuses before sending).
# Prints one JSON document of what it saw.
import json
import os

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, ParamValidationError

s3 = boto3.client("s3", region_name="us-east-1", aws_access_key_id=os.environ["DEST_KEY"],
                  aws_secret_access_key=os.environ["DEST_SECRET"],
                  config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
out = {}
s3.create_bucket(Bucket="boto-fidelity")
upload = s3.create_multipart_upload(Bucket="boto-fidelity", Key="big", ChecksumAlgorithm="SHA256")
parts = []
for number in (1, 2):
    part = s3.upload_part(Bucket="boto-fidelity", Key="big", UploadId=upload["UploadId"], PartNumber=number,
                          Body=bytes([number]) * (5 * 1024 * 1024), ChecksumAlgorithm="SHA256")
    parts.append({"PartNumber": number, "ETag": part["ETag"], "ChecksumSHA256": part["ChecksumSHA256"]})
completion = dict(Bucket="boto-fidelity", Key="big", UploadId=upload["UploadId"], MultipartUpload={"Parts": parts})
out["first_etag"] = s3.complete_multipart_upload(**completion)["ETag"]
out["retry_etag"] = s3.complete_multipart_upload(**completion)["ETag"]
out["checksum_type"] = s3.head_object(Bucket="boto-fidelity", Key="big", ChecksumMode="ENABLED")["ChecksumType"]

s3.put_object(Bucket="boto-fidelity", Key="a b/one", Body=b"1", ChecksumAlgorithm="CRC32")
s3.put_object(Bucket="boto-fidelity", Key="c+d", Body=b"2")
listed = s3.list_objects(Bucket="boto-fidelity", Delimiter="/", EncodingType="url", Prefix="")
out["encoded"] = [p["Prefix"] for p in listed.get("CommonPrefixes", [])] + [
    o["Key"] for o in listed.get("Contents", []) if o["Key"].startswith("c")]

attributes = s3.get_object_attributes(Bucket="boto-fidelity", Key="a b/one", ObjectAttributes=["Checksum", "ETag"])
out["attributes_checksum_type"] = attributes["Checksum"]["ChecksumType"]

for name in ("boto-page-1", "boto-page-2", "boto-page-3"):
    s3.create_bucket(Bucket=name)
page = s3.list_buckets(MaxBuckets=2, Prefix="boto-page-")
out["bucket_page"] = [b["Name"] for b in page["Buckets"]]
out["bucket_token"] = "ContinuationToken" in page

s3.put_bucket_policy(Bucket="boto-fidelity", Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::boto-fidelity/*",
    "Condition": {"StringLike": {"s3:x-amz-copy-source": "boto-fidelity/c*"}}}]}))
try:
    s3.copy_object(Bucket="boto-fidelity", Key="copied", CopySource={"Bucket": "boto-fidelity", "Key": "c+d"})
    out["copy_denied"] = "allowed"
except ClientError as e:
    out["copy_denied"] = e.response["Error"]["Code"]
s3.put_object(Bucket="boto-fidelity", Key="tagged", Body=b"t", Tagging="zeta=1&alpha=2", ContentEncoding="gzip, br")
out["tag_order"] = [t["Key"] for t in s3.get_object_tagging(Bucket="boto-fidelity", Key="tagged")["TagSet"]]
out["content_encoding"] = s3.head_object(Bucket="boto-fidelity", Key="tagged")["ContentEncoding"]
try:
    s3.put_object_tagging(Bucket="boto-fidelity", Key="tagged", Tagging={"TagSet": [
        {"Key": "k%d" % i, "Value": "v"} for i in range(11)]})
    out["eleven_tags"] = "accepted"
except ClientError as e:
    out["eleven_tags"] = e.response["Error"]["Code"]
try:
    s3.put_object(Bucket="boto-fidelity", Key="cafe", Body=b"x", Metadata={"name": "caf\u00e9"})
    out["non_ascii_metadata"] = "sent"
except ParamValidationError:
    out["non_ascii_metadata"] = "ParamValidationError"
print(json.dumps(out))
