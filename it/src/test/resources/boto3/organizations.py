"""AWS Organizations through boto3: the source account's administrator creates an organization (the destination
account joins it), an OU, moves the destination account into it, enables SCPs and attaches one denying iam:ListUsers,
which the destination account's administrator then meets; creates, tags and closes an account; prints what it found as one JSON document for the Java
test to check."""
import json
import os

import boto3
from botocore.exceptions import ClientError


def client(service, prefix):
    return boto3.client(service, region_name="us-east-1", aws_access_key_id=os.environ[prefix + "_KEY"],
                        aws_secret_access_key=os.environ[prefix + "_SECRET"])


def error_of(call):
    try:
        call()
    except ClientError as e:
        return {"code": e.response["Error"]["Code"], "status": e.response["ResponseMetadata"]["HTTPStatusCode"],
                "message": e.response["Error"].get("Message")}
    return None


orgs = client("organizations", "SOURCE")
member_orgs = client("organizations", "DEST")
member_iam = client("iam", "DEST")
found = {}

found["before"] = error_of(lambda: orgs.describe_organization())
organization = orgs.create_organization(FeatureSet="ALL")["Organization"]
found["organization"] = {"id": organization["Id"], "master": organization["MasterAccountId"]}
found["memberSees"] = member_orgs.describe_organization()["Organization"]["Id"]
found["memberManages"] = error_of(lambda: member_orgs.list_roots())
root = orgs.list_roots()["Roots"][0]["Id"]
unit = orgs.create_organizational_unit(ParentId=root, Name="sandbox")["OrganizationalUnit"]["Id"]
found["duplicate"] = error_of(lambda: orgs.create_organizational_unit(ParentId=root, Name="sandbox"))
member = [a["Id"] for a in orgs.list_accounts()["Accounts"] if a["Id"] != organization["MasterAccountId"]][0]
orgs.move_account(AccountId=member, SourceParentId=root, DestinationParentId=unit)
found["parents"] = orgs.list_parents(ChildId=member)["Parents"]
# The paginator follows NextToken one account at a time.
pages = orgs.get_paginator("list_accounts").paginate(PaginationConfig={"PageSize": 1})
found["accounts"] = [a["Id"] for page in pages for a in page["Accounts"]]

orgs.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
policy = orgs.create_policy(Name="DenyListUsers", Description="no listing", Type="SERVICE_CONTROL_POLICY",
                            Content=json.dumps({"Version": "2012-10-17", "Statement": [
                                {"Effect": "Deny", "Action": "iam:ListUsers", "Resource": "*"}]}))
policy_id = policy["Policy"]["PolicySummary"]["Id"]
found["allowedBefore"] = error_of(lambda: member_iam.list_users()) is None
orgs.attach_policy(PolicyId=policy_id, TargetId=unit)
found["denied"] = error_of(lambda: member_iam.list_users())
found["unitPolicies"] = sorted(p["Name"] for p in orgs.list_policies_for_target(
    TargetId=unit, Filter="SERVICE_CONTROL_POLICY")["Policies"])
orgs.detach_policy(PolicyId=policy_id, TargetId=unit)
found["allowedAfter"] = error_of(lambda: member_iam.list_users()) is None

status = orgs.create_account(Email="dev@example.com", AccountName="dev",
                             Tags=[{"Key": "team", "Value": "data"}])["CreateAccountStatus"]
found["created"] = orgs.describe_create_account_status(CreateAccountRequestId=status["Id"])["CreateAccountStatus"]
found["created"] = {k: v for k, v in found["created"].items() if k in ("State", "AccountId", "AccountName")}
new_account = found["created"]["AccountId"]
found["createdTags"] = orgs.list_tags_for_resource(ResourceId=new_account)["Tags"]
orgs.tag_resource(ResourceId=unit, Tags=[{"Key": "env", "Value": "sandbox"}])
orgs.untag_resource(ResourceId=new_account, TagKeys=["team"])
found["unitTags"] = orgs.list_tags_for_resource(ResourceId=unit)["Tags"]
found["afterUntag"] = orgs.list_tags_for_resource(ResourceId=new_account)["Tags"]
orgs.close_account(AccountId=new_account)
found["closed"] = orgs.describe_account(AccountId=new_account)["Account"]["Status"]
found["closedAgain"] = error_of(lambda: orgs.close_account(AccountId=new_account))
print(json.dumps(found))
