"""SNS through boto3 (its Query protocol), as the two accounts' administrators; prints what it found as one JSON
document for the Java test to check. Argument: the destination account's id."""
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
sns = session("SOURCE").client("sns")
sqs = session("SOURCE").client("sqs")
other_sns = session("DEST").client("sns")
other_sqs = session("DEST").client("sqs")
destination = sys.argv[1]

topic = sns.create_topic(Name="boto3-topic", Attributes={"DisplayName": "Boto3"},
                         Tags=[{"Key": "team", "Value": "shop"}])["TopicArn"]
found["topic"] = topic
found["sameTopic"] = sns.create_topic(Name="boto3-topic")["TopicArn"]
found["badName"] = error_of(lambda: sns.create_topic(Name="bad name"))
found["missing"] = error_of(lambda: sns.get_topic_attributes(TopicArn=topic + "-none"))
try:
    sns.get_topic_attributes(TopicArn=topic + "-none")
except sns.exceptions.NotFoundException:
    found["missingModelled"] = True
found["displayName"] = sns.get_topic_attributes(TopicArn=topic)["Attributes"]["DisplayName"]
found["topics"] = [t["TopicArn"] for page in sns.get_paginator("list_topics").paginate() for t in page["Topics"]]
found["tags"] = sns.list_tags_for_resource(ResourceArn=topic)["Tags"]

queue_url = sqs.create_queue(QueueName="boto3-sns-inbox")["QueueUrl"]
queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def allow_topic(client, url, arn):
    """SNS sends to a queue whose policy lets the topic in, even in its own account, as on AWS."""
    client.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
                                                "Action": "sqs:SendMessage", "Resource": arn,
                                                "Condition": {"ArnEquals": {"aws:SourceArn": topic}}}]})})


allow_topic(sqs, queue_url, queue_arn)
subscription = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn,
                             Attributes={"RawMessageDelivery": "true",
                                         "FilterPolicy": json.dumps({"colour": ["blue", {"prefix": "cy"}]})},
                             ReturnSubscriptionArn=True)["SubscriptionArn"]
found["subscription"] = subscription
found["badFilter"] = error_of(lambda: sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn + "-2",
                                                     Attributes={"FilterPolicy": "{\"a\": [{\"exists\": 1}]}"}))
sns.publish(TopicArn=topic, Message="blue one", MessageAttributes={"colour": {"DataType": "String",
                                                                              "StringValue": "blue"}})
sns.publish(TopicArn=topic, Message="red one", MessageAttributes={"colour": {"DataType": "String",
                                                                             "StringValue": "red"}})
batch = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
    {"Id": "a", "Message": "cyan one", "MessageAttributes": {"colour": {"DataType": "String", "StringValue": "cyan"}}},
    {"Id": "b", "Message": "", "MessageAttributes": {}}])
found["batch"] = {"ok": [e["Id"] for e in batch["Successful"]], "failed": [e["Code"] for e in batch["Failed"]]}
received = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"])
found["received"] = sorted(m["Body"] for m in received.get("Messages", []))
found["emptyMessage"] = error_of(lambda: sns.publish(TopicArn=topic, Message=""))

# Another account: denied until the topic's policy lets it subscribe, then its queue gets what its policy allows.
other_url = other_sqs.create_queue(QueueName="boto3-sns-other")["QueueUrl"]
other_arn = "arn:aws:sqs:us-east-1:" + destination + ":boto3-sns-other"
found["deniedSubscribe"] = error_of(lambda: other_sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=other_arn))
sns.add_permission(TopicArn=topic, Label="dest", AWSAccountId=[destination], ActionName=["Subscribe"])
other_sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=other_arn)
allow_topic(other_sqs, other_url, other_arn)
sns.publish(TopicArn=topic, Message="across", MessageAttributes={"colour": {"DataType": "String",
                                                                            "StringValue": "green"}})
got = other_sqs.receive_message(QueueUrl=other_url, MaxNumberOfMessages=10).get("Messages", [])
found["across"] = [json.loads(m["Body"])["Message"] for m in got]

sns.unsubscribe(SubscriptionArn=subscription)
found["afterUnsubscribe"] = [s["SubscriptionArn"] for s in sns.list_subscriptions_by_topic(TopicArn=topic)
                             ["Subscriptions"] if s["Owner"] != destination]
sns.delete_topic(TopicArn=topic)
found["deleted"] = error_of(lambda: sns.get_topic_attributes(TopicArn=topic))
print(json.dumps(found))
