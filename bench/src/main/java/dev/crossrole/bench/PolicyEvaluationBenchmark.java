package dev.crossrole.bench;

import dev.crossrole.policy.AuthorizationRequest;
import dev.crossrole.policy.Decision;
import dev.crossrole.policy.Outcome;
import dev.crossrole.policy.Policies;
import dev.crossrole.policy.Policy;
import dev.crossrole.policy.PolicyEngine;
import dev.crossrole.policy.PolicyKind;
import dev.crossrole.policy.PolicySet;
import dev.crossrole.policy.Principal;
import dev.crossrole.policy.RequestContext;
import java.util.List;
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
 * One authorization decision, with every policy parsed beforehand.
 *
 * <ul>
 *   <li>{@code walkthroughAssumeRole}: the ECS task-role session of account 111122223333 calls
 *       {@code sts:AssumeRole} on {@code destination-account-role} in 555566667777 (the project's
 *       acceptance walkthrough): one identity policy, one trust policy, cross-account.</li>
 *   <li>{@code s3GetObjectTwentyStatements}: a role session reads an object of a bucket in its own
 *       account; its identity policy has 20 statements with conditions and policy variables, and the
 *       bucket policy has conditional Allow and Deny statements.</li>
 * </ul>
 *
 * Each has a sample-time variant (latency distribution in microseconds) and a throughput variant
 * (decisions per second on one thread).
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(1)
public class PolicyEvaluationBenchmark {

    static final String TASK_ID = "0f3c9a2b7d5e4f61a8b9c0d1e2f3a4b5";

    static final String WALKTHROUGH_IDENTITY = """
            {
              "Version": "2012-10-17",
              "Statement": {
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Resource": "arn:aws:iam::555566667777:role/destination-account-role"
              }
            }""";

    static final String WALKTHROUGH_TRUST = """
            {
              "Version": "2012-10-17",
              "Statement": [{
                "Effect": "Allow",
                "Principal": { "AWS": "arn:aws:iam::111122223333:role/my-ECS-task-role" },
                "Action": "sts:AssumeRole"
              }]
            }""";

    /** 20 statements: the one that grants (#16) sits among Denies that are evaluated and statements for other services. */
    static final String TWENTY_STATEMENTS = """
            {
              "Version": "2012-10-17",
              "Statement": [
                {"Sid": "ListTeamPrefix", "Effect": "Allow", "Action": "s3:ListBucket",
                 "Resource": "arn:aws:s3:::team-bucket",
                 "Condition": {"StringLike": {"s3:prefix": ["${aws:PrincipalTag/team}/*", "reports/*"]}}},
                {"Sid": "ReadOwnTeamPrefix", "Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectVersion"],
                 "Resource": "arn:aws:s3:::team-bucket/${aws:PrincipalTag/team}/*"},
                {"Sid": "WriteOwnTeamPrefix", "Effect": "Allow", "Action": "s3:PutObject",
                 "Resource": "arn:aws:s3:::team-bucket/${aws:PrincipalTag/team}/*",
                 "Condition": {"StringEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}},
                {"Sid": "DescribeEc2", "Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"},
                {"Sid": "StartStopTeamInstances", "Effect": "Allow", "Action": ["ec2:StartInstances", "ec2:StopInstances"],
                 "Resource": "arn:aws:ec2:us-east-1:111122223333:instance/*",
                 "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}},
                {"Sid": "ReadBooks", "Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query"],
                 "Resource": "arn:aws:dynamodb:us-east-1:111122223333:table/Books",
                 "Condition": {"ForAllValues:StringEquals": {"dynamodb:Attributes": ["Id", "Title", "Author"]}}},
                {"Sid": "Logs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                 "Resource": "arn:aws:logs:us-east-1:111122223333:log-group:/ecs/analytics-*"},
                {"Sid": "KmsViaS3", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                 "Resource": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                 "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}},
                {"Sid": "Queues", "Effect": "Allow", "Action": ["sqs:SendMessage", "sqs:ReceiveMessage"],
                 "Resource": "arn:aws:sqs:us-east-1:111122223333:analytics-*"},
                {"Sid": "TeamParameters", "Effect": "Allow", "Action": "ssm:GetParameter*",
                 "Resource": "arn:aws:ssm:us-east-1:111122223333:parameter/team/${aws:PrincipalTag/team}/*"},
                {"Sid": "SecretsThisYear", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
                 "Resource": "arn:aws:secretsmanager:us-east-1:111122223333:secret:analytics/*",
                 "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"},
                               "DateLessThan": {"aws:CurrentTime": "2027-01-01T00:00:00Z"}}},
                {"Sid": "Clusters", "Effect": "Allow", "Action": ["ecs:ListClusters", "ecs:DescribeClusters"], "Resource": "*"},
                {"Sid": "DenyDeleteWithoutMfa", "Effect": "Deny", "Action": ["s3:DeleteObject", "s3:DeleteBucket"],
                 "Resource": ["arn:aws:s3:::team-bucket", "arn:aws:s3:::team-bucket/*"],
                 "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}},
                {"Sid": "DenyOutsideNetwork", "Effect": "Deny", "Action": "*", "Resource": "*",
                 "Condition": {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24", "198.51.100.0/24"]},
                               "Bool": {"aws:ViaAWSService": "false"}}},
                {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Action": "s3:*", "Resource": "*",
                 "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
                {"Sid": "ReadReports", "Effect": "Allow", "Action": "s3:GetObject",
                 "Resource": "arn:aws:s3:::team-bucket/reports/*",
                 "Condition": {"StringEquals": {"aws:PrincipalTag/team": ["analytics", "finance"]},
                               "IpAddress": {"aws:SourceIp": "203.0.113.0/24"},
                               "DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}}},
                {"Sid": "ReadTaggedObjects", "Effect": "Allow", "Action": "s3:Get*",
                 "Resource": "arn:aws:s3:::team-bucket/*",
                 "Condition": {"ForAnyValue:StringLike": {"aws:TagKeys": ["team*", "cost-center"]},
                               "StringEquals": {"aws:PrincipalTag/team": "finance"}}},
                {"Sid": "DenyIam", "Effect": "Deny", "Action": "iam:*", "Resource": "*"},
                {"Sid": "AssumeDestination", "Effect": "Allow", "Action": "sts:AssumeRole",
                 "Resource": "arn:aws:iam::555566667777:role/destination-account-role"},
                {"Sid": "Metrics", "Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*",
                 "Condition": {"StringEquals": {"cloudwatch:namespace": "Analytics"}}}
              ]
            }""";

    static final String BUCKET_POLICY = """
            {
              "Version": "2012-10-17",
              "Statement": [
                {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                 "Resource": ["arn:aws:s3:::team-bucket", "arn:aws:s3:::team-bucket/*"],
                 "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
                {"Sid": "AnalyticsRoleReadsReports", "Effect": "Allow",
                 "Principal": {"AWS": "arn:aws:iam::111122223333:role/analytics-role"},
                 "Action": ["s3:GetObject", "s3:GetObjectVersion"],
                 "Resource": "arn:aws:s3:::team-bucket/reports/*",
                 "Condition": {"StringEquals": {"aws:PrincipalAccount": "111122223333"}}},
                {"Sid": "DenyUnencryptedUploads", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
                 "Resource": "arn:aws:s3:::team-bucket/*",
                 "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}},
                {"Sid": "PartnerReadsShared", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::555566667777:root"},
                 "Action": "s3:GetObject", "Resource": "arn:aws:s3:::team-bucket/shared/*"}
              ]
            }""";

    private PolicyEngine engine;
    private AuthorizationRequest walkthroughRequest;
    private PolicySet walkthroughPolicies;
    private AuthorizationRequest s3Request;
    private PolicySet s3Policies;

    @Setup
    public void setup() throws Exception {
        engine = new PolicyEngine();

        Policy identity = Policies.parse(WALKTHROUGH_IDENTITY, PolicyKind.IDENTITY, "my-ECS-task-role-policy");
        Policy trust = Policies.parse(WALKTHROUGH_TRUST, PolicyKind.TRUST, "destination-account-role-trust");
        walkthroughRequest = new AuthorizationRequest(
                Principal.parse("arn:aws:sts::111122223333:assumed-role/my-ECS-task-role/" + TASK_ID),
                "sts:AssumeRole", "arn:aws:iam::555566667777:role/destination-account-role", null,
                RequestContext.empty());
        walkthroughPolicies = PolicySet.builder().identity(identity).resource(trust).build();

        Policy twenty = Policies.parse(TWENTY_STATEMENTS, PolicyKind.IDENTITY, "analytics-role-policy");
        if (twenty.statementCount() != 20) {
            throw new IllegalStateException("expected 20 statements, have " + twenty.statementCount());
        }
        Policy bucket = Policies.parse(BUCKET_POLICY, PolicyKind.RESOURCE, "team-bucket-policy");
        s3Request = new AuthorizationRequest(
                Principal.parse("arn:aws:sts::111122223333:assumed-role/analytics-role/etl-worker-7"),
                "s3:GetObject", "arn:aws:s3:::team-bucket/reports/2026/q3.csv", "111122223333",
                RequestContext.builder()
                        .single("aws:PrincipalTag/team", "analytics")
                        .single("aws:SourceIp", "203.0.113.25")
                        .single("aws:SecureTransport", "true")
                        .single("aws:ViaAWSService", "false")
                        .single("aws:MultiFactorAuthPresent", "false")
                        .multi("aws:TagKeys", List.of("project", "owner"))
                        .build());
        s3Policies = PolicySet.builder().identity(twenty).resource(bucket).build();

        // The benchmarks measure the paths they are named after: both requests are allowed.
        expectAllowed(engine.evaluate(walkthroughRequest, walkthroughPolicies), "walkthrough");
        expectAllowed(engine.evaluate(s3Request, s3Policies), "s3");
    }

    private static void expectAllowed(Decision decision, String which) {
        if (decision.outcome() != Outcome.ALLOW) {
            throw new IllegalStateException(which + " request not allowed: " + decision.accessDeniedMessage());
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Decision walkthroughAssumeRole() {
        return engine.evaluate(walkthroughRequest, walkthroughPolicies);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public Decision walkthroughAssumeRoleThroughput() {
        return engine.evaluate(walkthroughRequest, walkthroughPolicies);
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Decision s3GetObjectTwentyStatements() {
        return engine.evaluate(s3Request, s3Policies);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public Decision s3GetObjectTwentyStatementsThroughput() {
        return engine.evaluate(s3Request, s3Policies);
    }
}
