"""CloudTrail's event history through boto3 (JSON 1.1): an account's management calls looked up by name, page by
page with botocore's paginator, a role session's identity, and CloudTrail's errors; prints what it found as one JSON
document for the Java test to check."""
import datetime
import json
import os
import sys

import boto3
from botocore.exceptions import ClientError


def session(prefix):
    return boto3.Session(aws_access_key_id=os.environ[prefix + "_KEY"],
                         aws_secret_access_key=os.environ[prefix + "_SECRET"], region_name="us-east-1")


def error_of(call):
    try:
        call()
    except ClientError as e:
        return {"code": e.response["Error"]["Code"], "message": e.response["Error"].get("Message"),
                "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}
    return None


found = {}
source = session("SOURCE")
sqs = source.client("sqs")
trail = source.client("cloudtrail")
for name in ["boto3-trail-a", "boto3-trail-b", "boto3-trail-c"]:
    sqs.create_queue(QueueName=name)
sqs.send_message(QueueUrl=sqs.get_queue_url(QueueName="boto3-trail-a")["QueueUrl"], MessageBody="data event")

by_name = {"AttributeKey": "EventName", "AttributeValue": "CreateQueue"}
pages = list(trail.get_paginator("lookup_events").paginate(LookupAttributes=[by_name],
                                                            PaginationConfig={"PageSize": 2}))
found["pageSizes"] = [len(p["Events"]) for p in pages]
events = [e for p in pages for e in p["Events"]]
found["queues"] = [json.loads(e["CloudTrailEvent"])["requestParameters"]["queueName"] for e in events]
found["eventTimeIsDate"] = all(isinstance(e["EventTime"], datetime.datetime) for e in events)
found["usernames"] = sorted({e["Username"] for e in events})
found["sendMessage"] = len(trail.lookup_events(LookupAttributes=[
    {"AttributeKey": "EventName", "AttributeValue": "SendMessage"}])["Events"])

# A role session's call names the session and the role that issued it.
role_arn = sys.argv[1]
credentials = source.client("sts").assume_role(RoleArn=role_arn, RoleSessionName="boto3-trail")["Credentials"]
as_role = boto3.Session(aws_access_key_id=credentials["AccessKeyId"],
                        aws_secret_access_key=credentials["SecretAccessKey"],
                        aws_session_token=credentials["SessionToken"], region_name="us-east-1")
as_role.client("sqs").list_queues(QueueNamePrefix="boto3-trail")
by_session = trail.lookup_events(LookupAttributes=[{"AttributeKey": "Username", "AttributeValue": "boto3-trail"}])
identity = json.loads(by_session["Events"][0]["CloudTrailEvent"])["userIdentity"]
found["session"] = {"names": [e["EventName"] for e in by_session["Events"]], "type": identity["type"],
                    "issuer": identity["sessionContext"]["sessionIssuer"]["arn"],
                    "keyId": identity["accessKeyId"] == credentials["AccessKeyId"]}
everything = json.dumps([e["CloudTrailEvent"] for p in trail.get_paginator("lookup_events").paginate() for e in
                         p["Events"]])
found["secretInTrail"] = credentials["SecretAccessKey"] in everything or credentials["SessionToken"] in everything

now = datetime.datetime.now(datetime.timezone.utc)
found["timeRange"] = error_of(lambda: trail.lookup_events(StartTime=now, EndTime=now - datetime.timedelta(hours=1)))
found["badToken"] = error_of(lambda: trail.lookup_events(NextToken="not-a-token"))
found["badReadOnly"] = error_of(lambda: trail.lookup_events(LookupAttributes=[
    {"AttributeKey": "ReadOnly", "AttributeValue": "sometimes"}]))
found["tooMany"] = error_of(lambda: trail.lookup_events(MaxResults=51))
found["insights"] = trail.lookup_events(EventCategory="insight")["Events"]
print(json.dumps(found))
