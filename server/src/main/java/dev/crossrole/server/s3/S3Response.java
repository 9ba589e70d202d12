package dev.crossrole.server.s3;

import dev.crossrole.server.protocol.StreamingBody;
import java.util.LinkedHashMap;
import java.util.Map;

/** What an S3 operation answers: status, headers and either a body (an XML document), nothing, or a streamed object. */
public record S3Response(int status, Map<String, String> headers, byte[] body, StreamingBody stream) {

    static S3Response empty(int status) {
        return new S3Response(status, new LinkedHashMap<>(), new byte[0], null);
    }

    S3Response header(String name, String value) {
        if (value != null) {
            headers.put(name, value);
        }
        return this;
    }
}
