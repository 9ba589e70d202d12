package dev.crossrole.server.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.crossrole.server.model.OperationModel;
import dev.crossrole.server.model.ServiceModel;
import dev.crossrole.server.model.ServiceModels;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The element order a caller gives for a structure: its members first, in that order, the others after them. */
class RestXmlOutputTest {
    private static final ServiceModel S3 = ServiceModels.all().byId("s3");
    private static final String PROLOG = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

    private static Shape listing() {
        return Shape.of()
                .put("Buckets", List.of(Shape.of().put("Name", "b").put("CreationDate", Instant.parse("2024-01-02T03:04:05Z"))))
                .put("Owner", Shape.of().put("DisplayName", "me").put("ID", "c0ffee"));
    }

    private static String body(RestXmlOutput.Rendered rendered) {
        return new String(rendered.body(), StandardCharsets.UTF_8);
    }

    @Test
    void withoutAnOrderElementsFollowTheModel() {
        String written = body(RestXmlOutput.write(S3.operation("ListBuckets"), listing(), "ListAllMyBucketsResult"));
        assertEquals(PROLOG + "<ListAllMyBucketsResult xmlns=\"" + RestXmlOutput.S3_NAMESPACE + "\">"
                + "<Buckets><Bucket><Name>b</Name><CreationDate>2024-01-02T03:04:05.000Z</CreationDate></Bucket></Buckets>"
                + "<Owner><DisplayName>me</DisplayName><ID>c0ffee</ID></Owner></ListAllMyBucketsResult>", written);
    }

    @Test
    void orderedMembersComeFirstAndTheRestKeepModelOrder() {
        Map<String, List<String>> order = Map.of("ListBucketsOutput", List.of("Owner"), "Owner", List.of("ID"),
                "Bucket", List.of("CreationDate"));
        String written = body(RestXmlOutput.write(S3.operation("ListBuckets"), listing(), "ListAllMyBucketsResult", order));
        assertEquals(PROLOG + "<ListAllMyBucketsResult xmlns=\"" + RestXmlOutput.S3_NAMESPACE + "\">"
                + "<Owner><ID>c0ffee</ID><DisplayName>me</DisplayName></Owner>"
                + "<Buckets><Bucket><CreationDate>2024-01-02T03:04:05.000Z</CreationDate><Name>b</Name></Bucket></Buckets>"
                + "</ListAllMyBucketsResult>", written);
    }

    @Test
    void theOrderAppliesInsideAPayloadDocument() {
        OperationModel copy = S3.operation("UploadPartCopy");
        Shape output = Shape.of().put("CopyPartResult", Shape.of().put("ETag", "\"e\"")
                .put("LastModified", Instant.parse("2024-01-02T03:04:05.120Z")));
        String written = body(RestXmlOutput.write(copy, output, null,
                Map.of("CopyPartResult", List.of("LastModified", "ETag"))));
        assertEquals(PROLOG + "<CopyPartResult xmlns=\"" + RestXmlOutput.S3_NAMESPACE + "\">"
                + "<LastModified>2024-01-02T03:04:05.120Z</LastModified><ETag>&quot;e&quot;</ETag></CopyPartResult>",
                written);
    }

    @Test
    void anOrderNamingNoMemberOfTheShapeFailsTheCall() {
        assertThrows(IllegalStateException.class, () -> RestXmlOutput.write(S3.operation("ListBuckets"), listing(),
                "ListAllMyBucketsResult", Map.of("Owner", List.of("Id"))));
    }
}
