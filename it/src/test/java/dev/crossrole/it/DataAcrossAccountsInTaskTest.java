package dev.crossrole.it;

import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The second walkthrough from inside a running task: its task role (111122223333) reads, with the container's
 * credentials, a secret and an SSE-KMS object of 555566667777 under that account's customer key — through the AWS CLI
 * and through boto3 in the container — and is refused with AWS's errors once the key policy no longer names it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DataAcrossAccountsInTaskTest {
    static TestCrossrole crossrole;
    static Path work;
    static String keyArn;
    static String secretArn;
    static String taskId;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        work = Files.createTempDirectory("crossrole-data-in-task");
        try (IamClient iam = IamSdk.iam(crossrole, crossrole.adminCredentials(SOURCE))) {
            iam.createRole(r -> r.roleName("app-task").assumeRolePolicyDocument("{\"Version\":\"2012-10-17\","
                    + "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ecs-tasks.amazonaws.com\"},"
                    + "\"Action\":\"sts:AssumeRole\"}]}"));
            iam.putRolePolicy(r -> r.roleName("app-task").policyName("read-team-data")
                    .policyDocument(DataAcrossAccountsWalkthroughTest.IDENTITY));
        }
        try (KmsClient kms = KmsSdkTest.client(crossrole, crossrole.adminCredentials(DESTINATION));
             SecretsManagerClient secrets = SecretsManagerSdkTest.client(crossrole, crossrole.adminCredentials(DESTINATION));
             S3Client s3 = S3Sdk.pathStyle(crossrole, crossrole.adminCredentials(DESTINATION))) {
            keyArn = kms.createKey(r -> r.policy(DataAcrossAccountsWalkthroughTest.KEY_POLICY)).keyMetadata().arn();
            secretArn = secrets.createSecret(r -> r.name("team/api-key").secretString("k3y").kmsKeyId(keyArn)).arn();
            secrets.putResourcePolicy(r -> r.secretId(secretArn)
                    .resourcePolicy(DataAcrossAccountsWalkthroughTest.SECRET_POLICY));
            s3.createBucket(r -> r.bucket(DataAcrossAccountsWalkthroughTest.BUCKET));
            s3.putBucketPolicy(r -> r.bucket(DataAcrossAccountsWalkthroughTest.BUCKET)
                    .policy(DataAcrossAccountsWalkthroughTest.BUCKET_POLICY));
            s3.putObject(r -> r.bucket(DataAcrossAccountsWalkthroughTest.BUCKET).key("report.csv")
                    .serverSideEncryption(ServerSideEncryption.AWS_KMS).ssekmsKeyId(keyArn),
                    RequestBody.fromString("q1,42\n"));
        }
        try (EcsClient ecs = EcsSdk.ecs(crossrole, crossrole.adminCredentials(SOURCE))) {
            ecs.registerTaskDefinition(r -> r.family("team-reader").taskRoleArn(DataAcrossAccountsWalkthroughTest.TASK_ROLE)
                    .containerDefinitions(ContainerDefinition.builder().name("app").image("local").memory(128)
                            .command("sleep", "600").build()));
            taskId = EcsSdk.id(EcsSdk.runRunning(ecs, "team-reader").taskArn());
        }
    }

    @AfterAll
    static void stop() throws Exception {
        crossrole.close();
    }

    private static Run inTask(String... command) throws Exception {
        List<String> args = new ArrayList<>(List.of("exec", "--endpoint", crossrole.endpoint(), "--data-dir",
                crossrole.dataDir.toString(), "--task", taskId, "--"));
        args.addAll(List.of(command));
        return CrossroleCommand.run(work, args.toArray(String[]::new));
    }

    @Test
    @Order(1)
    void theCliInTheTaskReadsTheSecretAndTheObject() throws Exception {
        Run secret = inTask("aws", "secretsmanager", "get-secret-value", "--secret-id", secretArn, "--query",
                "SecretString", "--output", "text");
        assertEquals(0, secret.exit(), secret.toString());
        assertEquals("k3y", secret.stdout().strip());
        Run object = inTask("aws", "s3", "cp", "s3://team-data/report.csv", "-");
        assertEquals(0, object.exit(), object.toString());
        assertEquals("q1,42\n", object.stdout());
    }

    @Test
    @Order(2)
    void boto3InTheTaskReadsThemToo() throws Exception {
        Run read = inTask("python3", "-c", String.join("\n",
                "import boto3",
                "s = boto3.client('secretsmanager', region_name='us-east-1')",
                "print(s.get_secret_value(SecretId='" + secretArn + "')['SecretString'])",
                "o = boto3.client('s3', region_name='us-east-1').get_object(Bucket='team-data', Key='report.csv')",
                "print(o['ServerSideEncryption'], o['Body'].read().decode().strip())"));
        assertEquals(0, read.exit(), read.toString());
        assertEquals("k3y\naws:kms q1,42", read.stdout().strip());
    }

    @Test
    @Order(3)
    void withoutTheKeyPolicysStatementTheTaskIsRefusedByTheKey() throws Exception {
        try (KmsClient kms = KmsSdkTest.client(crossrole, crossrole.adminCredentials(DESTINATION))) {
            kms.putKeyPolicy(r -> r.keyId(keyArn).policy(DataAcrossAccountsWalkthroughTest.KEY_POLICY_WITHOUT_READER));
        }
        Run secret = inTask("aws", "secretsmanager", "get-secret-value", "--secret-id", secretArn);
        assertTrue(secret.stderr().contains("An error occurred (AccessDeniedException) when calling the GetSecretValue"
                + " operation: Access to KMS is not allowed"), secret.toString());
        Run object = inTask("aws", "s3api", "get-object", "--bucket", "team-data", "--key", "report.csv",
                "/dev/null");
        assertTrue(object.stderr().contains("An error occurred (AccessDenied) when calling the GetObject operation"),
                object.toString());
    }
}
