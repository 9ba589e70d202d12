package dev.crossrole.server.s3;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GetObject's and HeadObject's {@code response-*} query parameters: response headers a request may set, read and
 * checked before anything else of the request is looked at. A value becomes a header line, so it may hold only
 * what a header value can: a control character (CR and LF above all, which would end the line and start another
 * header or the body) or a character outside ISO-8859-1 is refused.
 */
final class ResponseOverrides {
    /**
     * The input members of the parameters and the headers they set (S3 API reference, GetObject: "Overriding
     * response header values").
     */
    private static final List<Map.Entry<String, String>> MEMBERS = List.of(
            Map.entry("ResponseCacheControl", "Cache-Control"),
            Map.entry("ResponseContentDisposition", "Content-Disposition"),
            Map.entry("ResponseContentEncoding", "Content-Encoding"),
            Map.entry("ResponseContentLanguage", "Content-Language"),
            Map.entry("ResponseContentType", "Content-Type"),
            Map.entry("ResponseExpires", "Expires"));

    private ResponseOverrides() {}

    /**
     * The headers the request's {@code response-*} parameters set, in a fixed order; empty when it has none.
     *
     * @param anonymous whether the request carries no signature: S3 serves these parameters only to signed
     *     requests ("These parameters cannot be used with an unsigned (anonymous) request", S3 API reference,
     *     GetObject) and answers an unsigned one {@code InvalidRequest} "Request specific response headers cannot
     *     be used for anonymous GET requests." (as versity/versitygw, an S3 implementation, reproduces it:
     *     s3err {@code ErrAnonymousResponseHeaders}, pull request #2001)
     */
    static Map<String, String> of(S3Input input, boolean anonymous) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (Map.Entry<String, String> member : MEMBERS) {
            // As sent: the value becomes a header line verbatim (response-expires too, whose model type is a
            // timestamp: it is passed on as the caller wrote it, never reformatted or refused as a date).
            String value = input.sentValue(member.getKey());
            if (value == null) {
                continue;
            }
            if (anonymous) {
                throw S3Exception.invalidRequest(
                        "Request specific response headers cannot be used for anonymous GET requests.");
            }
            check(input.wireName(member.getKey()), value);
            headers.put(member.getValue(), value);
        }
        return headers;
    }

    /**
     * A header value is tabs, visible ASCII, spaces and ISO-8859-1's upper half (RFC 9110, section 5.5, where
     * bytes 0x80 to 0xFF are obs-text). S3 answers a character beyond ISO-8859-1 with {@code InvalidArgument}
     * "Header value cannot be represented using ISO-8859-1." naming the parameter and its value (real S3 answers
     * quoted in guardian/grid#1716 and livewire/livewire#5665). For a control character the same code and
     * parameter, in crossrole's words, and without the value: a NUL or an escape would make the error document
     * itself unreadable XML.
     */
    private static void check(String parameter, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c > 0xFF) {
                throw S3Exception.invalidArgument("Header value cannot be represented using ISO-8859-1.", parameter,
                        value);
            }
            if (c < 0x20 && c != '\t' || c == 0x7F) {
                throw S3Exception.invalidArgument("Header value cannot contain control characters such as CR or LF.",
                        parameter, null);
            }
        }
    }
}
