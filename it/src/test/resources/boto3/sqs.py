"""SQS through boto3 (its JSON protocol), as the two accounts' administrators; prints what it found as one JSON
document for the Java test to check."""
import json
import os
import sys
import time

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
sqs = session("SOURCE").client("sqs")
other = session("DEST").client("sqs")

url = sqs.create_queue(QueueName="boto3-jobs", Attributes={"VisibilityTimeout": "0"})["QueueUrl"]
found["url"] = url
found["sameQueue"] = sqs.create_queue(QueueName="boto3-jobs", Attributes={"VisibilityTimeout": "0"})["QueueUrl"]
found["exists"] = error_of(lambda: sqs.create_queue(QueueName="boto3-jobs", Attributes={"VisibilityTimeout": "5"}))
found["missing"] = error_of(lambda: sqs.get_queue_url(QueueName="boto3-none"))
try:
    sqs.get_queue_url(QueueName="boto3-none")
except sqs.exceptions.QueueDoesNotExist:
    found["missingModelled"] = True

# botocore checks the MD5 of the body and of the attributes of what it sent and received.
sent = sqs.send_message(QueueUrl=url, MessageBody="from boto3", MessageAttributes={
    "n": {"DataType": "Number", "StringValue": "7"}, "b": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}})
got = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"], MessageSystemAttributeNames=["All"])
message = got["Messages"][0]
found["received"] = {"id": message["MessageId"] == sent["MessageId"], "body": message["Body"],
                     "n": message["MessageAttributes"]["n"]["StringValue"],
                     "b": list(message["MessageAttributes"]["b"]["BinaryValue"]),
                     "count": message["Attributes"]["ApproximateReceiveCount"]}
batch = sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "ok", "MessageBody": "x"},
                                                      {"Id": "bad", "MessageBody": "y", "DelaySeconds": 1000}])
found["batch"] = {"ok": [e["Id"] for e in batch["Successful"]], "failed": [e["Code"] for e in batch["Failed"]]}
sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
found["invalidHandle"] = error_of(lambda: sqs.delete_message(QueueUrl=url, ReceiptHandle="nope"))
found["queues"] = [u for page in sqs.get_paginator("list_queues").paginate(QueueNamePrefix="boto3-", MaxResults=1)
                   for u in page.get("QueueUrls", [])]

found["deniedSend"] = error_of(lambda: other.send_message(QueueUrl=url, MessageBody="no"))
arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": sys.argv[1]}, "Action": "sqs:SendMessage",
    "Resource": arn}]})})
found["allowedSend"] = "MessageId" in other.send_message(QueueUrl=url, MessageBody="yes")
found["deniedReceive"] = error_of(lambda: other.receive_message(QueueUrl=url))
sqs.add_permission(QueueUrl=url, Label="readers", AWSAccountIds=[sys.argv[1]], Actions=["ReceiveMessage"])
found["allowedReceive"] = "Messages" in other.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
sqs.remove_permission(QueueUrl=url, Label="readers")
found["deniedAgain"] = error_of(lambda: other.receive_message(QueueUrl=url))
dlq = sqs.create_queue(QueueName="boto3-dlq")["QueueUrl"]
dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
src = sqs.create_queue(QueueName="boto3-src", Attributes={"VisibilityTimeout": "0", "RedrivePolicy": json.dumps(
    {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "1"})})["QueueUrl"]
sqs.send_message(QueueUrl=src, MessageBody="poison")
sqs.receive_message(QueueUrl=src)
found["afterRedrive"] = len(sqs.receive_message(QueueUrl=src).get("Messages", []))
found["inDlq"] = [m["Body"] for m in sqs.receive_message(QueueUrl=dlq).get("Messages", [])]
found["sources"] = sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"]
empty = sqs.create_queue(QueueName="boto3-empty")["QueueUrl"]
started = time.monotonic()
found["longPoll"] = {"messages": len(sqs.receive_message(QueueUrl=empty, WaitTimeSeconds=1).get("Messages", [])),
                     "waited": time.monotonic() - started >= 0.95}
fifo = sqs.create_queue(QueueName="boto3.fifo", Attributes={"FifoQueue": "true",
                                                             "ContentBasedDeduplication": "true"})["QueueUrl"]
first = sqs.send_message(QueueUrl=fifo, MessageBody="one", MessageGroupId="g")
duplicate = sqs.send_message(QueueUrl=fifo, MessageBody="one", MessageGroupId="g")
sqs.send_message(QueueUrl=fifo, MessageBody="two", MessageGroupId="g")
found["fifo"] = {"deduplicated": first["MessageId"] == duplicate["MessageId"],
                 "sequence": len(first["SequenceNumber"]),
                 "bodies": [m["Body"] for m in sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=10)["Messages"]]}
sealed = sqs.create_queue(QueueName="boto3-sealed", Attributes={"KmsMasterKeyId": "alias/aws/sqs"})["QueueUrl"]
sqs.send_message(QueueUrl=sealed, MessageBody="sealed")
found["sseKms"] = {"body": sqs.receive_message(QueueUrl=sealed)["Messages"][0]["Body"],
                   "key": sqs.get_queue_attributes(QueueUrl=sealed, AttributeNames=["All"])["Attributes"]
                   .get("KmsMasterKeyId"),
                   "otherAccount": error_of(lambda: other.send_message(QueueUrl=sealed, MessageBody="x"))}
sqs.set_queue_attributes(QueueUrl=sealed, Attributes={"Policy": json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": sys.argv[1]}, "Action": "sqs:SendMessage", "Resource": "*"}]})})
found["sseKms"]["otherAccountWithPolicy"] = error_of(lambda: other.send_message(QueueUrl=sealed, MessageBody="x"))
print(json.dumps(found))
