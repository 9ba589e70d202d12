"""KMS, Secrets Manager, Parameter Store, CloudWatch Logs and ECR through boto3, as the source account's
administrator; prints what it found as one JSON document for the Java test to check."""
import base64
import json
import os
import time

import boto3
from botocore.exceptions import ClientError

session = boto3.Session(aws_access_key_id=os.environ["SOURCE_KEY"],
                        aws_secret_access_key=os.environ["SOURCE_SECRET"], region_name="us-east-1")
found = {}


def error_of(call):
    try:
        call()
    except ClientError as e:
        return {"code": e.response["Error"]["Code"], "message": e.response["Error"].get("Message"),
                "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}
    return None


kms = session.client("kms")
key = kms.create_key(Description="boto3")["KeyMetadata"]["KeyId"]
kms.create_alias(AliasName="alias/boto3", TargetKeyId=key)
blob = kms.encrypt(KeyId="alias/boto3", Plaintext=b"hello", EncryptionContext={"app": "web"})["CiphertextBlob"]
found["kmsDecrypted"] = kms.decrypt(CiphertextBlob=blob, EncryptionContext={"app": "web"})["Plaintext"].decode()
found["kmsWrongContext"] = error_of(lambda: kms.decrypt(CiphertextBlob=blob, EncryptionContext={"app": "db"}))

secrets = session.client("secretsmanager")
arn = secrets.create_secret(Name="boto3/db", SecretString=json.dumps({"password": "p"}), KmsKeyId=key)["ARN"]
secrets.put_secret_value(SecretId=arn, SecretString=json.dumps({"password": "q"}))
found["secretCurrent"] = json.loads(secrets.get_secret_value(SecretId="boto3/db")["SecretString"])["password"]
found["secretPrevious"] = json.loads(secrets.get_secret_value(SecretId=arn, VersionStage="AWSPREVIOUS")
                                     ["SecretString"])["password"]
batch = secrets.batch_get_secret_value(SecretIdList=["boto3/db", "boto3/none"])
found["secretBatch"] = {"values": len(batch["SecretValues"]), "errors": [e["ErrorCode"] for e in batch["Errors"]]}

ssm = session.client("ssm")
ssm.put_parameter(Name="/boto3/app/token", Value="t0k3n", Type="SecureString")
ssm.put_parameter(Name="/boto3/app/host", Value="db1", Type="String")
found["parameterDecrypted"] = ssm.get_parameter(Name="/boto3/app/token", WithDecryption=True)["Parameter"]["Value"]
found["parametersByPath"] = sorted(p["Name"] for page in ssm.get_paginator("get_parameters_by_path")
                                   .paginate(Path="/boto3", Recursive=True) for p in page["Parameters"])
found["parameterMissing"] = error_of(lambda: ssm.get_parameter(Name="/boto3/none"))

logs = session.client("logs")
logs.create_log_group(logGroupName="/boto3/app")
logs.create_log_stream(logGroupName="/boto3/app", logStreamName="web")
now = int(time.time() * 1000)
logs.put_log_events(logGroupName="/boto3/app", logStreamName="web",
                    logEvents=[{"timestamp": now + i, "message": "line %d %s" % (i, "ERROR" if i % 2 else "INFO")}
                               for i in range(5)])
found["logEventsPaged"] = [e["message"] for page in logs.get_paginator("filter_log_events")
                           .paginate(logGroupName="/boto3/app", filterPattern="ERROR",
                                     PaginationConfig={"PageSize": 1}) for e in page["events"]]
found["logGroupArn"] = logs.describe_log_groups(logGroupNamePrefix="/boto3")["logGroups"][0]["arn"]
found["logsMissingStream"] = error_of(lambda: logs.put_log_events(
    logGroupName="/boto3/app", logStreamName="none", logEvents=[{"timestamp": now, "message": "x"}]))

ecr = session.client("ecr")
repository = ecr.create_repository(repositoryName="boto3/app")["repository"]
found["ecrRepositoryUri"] = repository["repositoryUri"]
token = ecr.get_authorization_token()["authorizationData"][0]
found["ecrTokenUser"] = base64.b64decode(token["authorizationToken"]).decode().split(":")[0]
found["ecrMissing"] = error_of(lambda: ecr.describe_repositories(repositoryNames=["boto3/none"]))

print(json.dumps(found))
