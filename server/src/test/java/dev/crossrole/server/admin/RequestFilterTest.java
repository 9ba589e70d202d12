package dev.crossrole.server.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.requestlog.RecordedRequest;
import dev.crossrole.server.requestlog.RequestLog;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class RequestFilterTest {
    private static RecordedRequest request(String id, String caller, String resource) {
        return new RecordedRequest(id, Instant.EPOCH, "s3", "GetObject", caller, "s3:GetObject", resource, null, 200,
                null, null, 1);
    }

    @Test
    void anAccountMatchesTheCallersAndTheResourcesAccount() {
        Predicate<RecordedRequest> source = AdminApi.requestFilter(false, "111122223333");
        assertTrue(source.test(request("a", "arn:aws:iam::111122223333:user/admin", null)));
        assertTrue(source.test(request("b", "arn:aws:sts::555566667777:assumed-role/r/s",
                "arn:aws:sqs:us-east-1:111122223333:queue")));
        assertFalse(source.test(request("c", "arn:aws:sts::555566667777:assumed-role/r/s",
                "arn:aws:s3:::bucket/111122223333")), "an S3 ARN names no account");
        assertFalse(source.test(request("d", null, null)), "an unauthenticated request is no account's");
        assertFalse(source.test(request("e", "arn:aws:iam::1111222233334:user/x", null)));
    }

    @Test
    void deniedKeepsOnlyRequestsAPolicyDenied() {
        // a request that ended before authorization (no decision) was not denied by a policy
        assertFalse(AdminApi.requestFilter(true, null).test(request("a", "arn:aws:iam::111122223333:user/admin", null)));
        assertTrue(AdminApi.requestFilter(false, null).test(request("a", null, null)));
    }

    @Test
    void theLogListsTheNewestOfThoseTheFilterKeeps() {
        RequestLog log = new RequestLog(4);
        for (int i = 0; i < 6; i++) {
            log.record(request("r" + i, "arn:aws:iam::" + (i % 2 == 0 ? "111122223333" : "555566667777") + ":user/u", null));
        }
        List<String> ids = log.recent(10, AdminApi.requestFilter(false, "111122223333")).stream()
                .map(RecordedRequest::requestId).toList();
        assertEquals(List.of("r4", "r2"), ids, "r0 has left the ring");
        assertEquals(List.of("r5"), log.recent(1, AdminApi.requestFilter(false, "555566667777")).stream()
                .map(RecordedRequest::requestId).toList());
    }
}
