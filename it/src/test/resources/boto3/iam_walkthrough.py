"""Steps 1 and 2 of the walkthrough with boto3, against the endpoint in AWS_ENDPOINT_URL.

usage: iam_walkthrough.py WALKTHROUGH_DIR
Credentials: SOURCE_KEY/SOURCE_SECRET (account 111122223333), DEST_KEY/DEST_SECRET (555566667777).
Prints one JSON object with what boto3 returned, for the Java test to check.
"""
import json
import os
import sys

import boto3
from botocore.exceptions import ClientError

folder = sys.argv[1]


def read(name):
    with open(os.path.join(folder, name)) as f:
        return f.read()


def iam(prefix):
    session = boto3.Session(aws_access_key_id=os.environ[prefix + "_KEY"],
                            aws_secret_access_key=os.environ[prefix + "_SECRET"], region_name="us-east-1")
    return session.client("iam")


def error(call):
    try:
        call()
    except ClientError as e:
        return {"Code": e.response["Error"]["Code"], "Message": e.response["Error"]["Message"],
                "Status": e.response["ResponseMetadata"]["HTTPStatusCode"]}
    return None


step1, step2, ecs = read("step1-identity-policy.json"), read("step2-trust-policy.json"), read("ecs-tasks-trust-policy.json")
source, destination = iam("SOURCE"), iam("DEST")
out = {}

created = source.create_role(RoleName="my-ECS-task-role", AssumeRolePolicyDocument=ecs)["Role"]
out["taskRoleArn"] = created["Arn"]
out["taskRoleTrust"] = created["AssumeRolePolicyDocument"]
source.put_role_policy(RoleName="my-ECS-task-role", PolicyName="assume-destination-account-role", PolicyDocument=step1)
out["taskRolePolicy"] = source.get_role_policy(RoleName="my-ECS-task-role",
                                               PolicyName="assume-destination-account-role")["PolicyDocument"]

out["destinationRoleArn"] = destination.create_role(RoleName="destination-account-role",
                                                    AssumeRolePolicyDocument=step2)["Role"]["Arn"]
role = destination.get_role(RoleName="destination-account-role")["Role"]
out["destinationRoleTrust"] = role["AssumeRolePolicyDocument"]
out["destinationRoleMaxSessionDuration"] = role["MaxSessionDuration"]
out["listedRoles"] = [r["RoleName"] for r in destination.list_roles()["Roles"]]

article = step2.replace("arn:aws:iam::111122223333:role/my-ECS-task-role",
                        "arn:aws:iam::1111222233334444:role/my-ECS-task-role")
out["invalidPrincipal"] = error(lambda: destination.create_role(RoleName="article-role",
                                                                AssumeRolePolicyDocument=article))
out["deleteConflict"] = error(lambda: source.delete_role(RoleName="my-ECS-task-role"))
out["noSuchRole"] = error(lambda: source.get_role(RoleName="destination-account-role"))

print(json.dumps(out))
