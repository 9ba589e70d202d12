package dev.crossrole.server.http;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.CrossroleServer;
import dev.crossrole.server.auth.SigV4;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Correctly signed requests with malformed content (random parameters, values, documents and JSON
 * bodies, seeded so every run sends the same requests): crossrole must answer each with a 2xx or a
 * 4xx carrying an AWS error code, never a 5xx.
 */
class MalformedRequestFuzzTest {
    static final int REQUESTS = 1500;
    static final long SEED = 20261127L;

    static final List<String> IAM_ACTIONS = List.of("CreateRole", "GetRole", "PutRolePolicy", "AttachRolePolicy",
            "CreatePolicy", "CreatePolicyVersion", "SimulatePrincipalPolicy", "SimulateCustomPolicy", "TagRole",
            "UntagRole", "ListRoles", "CreateUser", "CreateAccessKey", "UpdateAccessKey", "PutUserPermissionsBoundary",
            "UpdateAssumeRolePolicy", "GetAccountAuthorizationDetails", "ListAttachedGroupPolicies", "PutGroupPolicy",
            "CreateGroup", "AddUserToGroup", "DeleteRole", "UpdateRole", "NoSuchAction", "");
    static final List<String> IAM_PARAMETERS = List.of("RoleName", "PolicyName", "PolicyDocument",
            "AssumeRolePolicyDocument", "PolicyArn", "Path", "PathPrefix", "MaxItems", "Marker", "UserName", "GroupName",
            "Tags.member.1.Key", "Tags.member.1.Value", "TagKeys.member.1", "PermissionsBoundary", "MaxSessionDuration",
            "Description", "ActionNames.member.1", "PolicySourceArn", "PolicyInputList.member.1", "ResourceArns.member.1",
            "ContextEntries.member.1.ContextKeyName", "ContextEntries.member.1.ContextKeyType",
            "ContextEntries.member.1.ContextKeyValues.member.1", "SetAsDefault", "Status", "AccessKeyId", "VersionId");
    static final List<String> STS_ACTIONS = List.of("AssumeRole", "GetCallerIdentity", "GetSessionToken",
            "DecodeAuthorizationMessage", "GetAccessKeyInfo", "AssumeRoleWithWebIdentity", "Nope");
    static final List<String> STS_PARAMETERS = List.of("RoleArn", "RoleSessionName", "DurationSeconds", "Policy",
            "PolicyArns.member.1.arn", "Tags.member.1.Key", "Tags.member.1.Value", "TransitiveTagKeys.member.1",
            "ExternalId", "SerialNumber", "TokenCode", "SourceIdentity", "EncodedMessage", "AccessKeyId");
    static final List<String> ECS_OPERATIONS = List.of("CreateCluster", "RegisterTaskDefinition", "RunTask",
            "DescribeTasks", "StopTask", "ListTasks", "DescribeTaskDefinition", "TagResource", "UntagResource",
            "ListTagsForResource", "DeleteCluster", "DeregisterTaskDefinition", "DescribeClusters", "Bogus");
    static final List<String> ECS_FIELDS = List.of("cluster", "clusterName", "taskDefinition", "family",
            "containerDefinitions", "taskRoleArn", "tasks", "overrides", "count", "tags", "resourceArn", "tagKeys",
            "startedBy", "launchType", "reason", "task", "name", "image", "command", "environment", "essential",
            "memory", "cpu", "key", "value", "networkMode", "portMappings", "include");

    @TempDir
    static Path dir;
    static CrossroleServer server;
    static String accessKey;
    static String secretKey;
    static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        server = CrossroleServer.start(CrossroleServer.Options.defaults(dir).withPort(0));
        accessKey = server.profiles().get(0).accessKeyId();
        secretKey = server.profiles().get(0).secretAccessKey();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void malformedSignedRequestsNeverGetAServerError() throws Exception {
        Random random = new Random(SEED);
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            int kind = random.nextInt(3);
            String body;
            HttpResponse<String> response;
            if (kind < 2) {
                boolean iam = kind == 0;
                StringBuilder form = new StringBuilder("Action=").append(encode(pick(random, iam ? IAM_ACTIONS : STS_ACTIONS)));
                if (random.nextInt(10) > 0) {
                    form.append("&Version=").append(encode(random.nextInt(10) > 0 ? (iam ? "2010-05-08" : "2011-06-15")
                            : junk(random)));
                }
                for (int p = random.nextInt(7); p > 0; p--) {
                    form.append('&').append(encode(pick(random, iam ? IAM_PARAMETERS : STS_PARAMETERS)))
                            .append('=').append(encode(junk(random)));
                }
                if (random.nextInt(10) == 0) {
                    form.append('&').append(junk(random)); // raw, possibly malformed percent-encoding
                }
                body = form.toString();
                response = send(iam ? "iam" : "sts", body, Map.of("Content-Type", "application/x-www-form-urlencoded"));
            } else {
                StringBuilder json = new StringBuilder();
                if (random.nextInt(10) == 0) {
                    json.append(junk(random));
                } else {
                    jsonValue(random, json, 0, true);
                }
                body = json.toString();
                response = send("ecs", body, Map.of("Content-Type", "application/x-amz-json-1.1",
                        "X-Amz-Target", "AmazonEC2ContainerServiceV20141113." + pick(random, ECS_OPERATIONS)));
            }
            int status = response.statusCode();
            boolean wellFormedError = status / 100 == 4
                    && (response.body().contains("<Code>") || response.body().contains("\"__type\""));
            // An operation of the model crossrole lacks is the one server-side answer allowed, and only as it is named.
            boolean notImplemented = status == 501 && response.body().contains("<Code>NotImplemented</Code>")
                    && response.body().contains("<Message>crossrole does not implement sts:");
            if (status / 100 != 2 && !wellFormedError && !notImplemented) {
                failures.add(status + " for " + body + "\n  -> " + response.body());
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " responses were neither a success nor an AWS client error:\n"
                + String.join("\n", failures.subList(0, Math.min(5, failures.size()))));
    }

    // ---- generators -------------------------------------------------------------------------

    static String pick(Random random, List<String> values) {
        return values.get(random.nextInt(values.size()));
    }

    /** A value chosen to stress parsers and validators: empty, huge, broken encodings, half documents, odd code points. */
    static String junk(Random random) {
        switch (random.nextInt(10)) {
            case 0: return "";
            case 1: return "x".repeat(1 + random.nextInt(5000));
            case 2: return "%" + (char) ('0' + random.nextInt(10)) + "z%";
            case 3: return "{\"Version\":\"2012-10-17\",\"Statement\":"
                    + pick(random, List.of("[", "{}", "[{}]", "null", "[{\"Effect\":\"Allow\"}]", "\"x\"", "[[[[[[[["));
            case 4: return pick(random, List.of("-1", "0", "99999999999999999999", "3.5", "NaN", "1e400"));
            case 5: {
                StringBuilder s = new StringBuilder();
                for (int n = 1 + random.nextInt(40); n > 0; n--) {
                    s.appendCodePoint(random.nextInt(0x2FFF));
                }
                return s.toString();
            }
            case 6: return "arn:aws:iam::" + pick(random, List.of("111122223333", "555566667777", "abc", ""))
                    + ":role/" + pick(random, List.of("x", "", "*", "../a"));
            case 7: return "\u0000\ud7ff";
            case 8: return pick(random, List.of("true", "false", "Active", "Inactive"));
            default: {
                StringBuilder s = new StringBuilder();
                for (int n = 1 + random.nextInt(100); n > 0; n--) {
                    s.append((char) (32 + random.nextInt(95)));
                }
                return s.toString();
            }
        }
    }

    static void jsonValue(Random random, StringBuilder out, int depth, boolean object) {
        int choice = object ? 7 : random.nextInt(depth < 3 ? 9 : 5);
        switch (choice) {
            case 0 -> jsonString(out, junk(random));
            case 1 -> out.append(random.nextInt(200_000) - 5);
            case 2 -> out.append("null");
            case 3 -> out.append(random.nextBoolean());
            case 4 -> out.append(pick(random, List.of("1e308", "-0.5", "123456789012345678901234567890")));
            case 5, 6 -> {
                out.append('[');
                for (int n = random.nextInt(4); n > 0; n--) {
                    jsonValue(random, out, depth + 1, false);
                    if (n > 1) {
                        out.append(',');
                    }
                }
                out.append(']');
            }
            default -> {
                out.append('{');
                for (int n = random.nextInt(6); n > 0; n--) {
                    jsonString(out, pick(random, ECS_FIELDS));
                    out.append(':');
                    jsonValue(random, out, depth + 1, false);
                    if (n > 1) {
                        out.append(',');
                    }
                }
                out.append('}');
            }
        }
    }

    static void jsonString(StringBuilder out, String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        out.append('"');
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    // ---- signing ----------------------------------------------------------------------------

    /** A POST to "/" signed with SigV4 (header form) for {@code service} in us-east-1. */
    static HttpResponse<String> send(String service, String body, Map<String, String> extraHeaders) throws Exception {
        String amzDate = SigV4.formatAmzDate(Instant.now());
        URI uri = URI.create(server.endpoint() + "/");
        byte[] payload = body.getBytes(StandardCharsets.UTF_8);
        List<Map.Entry<String, String>> headers = new ArrayList<>(List.of(
                Map.entry("Host", uri.getHost() + ":" + uri.getPort()), Map.entry("X-Amz-Date", amzDate)));
        List<String> signed = new ArrayList<>(List.of("host", "x-amz-date"));
        extraHeaders.forEach((name, value) -> {
            headers.add(Map.entry(name, value));
            signed.add(name.toLowerCase(java.util.Locale.ROOT));
        });
        signed.sort(null);
        SigV4.Credential scope = new SigV4.Credential(accessKey, amzDate.substring(0, 8), "us-east-1", service);
        String canonical = SigV4.canonicalRequest(new SigV4.HttpRequestParts("POST", "/", null, headers, payload),
                signed, SigV4.sha256Hex(payload), true, false);
        String signature = SigV4.signature(SigV4.signingKey(secretKey, scope.date(), scope.region(), scope.service()),
                SigV4.stringToSign(amzDate, scope, canonical));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("X-Amz-Date", amzDate)
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=" + accessKey + "/" + scope.scope()
                        + ", SignedHeaders=" + String.join(";", signed) + ", Signature=" + signature);
        extraHeaders.forEach(request::header);
        return http.send(request.POST(HttpRequest.BodyPublishers.ofByteArray(payload)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
