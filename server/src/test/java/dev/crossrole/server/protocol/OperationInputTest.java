package dev.crossrole.server.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.crossrole.server.model.OperationModel;
import dev.crossrole.server.model.ServiceModels;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Inputs read by the model: Query and JSON codecs, and the constraint checks with AWS's wording. */
class OperationInputTest {
    private static OperationModel iam(String name) {
        return ServiceModels.all().byId("iam").operation(name);
    }

    private static OperationModel sts(String name) {
        return ServiceModels.all().byId("sts").operation(name);
    }

    private static OperationModel ecs(String name) {
        return ServiceModels.all().byId("ecs").operation(name);
    }

    private static Input query(OperationModel operation, String form) {
        return OperationInput.fromQuery(operation, QueryParams.parse(form), "ValidationError");
    }

    private static String refusal(OperationModel operation, String form) {
        AwsException e = assertThrows(AwsException.class, () -> query(operation, form));
        assertEquals("ValidationError", e.code());
        assertEquals(400, e.httpStatus());
        return e.getMessage();
    }

    @Test
    void queryListsOfStructuresAndScalarsAreReadInIndexOrder() {
        Input input = query(iam("CreateRole"), "RoleName=r&AssumeRolePolicyDocument=%7B%7D&MaxSessionDuration=7200"
                + "&Tags.member.2.Key=b&Tags.member.2.Value=2&Tags.member.1.Key=a&Tags.member.1.Value=1");
        assertEquals("r", input.string("RoleName"));
        assertEquals(7200, input.integer("MaxSessionDuration"));
        List<Input> tags = input.list("Tags");
        assertEquals(List.of("a", "b"), tags.stream().map(t -> t.string("Key")).toList());
        assertEquals("2", tags.get(1).string("Value"));
        assertNull(input.get("Path"));

        Input untag = query(iam("UntagRole"), "RoleName=r&TagKeys.member.1=x&TagKeys.member.2=y");
        assertEquals(List.of("x", "y"), untag.list("TagKeys"));
    }

    @Test
    void anEmptyListIsSentAsTheBareName() {
        Input input = query(iam("UntagRole"), "RoleName=r&TagKeys=");
        assertEquals(List.of(), input.list("TagKeys"));
    }

    @Test
    void queryMapsAreReadFromTheirEntries() {
        // SQS is not served yet, but its model has the only Query maps; the codec reads them all the same.
        OperationModel setAttributes = ServiceModels.all().byId("sns").operation("SetTopicAttributes");
        OperationModel createTopic = ServiceModels.all().byId("sns").operation("CreateTopic");
        Input input = OperationInput.fromQuery(createTopic, QueryParams.parse("Name=t&Attributes.entry.1.key=Policy"
                + "&Attributes.entry.1.value=p&Attributes.entry.2.key=DisplayName&Attributes.entry.2.value=d"),
                "InvalidParameter");
        assertEquals(Map.of("Policy", "p", "DisplayName", "d"), input.map("Attributes"));
        assertEquals("TopicArn", setAttributes.input().members().keySet().iterator().next());
    }

    @Test
    void aMissingRequiredMemberIsNamedInLowerCamelCase() {
        assertEquals("1 validation error detected: Value null at 'roleName' failed to satisfy constraint: Member must"
                + " not be null", refusal(iam("GetRole"), ""));
    }

    @Test
    void patternsAreQuotedAsTheModelWritesThem() {
        assertEquals("1 validation error detected: Value 'a b' at 'roleName' failed to satisfy constraint: Member must"
                + " satisfy regular expression pattern: [\\w+=,.@-]+", refusal(iam("GetRole"), "RoleName=a+b"));
    }

    @Test
    void oneTypeIsCheckedAlikeWhereverTheModelUsesIt() {
        String bad = "Description=%01";
        String created = refusal(iam("CreateRole"), "RoleName=r&AssumeRolePolicyDocument=%7B%7D&" + bad);
        String updated = refusal(iam("UpdateRole"), "RoleName=r&" + bad);
        String described = refusal(iam("UpdateRoleDescription"), "RoleName=r&" + bad);
        assertEquals(created, updated);
        assertEquals(created, described);
        assertEquals("1 validation error detected: Value '\u0001' at 'description' failed to satisfy constraint: Member"
                + " must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*",
                created);
    }

    @Test
    void enumsRangesAndNestedMembersAreNamedAsAwsNamesThem() {
        assertEquals("1 validation error detected: Value 'Sometimes' at 'status' failed to satisfy constraint: Member"
                + " must satisfy enum value set: [Active, Inactive, Expired]",
                refusal(iam("UpdateAccessKey"), "AccessKeyId=AKIAIOSFODNN7EXAMPLE&Status=Sometimes"));
        assertEquals("1 validation error detected: Value '100' at 'durationSeconds' failed to satisfy constraint:"
                + " Member must have value greater than or equal to 900",
                refusal(sts("AssumeRole"), "RoleArn=arn:aws:iam::123456789012:role/r&RoleSessionName=ok"
                        + "&DurationSeconds=100"));
        String longKey = "k".repeat(129);
        assertEquals("1 validation error detected: Value '" + longKey + "' at 'tags.2.member.key' failed to satisfy"
                + " constraint: Member must have length less than or equal to 128",
                refusal(sts("AssumeRole"), "RoleArn=arn:aws:iam::123456789012:role/r&RoleSessionName=ok"
                        + "&Tags.member.1.Key=a&Tags.member.1.Value=1&Tags.member.2.Key=" + longKey
                        + "&Tags.member.2.Value=2"));
    }

    @Test
    void severalFailuresAreCountedAndJoined() {
        String message = refusal(sts("AssumeRole"), "RoleSessionName=a&DurationSeconds=100");
        assertEquals("3 validation errors detected: Value null at 'roleArn' failed to satisfy constraint: Member must"
                + " not be null; Value 'a' at 'roleSessionName' failed to satisfy constraint: Member must have length"
                + " greater than or equal to 2; Value '100' at 'durationSeconds' failed to satisfy constraint: Member"
                + " must have value greater than or equal to 900", message);
    }

    @Test
    void aValueNotOfItsTypeIsAFailureBesideTheOthers() {
        assertEquals("2 validation errors detected: Value 'soon' at 'durationSeconds' failed to satisfy constraint:"
                + " Member must be a number; Value null at 'roleArn' failed to satisfy constraint: Member must not be"
                + " null", refusal(sts("AssumeRole"), "RoleSessionName=ok&DurationSeconds=soon"));
    }

    @Test
    void sensitiveValuesAreNotRepeated() {
        String message = refusal(iam("CreateLoginProfile"), "UserName=u&Password=" + "secret".repeat(22));
        assertEquals("1 validation error detected: Value at 'password' failed to satisfy constraint: Member must have"
                + " length less than or equal to 128", message);
    }

    @Test
    void codePointsBeyondTheBasicPlaneSatisfyTheModelsPatterns() {
        Input input = query(sts("AssumeRole"), "RoleArn=arn:aws:iam::123456789012:role/%F0%9F%98%80x"
                + "&RoleSessionName=ok");
        assertEquals("arn:aws:iam::123456789012:role/\uD83D\uDE00x", input.string("RoleArn"));
    }

    @Test
    void unencodedCharactersBeyondTheBasicPlaneSurviveTheFormDecoding() {
        // A client that leaves a character unencoded in a form body: the pair of chars is one UTF-8 sequence.
        assertEquals("tag-\uD83D\uDE00-é", QueryParams.parse("Key=tag-\uD83D\uDE00-é").get("Key"));
        assertEquals("\uD83D\uDE00", QueryParams.parse("Key=%F0%9F%98%80").get("Key"));
    }

    @Test
    void jsonValuesOfTheWrongTypeAreSerializationExceptions() {
        AwsException e = assertThrows(AwsException.class, () -> OperationInput.fromJson(ecs("ListClusters"),
                "{\"maxResults\":\"ten\"}".getBytes(StandardCharsets.UTF_8), "InvalidParameterException"));
        assertEquals("SerializationException", e.code());
        assertEquals("STRING_VALUE can not be converted to an Integer", e.getMessage());
        AwsException list = assertThrows(AwsException.class, () -> OperationInput.fromJson(ecs("DescribeClusters"),
                "{\"clusters\":{\"a\":1}}".getBytes(StandardCharsets.UTF_8), "InvalidParameterException"));
        assertEquals("Start of structure or map found where not expected.", list.getMessage());
        AwsException objectForString = assertThrows(AwsException.class, () -> OperationInput.fromJson(
                ecs("DeleteCluster"), "{\"cluster\":{\"name\":\"c\"}}".getBytes(StandardCharsets.UTF_8),
                "InvalidParameterException"));
        assertEquals("Start of structure or map found where not expected.", objectForString.getMessage());
        AwsException listForString = assertThrows(AwsException.class, () -> OperationInput.fromJson(
                ecs("DeleteCluster"), "{\"cluster\":[\"c\"]}".getBytes(StandardCharsets.UTF_8),
                "InvalidParameterException"));
        assertEquals("Start of list found where not expected", listForString.getMessage());
        AwsException notJson = assertThrows(AwsException.class, () -> OperationInput.fromJson(ecs("ListClusters"),
                "{".getBytes(StandardCharsets.UTF_8), "InvalidParameterException"));
        assertEquals("SerializationException", notJson.code());
    }

    @Test
    void jsonInputsAreReadByTheirShapes() {
        Input input = OperationInput.fromJson(ecs("DescribeClusters"),
                "{\"clusters\":[\"a\",\"b\"],\"include\":[\"TAGS\"],\"unknown\":5}".getBytes(StandardCharsets.UTF_8),
                "InvalidParameterException");
        assertEquals(List.of("a", "b"), input.list("clusters"));
        assertEquals(List.of("TAGS"), input.list("include"));
        AwsException e = assertThrows(AwsException.class, () -> OperationInput.fromJson(ecs("DescribeClusters"),
                "{\"include\":[\"EVERYTHING\"]}".getBytes(StandardCharsets.UTF_8), "InvalidParameterException"));
        assertEquals("InvalidParameterException", e.code());
        assertEquals("1 validation error detected: Value '[EVERYTHING]' at 'include' failed to satisfy constraint:"
                + " Member must satisfy constraint: [Member must satisfy enum value set: [ATTACHMENTS, CONFIGURATIONS,"
                + " SETTINGS, STATISTICS, TAGS]]", e.getMessage());
    }
}
