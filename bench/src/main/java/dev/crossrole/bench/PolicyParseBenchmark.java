package dev.crossrole.bench;

import dev.crossrole.policy.InvalidPolicyException;
import dev.crossrole.policy.Policies;
import dev.crossrole.policy.Policy;
import dev.crossrole.policy.PolicyKind;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code parseAndValidate6KbPolicy}: {@link Policies#parse} (validation as an identity policy, then
 * compilation) of a realistic identity policy of 24 statements whose size without whitespace is just
 * under IAM's 6,144-character quota for managed policies. A sample-time variant gives the latency
 * distribution in microseconds, a throughput variant parses per second on one thread.
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(1)
public class PolicyParseBenchmark {

    /** The managed-policy quota counts characters other than whitespace. */
    static final int QUOTA = 6144;

    static final String POLICY_6KB = """
            {
              "Version": "2012-10-17",
              "Id": "analytics-platform-task-role",
              "Statement": [
                {
                  "Sid": "ReadTeamBucket",
                  "Effect": "Allow",
                  "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectTagging"],
                  "Resource": ["arn:aws:s3:::team-bucket/${aws:PrincipalTag/team}/*", "arn:aws:s3:::team-bucket/reports/*"]
                },
                {
                  "Sid": "ListTeamPrefix",
                  "Effect": "Allow",
                  "Action": "s3:ListBucket",
                  "Resource": "arn:aws:s3:::team-bucket",
                  "Condition": {"StringLike": {"s3:prefix": ["${aws:PrincipalTag/team}/*", "reports/*", ""]}}
                },
                {
                  "Sid": "WriteTeamPrefixEncrypted",
                  "Effect": "Allow",
                  "Action": ["s3:PutObject", "s3:PutObjectTagging", "s3:AbortMultipartUpload"],
                  "Resource": "arn:aws:s3:::team-bucket/${aws:PrincipalTag/team}/*",
                  "Condition": {"StringEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}, "Bool": {"aws:SecureTransport": "true"}}
                },
                {
                  "Sid": "DenyDeleteWithoutMfa",
                  "Effect": "Deny",
                  "Action": ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:DeleteBucket", "s3:PutBucketPolicy"],
                  "Resource": ["arn:aws:s3:::team-bucket", "arn:aws:s3:::team-bucket/*"],
                  "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}
                },
                {
                  "Sid": "AthenaQueries",
                  "Effect": "Allow",
                  "Action": ["athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults", "athena:StopQueryExecution"],
                  "Resource": "arn:aws:athena:us-east-1:111122223333:workgroup/analytics-*"
                },
                {
                  "Sid": "GlueCatalogRead",
                  "Effect": "Allow",
                  "Action": ["glue:GetDatabase", "glue:GetDatabases", "glue:GetTable", "glue:GetTables", "glue:GetPartitions"],
                  "Resource": [
                    "arn:aws:glue:us-east-1:111122223333:catalog",
                    "arn:aws:glue:us-east-1:111122223333:database/analytics_*",
                    "arn:aws:glue:us-east-1:111122223333:table/analytics_*/*"
                  ]
                },
                {
                  "Sid": "DynamoTeamTables",
                  "Effect": "Allow",
                  "Action": ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem"],
                  "Resource": [
                    "arn:aws:dynamodb:us-east-1:111122223333:table/${aws:PrincipalTag/team}-*",
                    "arn:aws:dynamodb:us-east-1:111122223333:table/${aws:PrincipalTag/team}-*/index/*"
                  ],
                  "Condition": {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["${aws:PrincipalTag/team}#*"]}}
                },
                {
                  "Sid": "QueuesAndTopics",
                  "Effect": "Allow",
                  "Action": ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sns:Publish"],
                  "Resource": [
                    "arn:aws:sqs:us-east-1:111122223333:analytics-*",
                    "arn:aws:sns:us-east-1:111122223333:analytics-events"
                  ]
                },
                {
                  "Sid": "KmsForS3AndSecrets",
                  "Effect": "Allow",
                  "Action": ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
                  "Resource": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                  "Condition": {"StringEquals": {"kms:ViaService": ["s3.us-east-1.amazonaws.com", "secretsmanager.us-east-1.amazonaws.com"]}}
                },
                {
                  "Sid": "TeamSecrets",
                  "Effect": "Allow",
                  "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                  "Resource": "arn:aws:secretsmanager:us-east-1:111122223333:secret:analytics/*",
                  "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}, "DateLessThan": {"aws:CurrentTime": "2027-12-31T23:59:59Z"}}
                },
                {
                  "Sid": "TeamParameters",
                  "Effect": "Allow",
                  "Action": ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"],
                  "Resource": "arn:aws:ssm:us-east-1:111122223333:parameter/analytics/${aws:PrincipalTag/team}/*"
                },
                {
                  "Sid": "Logs",
                  "Effect": "Allow",
                  "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                  "Resource": ["arn:aws:logs:us-east-1:111122223333:log-group:/ecs/analytics-*", "arn:aws:logs:us-east-1:111122223333:log-group:/ecs/analytics-*:log-stream:*"]
                },
                {
                  "Sid": "Metrics",
                  "Effect": "Allow",
                  "Action": ["cloudwatch:PutMetricData", "xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules"],
                  "Resource": "*",
                  "Condition": {"StringEqualsIfExists": {"cloudwatch:namespace": ["Analytics/Jobs", "Analytics/Ingest"]}}
                },
                {
                  "Sid": "PullImages",
                  "Effect": "Allow",
                  "Action": ["ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
                  "Resource": "*"
                },
                {
                  "Sid": "DescribeCompute",
                  "Effect": "Allow",
                  "Action": ["ec2:Describe*", "ecs:ListClusters", "ecs:DescribeClusters", "ecs:ListTasks", "ecs:DescribeTasks"],
                  "Resource": "*"
                },
                {
                  "Sid": "StartStopTeamInstances",
                  "Effect": "Allow",
                  "Action": ["ec2:StartInstances", "ec2:StopInstances", "ec2:RebootInstances"],
                  "Resource": "arn:aws:ec2:us-east-1:111122223333:instance/*",
                  "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}, "IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "198.51.100.0/24"]}}
                },
                {
                  "Sid": "TagOwnResources",
                  "Effect": "Allow",
                  "Action": ["ec2:CreateTags", "dynamodb:TagResource", "sqs:TagQueue"],
                  "Resource": "*",
                  "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "project", "cost-center"]}, "StringEquals": {"aws:RequestTag/team": "${aws:PrincipalTag/team}"}}
                },
                {
                  "Sid": "PassTaskRoles",
                  "Effect": "Allow",
                  "Action": "iam:PassRole",
                  "Resource": "arn:aws:iam::111122223333:role/analytics-*",
                  "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}
                },
                {
                  "Sid": "AssumeDestinationRole",
                  "Effect": "Allow",
                  "Action": ["sts:AssumeRole", "sts:TagSession"],
                  "Resource": "arn:aws:iam::555566667777:role/destination-account-role"
                },
                {
                  "Sid": "KinesisIngest",
                  "Effect": "Allow",
                  "Action": ["kinesis:PutRecord", "kinesis:PutRecords", "kinesis:DescribeStream", "kinesis:GetRecords", "kinesis:GetShardIterator"],
                  "Resource": "arn:aws:kinesis:us-east-1:111122223333:stream/analytics-*"
                },
                {
                  "Sid": "EventsToTeamBus",
                  "Effect": "Allow",
                  "Action": "events:PutEvents",
                  "Resource": "arn:aws:events:us-east-1:111122223333:event-bus/analytics",
                  "Condition": {"StringLike": {"events:source": ["com.example.analytics.*"]}, "DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}}
                },
                {
                  "Sid": "DenyOutsideCorporateNetwork",
                  "Effect": "Deny",
                  "NotAction": ["sts:GetCallerIdentity", "s3:GetObject"],
                  "Resource": "*",
                  "Condition": {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24", "198.51.100.0/24", "2001:db8::/32"]}, "Bool": {"aws:ViaAWSService": "false"}}
                },
                {
                  "Sid": "DenyIamChanges",
                  "Effect": "Deny",
                  "Action": ["iam:Create*", "iam:Delete*", "iam:Put*", "iam:Attach*", "iam:Detach*", "iam:Update*"],
                  "Resource": "*"
                },
                {
                  "Sid": "DenyInsecureTransport",
                  "Effect": "Deny",
                  "Action": "s3:*",
                  "Resource": ["arn:aws:s3:::team-bucket", "arn:aws:s3:::team-bucket/*"],
                  "Condition": {"Bool": {"aws:SecureTransport": "false"}}
                }
              ]
            }""";

    private String text;

    @Setup
    public void setup() throws InvalidPolicyException {
        text = POLICY_6KB;
        int size = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                size++;
            }
        }
        if (size > QUOTA || size < QUOTA - 100) {
            throw new IllegalStateException("the policy should be just under " + QUOTA + " characters, is " + size);
        }
        Policy policy = Policies.parse(text, PolicyKind.IDENTITY, "analytics-platform-task-role");
        if (policy.statementCount() != 24) {
            throw new IllegalStateException("expected 24 statements, have " + policy.statementCount());
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Policy parseAndValidate6KbPolicy() throws InvalidPolicyException {
        return Policies.parse(text, PolicyKind.IDENTITY, "analytics-platform-task-role");
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public Policy parseAndValidate6KbPolicyThroughput() throws InvalidPolicyException {
        return Policies.parse(text, PolicyKind.IDENTITY, "analytics-platform-task-role");
    }
}
