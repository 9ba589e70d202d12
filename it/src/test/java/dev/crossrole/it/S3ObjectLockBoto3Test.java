package dev.crossrole.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * S3 Object Lock with boto3 ({@code boto3/s3_object_lock.py}): create_bucket with Object Lock, the configuration and
 * its default retention, put_object_retention, the refused shortening and delete of a COMPLIANCE version, and the
 * delete marker a delete without a version id still makes.
 */
class S3ObjectLockBoto3Test {
    static TestCrossrole crossrole;
    static JsonNode out;

    @BeforeAll
    static void run() throws Exception {
        crossrole = new TestCrossrole();
        out = Boto3Script.run(crossrole, "/boto3/s3_object_lock.py", 90);
    }

    @AfterAll
    static void stop() throws Exception {
        crossrole.close();
    }

    @Test
    void objectLockWorksThroughBoto3() {
        String protectedMessage = "Access Denied because object protected by object lock.";
        assertAll(
                () -> assertEquals("Enabled", out.path("versioning").asText(), out.toString()),
                () -> assertEquals("{\"ObjectLockEnabled\":\"Enabled\",\"Rule\":{\"DefaultRetention\":"
                        + "{\"Mode\":\"GOVERNANCE\",\"Days\":1}}}", out.path("configuration").toString()),
                () -> assertEquals("InvalidBucketState", out.path("suspend").path("code").asText()),
                () -> assertEquals(409, out.path("suspend").path("status").asInt()),
                () -> assertEquals("GOVERNANCE", out.path("defaultMode").asText()),
                () -> assertEquals("AccessDenied", out.path("withoutBypass").path("code").asText()),
                () -> assertEquals("COMPLIANCE", out.path("retention").path("mode").asText()),
                () -> assertTrue(out.path("retention").path("until").asBoolean(), out.toString()),
                () -> assertEquals("AccessDenied", out.path("shorten").path("code").asText()),
                () -> assertEquals(protectedMessage, out.path("shorten").path("message").asText()),
                () -> assertEquals("AccessDenied", out.path("delete").path("code").asText()),
                () -> assertEquals(403, out.path("delete").path("status").asInt()),
                () -> assertEquals(protectedMessage, out.path("delete").path("message").asText()),
                () -> assertTrue(out.path("marker").asBoolean(), out.toString()),
                () -> assertEquals("entry", out.path("stillThere").asText()),
                () -> assertEquals("ObjectLockConfigurationNotFoundError", out.path("unlocked").path("code").asText()),
                () -> assertEquals(404, out.path("unlocked").path("status").asInt()));
    }
}
