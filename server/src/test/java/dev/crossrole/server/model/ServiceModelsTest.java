package dev.crossrole.server.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The operation tables the build prepares from AWS's models, checked against the models themselves. */
class ServiceModelsTest {
    private static final Path AWS = Path.of("src/main/aws");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode model(String id) throws IOException {
        try (Stream<Path> files = Files.walk(AWS.resolve("models").resolve(id))) {
            Path file = files.filter(f -> f.getFileName().toString().equals("service-2.json")).findFirst().orElseThrow();
            return JSON.readTree(file.toFile());
        }
    }

    @Test
    void everyModelIsATable() {
        assertEquals(new TreeSet<>(List.of("cloudtrail", "dynamodb", "ecr", "ecs", "iam", "kms", "logs", "organizations",
                "s3", "s3control", "secretsmanager", "sns", "sqs", "ssm", "sts")), ServiceModels.all().services().stream().map(ServiceModel::id).collect(java.util.stream.Collectors.toCollection(TreeSet::new)));
    }

    /** S3 Control signs for s3 as well; the signing name still leads to S3. */
    @Test
    void aSharedSigningNameIsItsOwnServices() {
        assertEquals("s3", ServiceModels.all().bySigningName("s3").id());
        assertEquals("s3", ServiceModels.all().byId("s3control").signingName());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "sts|sts|QUERY|2011-06-15|-|https://sts.amazonaws.com/doc/2011-06-15/",
        "iam|iam|QUERY|2010-05-08|-|https://iam.amazonaws.com/doc/2010-05-08/",
        "ecs|ecs|JSON|2014-11-13|AmazonEC2ContainerServiceV20141113|-",
        "s3|s3|REST_XML|2006-03-01|-|-",
        "kms|kms|JSON|2014-11-01|TrentService|-",
        "ecr|ecr|JSON|2015-09-21|AmazonEC2ContainerRegistry_V20150921|-",
        "sns|sns|QUERY|2010-03-31|-|http://sns.amazonaws.com/doc/2010-03-31/",
        "dynamodb|dynamodb|JSON|2012-08-10|DynamoDB_20120810|-"})
    void servicesAsTheirModelsDescribeThem(String signingName, String id, WireProtocol protocol, String version,
                                           String targetPrefix, String namespace) {
        ServiceModel service = ServiceModels.all().bySigningName(signingName);
        assertEquals(id, service.id());
        assertEquals(protocol, service.protocol());
        assertEquals(version, service.apiVersion());
        assertEquals(targetPrefix, service.targetPrefix());
        assertEquals(namespace, service.xmlNamespace());
    }

    @Test
    void aNameOfNoModelHasNoTable() {
        assertNull(ServiceModels.all().bySigningName("ec2"));
        assertNull(ServiceModels.all().bySigningName(null));
        assertNull(ServiceModels.all().bySigningName("iam").operation("NoSuchOperation"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sts", "iam", "ecs", "s3"})
    void everyOperationOfAServedServiceWithItsBinding(String id) throws IOException {
        JsonNode operations = model(id).get("operations");
        ServiceModel service = ServiceModels.all().byId(id);
        assertEquals(operations.size(), service.operations().size());
        for (Map.Entry<String, JsonNode> operation : (Iterable<Map.Entry<String, JsonNode>>) operations::fields) {
            OperationModel table = service.operation(operation.getKey());
            assertNotNull(table, id + ":" + operation.getKey());
            assertEquals(operation.getValue().get("http").get("method").asText(), table.httpMethod());
            assertEquals(operation.getValue().get("http").get("requestUri").asText(), table.requestUri());
        }
    }

    /**
     * Read-only is the access level of the operation's IAM action. The first five rows are ones the old rule by
     * name prefix (Get, List, Describe, Simulate) got wrong: they read, and it sent them through a write transaction.
     * GenerateCredentialReport and GenerateServiceLastAccessedDetails read by their access level, but crossrole stores
     * the report and the report job they make (operation-actions.tsv says so): they write.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "iam|GenerateServiceLastAccessedDetails|false",
        "iam|GenerateOrganizationsAccessReport|true", "s3|HeadObject|true", "s3|HeadBucket|true",
        "s3|SelectObjectContent|true", "iam|GenerateCredentialReport|false",
        "sts|AssumeRole|true", "sts|GetFederationToken|true", "sts|DecodeAuthorizationMessage|true",
        "iam|GetRole|true", "iam|ListRoles|true", "iam|SimulatePrincipalPolicy|true",
        "iam|GetAccountAuthorizationDetails|true", "iam|ListRoleTags|true",
        "iam|CreateRole|false", "iam|PutRolePolicy|false", "iam|TagRole|false", "iam|UpdateDelegationRequest|false",
        "ecs|DescribeTasks|true", "ecs|ListClusters|true", "ecs|RunTask|false", "ecs|TagResource|false",
        "ecs|RegisterTaskDefinition|false",
        "s3|GetObject|true", "s3|ListObjectsV2|true", "s3|ListBuckets|true", "s3|ListParts|true",
        "s3|PutObject|false", "s3|CopyObject|false", "s3|UploadPart|false", "s3|DeleteObjects|false",
        "s3|CompleteMultipartUpload|false", "s3|PutBucketTagging|false",
        "kms|Decrypt|true", "kms|CreateKey|false", "kms|ListKeys|true", "dynamodb|TransactGetItems|true", "dynamodb|ExecuteStatement|false"})
    void readsOnlyByTheAccessLevelOfTheAction(String id, String operation, boolean readsOnly) {
        assertEquals(readsOnly, ServiceModels.all().byId(id).operation(operation).readsOnly(), id + ":" + operation);
    }

    @Test
    void s3KeepsWhatTellsItsOperationsApart() {
        ServiceModel s3 = ServiceModels.all().byId("s3");
        assertEquals(List.of("partNumber", "uploadId"), s3.operation("UploadPart").requiredQuery());
        assertEquals(List.of("id"), s3.operation("GetBucketInventoryConfiguration").requiredQuery());
        assertTrue(s3.operation("GetBucketLifecycle").deprecated());
        assertFalse(s3.operation("GetBucketLifecycleConfiguration").deprecated());
    }

    /** Every S3 operation bound to GET or HEAD reads only: the listener's rule for S3 by method holds. */
    @Test
    void everyS3ReadByMethodReadsOnly() {
        for (OperationModel operation : ServiceModels.all().byId("s3").operations()) {
            if (operation.httpMethod().equals("GET") || operation.httpMethod().equals("HEAD")) {
                assertTrue(operation.readsOnly() || operation.name().equals("CreateSession"), operation.name());
            }
        }
    }

    @Test
    void shapesCarryTheirConstraintsAndWireNames() {
        ServiceModel iam = ServiceModels.all().byId("iam");
        OperationModel createRole = iam.operation("CreateRole");
        ShapeModel input = createRole.input();
        assertEquals("CreateRoleRequest", input.name());
        MemberModel roleName = input.member("RoleName");
        assertTrue(roleName.required());
        assertEquals(1L, roleName.shape().min());
        assertEquals(64L, roleName.shape().max());
        assertEquals("[\\w+=,.@-]+", roleName.shape().patternText());
        assertEquals(ShapeModel.Type.LIST, input.member("Tags").shape().type());
        assertEquals("CreateRoleResult", createRole.resultWrapper());
        assertEquals("CreateRoleResponse", createRole.output().name());
        assertTrue(createRole.errors().stream().anyMatch(e -> "EntityAlreadyExists".equals(e.errorCode())
                && e.errorStatus() == 409 && e.senderFault()));
        assertEquals(List.of("Active", "Inactive", "Expired"),
                iam.operation("UpdateAccessKey").input().member("Status").shape().enumValues());
        ServiceModel s3 = ServiceModels.all().byId("s3");
        MemberModel bucket = s3.operation("GetObject").input().member("Bucket");
        assertEquals("uri", bucket.location());
        assertEquals("Bucket", bucket.wireName());
        assertEquals("x-amz-request-payer", s3.operation("GetObject").input().member("RequestPayer").wireName());
        assertEquals("Body", s3.operation("PutObject").input().payload());
        assertTrue(s3.operation("PutObject").input().member("Body").streaming());
        assertEquals("1.1", ServiceModels.all().byId("ecs").jsonVersion());
        assertEquals("1.0", ServiceModels.all().byId("dynamodb").jsonVersion());
    }

    @Test
    void everyServicesShapesAreReadAndEveryPatternCompiles() {
        for (ServiceModel service : ServiceModels.all().services()) {
            for (OperationModel operation : service.operations()) {
                if (operation.input() != null) {
                    compiles(operation.input(), new java.util.HashSet<>());
                }
            }
        }
    }

    private static void compiles(ShapeModel shape, java.util.Set<String> seen) {
        if (!seen.add(shape.name())) {
            return;
        }
        if (shape.patternText() != null) {
            assertTrue(shape.pattern() != null, shape + " has a pattern Java cannot read: " + shape.patternText());
        }
        for (MemberModel member : shape.members().values()) {
            compiles(member.shape(), seen);
        }
        for (MemberModel part : java.util.Arrays.asList(shape.member(), shape.key(), shape.value())) {
            if (part != null) {
                compiles(part.shape(), seen);
            }
        }
    }

    // ---- the generator refuses what it cannot decide ---------------------------------------------------------------

    private static Path miniature(Path dir, String operations, String actions) throws IOException {
        Path models = dir.resolve("models/demo/2020-01-01");
        Files.createDirectories(models);
        Files.writeString(models.resolve("service-2.json"), "{\"metadata\":{\"protocol\":\"json\",\"apiVersion\":"
                + "\"2020-01-01\",\"endpointPrefix\":\"demo\",\"targetPrefix\":\"Demo\"},\"operations\":{" + operations
                + "},\"shapes\":{}}");
        Files.createDirectories(dir.resolve("actions"));
        Files.writeString(dir.resolve("actions/demo.json"), "{" + actions + "}");
        return dir;
    }

    private static final String READ_THING = "\"ReadThing\":{\"http\":{\"method\":\"POST\",\"requestUri\":\"/\"}}";

    @Test
    void theGeneratorWritesWhatTheReferenceDecides(@TempDir Path dir) throws IOException {
        miniature(dir, READ_THING, "\"readthing\":{\"accessLevel\":\"List\"}");
        Files.writeString(dir.resolve("decisions.tsv"), "# none\n");
        String table = OperationTableGenerator.generate(dir.resolve("models"), dir.resolve("actions"),
                dir.resolve("decisions.tsv"));
        assertEquals("service\tdemo\tdemo\tjson\t2020-01-01\tDemo\t\t\noperation\tReadThing\tPOST\t/\tread\t\t\t\t\t\t\t\n",
                table);
    }

    @Test
    void theGeneratorRefusesAnOperationWithoutAnAction(@TempDir Path dir) throws IOException {
        miniature(dir, READ_THING, "");
        Files.writeString(dir.resolve("decisions.tsv"), "");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> OperationTableGenerator.generate(
                dir.resolve("models"), dir.resolve("actions"), dir.resolve("decisions.tsv")));
        assertTrue(e.getMessage().contains("demo:ReadThing has no action"), e.getMessage());
    }

    @Test
    void theGeneratorRefusesADecisionForAnOperationOfNoModel(@TempDir Path dir) throws IOException {
        miniature(dir, READ_THING, "\"readthing\":{\"accessLevel\":\"Read\"}");
        Files.writeString(dir.resolve("decisions.tsv"), "demo\tGone\t=Write\tremoved from the model\n");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> OperationTableGenerator.generate(
                dir.resolve("models"), dir.resolve("actions"), dir.resolve("decisions.tsv")));
        assertTrue(e.getMessage().contains("demo:Gone"), e.getMessage());
    }

    @Test
    void anAccessLevelTheGeneratorDoesNotKnowIsRefused() {
        assertThrows(IllegalStateException.class, () -> OperationTableGenerator.readsOnly("Admin", "demo:X"));
    }
}
