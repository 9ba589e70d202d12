package dev.crossrole.server.s3;

import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * An S3 request after addressing: the bucket and key (from the path or the virtual host), the
 * decoded query parameters, the headers, and the body as a stream read on demand.
 *
 * @param bucket the bucket, or {@code null} for the service (ListBuckets)
 * @param key the object key, decoded, or {@code null} for bucket operations
 * @param query decoded query parameters; a parameter without value maps to {@code ""}
 * @param body the payload as the client meant it (transfer and aws-chunked framing removed, verified at EOF)
 * @param declaredLength the body's declared length, -1 if unknown (chunked)
 */
public record S3Request(String method, String bucket, String key, Map<String, String> query,
                        List<Map.Entry<String, String>> headers, Supplier<InputStream> body, long declaredLength) {

    public String header(String name) {
        for (Map.Entry<String, String> header : headers) {
            if (header.getKey().equalsIgnoreCase(name)) {
                return header.getValue();
            }
        }
        return null;
    }

    boolean has(String parameter) {
        return query.containsKey(parameter);
    }

    String param(String parameter) {
        return query.get(parameter);
    }
}
