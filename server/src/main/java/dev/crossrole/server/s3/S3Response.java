package dev.crossrole.server.s3;

import dev.crossrole.server.protocol.StreamingBody;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an S3 operation answers: status, headers and either a body (an XML document), nothing, or a streamed object;
 * and the object events it caused, which the bucket's notification configuration may send on.
 */
public record S3Response(int status, Map<String, String> headers, byte[] body, StreamingBody stream,
                         List<ObjectEvent> events) {

    public S3Response(int status, Map<String, String> headers, byte[] body, StreamingBody stream) {
        this(status, headers, body, stream, new ArrayList<>());
    }

    static S3Response empty(int status) {
        return new S3Response(status, new LinkedHashMap<>(), new byte[0], null);
    }

    S3Response header(String name, String value) {
        if (value != null) {
            headers.put(name, value);
        }
        return this;
    }

    /** Adds an event this operation caused (sent once the operation answers with success). */
    S3Response event(ObjectEvent event) {
        events.add(event);
        return this;
    }
}
