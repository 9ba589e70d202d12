"""S3 event notifications to an SQS queue through boto3: the refusal of a queue whose policy does not name the
bucket (with S3's numbered ArgumentName/ArgumentValue), then an accepted queue receiving the test event and a put's
event; prints what it found as one JSON document for the Java test to check."""
import json
import os

import boto3
from botocore.exceptions import ClientError


def session(prefix):
    return boto3.Session(aws_access_key_id=os.environ[prefix + "_KEY"],
                         aws_secret_access_key=os.environ[prefix + "_SECRET"], region_name="us-east-1")


source = session("SOURCE")
account = source.client("sts").get_caller_identity()["Account"]
s3 = source.client("s3")
sqs = source.client("sqs")
found = {}

s3.create_bucket(Bucket="boto3-events")
queue_arn = "arn:aws:sqs:us-east-1:%s:boto3-events" % account
url = sqs.create_queue(QueueName="boto3-events")["QueueUrl"]
configuration = {"QueueConfigurations": [{"Id": "all", "QueueArn": queue_arn, "Events": ["s3:ObjectCreated:*"]}]}
try:
    s3.put_bucket_notification_configuration(Bucket="boto3-events", NotificationConfiguration=configuration)
except ClientError as e:
    error = e.response["Error"]
    found["refused"] = {"code": error["Code"], "message": error.get("Message"),
                        "name": error.get("ArgumentName1"), "value": error.get("ArgumentValue1"),
                        "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}

policy = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sqs:SendMessage",
    "Resource": queue_arn, "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:s3:::boto3-events"}}}]}
sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
s3.put_bucket_notification_configuration(Bucket="boto3-events", NotificationConfiguration=configuration)
s3.put_object(Bucket="boto3-events", Key="dir/a b.txt", Body=b"abc")
bodies = []
while True:
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    if not messages:
        break
    for message in messages:
        bodies.append(json.loads(message["Body"]))
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
found["messages"] = bodies
print(json.dumps(found))
