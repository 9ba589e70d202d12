package dev.crossrole.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Durability under SIGKILL: a real crossrole process takes IAM and ECS writes from several threads and is
 * killed at a random moment, many times over on the same data directory. After every restart each write
 * that was acknowledged (HTTP 200 received) must be there, and the state must read back whole.
 */
class CrashRecoveryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ACCOUNT = "111122223333";
    private static final int ROUNDS = 20;
    private static final int WRITERS = 4;
    private static final String TRUST = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
            + "\"Principal\":{\"Service\":\"ecs-tasks.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}}";

    @TempDir
    Path dir;

    /** What was acknowledged: roles (with the inline policy names they were given), users, task definitions. */
    private final Map<String, Set<String>> roles = new ConcurrentHashMap<>();
    private final Set<String> users = ConcurrentHashMap.newKeySet();
    private final Set<String> taskDefinitions = ConcurrentHashMap.newKeySet();

    private record Server(Process process, String endpoint, RawAws.Creds admin) {}

    private Server start(Path data) throws Exception {
        ServeProcess serve = ServeProcess.start(dir, data, List.of("-XX:TieredStopAtLevel=1"));
        Process process = serve.process();
        String endpoint = serve.endpoint();
        String credentials = Files.readString(data.resolve("credentials"));
        Matcher key = Pattern.compile("\\[source\\][^\\[]*aws_access_key_id = (\\S+)\\s+aws_secret_access_key = (\\S+)")
                .matcher(credentials);
        assertTrue(key.find(), credentials);
        return new Server(process, endpoint, new RawAws.Creds(key.group(1), key.group(2), null));
    }

    private static RawAws.Res iam(RawAws aws, RawAws.Creds creds, String... params) throws Exception {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("Action", params[0]);
        form.put("Version", "2010-05-08");
        for (int i = 1; i < params.length; i += 2) {
            form.put(params[i], params[i + 1]);
        }
        RawAws.Req req = new RawAws.Req();
        req.header("Content-Type", RawAws.FORM);
        req.body = RawAws.form(form);
        return aws.send(aws.sign(req, creds, Instant.now(), "us-east-1", "iam"));
    }

    private static RawAws.Res ecs(RawAws aws, RawAws.Creds creds, String operation, String body) throws Exception {
        RawAws.Req req = new RawAws.Req();
        req.header("Content-Type", "application/x-amz-json-1.1");
        req.header("X-Amz-Target", "AmazonEC2ContainerServiceV20141113." + operation);
        req.body = body;
        return aws.send(aws.sign(req, creds, Instant.now(), "us-east-1", "ecs"));
    }

    /** One writer: create a role, give it a policy, create a user, register a task definition; repeat until killed. */
    private void write(Server server, int round, int writer, AtomicBoolean killed) {
        RawAws aws = new RawAws(server.endpoint());
        try {
            for (int i = 0; !killed.get(); i++) {
                String name = "r" + round + "-w" + writer + "-" + i;
                if (iam(aws, server.admin(), "CreateRole", "RoleName", name, "AssumeRolePolicyDocument", TRUST).status() == 200) {
                    roles.put(name, ConcurrentHashMap.newKeySet());
                } else {
                    continue;
                }
                String policy = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\","
                        + "\"Resource\":\"arn:aws:s3:::" + name + "/*\"}}";
                if (iam(aws, server.admin(), "PutRolePolicy", "RoleName", name, "PolicyName", "p-" + name,
                        "PolicyDocument", policy).status() == 200) {
                    roles.get(name).add("p-" + name);
                }
                if (iam(aws, server.admin(), "CreateUser", "UserName", "u-" + name).status() == 200) {
                    users.add("u-" + name);
                }
                RawAws.Res registered = ecs(aws, server.admin(), "RegisterTaskDefinition", "{\"family\":\"f-w" + writer
                        + "\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"local\",\"memory\":64}]}");
                if (registered.status() == 200) {
                    JsonNode td = JSON.readTree(registered.body()).get("taskDefinition");
                    taskDefinitions.add(td.get("family").asText() + ":" + td.get("revision").asInt());
                }
            }
        } catch (Exception e) {
            // The server was killed in the middle of a request: that write was never acknowledged.
        }
    }

    @Test
    void everyAcknowledgedWriteSurvivesSigkill() throws Exception {
        Path data = dir.resolve("data");
        Random random = new Random(20261127L);
        for (int round = 0; round < ROUNDS; round++) {
            Server server = start(data);
            verify(server, round);
            AtomicBoolean killed = new AtomicBoolean();
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int round0 = round;
                int writer = w;
                Thread t = new Thread(() -> write(server, round0, writer, killed), "writer-" + w);
                t.start();
                writers.add(t);
            }
            Thread.sleep(150 + random.nextInt(900));
            server.process().destroyForcibly(); // SIGKILL: no shutdown hook, no flush
            killed.set(true);
            assertTrue(server.process().waitFor(30, TimeUnit.SECONDS));
            for (Thread t : writers) {
                t.join(30_000);
            }
        }
        Server last = start(data);
        try {
            verify(last, ROUNDS);
            assertTrue(roles.size() > ROUNDS * WRITERS, "writes were acknowledged in every round: " + roles.size());
            System.out.printf("CrashRecoveryTest: %d rounds, acknowledged %d roles, %d role policies, %d users,"
                    + " %d task definitions; all present after each SIGKILL%n", ROUNDS, roles.size(),
                    roles.values().stream().mapToInt(Set::size).sum(), users.size(), taskDefinitions.size());
        } finally {
            last.process().destroy();
            last.process().waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Every acknowledged write is present; the account's whole IAM state reads back. */
    private void verify(Server server, int round) throws Exception {
        RawAws aws = new RawAws(server.endpoint());
        Map<String, Set<String>> found = new HashMap<>();
        String marker = null;
        do {
            RawAws.Res page = marker == null ? iam(aws, server.admin(), "GetAccountAuthorizationDetails", "Filter.member.1", "Role")
                    : iam(aws, server.admin(), "GetAccountAuthorizationDetails", "Filter.member.1", "Role", "Marker", marker);
            assertEquals(200, page.status(), page.body());
            NodeList details = page.xml().getElementsByTagNameNS("*", "RoleDetailList").item(0).getChildNodes();
            for (int i = 0; i < details.getLength(); i++) {
                if (!(details.item(i) instanceof Element role)) {
                    continue;
                }
                String name = role.getElementsByTagNameNS("*", "RoleName").item(0).getTextContent();
                Set<String> policies = new HashSet<>();
                NodeList policyNames = role.getElementsByTagNameNS("*", "PolicyName");
                for (int p = 0; p < policyNames.getLength(); p++) {
                    policies.add(policyNames.item(p).getTextContent());
                }
                NodeList documents = role.getElementsByTagNameNS("*", "PolicyDocument");
                for (int d = 0; d < documents.getLength(); d++) {
                    JSON.readTree(URLDecoder.decode(documents.item(d).getTextContent(), StandardCharsets.UTF_8));
                }
                found.put(name, policies);
            }
            marker = "true".equals(page.xmlText("IsTruncated")) ? page.xmlText("Marker") : null;
        } while (marker != null);
        for (Map.Entry<String, Set<String>> acked : roles.entrySet()) {
            Set<String> policies = found.get(acked.getKey());
            assertTrue(policies != null, "round " + round + ": acknowledged role " + acked.getKey() + " is missing");
            assertTrue(policies.containsAll(acked.getValue()), "round " + round + ": role " + acked.getKey()
                    + " lost acknowledged policies " + acked.getValue() + ", has " + policies);
        }
        Set<String> userNames = new HashSet<>();
        marker = null;
        do {
            RawAws.Res page = marker == null ? iam(aws, server.admin(), "ListUsers", "MaxItems", "1000")
                    : iam(aws, server.admin(), "ListUsers", "MaxItems", "1000", "Marker", marker);
            assertEquals(200, page.status(), page.body());
            NodeList names = page.xml().getElementsByTagNameNS("*", "UserName");
            for (int i = 0; i < names.getLength(); i++) {
                userNames.add(names.item(i).getTextContent());
            }
            marker = "true".equals(page.xmlText("IsTruncated")) ? page.xmlText("Marker") : null;
        } while (marker != null);
        assertTrue(userNames.containsAll(users), "round " + round + ": acknowledged users are missing");
        Set<String> definitions = new HashSet<>();
        String next = null;
        do {
            RawAws.Res page = ecs(aws, server.admin(), "ListTaskDefinitions",
                    next == null ? "{}" : JSON.createObjectNode().put("nextToken", next).toString());
            assertEquals(200, page.status(), page.body());
            JsonNode body = JSON.readTree(page.body());
            body.path("taskDefinitionArns").forEach(a -> definitions.add(a.asText().substring(a.asText().lastIndexOf('/') + 1)));
            next = body.hasNonNull("nextToken") ? body.get("nextToken").asText() : null;
        } while (next != null);
        assertTrue(definitions.containsAll(taskDefinitions), "round " + round + ": acknowledged task definitions are missing");
    }
}
