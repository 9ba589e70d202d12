"""DynamoDB through boto3: the client, and the resource layer's Table with its condition builders (Key, Attr) and
batch writer; another account through the table's resource policy. Prints what it found as one JSON document for
the Java test to check."""
import json
import os
import sys
from decimal import Decimal

import boto3
from boto3.dynamodb.conditions import Attr, Key
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
client = session("SOURCE").client("dynamodb")
resource = session("SOURCE").resource("dynamodb")

table = resource.create_table(
    TableName="boto3-music", BillingMode="PAY_PER_REQUEST",
    AttributeDefinitions=[{"AttributeName": "artist", "AttributeType": "S"},
                          {"AttributeName": "song", "AttributeType": "S"},
                          {"AttributeName": "year", "AttributeType": "N"}],
    KeySchema=[{"AttributeName": "artist", "KeyType": "HASH"}, {"AttributeName": "song", "KeyType": "RANGE"}],
    GlobalSecondaryIndexes=[{"IndexName": "byYear", "KeySchema": [{"AttributeName": "year", "KeyType": "HASH"}],
                             "Projection": {"ProjectionType": "ALL"}}])
table.wait_until_exists()
found["status"] = table.table_status

with table.batch_writer() as batch:
    for i in range(30):
        batch.put_item(Item={"artist": "a%d" % (i % 3), "song": "s%02d" % i, "year": 1990 + i % 5,
                             "plays": Decimal(i), "tags": {"x", "y"} if i == 0 else {"z"}})
found["count"] = client.describe_table(TableName="boto3-music")["Table"]["ItemCount"]

found["query"] = [i["song"] for i in table.query(
    KeyConditionExpression=Key("artist").eq("a1") & Key("song").begins_with("s1"),
    FilterExpression=Attr("plays").gte(13))["Items"]]
found["byYear"] = len(table.query(IndexName="byYear", KeyConditionExpression=Key("year").eq(1992))["Items"])

# A paginated scan through the client's paginator, seven items a page.
pages = client.get_paginator("scan").paginate(TableName="boto3-music", PaginationConfig={"PageSize": 7})
found["scanned"] = sum(page["Count"] for page in pages)

table.update_item(Key={"artist": "a0", "song": "s00"}, UpdateExpression="ADD plays :one, tags :t",
                  ExpressionAttributeValues={":one": 1, ":t": {"w"}})
item = table.get_item(Key={"artist": "a0", "song": "s00"}, ConsistentRead=True)["Item"]
found["updated"] = {"plays": int(item["plays"]), "tags": sorted(item["tags"])}
found["conditionFailed"] = error_of(lambda: table.put_item(
    Item={"artist": "a0", "song": "s00"}, ConditionExpression=Attr("artist").not_exists()))
found["deleted"] = table.delete_item(Key={"artist": "a0", "song": "s03"}, ReturnValues="ALL_OLD")["Attributes"]["song"]
found["badKey"] = error_of(lambda: table.get_item(Key={"artist": "a0"}))
found["syntax"] = error_of(lambda: table.query(KeyConditionExpression="artist = :a AND",
                                               ExpressionAttributeValues={":a": "a0"}))
found["unused"] = error_of(lambda: client.get_item(TableName="boto3-music",
                                                   Key={"artist": {"S": "a0"}, "song": {"S": "s00"}},
                                                   ProjectionExpression="song",
                                                   ExpressionAttributeNames={"#x": "x"}))
found["namesWithoutExpression"] = error_of(lambda: client.get_item(
    TableName="boto3-music", Key={"artist": {"S": "a0"}, "song": {"S": "s00"}}, ExpressionAttributeNames={"#x": "x"}))
found["transaction"] = error_of(lambda: client.transact_write_items(TransactItems=[
    {"ConditionCheck": {"TableName": "boto3-music", "Key": {"artist": {"S": "a0"}, "song": {"S": "s00"}},
                        "ConditionExpression": "plays > :p", "ExpressionAttributeValues": {":p": {"N": "100"}}}},
    {"Delete": {"TableName": "boto3-music", "Key": {"artist": {"S": "a1"}, "song": {"S": "s01"}}}}]))
found["stillThere"] = "Item" in client.get_item(TableName="boto3-music",
                                                Key={"artist": {"S": "a1"}, "song": {"S": "s01"}})

# Another account reads through the table's resource policy, naming the table by its ARN.
arn = client.describe_table(TableName="boto3-music")["Table"]["TableArn"]
other = session("DEST").resource("dynamodb").Table(arn)
found["otherDenied"] = error_of(lambda: other.get_item(Key={"artist": "a1", "song": "s01"}))
client.put_resource_policy(ResourceArn=arn, Policy=json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                                            "Principal": {"AWS": "arn:aws:iam::%s:root" % sys.argv[1]},
                                            "Action": "dynamodb:Query", "Resource": arn}]}))
found["otherQuery"] = len(other.query(KeyConditionExpression=Key("artist").eq("a1"))["Items"])
found["otherGetStillDenied"] = error_of(lambda: other.get_item(Key={"artist": "a1", "song": "s01"}))

table.delete()
found["gone"] = error_of(lambda: client.describe_table(TableName="boto3-music"))
print(json.dumps(found))
