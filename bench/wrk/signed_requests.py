#!/usr/bin/env python3
"""Writes a wrk Lua script that sends SigV4-signed requests to a running crossrole, signed once with botocore
(signatures stay valid for the 15 minutes of allowed clock skew, longer than any run here).

Usage: signed_requests.py ENDPOINT CREDENTIALS_FILE KIND [KIND ...] > script.lua
KIND: get-caller-identity | assume-role | iam-get-role | ecs-list-clusters | kms-encrypt:KEY | logs-put:GROUP/STREAM |
      logs-filter:GROUP | s3-get:BUCKET/KEY |
      s3-put:BUCKET/KEY
Several kinds make a script that sends them in turn (a mixed load)."""
import configparser, sys, time
from urllib.parse import urlsplit
from botocore.auth import SigV4Auth, S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ROLE = "arn:aws:iam::555566667777:role/bench-destination"


def credentials(path, profile="source"):
    config = configparser.ConfigParser()
    config.read(path)
    section = config[profile]
    return Credentials(section["aws_access_key_id"], section["aws_secret_access_key"])


def signed(endpoint, creds, kind):
    if kind == "get-caller-identity":
        req = AWSRequest("POST", endpoint + "/", data="Action=GetCallerIdentity&Version=2011-06-15",
                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        SigV4Auth(creds, "sts", "us-east-1").add_auth(req)
    elif kind == "assume-role":
        body = "Action=AssumeRole&Version=2011-06-15&RoleSessionName=bench&RoleArn=" + ROLE.replace(":", "%3A").replace("/", "%2F")
        req = AWSRequest("POST", endpoint + "/", data=body,
                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        SigV4Auth(creds, "sts", "us-east-1").add_auth(req)
    elif kind == "iam-get-role":
        # The source account's own administrator reads a role of its account: an IAM Query read.
        req = AWSRequest("POST", endpoint + "/", data="Action=GetRole&Version=2010-05-08&RoleName=bench-source",
                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        SigV4Auth(creds, "iam", "us-east-1").add_auth(req)
    elif kind == "ecs-list-clusters":
        req = AWSRequest("POST", endpoint + "/", data='{"maxResults":10}',
                         headers={"Content-Type": "application/x-amz-json-1.1",
                                  "X-Amz-Target": "AmazonEC2ContainerServiceV20141113.ListClusters"})
        SigV4Auth(creds, "ecs", "us-east-1").add_auth(req)
    elif kind.startswith("kms-encrypt:"):
        # 63 bytes encrypted under a key of the source account (an id or alias/...).
        req = AWSRequest("POST", endpoint + "/", data='{"KeyId":"%s","Plaintext":"%s"}' % (kind[len("kms-encrypt:"):],
                                                                                         "eHh4" * 21),
                         headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "TrentService.Encrypt"})
        SigV4Auth(creds, "kms", "us-east-1").add_auth(req)
    elif kind.startswith("logs-put:"):
        # Ten events into GROUP/STREAM, stamped when the script is made (PutLogEvents takes up to 2 h ahead, 14 days back).
        group, stream = kind[len("logs-put:"):].rsplit("/", 1)
        now = int(time.time() * 1000)
        events = ",".join('{"timestamp":%d,"message":"bench line %d of a PutLogEvents load"}' % (now, i) for i in range(10))
        req = AWSRequest("POST", endpoint + "/", data='{"logGroupName":"%s","logStreamName":"%s","logEvents":[%s]}'
                         % (group, stream, events),
                         headers={"Content-Type": "application/x-amz-json-1.1",
                                  "X-Amz-Target": "Logs_20140328.PutLogEvents"})
        SigV4Auth(creds, "logs", "us-east-1").add_auth(req)
    elif kind.startswith("logs-filter:"):
        # The first 50 events of GROUP matching the term ERROR.
        req = AWSRequest("POST", endpoint + "/", data='{"logGroupName":"%s","filterPattern":"ERROR","limit":50}'
                         % kind[len("logs-filter:"):],
                         headers={"Content-Type": "application/x-amz-json-1.1",
                                  "X-Amz-Target": "Logs_20140328.FilterLogEvents"})
        SigV4Auth(creds, "logs", "us-east-1").add_auth(req)
    elif kind.startswith("s3-get:"):
        req = AWSRequest("GET", endpoint + "/" + kind[len("s3-get:"):], headers={"x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
        S3SigV4Auth(creds, "s3", "us-east-1").add_auth(req)
    elif kind.startswith("s3-put:"):
        data = b"x" * 1024
        req = AWSRequest("PUT", endpoint + "/" + kind[len("s3-put:"):], data=data,
                         headers={"x-amz-content-sha256": "UNSIGNED-PAYLOAD", "Content-Length": str(len(data))})
        S3SigV4Auth(creds, "s3", "us-east-1").add_auth(req)
    else:
        raise SystemExit("unknown kind " + kind)
    body = req.body if isinstance(req.body, (bytes, str)) and req.body else b""
    if isinstance(body, str):
        body = body.encode()
    path = urlsplit(req.url).path or "/"
    headers = {k: v for k, v in req.headers.items()}
    headers["Host"] = urlsplit(endpoint).netloc
    return req.method, path, headers, body


def lua_string(value):
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    return '"' + "".join(c if c.isalnum() or c in " -_.,:;/=+*%&()[]<>" else "\\%03d" % ord(c) for c in value) + '"'


def main():
    endpoint, creds_file, kinds = sys.argv[1], sys.argv[2], sys.argv[3:]
    creds = credentials(creds_file)
    print("local requests = {}")
    for i, kind in enumerate(kinds, 1):
        method, path, headers, body = signed(endpoint, creds, kind)
        items = ", ".join("[%s] = %s" % (lua_string(k), lua_string(v)) for k, v in headers.items())
        print("requests[%d] = wrk.format(%s, %s, {%s}, %s)" % (i, lua_string(method), lua_string(path), items,
                                                          lua_string(body) if body else "nil"))
    print("local n = 0")
    print("request = function() n = n %% %d + 1; return requests[n] end" % len(kinds))


if __name__ == "__main__":
    main()
