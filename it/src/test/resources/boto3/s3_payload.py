# PutObject twice (default checksum, then SHA256) against the capturing server at argv[1], and print a
# presigned GetObject URL (SigV4: with a custom endpoint in us-east-1 botocore presigns with SigV2 unless told). The body is bytes(i % 251) of length argv[2].
import os
import sys

import boto3
from botocore.config import Config

endpoint, size = sys.argv[1], int(sys.argv[2])
body = bytes(i % 251 for i in range(size))
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                  aws_access_key_id=os.environ["KEY"], aws_secret_access_key=os.environ["SECRET"],
                  config=Config(s3={"addressing_style": "path"}, signature_version="s3v4",
                                retries={"max_attempts": 1}))
s3.put_object(Bucket="bucket", Key="dir/object.bin", Body=body)
s3.put_object(Bucket="bucket", Key="dir/object.bin", Body=body, ChecksumAlgorithm="SHA256")
print(s3.generate_presigned_url("get_object", Params={"Bucket": "bucket", "Key": "dir/object.bin"}, ExpiresIn=3600))
