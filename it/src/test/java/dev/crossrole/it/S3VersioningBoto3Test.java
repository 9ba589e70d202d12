package dev.crossrole.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * S3 versioning with boto3 ({@code boto3/s3_versioning.py}): the null version of a suspended bucket, tags and copies
 * of one version, DeleteObjects by version and with delete markers, and boto3's {@code list_object_versions}
 * paginator following crossrole's key and version-id markers.
 */
class S3VersioningBoto3Test {
    static TestCrossrole crossrole;
    static JsonNode out;

    @BeforeAll
    static void run() throws Exception {
        crossrole = new TestCrossrole();
        out = Boto3Script.run(crossrole, "/boto3/s3_versioning.py", 90);
    }

    @AfterAll
    static void stop() throws Exception {
        crossrole.close();
    }

    @Test
    void suspendedWritesAreTheNullVersion() {
        assertAll(
                () -> assertTrue(out.path("never").isNull(), out.toString()),
                () -> assertTrue(out.path("suspendedPutVersionId").isNull(), out.toString()),
                () -> assertEquals("null", out.path("nullVersion").asText()),
                () -> assertEquals("Enabled", out.path("status").asText()));
    }

    @Test
    void tagsCopiesAndDeletesOfOneVersion() {
        assertAll(
                () -> assertEquals("[{\"Key\":\"stage\",\"Value\":\"kept\"}]", out.path("v1Tags").toString()),
                () -> assertTrue(out.path("copySourceVersionId").asBoolean()),
                () -> assertEquals("one", out.path("restored").asText()),
                () -> assertEquals("{\"key\":\"doc\",\"versionId\":\"null\",\"marker\":false}",
                        out.path("deleted").path(0).toString()),
                () -> assertTrue(out.path("deleted").path(1).path("marker").asBoolean(), out.toString()),
                () -> assertEquals("one", out.path("docNow").asText(), "the version before the null one is current"),
                () -> assertEquals(404, out.path("restoredNow").path("status").asInt()),
                () -> assertEquals("NoSuchVersion", out.path("missingVersion").path("code").asText()));
    }

    @Test
    void thePaginatorFollowsTheMarkers() {
        JsonNode listed = out.path("listed");
        assertEquals(7, listed.size(), listed.toString());
        assertEquals("[\"doc\",true]", listed.path(0).toString());
        assertEquals("[\"many\",true]", listed.path(1).toString());
        for (int i = 2; i < 6; i++) {
            assertEquals("[\"many\",false]", listed.path(i).toString());
        }
        assertEquals("[\"restored\",false]", listed.path(6).toString());
        assertEquals("[\"restored\"]", out.path("markers").toString());
    }
}
