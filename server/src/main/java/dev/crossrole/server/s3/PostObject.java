package dev.crossrole.server.s3;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crossrole.server.payload.PayloadRejectedException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeSet;

/**
 * POST Object: a browser-based upload with an HTML form ({@code multipart/form-data} POSTed to the bucket), as the S3
 * API Reference describes it ("Browser-Based Uploads Using POST", "Creating a POST Policy"). The fields before
 * {@code file} are read first: the signed policy is checked (its signature by the pipeline, with the project's SigV4
 * key derivation; then its expiration, each condition, and that every field is one a condition names), and the upload
 * becomes the PutObject it stands for, with the form's fields as that request's headers. It is then authorized as
 * {@code s3:PutObject} for the credential's principal (an unsigned form: the anonymous principal) and run as any
 * PutObject; {@code content-length-range} is enforced as the file streams. The answer is the form's
 * {@code success_action_redirect} (303) or {@code success_action_status} (204 by default, 200, or 201 with the
 * PostResponse document).
 */
public final class PostObject<T> {
    /** The name routing gives a POST to a bucket without a sub-resource. */
    public static final String OPERATION = S3Routes.POST_OBJECT;
    /** What S3 reads of the fields before the file: 20 KB (S3 User Guide, "POST Object" limits). */
    static final int MAX_FIELDS = 20 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Fields no condition needs to name (API Reference, "Creating a POST Policy": "Conditions"). */
    private static final Set<String> UNCONDITIONED = Set.of("x-amz-signature", "file", "policy", "signature",
            "awsaccesskeyid");
    /** Form fields that become headers of the PutObject under another name. */
    private static final Map<String, String> RENAMED = Map.of("acl", "x-amz-acl");
    private static final Set<String> HEADER_FIELDS = Set.of("cache-control", "content-type", "content-disposition",
            "content-encoding", "expires", "content-md5");
    private static final Set<String> SIGNING_FIELDS = Set.of("x-amz-algorithm", "x-amz-credential", "x-amz-date",
            "x-amz-signature", "x-amz-security-token");

    /**
     * Checks a form's signature and names who signed it ({@code T}: the listener's authentication, which S3 does not
     * depend on).
     */
    @FunctionalInterface
    public interface Signer<T> {
        /**
         * Who is behind {@code credential} when {@code signature} is the policy's; throws the authentication failure
         * otherwise.
         */
        T verify(String credential, String date, String token, String policy, String signature);
    }

    private final Map<String, String> fields;
    private final String bucket;
    private final String key;
    private final T signed;
    private final S3Request put;

    private PostObject(Map<String, String> fields, String bucket, String key, T signed, S3Request put) {
        this.fields = fields;
        this.bucket = bucket;
        this.key = key;
        this.signed = signed;
        this.put = put;
    }

    /** Who the form is from: the signer, or {@code null} for an unsigned form (the anonymous principal). */
    public T signed() {
        return signed;
    }

    /** The PutObject the form stands for: its key, its fields as headers, the file as body. */
    public S3Request put() {
        return put;
    }

    /**
     * Reads the form of {@code request} (the bucket addressed, the body not yet read) up to its file, checks the
     * signature with {@code signer} and the policy at {@code now}. Nothing is written before all of it holds.
     */
    public static <T> PostObject<T> read(S3Request request, InputStream body, Instant now, Signer<T> signer)
            throws IOException {
        String boundary = boundary(request.header("Content-Type"));
        FormReader reader = new FormReader(body, boundary);
        Map<String, String> fields = new LinkedHashMap<>();
        FormReader.Part file = null;
        FormReader.Part part;
        while ((part = reader.next()) != null) {
            if (part.name() == null) {
                continue;
            }
            if (part.name().equalsIgnoreCase("file")) {
                file = part;
                break;
            }
            // A field given twice keeps its first value (S3's answer to repeated fields is not on record).
            fields.putIfAbsent(part.name().toLowerCase(Locale.ROOT), part.value());
            if (reader.fieldBytes() > MAX_FIELDS) {
                // S3's code (API Reference, "Error codes"); its message is not on record, this one says what failed.
                throw new S3Exception("MaxPostPreDataLengthExceededError", 400, "Your POST request fields preceding"
                        + " the upload file were too large.");
            }
        }
        String key = fields.get("key");
        if (key == null || key.isEmpty()) {
            throw S3Exception.invalidArgument("Bucket POST must contain a field named 'key'.  If it is specified,"
                    + " please check the order of the fields.", "key", "");
        }
        if (file == null) {
            throw S3Exception.invalidArgument("POST requires exactly one file upload per request.", "file", "0");
        }
        T signed = null;
        String policy = fields.get("policy");
        boolean signing = SIGNING_FIELDS.stream().anyMatch(fields::containsKey);
        if (signing || policy != null) {
            for (String required : List.of("policy", "x-amz-algorithm", "x-amz-credential", "x-amz-date",
                    "x-amz-signature")) {
                if (!fields.containsKey(required)) {
                    String name = required.equals("policy") ? "Policy" : capitalized(required);
                    throw S3Exception.invalidArgument("Bucket POST must contain a field named '" + name + "'.  If it"
                            + " is specified, please check the order of the fields.", name, "");
                }
            }
            if (!"AWS4-HMAC-SHA256".equals(fields.get("x-amz-algorithm"))) {
                // S3's words for a form's other algorithms are not on record; these say what is refused.
                throw S3Exception.invalidArgument("Only AWS4-HMAC-SHA256 is supported for a POST form's"
                        + " x-amz-algorithm.", "x-amz-algorithm", fields.get("x-amz-algorithm"));
            }
            signed = signer.verify(fields.get("x-amz-credential"), fields.get("x-amz-date"),
                    fields.get("x-amz-security-token"), policy, fields.get("x-amz-signature"));
        }
        String filename = file.filename() == null ? "" : file.filename();
        String resolvedKey = key.replace("${filename}", filename);
        long[] range = null;
        if (policy != null) {
            range = checkPolicy(policy, fields, request.bucket(), now);
        }
        S3Support.checkKey(resolvedKey);
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (Map.Entry<String, String> field : fields.entrySet()) {
            String name = field.getKey();
            if (RENAMED.containsKey(name)) {
                headers.add(Map.entry(RENAMED.get(name), field.getValue()));
            } else if (HEADER_FIELDS.contains(name)
                    || name.startsWith("x-amz-") && !SIGNING_FIELDS.contains(name)) {
                headers.add(Map.entry(name, field.getValue()));
            } else if (name.equals("tagging")) {
                headers.add(Map.entry("x-amz-tagging", tagging(field.getValue())));
            }
        }
        InputStream content = range == null ? file.content() : new LengthRange(file.content(), range[0], range[1]);
        S3Request put = new S3Request("POST", request.bucket(), resolvedKey, Map.of(), headers, () -> content, -1);
        return new PostObject<>(fields, request.bucket(), resolvedKey, signed, put);
    }

    private static String capitalized(String field) {
        StringJoiner joined = new StringJoiner("-");
        for (String word : field.split("-")) {
            joined.add(word.isEmpty() ? word : Character.toUpperCase(word.charAt(0)) + word.substring(1));
        }
        return joined.toString();
    }

    /** The boundary of a {@code multipart/form-data} body; S3's answer to another type is a 412-free 400. */
    private static String boundary(String contentType) {
        if (contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            for (String parameter : contentType.split(";")) {
                String trimmed = parameter.trim();
                if (trimmed.toLowerCase(Locale.ROOT).startsWith("boundary=")) {
                    String value = trimmed.substring("boundary=".length());
                    if (value.length() > 1 && value.startsWith("\"") && value.endsWith("\"")) {
                        value = value.substring(1, value.length() - 1);
                    }
                    if (!value.isEmpty()) {
                        return value;
                    }
                }
            }
        }
        // S3's answer to a POST to a bucket that is not a form (quoted by localstack/localstack#8614 among others).
        throw new S3Exception("PreconditionFailed", 412, "At least one of the pre-conditions you specified did not"
                + " hold").with("Condition", "Bucket POST must be of the enclosure-type multipart/form-data");
    }

    /**
     * The policy's expiration and conditions against the fields; every field but the exempt ones must be named by a
     * condition. Returns the {@code content-length-range}, or {@code null} without one.
     */
    private static long[] checkPolicy(String policy, Map<String, String> fields, String bucket, Instant now) {
        JsonNode document;
        try {
            document = JSON.readTree(Base64.getDecoder().decode(policy.trim()));
        } catch (IOException | IllegalArgumentException e) {
            document = null;
        }
        if (document == null || !document.isObject()) {
            throw invalidPolicy("Policy could not be parsed as a valid JSON string.");
        }
        JsonNode expiration = document.get("expiration");
        if (expiration == null || !expiration.isTextual()) {
            throw invalidPolicy("Policy missing expiration.");
        }
        Instant expires;
        try {
            expires = OffsetDateTime.parse(expiration.asText()).toInstant();
        } catch (DateTimeParseException e) {
            throw invalidPolicy("Invalid 'expiration' value: '" + expiration.asText() + "'");
        }
        if (!now.isBefore(expires)) {
            throw new S3Exception("AccessDenied", 403, "Invalid according to Policy: Policy expired.");
        }
        JsonNode conditions = document.get("conditions");
        if (conditions == null || !conditions.isArray()) {
            throw invalidPolicy("Policy missing conditions.");
        }
        Set<String> named = new TreeSet<>();
        long[] range = null;
        for (JsonNode condition : conditions) {
            String field;
            String operator;
            String value;
            if (condition.isObject()) {
                if (condition.size() != 1) {
                    throw invalidPolicy("Invalid Simple-Condition: Simple-Conditions must have exactly one property"
                            + " specified.");
                }
                Map.Entry<String, JsonNode> only = condition.fields().next();
                field = only.getKey().toLowerCase(Locale.ROOT);
                operator = "eq";
                value = only.getValue().asText();
            } else if (condition.isArray() && condition.size() == 3) {
                operator = condition.get(0).asText().toLowerCase(Locale.ROOT);
                if (operator.equals("content-length-range")) {
                    range = new long[] {condition.get(1).asLong(), condition.get(2).asLong()};
                    continue;
                }
                String target = condition.get(1).asText();
                if (!target.startsWith("$") || !operator.equals("eq") && !operator.equals("starts-with")) {
                    throw invalidPolicy("Invalid Condition: " + render(condition));
                }
                field = target.substring(1).toLowerCase(Locale.ROOT);
                value = condition.get(2).asText();
            } else {
                throw invalidPolicy("Invalid Condition: " + render(condition));
            }
            named.add(field);
            String actual = field.equals("bucket") ? bucket : fields.get(field);
            boolean holds = actual != null && (operator.equals("eq") ? actual.equals(value)
                    : actual.startsWith(value)) || operator.equals("starts-with") && value.isEmpty();
            if (!holds) {
                throw new S3Exception("AccessDenied", 403, "Invalid according to Policy: Policy Condition failed: "
                        + "[\"" + operator + "\", \"$" + field + "\", \"" + value + "\"]");
            }
        }
        List<String> extra = new ArrayList<>();
        for (String field : fields.keySet()) {
            if (!UNCONDITIONED.contains(field) && !field.startsWith("x-ignore-") && !named.contains(field)) {
                extra.add(field);
            }
        }
        if (!extra.isEmpty()) {
            throw new S3Exception("AccessDenied", 403, "Invalid according to Policy: Extra input fields: "
                    + String.join(", ", extra));
        }
        return range;
    }

    private static String render(JsonNode condition) {
        return condition.toString();
    }

    /** S3's InvalidPolicyDocument; the texts after "Invalid Policy: " follow S3's where they are on record. */
    private static S3Exception invalidPolicy(String detail) {
        return new S3Exception("InvalidPolicyDocument", 400, "Invalid Policy: " + detail);
    }

    /** The form's {@code tagging} field (a Tagging document) as PutObject's {@code x-amz-tagging} header. */
    private static String tagging(String document) {
        Map<String, String> tags = new LinkedHashMap<>();
        try {
            javax.xml.parsers.DocumentBuilderFactory factory = javax.xml.parsers.DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setExpandEntityReferences(false);
            org.w3c.dom.Document xml = factory.newDocumentBuilder().parse(new java.io.ByteArrayInputStream(
                    document.getBytes(StandardCharsets.UTF_8)));
            org.w3c.dom.NodeList list = xml.getElementsByTagName("Tag");
            for (int i = 0; i < list.getLength(); i++) {
                org.w3c.dom.Element tag = (org.w3c.dom.Element) list.item(i);
                tags.put(text(tag, "Key"), text(tag, "Value"));
            }
        } catch (Exception e) {
            throw S3Exception.malformedXml();
        }
        StringJoiner header = new StringJoiner("&");
        tags.forEach((k, v) -> header.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return header.toString();
    }

    private static String text(org.w3c.dom.Element parent, String name) {
        org.w3c.dom.NodeList found = parent.getElementsByTagName(name);
        if (found.getLength() == 0) {
            throw S3Exception.malformedXml();
        }
        return found.item(0).getTextContent();
    }

    /**
     * The form's answer to the PutObject that ran: a 303 to {@code success_action_redirect} (with the bucket, key and
     * ETag added to its query), else {@code success_action_status}: 201 with the PostResponse document, 200, or 204
     * (any other value). {@code endpoint} is the scheme and host the form was posted to, for {@code Location}.
     */
    public S3Response answer(S3Response stored, String endpoint) {
        String etag = stored.headers().get("ETag");
        String location = endpoint + "/" + S3Support.urlEncode(bucket) + "/" + S3Support.urlEncode(key);
        String redirect = fields.getOrDefault("success_action_redirect", fields.get("redirect"));
        if (redirect != null && redirectable(redirect)) {
            String query = "bucket=" + URLEncoder.encode(bucket, StandardCharsets.UTF_8) + "&key="
                    + URLEncoder.encode(key, StandardCharsets.UTF_8) + "&etag="
                    + URLEncoder.encode(etag == null ? "" : etag, StandardCharsets.UTF_8);
            S3Response moved = S3Response.empty(303).header("Location", redirect + (redirect.contains("?") ? "&"
                    : "?") + query);
            copyHeaders(stored, moved);
            return moved;
        }
        String status = fields.getOrDefault("success_action_status", "204");
        S3Response response;
        if (status.equals("201")) {
            String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<PostResponse><Location>" + escape(location)
                    + "</Location><Bucket>" + escape(bucket) + "</Bucket><Key>" + escape(key) + "</Key><ETag>"
                    + escape(etag == null ? "" : etag) + "</ETag></PostResponse>";
            response = new S3Response(201, new LinkedHashMap<>(), xml.getBytes(StandardCharsets.UTF_8), null);
            response.header("Content-Type", "application/xml");
        } else {
            response = S3Response.empty(status.equals("200") ? 200 : 204);
        }
        response.header("Location", location);
        copyHeaders(stored, response);
        return response;
    }

    private static boolean redirectable(String url) {
        try {
            URI uri = new URI(url);
            return uri.getScheme() != null && uri.getHost() != null;
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }

    private static void copyHeaders(S3Response from, S3Response to) {
        from.headers().forEach((name, value) -> {
            if (name.equalsIgnoreCase("ETag") || name.toLowerCase(Locale.ROOT).startsWith("x-amz-")) {
                to.header(name, value);
            }
        });
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /**
     * The file's bytes held to the policy's {@code content-length-range}: EntityTooLarge as soon as more than the
     * maximum has come, EntityTooSmall at the end when fewer than the minimum did; either way nothing is stored.
     */
    private static final class LengthRange extends InputStream {
        private final InputStream in;
        private final long min;
        private final long max;
        private long count;

        LengthRange(InputStream in, long min, long max) {
            this.in = in;
            this.min = min;
            this.max = max;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                count += n;
                if (count > max) {
                    throw new PayloadRejectedException("EntityTooLarge", 400, "Your proposed upload exceeds the"
                            + " maximum allowed size", Map.of("ProposedSize", String.valueOf(count),
                            "MaxSizeAllowed", String.valueOf(max)));
                }
            } else if (n < 0 && count < min) {
                throw new PayloadRejectedException("EntityTooSmall", 400, "Your proposed upload is smaller than the"
                        + " minimum allowed size", Map.of("ProposedSize", String.valueOf(count),
                        "MinSizeAllowed", String.valueOf(min)));
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /** Reads the parts of a {@code multipart/form-data} body in turn; the file's part streams. */
    static final class FormReader {
        /** One part: its field name, its filename if any, its value (fields) or content (the file). */
        record Part(String name, String filename, String value, InputStream content) {}

        private final InputStream in;
        private final byte[] delimiter;
        private byte[] buffer = new byte[8192];
        private int start;
        private int end;
        private boolean eof;
        private boolean started;
        private long fieldBytes;

        FormReader(InputStream in, String boundary) {
            this.in = in;
            this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        }

        long fieldBytes() {
            return fieldBytes;
        }

        /** The next part, or {@code null} after the last. */
        Part next() throws IOException {
            if (!started) {
                started = true;
                // The body starts with the boundary without the CRLF before it (preamble ignored).
                skipPast(java.util.Arrays.copyOfRange(delimiter, 2, delimiter.length));
            }
            // After a delimiter: "--" ends the body, else CRLF and the part's headers.
            fill(2);
            if (end - start >= 2 && buffer[start] == '-' && buffer[start + 1] == '-') {
                return null;
            }
            String headers = readHeaders();
            String disposition = null;
            for (String line : headers.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("Content-Disposition")) {
                    disposition = line.substring(colon + 1).trim();
                }
            }
            String name = parameter(disposition, "name");
            String filename = parameter(disposition, "filename");
            if (name != null && name.equalsIgnoreCase("file")) {
                return new Part(name, filename, null, new PartStream());
            }
            ByteArrayOutputStream value = new ByteArrayOutputStream();
            try (PartStream content = new PartStream()) {
                byte[] chunk = new byte[1024];
                int n;
                while ((n = content.read(chunk, 0, chunk.length)) > 0) {
                    value.write(chunk, 0, n);
                    fieldBytes += n;
                    if (fieldBytes > MAX_FIELDS) {
                        break;
                    }
                }
            }
            return new Part(name, filename, value.toString(StandardCharsets.UTF_8), null);
        }

        private static String parameter(String disposition, String name) {
            if (disposition == null) {
                return null;
            }
            for (String piece : disposition.split(";")) {
                String trimmed = piece.trim();
                int equals = trimmed.indexOf('=');
                if (equals > 0 && trimmed.substring(0, equals).trim().equalsIgnoreCase(name)) {
                    String value = trimmed.substring(equals + 1).trim();
                    if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                        value = value.substring(1, value.length() - 1);
                    }
                    return value;
                }
            }
            return null;
        }

        /** The part's header lines, up to the empty line; the CRLF after the delimiter is skipped first. */
        private String readHeaders() throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            while (true) {
                fill(4);
                if (end - start == 0) {
                    throw malformed();
                }
                if (end - start >= 4 && buffer[start] == '\r' && buffer[start + 1] == '\n' && buffer[start + 2] == '\r'
                        && buffer[start + 3] == '\n') {
                    start += 4;
                    String text = out.toString(StandardCharsets.UTF_8);
                    return text.startsWith("\r\n") ? text.substring(2) : text;
                }
                out.write(buffer[start++]);
                fieldBytes++;
                if (out.size() > MAX_FIELDS) {
                    throw malformed();
                }
            }
        }

        private static S3Exception malformed() {
            // S3's answer to a form it cannot read is not on record in these words; MalformedPOSTRequest is its code.
            return new S3Exception("MalformedPOSTRequest", 400, "The body of your POST request is not well-formed"
                    + " multipart/form-data.");
        }

        /** Skips past the first {@code marker}; the body's end before it is malformed. */
        private void skipPast(byte[] marker) throws IOException {
            while (true) {
                fill(marker.length);
                int at = indexOf(marker);
                if (at >= 0) {
                    start = at + marker.length;
                    return;
                }
                if (eof) {
                    throw malformed();
                }
                start = Math.max(start, end - marker.length + 1);
            }
        }

        private int indexOf(byte[] marker) {
            outer:
            for (int i = start; i + marker.length <= end; i++) {
                for (int j = 0; j < marker.length; j++) {
                    if (buffer[i + j] != marker[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }

        /** Reads until at least {@code wanted} bytes are buffered, or the body ends. */
        private void fill(int wanted) throws IOException {
            if (end - start >= wanted || eof) {
                return;
            }
            if (start > 0) {
                System.arraycopy(buffer, start, buffer, 0, end - start);
                end -= start;
                start = 0;
            }
            if (buffer.length < wanted) {
                buffer = java.util.Arrays.copyOf(buffer, Math.max(wanted, buffer.length * 2));
            }
            while (end - start < wanted) {
                int n = in.read(buffer, end, buffer.length - end);
                if (n < 0) {
                    eof = true;
                    return;
                }
                end += n;
            }
        }

        /** The bytes of the current part, up to the next delimiter, after which the reader stands. */
        private final class PartStream extends InputStream {
            private boolean done;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (done) {
                    return -1;
                }
                if (len == 0) {
                    return 0;
                }
                fill(delimiter.length + Math.min(len, 4096));
                int at = indexOf(delimiter);
                int available;
                if (at >= 0) {
                    available = at - start;
                    if (available == 0) {
                        start += delimiter.length;
                        done = true;
                        return -1;
                    }
                } else if (eof) {
                    throw malformed();
                } else {
                    available = end - start - (delimiter.length - 1);
                }
                int n = Math.min(len, available);
                System.arraycopy(buffer, start, b, off, n);
                start += n;
                return n;
            }

            @Override
            public void close() throws IOException {
                byte[] skip = new byte[4096];
                while (read(skip, 0, skip.length) >= 0) {
                    // drains the rest of the part
                }
            }
        }
    }
}
