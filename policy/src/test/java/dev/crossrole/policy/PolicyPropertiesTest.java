package dev.crossrole.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * Properties of the policy engine checked on generated material: principals, actions, resources,
 * condition keys and policy documents of every kind, built from the vocabulary of the ECS
 * cross-account walkthrough (accounts 111122223333 and 555566667777).
 *
 * <ul>
 *   <li>adding a Deny anywhere never makes a decision more permissive;</li>
 *   <li>adding an Allow to an identity policy never creates an explicit deny and never takes an allow away;</li>
 *   <li>random, policy-shaped and mutated documents only ever yield a validation diagnostic: no other
 *       exception or error escapes {@link Policies#validate} or {@link Policies#parse}, and a document
 *       that validates parses and evaluates without throwing.</li>
 * </ul>
 */
class PolicyPropertiesTest {

    /** A fixed clock, so that aws:CurrentTime conditions are repeatable. */
    private static final PolicyEngine ENGINE =
            new PolicyEngine(Clock.fixed(Instant.parse("2026-11-27T12:00:00Z"), ZoneOffset.UTC));
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    /** A lenient reader for the test's own mutations (duplicates allowed, default depth limit). */
    private static final ObjectMapper LENIENT = new ObjectMapper();

    // =========================================================================================
    // Vocabulary
    // =========================================================================================

    /**
     * AWS supports NotPrincipal with Deny only ("Using it with Allow is not supported") and validation
     * refuses the pair, but bucket policies stored before that rule still hold it: generated statements
     * use NotPrincipal with both effects, and a document with Allow + NotPrincipal is compiled as a stored
     * document ({@link Policies#parseStored}). With Allow it once broke the deny-monotonicity property (see
     * {@link #aDenyOnlyBoundaryNeverTurnsAnImplicitDenyIntoAnAllow}); set this to false to generate
     * NotPrincipal with Deny only.
     */
    static final boolean ALLOW_WITH_NOT_PRINCIPAL = true;

    static final String SRC = "111122223333";
    static final String DST = "555566667777";
    static final String TASK_ROLE = "arn:aws:iam::111122223333:role/my-ECS-task-role";
    static final String DEST_ROLE = "arn:aws:iam::555566667777:role/destination-account-role";
    static final String TASK_SESSION =
            "arn:aws:sts::111122223333:assumed-role/my-ECS-task-role/0f3c9a2b7d5e4f61a8b9c0d1e2f3a4b5";
    static final String DEST_SESSION =
            "arn:aws:sts::555566667777:assumed-role/destination-account-role/botocore-session-1764244800";
    static final String READER_SESSION = "arn:aws:sts::111122223333:assumed-role/reader/alice";
    static final String OBJECT = "arn:aws:s3:::team-bucket/reports/2026/q3.csv";

    static final List<String> CALLERS = List.of(
            "arn:aws:iam::111122223333:root",
            "arn:aws:iam::555566667777:root",
            "arn:aws:iam::111122223333:user/alice",
            "arn:aws:iam::555566667777:user/ops/bob",
            TASK_SESSION,
            DEST_SESSION,
            READER_SESSION,
            "arn:aws:sts::111122223333:federated-user/carol",
            "ecs-tasks.amazonaws.com",
            "anonymous");

    record Target(String action, String resource) {}

    static final List<Target> TARGETS = List.of(
            new Target("sts:AssumeRole", DEST_ROLE),
            new Target("sts:AssumeRole", TASK_ROLE),
            new Target("sts:TagSession", DEST_ROLE),
            new Target("s3:GetObject", OBJECT),
            new Target("s3:PutObject", "arn:aws:s3:::team-bucket/blue/data.json"),
            new Target("s3:ListBucket", "arn:aws:s3:::team-bucket"),
            new Target("s3:GetObject", "arn:aws:s3:::other-bucket/secret.txt"),
            new Target("ec2:DescribeInstances", "*"),
            new Target("ec2:StartInstances", "arn:aws:ec2:us-east-1:555566667777:instance/i-0123456789abcdef0"),
            new Target("ecs:ListClusters", "*"),
            new Target("iam:PassRole", TASK_ROLE),
            new Target("sts:GetCallerIdentity", "*"));

    static final List<String> ACTION_VOCAB = List.of(
            "sts:AssumeRole", "sts:TagSession", "sts:*", "s3:GetObject", "s3:Get*", "s3:*", "s3:PutObject",
            "s3:List*", "ec2:Describe*", "ec2:StartInstances", "ec2:*", "ecs:ListClusters", "iam:PassRole", "*",
            "S3:getobject", "s3:Get?bject", "dynamodb:GetItem");

    static final List<String> TRUST_ACTIONS = List.of("sts:AssumeRole", "sts:TagSession", "sts:*",
            "sts:AssumeRole*", "STS:assumerole", "sts:SetSourceIdentity");

    static final List<String> RESOURCE_VOCAB = List.of(
            "*", DEST_ROLE, TASK_ROLE, "arn:aws:iam::555566667777:role/*", "arn:aws:iam::*:role/destination-account-role",
            "arn:aws:s3:::team-bucket", "arn:aws:s3:::team-bucket/*", "arn:aws:s3:::team-bucket/reports/*",
            "arn:aws:s3:::team-bucket/${aws:PrincipalTag/team}/*", "arn:aws:s3:::*", "arn:aws:s3:::other-bucket/*",
            "arn:aws:ec2:*:555566667777:instance/*", "arn:aws:ec2:us-east-1:555566667777:instance/i-0123456789abcdef0",
            "arn:aws:ecs:us-east-1:555566667777:cluster/default", "arn:aws:dynamodb:us-east-1:111122223333:table/Books",
            "arn:aws:s3:::team-bucket/${aws:username}/*");

    /** One value of a Principal element: its type key ({@code AWS}, {@code Service}, ...) or {@code *} for the bare star. */
    record PrincipalValue(String type, String value) {}

    static final PrincipalValue STAR = new PrincipalValue("*", "*");

    static final List<PrincipalValue> PRINCIPAL_VOCAB = List.of(
            STAR, aws("*"), aws(SRC), aws(DST), aws("arn:aws:iam::111122223333:root"), aws(TASK_ROLE),
            aws("arn:aws:iam::111122223333:role/reader"), aws("arn:aws:iam::111122223333:user/alice"),
            aws("arn:aws:iam::555566667777:user/ops/bob"), aws(TASK_SESSION), aws(DEST_ROLE),
            aws("arn:aws:sts::111122223333:federated-user/carol"), aws("AROAEXAMPLEROLEID01"),
            new PrincipalValue("Service", "ecs-tasks.amazonaws.com"),
            new PrincipalValue("Service", "ec2.amazonaws.com"),
            new PrincipalValue("Federated", "arn:aws:iam::111122223333:saml-provider/corp"));

    static PrincipalValue aws(String value) {
        return new PrincipalValue("AWS", value);
    }

    record Cond(String op, String key, List<String> values) {}

    static final List<Cond> CONDITIONS = List.of(
            new Cond("StringEquals", "aws:PrincipalTag/team", List.of("blue")),
            new Cond("StringEquals", "aws:PrincipalTag/team", List.of("red", "blue")),
            new Cond("StringLike", "aws:PrincipalTag/team", List.of("bl*")),
            new Cond("StringNotEquals", "aws:PrincipalTag/team", List.of("red")),
            new Cond("StringEqualsIgnoreCase", "aws:PrincipalTag/team", List.of("BLUE")),
            new Cond("IpAddress", "aws:SourceIp", List.of("203.0.113.0/24")),
            new Cond("IpAddress", "aws:SourceIp", List.of("198.51.100.0/24", "2001:db8::/32")),
            new Cond("NotIpAddress", "aws:SourceIp", List.of("203.0.113.0/24")),
            new Cond("DateGreaterThan", "aws:CurrentTime", List.of("2020-01-01T00:00:00Z")),
            new Cond("DateLessThan", "aws:CurrentTime", List.of("2026-01-01T00:00:00Z")),
            new Cond("Bool", "aws:SecureTransport", List.of("true")),
            new Cond("Bool", "aws:SecureTransport", List.of("false")),
            new Cond("BoolIfExists", "aws:MultiFactorAuthPresent", List.of("true")),
            new Cond("NumericLessThan", "aws:MultiFactorAuthAge", List.of("3600")),
            new Cond("NumericGreaterThanEquals", "aws:EpochTime", List.of("1700000000")),
            new Cond("StringEquals", "aws:PrincipalAccount", List.of(SRC)),
            new Cond("StringNotEquals", "aws:PrincipalAccount", List.of(DST)),
            new Cond("ArnLike", "aws:PrincipalArn", List.of("arn:aws:iam::111122223333:role/*")),
            new Cond("ArnNotEquals", "aws:PrincipalArn", List.of(DEST_ROLE)),
            new Cond("ForAnyValue:StringLike", "aws:TagKeys", List.of("team*", "env")),
            new Cond("ForAllValues:StringEquals", "aws:TagKeys", List.of("team", "env")),
            new Cond("StringEqualsIfExists", "sts:ExternalId", List.of("ext-42")),
            new Cond("Null", "aws:SourceIp", List.of("true")),
            new Cond("Null", "aws:SourceIp", List.of("false")),
            new Cond("StringLike", "s3:prefix", List.of("reports/*")),
            new Cond("StringEquals", "s3:prefix", List.of("${aws:PrincipalTag/team}/")),
            new Cond("StringEquals", "aws:ResourceAccount", List.of(DST)),
            new Cond("StringEquals", "aws:PrincipalOrgID", List.of("o-a1b2c3d4e5")),
            new Cond("StringEquals", "aws:PrincipalType", List.of("AssumedRole")),
            new Cond("BinaryEquals", "s3:x-amz-content-sha256", List.of("QmluYXJ5VmFsdWU=")));

    // =========================================================================================
    // Documents: a small model that renders to JSON
    // =========================================================================================

    /** One statement; {@code principal} is null for identity-style statements, {@code resources} null for trust statements. */
    record Stmt(boolean allow, List<PrincipalValue> principal, boolean notPrincipal, List<String> actions,
                boolean notAction, List<String> resources, boolean notResource, List<Cond> conditions) {

        ObjectNode toJson() {
            ObjectNode s = F.objectNode();
            s.put("Effect", allow ? "Allow" : "Deny");
            if (principal != null) {
                s.set(notPrincipal ? "NotPrincipal" : "Principal", principalJson(principal));
            }
            s.set(notAction ? "NotAction" : "Action", stringOrList(actions));
            if (resources != null) {
                s.set(notResource ? "NotResource" : "Resource", stringOrList(resources));
            }
            if (!conditions.isEmpty()) {
                ObjectNode condition = s.putObject("Condition");
                for (Cond c : conditions) {
                    ObjectNode block = condition.has(c.op()) ? (ObjectNode) condition.get(c.op()) : condition.putObject(c.op());
                    block.set(c.key(), stringOrList(c.values()));
                }
            }
            return s;
        }
    }

    static JsonNode principalJson(List<PrincipalValue> values) {
        if (values.contains(STAR)) {
            return F.textNode("*");
        }
        Map<String, List<String>> byType = new LinkedHashMap<>();
        for (PrincipalValue v : values) {
            byType.computeIfAbsent(v.type(), t -> new ArrayList<>()).add(v.value());
        }
        ObjectNode out = F.objectNode();
        byType.forEach((type, list) -> out.set(type, stringOrList(list)));
        return out;
    }

    static JsonNode stringOrList(List<String> values) {
        if (values.size() == 1) {
            return F.textNode(values.get(0));
        }
        ArrayNode array = F.arrayNode();
        values.forEach(array::add);
        return array;
    }

    record Doc(List<Stmt> statements) {
        static Doc of(Stmt statement) {
            return new Doc(List.of(statement));
        }

        Doc plus(Stmt statement) {
            List<Stmt> out = new ArrayList<>(statements);
            out.add(statement);
            return new Doc(List.copyOf(out));
        }

        String render() {
            ObjectNode root = F.objectNode();
            root.put("Version", "2012-10-17");
            if (statements.size() == 1) {
                root.set("Statement", statements.get(0).toJson());
            } else {
                ArrayNode array = root.putArray("Statement");
                statements.forEach(s -> array.add(s.toJson()));
            }
            return root.toString();
        }
    }

    static final Doc FULL_AWS_ACCESS = Doc.of(new Stmt(true, null, false, List.of("*"), false, List.of("*"), false, List.of()));
    static final Doc RCP_FULL_AWS_ACCESS =
            Doc.of(new Stmt(true, List.of(STAR), false, List.of("*"), false, List.of("*"), false, List.of()));

    // =========================================================================================
    // Requests and scenarios
    // =========================================================================================

    record Req(String caller, String action, String resource, String resourceAccount, Map<String, ContextValue> context) {
        AuthorizationRequest build() {
            RequestContext.Builder builder = RequestContext.builder();
            context.forEach(builder::put);
            return new AuthorizationRequest(Principal.parse(caller), action, resource, resourceAccount, builder.build());
        }

        /** The kind of the resource's policy: a trust policy for the STS role actions, else a resource-based policy. */
        PolicyKind resourceKind() {
            return action.toLowerCase(Locale.ROOT).startsWith("sts:") && resource.startsWith("arn:aws:iam::")
                    && resource.contains(":role/") ? PolicyKind.TRUST : PolicyKind.RESOURCE;
        }
    }

    /** A request and its policies; {@code identityOnly} decides on the caller's side alone, as IAM's simulator does. */
    record Scenario(Req req, List<Doc> identity, Doc boundary, List<Doc> session, Doc resource,
                    List<List<Doc>> scps, List<List<Doc>> rcps, boolean identityOnly) {

        PolicySet policySet() {
            PolicySet.Builder builder = PolicySet.builder();
            for (int i = 0; i < identity.size(); i++) {
                builder.identity(parse(identity.get(i), PolicyKind.IDENTITY, "identity[" + i + "]"));
            }
            if (boundary != null) {
                builder.boundary(parse(boundary, PolicyKind.BOUNDARY, "boundary"));
            }
            for (int i = 0; i < session.size(); i++) {
                builder.session(parse(session.get(i), PolicyKind.SESSION, "session[" + i + "]"));
            }
            if (resource != null) {
                builder.resource(parse(resource, req.resourceKind(), "resource"));
            }
            for (int l = 0; l < scps.size(); l++) {
                List<Policy> level = new ArrayList<>();
                for (int i = 0; i < scps.get(l).size(); i++) {
                    level.add(parse(scps.get(l).get(i), PolicyKind.SCP, "scp[" + l + "][" + i + "]"));
                }
                builder.scpLevel(level);
            }
            for (int l = 0; l < rcps.size(); l++) {
                List<Policy> level = new ArrayList<>();
                for (int i = 0; i < rcps.get(l).size(); i++) {
                    level.add(parse(rcps.get(l).get(i), PolicyKind.RCP, "rcp[" + l + "][" + i + "]"));
                }
                builder.rcpLevel(level);
            }
            if (identityOnly) {
                builder.identityOnly();
            }
            return builder.build();
        }

        Decision decide() {
            return ENGINE.evaluate(req.build(), policySet());
        }

        Scenario with(Place place, int index, Stmt statement) {
            List<Doc> identity = new ArrayList<>(this.identity);
            List<Doc> session = new ArrayList<>(this.session);
            List<List<Doc>> scps = deepCopy(this.scps);
            List<List<Doc>> rcps = deepCopy(this.rcps);
            Doc boundary = this.boundary;
            Doc resource = this.resource;
            switch (place) {
                case IDENTITY_NEW_POLICY -> identity.add(Doc.of(statement));
                case IDENTITY_APPEND -> appendOrAdd(identity, index, statement);
                case BOUNDARY -> boundary = boundary == null ? Doc.of(statement) : boundary.plus(statement);
                case SESSION_NEW_POLICY -> session.add(Doc.of(statement));
                case SESSION_APPEND -> appendOrAdd(session, index, statement);
                case RESOURCE_POLICY -> resource = resource == null ? Doc.of(statement) : resource.plus(statement);
                case SCP_LEVEL_NEW_POLICY -> addToLevel(scps, index, statement);
                case SCP_APPEND -> appendInLevel(scps, index, statement);
                case SCP_NEW_LEVEL -> scps.add(index % (scps.size() + 1), new ArrayList<>(List.of(Doc.of(statement))));
                case RCP_LEVEL_NEW_POLICY -> addToLevel(rcps, index, statement);
                case RCP_NEW_LEVEL -> rcps.add(index % (rcps.size() + 1), new ArrayList<>(List.of(Doc.of(statement))));
                default -> throw new IllegalStateException(place.name());
            }
            return new Scenario(req, identity, boundary, session, resource, scps, rcps, identityOnly);
        }

        @Override
        public String toString() {
            StringBuilder out = new StringBuilder("\n  request: ").append(req).append(identityOnly ? " (identity only)" : "");
            identity.forEach(d -> out.append("\n  identity: ").append(d.render()));
            if (boundary != null) {
                out.append("\n  boundary: ").append(boundary.render());
            }
            session.forEach(d -> out.append("\n  session: ").append(d.render()));
            if (resource != null) {
                out.append("\n  ").append(req.resourceKind().cliName()).append(": ").append(resource.render());
            }
            for (List<Doc> level : scps) {
                out.append("\n  scp level: ").append(level.stream().map(Doc::render).collect(Collectors.joining(" | ")));
            }
            for (List<Doc> level : rcps) {
                out.append("\n  rcp level: ").append(level.stream().map(Doc::render).collect(Collectors.joining(" | ")));
            }
            return out.toString();
        }
    }

    enum Place {
        IDENTITY_NEW_POLICY, IDENTITY_APPEND, BOUNDARY, SESSION_NEW_POLICY, SESSION_APPEND, RESOURCE_POLICY,
        SCP_LEVEL_NEW_POLICY, SCP_APPEND, SCP_NEW_LEVEL, RCP_LEVEL_NEW_POLICY, RCP_NEW_LEVEL;

        PolicyKind kind(Req req) {
            return switch (this) {
                case IDENTITY_NEW_POLICY, IDENTITY_APPEND -> PolicyKind.IDENTITY;
                case BOUNDARY -> PolicyKind.BOUNDARY;
                case SESSION_NEW_POLICY, SESSION_APPEND -> PolicyKind.SESSION;
                case RESOURCE_POLICY -> req.resourceKind();
                case SCP_LEVEL_NEW_POLICY, SCP_APPEND, SCP_NEW_LEVEL -> PolicyKind.SCP;
                case RCP_LEVEL_NEW_POLICY, RCP_NEW_LEVEL -> PolicyKind.RCP;
            };
        }
    }

    record Insertion(Place place, int index, Stmt statement) {
        @Override
        public String toString() {
            return place + "#" + index + " " + statement.toJson();
        }
    }

    private static List<List<Doc>> deepCopy(List<List<Doc>> levels) {
        List<List<Doc>> out = new ArrayList<>();
        levels.forEach(level -> out.add(new ArrayList<>(level)));
        return out;
    }

    private static void appendOrAdd(List<Doc> docs, int index, Stmt statement) {
        if (docs.isEmpty()) {
            docs.add(Doc.of(statement));
        } else {
            int i = index % docs.size();
            docs.set(i, docs.get(i).plus(statement));
        }
    }

    private static void addToLevel(List<List<Doc>> levels, int index, Stmt statement) {
        if (levels.isEmpty()) {
            levels.add(new ArrayList<>(List.of(Doc.of(statement))));
        } else {
            levels.get(index % levels.size()).add(Doc.of(statement));
        }
    }

    private static void appendInLevel(List<List<Doc>> levels, int index, Stmt statement) {
        if (levels.isEmpty()) {
            levels.add(new ArrayList<>(List.of(Doc.of(statement))));
        } else {
            List<Doc> level = levels.get(index % levels.size());
            appendOrAdd(level, index / 7, statement);
        }
    }

    /**
     * Generated documents are meant to be valid: a rejection is a bug in the generator or in the validator.
     * One with an Allow + NotPrincipal statement is valid only as a stored document, and is read as one.
     */
    static Policy parse(Doc doc, PolicyKind kind, String name) {
        String text = doc.render();
        try {
            return allowWithNotPrincipal(text) ? Policies.parseStored(text, kind, name) : Policies.parse(text, kind, name);
        } catch (InvalidPolicyException e) {
            Diagnostic d = e.diagnostic();
            throw new AssertionError("generated " + kind.cliName() + " policy rejected: " + d.code() + " " + d.message()
                    + " at " + d.location() + (d.detail() == null ? "" : " (" + d.detail() + ")") + "\n" + text, e);
        }
    }

    /** Whether a rendered document has a statement pairing Allow with NotPrincipal, which only stored documents may hold. */
    static boolean allowWithNotPrincipal(String text) {
        JsonNode statements = PolicyJson.readOrNull(text).get("Statement");
        for (JsonNode statement : statements.isArray() ? statements : List.of(statements)) {
            if (statement.has("NotPrincipal") && "Allow".equals(statement.path("Effect").asText())) {
                return true;
            }
        }
        return false;
    }

    // =========================================================================================
    // Generators of requests and policies
    // =========================================================================================

    @Provide
    Arbitrary<Req> requests() {
        Arbitrary<String> resourceAccount = Arbitraries.of(SRC, DST).injectNull(0.6);
        return Combinators.combine(Arbitraries.of(CALLERS), Arbitraries.of(TARGETS), resourceAccount, contexts())
                .as((caller, target, account, context) -> new Req(caller, target.action(), target.resource(),
                        target.resource().startsWith("arn:aws:s3:") ? account : null, context));
    }

    static Arbitrary<Map<String, ContextValue>> contexts() {
        List<Arbitrary<Map.Entry<String, ContextValue>>> keys = List.of(
                single("aws:PrincipalTag/team", "blue", "red", "green"),
                single("aws:SourceIp", "203.0.113.9", "198.51.100.7", "2001:db8::1", "not-an-ip"),
                single("aws:SecureTransport", "true", "false"),
                single("aws:MultiFactorAuthPresent", "true", "false"),
                single("aws:MultiFactorAuthAge", "120", "7200"),
                single("sts:ExternalId", "ext-42", "other"),
                single("s3:prefix", "reports/2026", "blue/"),
                single("aws:PrincipalOrgID", "o-a1b2c3d4e5", "o-zzzzzzzzzz"),
                single("aws:CurrentTime", "2019-06-01T00:00:00Z", "2026-11-27T12:00:00Z"),
                Arbitraries.of("team", "env", "owner").set().ofMaxSize(3)
                        .map(s -> Map.entry("aws:TagKeys", ContextValue.multi(s.stream().sorted().toList())))
                        .injectNull(0.5));
        return Combinators.combine(keys).as(entries -> {
            Map<String, ContextValue> out = new LinkedHashMap<>();
            entries.stream().filter(e -> e != null).forEach(e -> out.put(e.getKey(), e.getValue()));
            return out;
        });
    }

    private static Arbitrary<Map.Entry<String, ContextValue>> single(String key, String... values) {
        return Arbitraries.of(values).map(v -> Map.entry(key, ContextValue.single(v))).injectNull(0.5);
    }

    /** Action patterns: half of them chosen to match the request's action. */
    static Arbitrary<String> actionPatterns(Req req, boolean focused) {
        String action = req.action();
        String service = action.substring(0, action.indexOf(':'));
        String name = action.substring(action.indexOf(':') + 1);
        List<String> matching = List.of(action, service + ":*", "*", service + ":" + name.substring(0, 3) + "*",
                action.toLowerCase(Locale.ROOT));
        return focused ? Arbitraries.of(matching)
                : Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.of(matching)), Tuple.of(1, Arbitraries.of(ACTION_VOCAB)));
    }

    static Arbitrary<String> trustActions(Req req, boolean focused) {
        if (req.resourceKind() == PolicyKind.TRUST && focused) {
            return Arbitraries.of(req.action(), "sts:*");
        }
        if (req.resourceKind() == PolicyKind.TRUST) {
            return Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(req.action())),
                    Tuple.of(1, Arbitraries.of(TRUST_ACTIONS)));
        }
        return Arbitraries.of(TRUST_ACTIONS);
    }

    /** Resource patterns: half of them chosen to match the request's resource. */
    static Arbitrary<String> resourcePatterns(Req req, boolean focused) {
        String resource = req.resource();
        List<String> matching = new ArrayList<>(List.of("*"));
        if (!resource.equals("*")) {
            matching.add(resource);
            int cut = Math.max(resource.lastIndexOf('/'), resource.lastIndexOf(':'));
            matching.add(resource.substring(0, cut + 1) + "*");
        }
        return focused ? Arbitraries.of(matching)
                : Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.of(matching)), Tuple.of(1, Arbitraries.of(RESOURCE_VOCAB)));
    }

    /** Principal values: half of them naming the caller at one of its levels. */
    static Arbitrary<List<PrincipalValue>> principals(Req req, boolean allowStar, boolean focused) {
        Principal caller = Principal.parse(req.caller());
        List<PrincipalValue> matching = new ArrayList<>(List.of(aws("*")));
        if (allowStar) {
            matching.add(STAR);
        }
        if (caller instanceof Principal.AccountRoot root) {
            matching.addAll(List.of(aws(root.accountId()), aws(root.arn())));
        } else if (caller instanceof Principal.IamUser user) {
            matching.addAll(List.of(aws(user.accountId()), aws(user.arn())));
        } else if (caller instanceof Principal.RoleSession session) {
            matching.addAll(List.of(aws(session.accountId()), aws(session.roleArn()), aws(session.sessionArn())));
        } else if (caller instanceof Principal.FederatedUser federated) {
            matching.addAll(List.of(aws(federated.accountId()), aws(federated.arn())));
        } else if (caller instanceof Principal.ServicePrincipal service) {
            matching.add(new PrincipalValue("Service", service.name()));
        }
        List<PrincipalValue> vocab = allowStar ? PRINCIPAL_VOCAB
                : PRINCIPAL_VOCAB.stream().filter(v -> v != STAR).toList();
        Arbitrary<PrincipalValue> values = focused ? Arbitraries.of(matching)
                : Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.of(matching)), Tuple.of(1, Arbitraries.of(vocab)));
        return values.list().ofMinSize(1).ofMaxSize(3).uniqueElements();
    }

    /**
     * A statement valid in a policy of the given kind: identity-style kinds have Action and Resource and
     * no Principal; trust statements a Principal and STS actions and no Resource; resource-based
     * statements all three; RCP statements Principal "*" and no NotAction.
     */
    static Arbitrary<Stmt> statement(Req req, PolicyKind kind, Boolean effect) {
        return statement(req, kind, effect, false);
    }

    /** As above; a focused statement names only patterns that match the request (its conditions may still fail). */
    static Arbitrary<Stmt> statement(Req req, PolicyKind kind, Boolean effect, boolean focused) {
        boolean trust = kind == PolicyKind.TRUST;
        boolean rcp = kind == PolicyKind.RCP;
        Arbitrary<Boolean> allow = effect != null ? Arbitraries.just(effect)
                : Arbitraries.frequency(Tuple.of(6, true), Tuple.of(1, false));
        Arbitrary<List<PrincipalValue>> principal;
        if (trust || kind == PolicyKind.RESOURCE || kind == PolicyKind.KEY) {
            principal = principals(req, true, focused);
        } else if (rcp) {
            principal = Arbitraries.of(List.of(STAR), List.of(aws("*")));
        } else {
            principal = Arbitraries.just(null);
        }
        Arbitrary<Boolean> notPrincipal = (kind == PolicyKind.RESOURCE || kind == PolicyKind.KEY)
                ? Arbitraries.frequency(Tuple.of(9, false), Tuple.of(1, true)) : Arbitraries.just(false);
        Arbitrary<List<String>> actions = (trust ? trustActions(req, focused) : actionPatterns(req, focused))
                .list().ofMinSize(1).ofMaxSize(3).uniqueElements();
        Arbitrary<Boolean> notAction = trust || rcp ? Arbitraries.just(false)
                : Arbitraries.frequency(Tuple.of(9, false), Tuple.of(1, true));
        Arbitrary<List<String>> resources = trust ? Arbitraries.just(null)
                : resourcePatterns(req, focused).list().ofMinSize(1).ofMaxSize(2).uniqueElements();
        Arbitrary<Boolean> notResource = trust || rcp ? Arbitraries.just(false)
                : Arbitraries.frequency(Tuple.of(9, false), Tuple.of(1, true));
        Arbitrary<List<Cond>> conditions = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(List.<Cond>of())),
                Tuple.of(2, Arbitraries.of(CONDITIONS).list().ofMinSize(1).ofMaxSize(kind == PolicyKind.SESSION ? 1 : 2)));
        return Combinators.combine(allow, principal, notPrincipal, actions, notAction, resources, notResource, conditions)
                .as((a, p, np, act, na, res, nr, c) -> new Stmt(a, p, np && p != null && (!a || ALLOW_WITH_NOT_PRINCIPAL),
                        act, na, res, nr && res != null, c));
    }

    static Arbitrary<Doc> doc(Req req, PolicyKind kind, Boolean effect, int maxStatements) {
        return statement(req, kind, effect).list().ofMinSize(1).ofMaxSize(maxStatements).map(Doc::new);
    }

    static Arbitrary<List<Doc>> scpLevel(Req req) {
        Arbitrary<Doc> allow = Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.just(FULL_AWS_ACCESS)),
                Tuple.of(1, doc(req, PolicyKind.SCP, true, 2)));
        Arbitrary<Doc> deny = doc(req, PolicyKind.SCP, false, 2).injectNull(0.8);
        return Combinators.combine(allow, deny).as((a, d) -> d == null ? List.of(a) : List.of(a, d));
    }

    static Arbitrary<List<Doc>> rcpLevel(Req req) {
        Arbitrary<Doc> deny = doc(req, PolicyKind.RCP, false, 2).injectNull(0.7);
        return deny.map(d -> d == null ? List.of(RCP_FULL_AWS_ACCESS) : List.of(RCP_FULL_AWS_ACCESS, d));
    }

    static Arbitrary<Scenario> scenario(Req req) {
        Arbitrary<List<Doc>> identity = doc(req, PolicyKind.IDENTITY, null, 3).list().ofMaxSize(3);
        Arbitrary<Doc> boundary = doc(req, PolicyKind.BOUNDARY, null, 2).injectNull(0.6);
        Arbitrary<List<Doc>> session = doc(req, PolicyKind.SESSION, null, 2).list().ofMaxSize(2);
        Arbitrary<Doc> resource = doc(req, req.resourceKind(), null, 3).injectNull(0.3);
        Arbitrary<List<List<Doc>>> scps = scpLevel(req).list().ofMaxSize(3);
        Arbitrary<List<List<Doc>>> rcps = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(List.<List<Doc>>of())), Tuple.of(1, rcpLevel(req).list().ofMinSize(1).ofMaxSize(2)));
        Arbitrary<Boolean> identityOnly = Arbitraries.frequency(Tuple.of(5, false), Tuple.of(1, true));
        return Combinators.combine(identity, boundary, session, resource, scps, rcps, identityOnly)
                .as((i, b, s, r, sc, rc, only) -> new Scenario(req, i, b, s, r, sc, rc, only && r == null));
    }

    @Provide
    Arbitrary<Tuple.Tuple2<Scenario, Insertion>> scenarioWithDeny() {
        return requests().flatMap(req -> Combinators.combine(scenario(req), insertion(req, false)).as(Tuple::of))
                .withoutEdgeCases();
    }

    @Provide
    Arbitrary<Tuple.Tuple2<Scenario, Insertion>> scenarioWithIdentityAllow() {
        return requests().flatMap(req -> {
            Arbitrary<Insertion> allow = Combinators.combine(
                    Arbitraries.of(Place.IDENTITY_NEW_POLICY, Place.IDENTITY_APPEND),
                    Arbitraries.integers().between(0, 99),
                    Arbitraries.of(true, false).<Stmt>flatMap(focused -> statement(req, PolicyKind.IDENTITY, true, focused)))
                    .as(Insertion::new);
            return Combinators.combine(scenario(req), allow).as(Tuple::of);
        }).withoutEdgeCases();
    }

    static Arbitrary<Insertion> insertion(Req req, boolean allow) {
        return Arbitraries.of(Place.class).flatMap(place -> Combinators.combine(
                Arbitraries.integers().between(0, 99),
                Arbitraries.of(true, false).<Stmt>flatMap(focused -> statement(req, place.kind(req), allow, focused)))
                .as((index, st) -> new Insertion(place, index, st)));
    }

    // =========================================================================================
    // 1. Adding a Deny never makes a decision more permissive
    // =========================================================================================

    /** ALLOW &lt; IMPLICIT_DENY &lt; EXPLICIT_DENY. */
    static int severity(Outcome outcome) {
        return switch (outcome) {
            case ALLOW -> 0;
            case IMPLICIT_DENY -> 1;
            case EXPLICIT_DENY -> 2;
        };
    }

    @Property(tries = 300)
    void addingADenyNeverLoosensADecision(@ForAll("scenarioWithDeny") Tuple.Tuple2<Scenario, Insertion> input) {
        Scenario before = input.get1();
        Insertion deny = input.get2();
        Scenario after = before.with(deny.place(), deny.index(), deny.statement());
        Outcome was = before.decide().outcome();
        Outcome now = after.decide().outcome();
        Statistics.label("before").collect(was);
        Statistics.label("transition").collect(was + " -> " + now);
        Statistics.label("place").collect(deny.place());
        if (now == Outcome.ALLOW) {
            assertEquals(Outcome.ALLOW, was, "adding a Deny produced an ALLOW");
        }
        if (was != Outcome.ALLOW) {
            assertTrue(now != Outcome.ALLOW, "a deny became an allow");
        }
        assertTrue(severity(now) >= severity(was), "adding a Deny turned " + was + " into " + now);
        Statistics.label("before").coverage(c -> {
            c.check(Outcome.ALLOW).percentage(p -> p >= 5);
            c.check(Outcome.EXPLICIT_DENY).percentage(p -> p >= 5);
            c.check(Outcome.IMPLICIT_DENY).percentage(p -> p >= 5);
        });
    }

    /**
     * Minimal reproductions of an engine bug {@link #addingADenyNeverLoosensADecision} once found:
     * attaching a permissions boundary that only denies must not turn an implicit deny into an ALLOW
     * when a resource policy has an Allow with NotPrincipal (the "a principal with a boundary is never
     * exempt" rule concerns Deny statements), nor for callers that cannot have a boundary.
     */
    @Example
    void aDenyOnlyBoundaryNeverTurnsAnImplicitDenyIntoAnAllow() throws InvalidPolicyException {
        // Bucket policies with Allow + NotPrincipal are refused at write time: these are read back as stored.
        // 1. A service principal (which has no boundary) and a boundary that even denies the action.
        Policy bucket = Policies.parseStored("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                + "\"NotPrincipal\":{\"AWS\":\"*\"},\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}}",
                PolicyKind.RESOURCE, "bucket");
        Policy denyBoundary = Policies.parse("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Deny\","
                + "\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}}", PolicyKind.BOUNDARY, "boundary");
        AuthorizationRequest service = new AuthorizationRequest(Principal.parse("ecs-tasks.amazonaws.com"),
                "s3:GetObject", OBJECT);
        assertEquals(Outcome.IMPLICIT_DENY, ENGINE.evaluate(service, PolicySet.builder().resource(bucket).build()).outcome());
        assertEquals(Outcome.IMPLICIT_DENY, ENGINE.evaluate(service,
                PolicySet.builder().resource(bucket).boundary(denyBoundary).build()).outcome());

        // 2. An IAM user excluded by NotPrincipal, given a boundary that allows nothing.
        Policy excludesAlice = Policies.parseStored("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                + "\"NotPrincipal\":{\"AWS\":[\"111122223333\",\"arn:aws:iam::111122223333:user/alice\"]},"
                + "\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::team-bucket/*\"}}", PolicyKind.RESOURCE, "bucket");
        Policy ec2DenyBoundary = Policies.parse("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Deny\","
                + "\"Action\":\"ec2:*\",\"Resource\":\"*\"}}", PolicyKind.BOUNDARY, "boundary");
        AuthorizationRequest alice = new AuthorizationRequest(Principal.parse("arn:aws:iam::111122223333:user/alice"),
                "s3:GetObject", OBJECT, SRC, RequestContext.empty());
        assertEquals(Outcome.IMPLICIT_DENY,
                ENGINE.evaluate(alice, PolicySet.builder().resource(excludesAlice).build()).outcome());
        assertEquals(Outcome.IMPLICIT_DENY, ENGINE.evaluate(alice,
                PolicySet.builder().resource(excludesAlice).boundary(ec2DenyBoundary).build()).outcome());
    }

    // =========================================================================================
    // 2. Adding an Allow to an identity policy never creates an explicit deny
    // =========================================================================================

    @Property(tries = 300)
    void addingAnIdentityAllowNeverCreatesADeny(
            @ForAll("scenarioWithIdentityAllow") Tuple.Tuple2<Scenario, Insertion> input) {
        Scenario before = input.get1();
        Insertion allow = input.get2();
        Scenario after = before.with(allow.place(), allow.index(), allow.statement());
        Decision wasDecision = before.decide();
        Outcome was = wasDecision.outcome();
        Outcome now = after.decide().outcome();
        Statistics.label("transition").collect(was + " -> " + now);
        Statistics.label("implicit deny by").collect(was == Outcome.IMPLICIT_DENY ? wasDecision.decidedBy() : "-");
        if (now == Outcome.EXPLICIT_DENY) {
            assertEquals(Outcome.EXPLICIT_DENY, was, "adding an identity Allow produced an explicit deny");
        }
        if (was == Outcome.ALLOW) {
            assertEquals(Outcome.ALLOW, now, "adding an identity Allow took an allow away");
        }
        if (was == Outcome.EXPLICIT_DENY) {
            assertEquals(Outcome.EXPLICIT_DENY, now, "adding an identity Allow lifted an explicit deny");
        }
        Statistics.label("transition").coverage(c -> c.check("IMPLICIT_DENY -> ALLOW").count(n -> n > 0));
    }

    // =========================================================================================
    // 3. Random and mutated documents yield a diagnostic, never another exception
    // =========================================================================================

    /** A fuzzed document with how it was made; printed abbreviated, since some are a megabyte long. */
    record Fuzz(String how, String text) {
        @Override
        public String toString() {
            String shown = text.length() <= 600 ? text
                    : text.substring(0, 300) + " ...(" + text.length() + " chars)... " + text.substring(text.length() - 200);
            return how + ": " + shown;
        }
    }

    @Property(tries = 300)
    void randomTextOnlyEverYieldsADiagnostic(@ForAll("jsonishText") Fuzz fuzz) {
        robust(fuzz);
    }

    @Property(tries = 300)
    void randomJsonTreesOnlyEverYieldADiagnostic(@ForAll("jsonTrees") Fuzz fuzz) {
        robust(fuzz);
    }

    @Property(tries = 300)
    void policyShapedTreesOnlyEverYieldADiagnostic(@ForAll("policyShapedTrees") Fuzz fuzz) {
        robust(fuzz);
    }

    @Property(tries = 300)
    void mutatedPoliciesOnlyEverYieldADiagnostic(@ForAll("mutatedPolicies") Fuzz fuzz) {
        robust(fuzz);
    }

    @Property(tries = 150)
    void deeplyNestedDocumentsOnlyEverYieldADiagnostic(@ForAll("deeplyNested") Fuzz fuzz) {
        robust(fuzz);
    }

    @Property(tries = 60)
    void veryLongDocumentsOnlyEverYieldADiagnostic(@ForAll("veryLong") Fuzz fuzz) {
        robust(fuzz);
    }

    @Example
    void nullEmptyAndBlankDocumentsYieldADiagnostic() {
        for (String text : new String[] {null, "", " ", "\n\t", "null", "{}", "[]", "\"\"", "0", "{\"Statement\":[]}"}) {
            for (PolicyKind kind : PolicyKind.values()) {
                ValidationResult result = Policies.validate(text, kind);
                assertFalse(result.valid(), kind + " accepted " + text);
                checkDiagnostic(kind, result.error(), text);
                try {
                    Policies.parse(text, kind, "empty");
                    fail(kind + " parsed " + text);
                } catch (InvalidPolicyException e) {
                    checkDiagnostic(kind, e.diagnostic(), text);
                }
            }
        }
    }

    @Example
    void generatedDocumentsOfEveryKindValidate() {
        // The realistic documents the other properties are built from are valid as their kind.
        Req req = new Req(TASK_SESSION, "sts:AssumeRole", DEST_ROLE, null, Map.of());
        for (PolicyKind kind : PolicyKind.values()) {
            Arbitrary<Doc> docs = doc(req, kind, kind == PolicyKind.RCP ? Boolean.FALSE : null, 3);
            docs.sampleStream().limit(50).forEach(d -> {
                ValidationResult result = Policies.validate(d.render(), kind);
                if (allowWithNotPrincipal(d.render())) {
                    // Valid only as a stored document: refused at write time.
                    assertEquals("Invalid principal in policy", result.error().message(), d.render());
                    assertTrue(result.error().location().endsWith(".NotPrincipal"), () -> d.render() + ": " + result.error());
                    return;
                }
                assertTrue(result.valid(), () -> kind + " rejected " + d.render() + ": " + result.error());
            });
        }
    }

    /** The check of property 3, for every kind. */
    static void robust(Fuzz fuzz) {
        String text = fuzz.text();
        Set<PolicyKind> validAs = EnumSet.noneOf(PolicyKind.class);
        for (PolicyKind kind : PolicyKind.values()) {
            ValidationResult result = null;
            try {
                result = Policies.validate(text, kind);
            } catch (Throwable t) {
                fail("Policies.validate(" + kind + ") threw " + t, t);
            }
            assertNotNull(result, "validate returned null");
            assertEquals(kind, result.kind());
            if (!result.valid()) {
                checkDiagnostic(kind, result.error(), text);
            }
            Policy policy = null;
            try {
                policy = Policies.parse(text, kind, "fuzzed");
            } catch (InvalidPolicyException e) {
                checkDiagnostic(kind, e.diagnostic(), text);
                assertFalse(result.valid(), kind + ": validate said valid but parse threw " + e.getMessage());
                assertEquals(result.error(), e.diagnostic(), kind + ": validate and parse disagree on the error");
            } catch (Throwable t) {
                fail("Policies.parse(" + kind + ") threw " + t, t);
            }
            if (policy != null) {
                assertTrue(result.valid(), kind + ": parse succeeded where validate reported " + result.error());
                assertEquals(kind, policy.kind());
                validAs.add(kind);
                evaluateEverywhere(policy);
            } else {
                assertFalse(result.valid(), kind + ": validate said valid but parse returned null");
            }
        }
        Statistics.label("valid as").collect(validAs.isEmpty() ? "none"
                : validAs.stream().map(PolicyKind::cliName).collect(Collectors.joining(",")));
    }

    static void checkDiagnostic(PolicyKind kind, Diagnostic d, String text) {
        assertNotNull(d, kind + ": invalid without a diagnostic");
        assertNotNull(d.code(), kind + ": diagnostic without a code");
        assertNotNull(d.message(), kind + ": diagnostic without a message");
        assertFalse(d.code().isBlank(), kind + ": blank code");
        assertFalse(d.message().isBlank(), kind + ": blank message");
        assertNotNull(d.location(), kind + ": diagnostic without a location");
        assertTrue(d.httpStatus() >= 400 && d.httpStatus() < 500, kind + ": status " + d.httpStatus());
    }

    /** Probe requests: every caller against a few targets, with a rich and with an empty context. */
    static final List<AuthorizationRequest> PROBES = probes();

    private static List<AuthorizationRequest> probes() {
        RequestContext rich = RequestContext.builder()
                .single("aws:PrincipalTag/team", "blue").single("aws:SourceIp", "203.0.113.9")
                .single("aws:SecureTransport", "true").single("aws:MultiFactorAuthAge", "120")
                .single("sts:ExternalId", "ext-42").single("s3:prefix", "reports/")
                .single("aws:username", "alice").single("aws:CurrentTime", "2026-11-27T12:00:00Z")
                .multi("aws:TagKeys", List.of("team", "env")).multi("aws:PrincipalTag/empty", List.of())
                .single("aws:SourceArn", "arn:aws:ecs:us-east-1:111122223333:task/default/abc")
                .single("s3:x-amz-content-sha256", "QmluYXJ5VmFsdWU=")
                .build();
        List<Target> targets = List.of(new Target("sts:AssumeRole", DEST_ROLE), new Target("s3:GetObject", OBJECT),
                new Target("ec2:DescribeInstances", "*"));
        List<AuthorizationRequest> out = new ArrayList<>();
        for (String caller : CALLERS) {
            for (Target t : targets) {
                out.add(new AuthorizationRequest(Principal.parse(caller), t.action(), t.resource(), null, rich));
                out.add(new AuthorizationRequest(Principal.parse(caller), t.action(), t.resource()));
            }
        }
        return out;
    }

    private static final Policy ALLOW_ALL;

    static {
        try {
            ALLOW_ALL = Policies.parse(FULL_AWS_ACCESS.render(), PolicyKind.IDENTITY, "allow-all");
        } catch (InvalidPolicyException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Puts a valid policy where its kind goes and evaluates it against every probe; nothing may throw. */
    static void evaluateEverywhere(Policy policy) {
        PolicySet.Builder builder = PolicySet.builder();
        switch (policy.kind()) {
            case BOUNDARY -> builder.identity(ALLOW_ALL).boundary(policy);
            case SESSION -> builder.identity(ALLOW_ALL).session(policy);
            case SCP -> builder.identity(ALLOW_ALL).scpLevel(List.of(policy));
            case RCP -> builder.identity(ALLOW_ALL).rcpLevel(List.of(policy));
            // IDENTITY, INLINE, TRUST, RESOURCE and any kind added later: the caller's or the resource's policy.
            default -> {
                if (policy.kind().hasPrincipals()) {
                    builder.identity(ALLOW_ALL).resource(policy);
                } else {
                    builder.identity(policy);
                }
            }
        }
        PolicySet set = builder.build();
        for (AuthorizationRequest request : PROBES) {
            try {
                Decision d = ENGINE.evaluate(request, set);
                assertNotNull(d.outcome());
                d.accessDeniedMessage();
                d.explanation().toJson();
                d.explanation().toText(d);
            } catch (Throwable t) {
                fail("evaluating a valid " + policy.kind() + " policy threw " + t + " for " + request.principal().displayName()
                        + " " + request.action() + " " + request.resource() + "\n" + policy.text(), t);
            }
        }
    }

    // ---- random text ------------------------------------------------------------------------

    static final List<String> TOKENS = List.of(
            "{", "}", "[", "]", ":", ",", "\"", "\"Version\"", "\"2012-10-17\"", "\"2008-10-17\"", "\"Statement\"",
            "\"Effect\"", "\"Allow\"", "\"Deny\"", "\"Action\"", "\"NotAction\"", "\"Resource\"", "\"NotResource\"",
            "\"Principal\"", "\"NotPrincipal\"", "\"AWS\"", "\"Service\"", "\"Condition\"", "\"Sid\"", "\"Id\"",
            "\"StringEquals\"", "\"ForAnyValue:StringLike\"", "\"DateGreaterThan\"", "\"IpAddress\"", "\"Null\"",
            "\"aws:SourceIp\"", "\"203.0.113.0/24\"", "\"s3:GetObject\"", "\"sts:AssumeRole\"", "\"*\"",
            "\"arn:aws:s3:::team-bucket/*\"", "\"111122223333\"", "null", "true", "false", "0", "-1", "1e999",
            "1.5e-400", "123456789012345678901234567890", "\"\\u0000\"", "\"\\ud800\"", "\"${aws:username}\"", "/*", "*/",
            "//", "\\", "'", "NaN", "Infinity", "\uFEFF", "\u00e9", "\u4e2d", "\ud83d\ude00", "\ud800", " ", "\n", "\t");

    @Provide
    Arbitrary<Fuzz> jsonishText() {
        Arbitrary<String> unicode = Arbitraries.strings().all().ofMaxLength(300);
        Arbitrary<String> jsonChars = Arbitraries.strings().withChars("{}[]\":,.\\ \t\n0123456789-+eEtrufalsn*?$/AWS")
                .ofMaxLength(200);
        Arbitrary<String> tokens = Arbitraries.of(TOKENS).list().ofMaxSize(80).map(l -> String.join("", l));
        Arbitrary<String> spaced = Arbitraries.of(TOKENS).list().ofMaxSize(80).map(l -> String.join(" ", l));
        return Arbitraries.frequencyOf(
                Tuple.of(1, unicode.map(s -> new Fuzz("unicode", s))),
                Tuple.of(1, jsonChars.map(s -> new Fuzz("json characters", s))),
                Tuple.of(2, tokens.map(s -> new Fuzz("tokens", s))),
                Tuple.of(1, spaced.map(s -> new Fuzz("spaced tokens", s))));
    }

    // ---- random JSON trees ------------------------------------------------------------------

    static final List<String> POLICY_KEYS = List.of("Version", "Id", "Statement", "Sid", "Effect", "Action",
            "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal", "Condition", "AWS", "Service",
            "Federated", "CanonicalUser", "StringEquals", "StringNotEquals", "StringLike", "ForAnyValue:StringLike",
            "ForAllValues:StringEquals", "StringEqualsIfExists", "DateGreaterThan", "DateLessThan", "NumericLessThan",
            "IpAddress", "NotIpAddress", "Bool", "Null", "ArnLike", "BinaryEquals", "aws:SourceIp", "aws:CurrentTime",
            "aws:PrincipalTag/team", "aws:TagKeys", "aws:SecureTransport", "s3:prefix", "version", "statement", "");

    static final List<String> STRING_VOCAB = List.of("2012-10-17", "2008-10-17", "Allow", "Deny", "allow", "*",
            "s3:GetObject", "sts:AssumeRole", "s3:*", "ec2:Describe*", "iam:PassRole", "arn:aws:s3:::team-bucket/*",
            DEST_ROLE, TASK_ROLE, TASK_SESSION, SRC, DST, "ecs-tasks.amazonaws.com", "203.0.113.0/24", "2001:db8::/32",
            "2020-01-01T00:00:00Z", "2019-13-45T25:61:61Z", "-292275055", "9223372036854775808", "true", "false",
            "${aws:username}", "${aws:PrincipalTag/team, 'none'}", "${", "arn:aws", "arn:aws:iam:us-east-1:1:role/x",
            "arn:", ":::", "s3::GetObject", "s3:Get:Object", "*:Get*", "", " ", "QmluYXJ5", "o-a1b2c3d4e5");

    static Arbitrary<JsonNode> leaves() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.of(STRING_VOCAB).map(F::textNode)),
                Tuple.of(1, Arbitraries.strings().all().ofMaxLength(40).map(F::textNode)),
                Tuple.of(1, Arbitraries.integers().map(F::numberNode)),
                Tuple.of(1, Arbitraries.longs().map(F::numberNode)),
                Tuple.of(1, Arbitraries.of(0.5, -0.0, 1e308, Double.MIN_VALUE, 1.5e-300).map(F::numberNode)),
                Tuple.of(1, Arbitraries.of(new BigInteger("123456789012345678901234567890"),
                        new BigInteger("-9223372036854775809")).map(F::numberNode)),
                Tuple.of(1, Arbitraries.of(new BigDecimal("1E+400"), new BigDecimal("-0.000000000000000000001"))
                        .map(F::numberNode)),
                Tuple.of(1, Arbitraries.of(true, false).map(F::booleanNode)),
                Tuple.of(1, Arbitraries.just(F.nullNode())));
    }

    static Arbitrary<JsonNode> anyJson(int depth) {
        if (depth <= 0) {
            return leaves();
        }
        return Arbitraries.frequencyOf(
                Tuple.of(4, leaves()),
                Tuple.of(2, Arbitraries.lazy(() -> objects(depth - 1))),
                Tuple.of(1, Arbitraries.lazy(() -> arrays(depth - 1))));
    }

    static Arbitrary<JsonNode> objects(int depth) {
        Arbitrary<String> keys = Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.of(POLICY_KEYS)),
                Tuple.of(1, Arbitraries.strings().all().ofMaxLength(12)));
        return Arbitraries.maps(keys, anyJson(depth)).ofMaxSize(5).map(m -> {
            ObjectNode node = F.objectNode();
            m.forEach(node::set);
            return node;
        });
    }

    static Arbitrary<JsonNode> arrays(int depth) {
        return anyJson(depth).list().ofMaxSize(4).map(l -> {
            ArrayNode node = F.arrayNode();
            l.forEach(node::add);
            return node;
        });
    }

    @Provide
    Arbitrary<Fuzz> jsonTrees() {
        return Arbitraries.frequencyOf(Tuple.of(4, objects(5)), Tuple.of(1, anyJson(5)))
                .map(n -> new Fuzz("json tree", n.toString()));
    }

    // ---- policy-shaped trees ----------------------------------------------------------------

    static final List<String> BAD_OPERATORS = List.of("stringequals", "StringEqualz", "IfExists", "ForAllValues:",
            "ForAnyValue:ForAllValues:StringEquals", "Foo", "StringLikeIfExistsIfExists", "forallvalues:StringEquals");

    static final List<String> OPERATORS = List.of("StringEquals", "StringNotEquals", "StringEqualsIgnoreCase",
            "StringLike", "StringNotLike", "ForAnyValue:StringLike", "ForAllValues:StringEquals",
            "StringEqualsIfExists", "ForAnyValue:StringLikeIfExists", "NumericEquals", "NumericLessThan",
            "NumericGreaterThanEquals", "DateEquals", "DateGreaterThan", "DateLessThanEquals", "Bool", "BoolIfExists",
            "BinaryEquals", "IpAddress", "NotIpAddress", "ArnEquals", "ArnLike", "ArnNotLike", "Null");

    static final List<String> CONDITION_KEYS = List.of("aws:SourceIp", "aws:CurrentTime", "aws:EpochTime",
            "aws:PrincipalTag/team", "aws:TagKeys", "aws:SecureTransport", "aws:PrincipalArn", "aws:PrincipalAccount",
            "aws:MultiFactorAuthAge", "s3:prefix", "sts:ExternalId", "aws:username", "", "noColon", "a:b:c");

    static final List<String> CONDITION_VALUES = List.of("blue", "bl*", "203.0.113.0/24", "203.0.113.9",
            "2001:db8::/129", "300.1.1.1/8", "::", "1.2.3.4/33", "2020-01-01T00:00:00Z", "2020-01-01", "1700000000",
            "2020-02-30T00:00:00+25:00", "2020-01-01T00:00:00.123456789+05:30", "-1", "1e400", "NaN", "12.5", "true",
            "false", "TRUE", "maybe", "arn:aws:iam::111122223333:role/*", "arn:aws:iam:::", "arn:*", "${aws:username}",
            "${aws:PrincipalTag/team, 'x'}", "${*}${?}${$}", "QmluYXJ5", "!!notbase64!!", "", "*",
            "292278994-01-01", "9223372036854775808", "01T", "2019-07-01t13:20:15z");

    /**
     * With probability {@code junk}, any JSON value instead of a well-formed one. Each document draws one
     * junk level, so some documents are entirely well-formed and others broken in many places.
     */
    @SuppressWarnings("unchecked")
    static Arbitrary<JsonNode> junk(double junk, Arbitrary<? extends JsonNode> good) {
        int bad = (int) Math.round(junk * 100);
        if (bad == 0) {
            return (Arbitrary<JsonNode>) good;
        }
        return Arbitraries.frequencyOf(Tuple.of(100 - bad, good), Tuple.of(bad, Arbitraries.lazy(() -> anyJson(2))));
    }

    /** {@code good}, or with probability about {@code bad} (0..1) a value from {@code other}. */
    static <T> Arbitrary<T> mostly(Arbitrary<T> good, double bad, Arbitrary<T> other) {
        int weight = (int) Math.round(bad * 100);
        return weight == 0 ? good : Arbitraries.frequencyOf(Tuple.of(100 - Math.min(weight, 99), good), Tuple.of(weight, other));
    }

    static Arbitrary<Map.Entry<String, JsonNode>> field(String name, Arbitrary<JsonNode> value, double absent) {
        return value.map(v -> Map.entry(name, v)).injectNull(absent);
    }

    static Arbitrary<JsonNode> stringOrStrings(double junk, List<String> vocab) {
        Arbitrary<String> one = mostly(Arbitraries.of(vocab), junk * 2, Arbitraries.of(STRING_VOCAB));
        Arbitrary<JsonNode> list = one.list().ofMinSize(junk > 0 ? 0 : 1).ofMaxSize(4).map(l -> {
            ArrayNode array = F.arrayNode();
            l.forEach(array::add);
            return (JsonNode) array;
        });
        return junk(junk, Arbitraries.frequencyOf(Tuple.of(1, one.map(F::textNode)), Tuple.of(1, list)));
    }

    static Arbitrary<JsonNode> principalShapes(double junk) {
        List<String> types = junk > 0 ? List.of("AWS", "AWS", "Service", "Federated", "CanonicalUser", "aws", "Other")
                : List.of("AWS", "AWS", "AWS", "Service");
        Arbitrary<String> value = mostly(
                Arbitraries.of(PRINCIPAL_VOCAB).filter(v -> v != STAR).map(PrincipalValue::value), junk * 2,
                Arbitraries.of("arn:aws:iam::111122223333:role/*", "1111",
                        "arn:aws:iam::111122223333:user/", "a".repeat(64), "0123456789abcdef".repeat(4),
                        "AIDAEXAMPLEUSERID01", "accounts.google.com", "cognito-identity.amazonaws.com",
                        "arn:aws:sts::111122223333:assumed-role/r/s/t", "*.amazonaws.com", "arn:aws-cn:iam::111122223333:root",
                        "arn:aws:iam::111122223333:saml-provider/corp"));
        Arbitrary<JsonNode> object = Arbitraries.maps(Arbitraries.of(types), value.list().ofMinSize(1).ofMaxSize(3))
                .ofMinSize(1).ofMaxSize(2).map(m -> {
                    ObjectNode node = F.objectNode();
                    m.forEach((k, v) -> node.set(k, stringOrList(v)));
                    return (JsonNode) node;
                });
        Arbitrary<JsonNode> typed = Arbitraries.of(PRINCIPAL_VOCAB).list().ofMinSize(1).ofMaxSize(3)
                .map(PolicyPropertiesTest::principalJson);
        return junk(junk, Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(F.textNode("*"))), Tuple.of(4, typed),
                Tuple.of(junk > 0 ? 4 : 1, object)));
    }

    static Arbitrary<JsonNode> conditionShapes(double junk) {
        Arbitrary<JsonNode> templates = Arbitraries.of(CONDITIONS).list().ofMinSize(1).ofMaxSize(3).map(cs -> {
            ObjectNode node = F.objectNode();
            for (Cond c : cs) {
                ObjectNode block = node.has(c.op()) ? (ObjectNode) node.get(c.op()) : node.putObject(c.op());
                block.set(c.key(), stringOrList(c.values()));
            }
            return (JsonNode) node;
        });
        if (junk == 0) {
            return templates;
        }
        Arbitrary<JsonNode> values = junk(junk, Arbitraries.of(CONDITION_VALUES).list().ofMinSize(1).ofMaxSize(3)
                .map(l -> stringOrList(l)));
        Arbitrary<JsonNode> block = junk(junk, Arbitraries.maps(Arbitraries.of(CONDITION_KEYS), values).ofMaxSize(3)
                .map(m -> {
                    ObjectNode node = F.objectNode();
                    m.forEach(node::set);
                    return (JsonNode) node;
                }));
        Arbitrary<String> operators = Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.of(OPERATORS)),
                Tuple.of(1, Arbitraries.of(BAD_OPERATORS)));
        Arbitrary<JsonNode> random = Arbitraries.maps(operators, block).ofMaxSize(3).map(m -> {
            ObjectNode node = F.objectNode();
            m.forEach(node::set);
            return (JsonNode) node;
        });
        return junk(junk, Arbitraries.frequencyOf(Tuple.of(1, templates), Tuple.of(2, random)));
    }

    /** The statement grammar a document aims at before junk is mixed in: identity-style, trust or resource-based. */
    enum Shape { IDENTITY, TRUST, RESOURCE }

    static Arbitrary<JsonNode> statementShapes(double junk, Shape shape) {
        Arbitrary<JsonNode> effect = junk(junk, mostly(Arbitraries.of("Allow", "Deny").map(F::textNode), junk,
                Arbitraries.of("allow", "DENY", "Permit").map(F::textNode)));
        double principalAbsent = shape == Shape.IDENTITY ? 1 - junk : junk;
        double resourceAbsent = shape == Shape.TRUST ? 1 - junk : 0.05 + junk;
        List<String> actions = shape == Shape.TRUST ? TRUST_ACTIONS : ACTION_VOCAB;
        boolean not = shape != Shape.TRUST;
        List<Arbitrary<Map.Entry<String, JsonNode>>> fields = List.of(
                field("Sid", junk(junk, Arbitraries.of("S1", "S2", "", "Allow Get").map(F::textNode)), 0.7),
                field("Effect", effect, junk / 4),
                field("Principal", principalShapes(junk), principalAbsent),
                field("NotPrincipal", principalShapes(junk), 1 - junk / 4),
                field("Action", stringOrStrings(junk, actions), not ? 0.1 : 0.02),
                field("NotAction", stringOrStrings(junk, actions), not ? 0.95 - junk : 1 - junk / 4),
                field("Resource", stringOrStrings(junk, RESOURCE_VOCAB), resourceAbsent),
                field("NotResource", stringOrStrings(junk, RESOURCE_VOCAB), not ? 0.95 - junk : 1 - junk / 4),
                field("Condition", conditionShapes(junk), 0.6),
                field("Extra", leaves(), 1 - junk / 4));
        return Combinators.combine(fields).as(entries -> {
            ObjectNode node = F.objectNode();
            entries.stream().filter(e -> e != null).forEach(e -> node.set(e.getKey(), e.getValue()));
            if (junk == 0 && node.has("Action") && node.has("NotAction")) {
                node.remove(shape == Shape.TRUST ? "NotAction" : "Action");
            }
            if (junk == 0 && node.has("Resource") && node.has("NotResource")) {
                node.remove("Resource");
            }
            return (JsonNode) node;
        });
    }

    static Arbitrary<Fuzz> policyShape(double junk, Shape shape) {
        Arbitrary<JsonNode> statements = junk(junk, Arbitraries.frequencyOf(
                Tuple.of(1, statementShapes(junk, shape)),
                Tuple.of(2, statementShapes(junk, shape).list().ofMinSize(junk > 0 ? 0 : 1).ofMaxSize(4).map(l -> {
                    ArrayNode array = F.arrayNode();
                    l.forEach(array::add);
                    return (JsonNode) array;
                }))));
        Arbitrary<JsonNode> version = junk(junk, Arbitraries.frequencyOf(
                Tuple.of(20, Arbitraries.just(F.textNode("2012-10-17"))),
                Tuple.of((int) Math.round(junk * 20) + 1, Arbitraries.just(F.textNode("2008-10-17")))));
        List<Arbitrary<Map.Entry<String, JsonNode>>> fields = List.of(
                field("Version", version, junk / 2),
                field("Id", junk(junk, Arbitraries.of("policy-1", "").map(F::textNode)), 0.8),
                field("Statement", statements, junk / 4),
                field("Extra", leaves(), 1 - junk / 4));
        return Combinators.combine(fields).as(entries -> {
            ObjectNode node = F.objectNode();
            entries.stream().filter(e -> e != null).forEach(e -> node.set(e.getKey(), e.getValue()));
            return new Fuzz(shape + "-shaped tree (junk " + junk + ")", node.toString());
        });
    }

    @Provide
    Arbitrary<Fuzz> policyShapedTrees() {
        // Without edge cases: jqwik's combined edge cases would put every optional element into most documents.
        return Combinators.combine(Arbitraries.of(0.0, 0.0, 0.02, 0.1, 0.3), Arbitraries.of(Shape.class))
                .flatAs(PolicyPropertiesTest::policyShape).withoutEdgeCases();
    }

    // ---- mutations of valid policies --------------------------------------------------------

    /** A valid document of some kind, compact or pretty-printed. */
    @Provide
    Arbitrary<String> validDocuments() {
        return requests().flatMap(req -> Arbitraries.oneOf(
                doc(req, PolicyKind.IDENTITY, null, 3),
                doc(req, req.resourceKind(), null, 3),
                doc(req, PolicyKind.TRUST, null, 2),
                doc(req, PolicyKind.SESSION, null, 2),
                doc(req, PolicyKind.RCP, false, 2)))
                .flatMap(d -> Arbitraries.of(true, false).map(pretty -> pretty ? pretty(d.render()) : d.render()))
                .withoutEdgeCases();
    }

    static String pretty(String json) {
        try {
            return LENIENT.writerWithDefaultPrettyPrinter().writeValueAsString(LENIENT.readTree(json));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    record Mutation(String how, UnaryOperator<String> op) {
        @Override
        public String toString() {
            return how;
        }
    }

    static final String MARK = "@@crossrole-mark@@";
    static final String QUOTED_MARK = "\"" + MARK + "\"";

    /** A position in a JSON tree: a field of an object or an element of an array. */
    record Slot(JsonNode parent, String field, int index) {
        JsonNode get() {
            return field != null ? parent.get(field) : parent.get(index);
        }

        void set(JsonNode value) {
            if (field != null) {
                ((ObjectNode) parent).set(field, value);
            } else {
                ((ArrayNode) parent).set(index, value);
            }
        }
    }

    static JsonNode readLeniently(String text) {
        try {
            return LENIENT.readTree(text);
        } catch (Exception | StackOverflowError e) {
            return null;
        }
    }

    /** Every slot of a tree, found without recursion. */
    static List<Slot> slots(JsonNode root) {
        List<Slot> out = new ArrayList<>();
        Deque<JsonNode> todo = new ArrayDeque<>();
        todo.push(root);
        while (!todo.isEmpty()) {
            JsonNode node = todo.pop();
            if (node.isObject()) {
                for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                    String name = it.next();
                    out.add(new Slot(node, name, -1));
                    todo.push(node.get(name));
                }
            } else if (node.isArray()) {
                for (int i = 0; i < node.size(); i++) {
                    out.add(new Slot(node, null, i));
                    todo.push(node.get(i));
                }
            }
        }
        return out;
    }

    /**
     * Replaces the value at a chosen slot by text produced from the old value's JSON; falls back to
     * {@code fallback} when the text is no longer JSON or has no slots.
     */
    static String atSlot(String text, int pick, boolean objectFieldsOnly,
                         java.util.function.BiFunction<Slot, String, String> replacement, UnaryOperator<String> fallback) {
        JsonNode root = readLeniently(text);
        if (root == null) {
            return fallback.apply(text);
        }
        List<Slot> slots = slots(root);
        if (objectFieldsOnly) {
            slots = slots.stream().filter(s -> s.field() != null).toList();
        }
        if (slots.isEmpty()) {
            return fallback.apply(text);
        }
        Slot slot = slots.get(Math.floorMod(pick, slots.size()));
        String old = slot.get().toString();
        String newText = replacement.apply(slot, old);
        slot.set(F.textNode(MARK));
        return root.toString().replace(QUOTED_MARK, newText);
    }

    static final List<JsonNode> SWAPS = List.of(F.textNode("s3:GetObject"), F.textNode(""), F.numberNode(42),
            F.numberNode(1e308), F.numberNode(new BigInteger("123456789012345678901234567890")), F.booleanNode(true),
            F.nullNode(), F.arrayNode(), F.arrayNode().add("*").add(1).addNull().add(F.objectNode()), F.objectNode(),
            F.objectNode().put("AWS", "*"), F.objectNode().set("StringEquals", F.objectNode().put("aws:SourceIp", 1)));

    static Arbitrary<Mutation> mutations() {
        Arbitrary<Integer> pos = Arbitraries.integers().between(0, Integer.MAX_VALUE);
        Arbitrary<Character> chars = Arbitraries.of('{', '}', '[', ']', '"', ':', ',', '\\', '*', '$', ' ', '\u0000',
                '\u00ff', '\u0100', '\ud800', 'x', '0');
        Arbitrary<Mutation> delete = pos.map(p -> new Mutation("delete char " + p, t -> {
            if (t.isEmpty()) {
                return t;
            }
            int i = p % t.length();
            return t.substring(0, i) + t.substring(i + 1);
        }));
        Arbitrary<Mutation> insert = Combinators.combine(pos, chars).as((p, c) -> new Mutation(
                "insert " + (int) c + " at " + p, t -> {
                    int i = p % (t.length() + 1);
                    return t.substring(0, i) + c + t.substring(i);
                }));
        Arbitrary<Mutation> replace = Combinators.combine(pos, chars).as((p, c) -> new Mutation(
                "replace char " + p + " by " + (int) c, t -> {
                    if (t.isEmpty()) {
                        return t;
                    }
                    int i = p % t.length();
                    return t.substring(0, i) + c + t.substring(i + 1);
                }));
        Arbitrary<Mutation> truncate = pos.map(p -> new Mutation("truncate at " + p,
                t -> t.substring(0, t.isEmpty() ? 0 : p % t.length())));
        Arbitrary<Mutation> duplicateKey = Combinators.combine(pos, Arbitraries.of(SWAPS).injectNull(0.5)).as((p, v) ->
                new Mutation("duplicate key " + p + (v == null ? "" : " with " + v), t -> atSlot(t, p, true,
                        (slot, old) -> old + ",\"" + slot.field() + "\":" + (v == null ? old : v.toString()),
                        s -> s.replaceFirst("\\{", "{\"Effect\":\"Deny\",\"Effect\":\"Allow\","))));
        Arbitrary<Mutation> swapType = Combinators.combine(pos, Arbitraries.of(SWAPS)).as((p, v) ->
                new Mutation("swap value " + p + " for " + v, t -> atSlot(t, p, false, (slot, old) -> v.toString(),
                        s -> s + v)));
        Arbitrary<Mutation> removeKey = pos.map(p -> new Mutation("remove key " + p, t -> {
            JsonNode root = readLeniently(t);
            if (root == null) {
                return t;
            }
            List<Slot> fields = slots(root).stream().filter(s -> s.field() != null).toList();
            if (fields.isEmpty()) {
                return t;
            }
            Slot slot = fields.get(p % fields.size());
            ((ObjectNode) slot.parent()).remove(slot.field());
            return root.toString();
        }));
        Arbitrary<Mutation> nest = Combinators.combine(pos, depths(), Arbitraries.of(NestStyle.class))
                .as((p, depth, style) -> new Mutation("nest " + style + " x" + depth + " at " + p,
                        t -> atSlot(t, p, false, (slot, old) -> style.wrap(old, depth), s -> style.wrap(s, depth))));
        Arbitrary<Mutation> longString = Combinators.combine(pos, lengths(), fillers()).as((p, len, filler) ->
                new Mutation("long string x" + len + " of '" + filler + "' at " + p,
                        t -> atSlot(t, p, false, (slot, old) -> "\"" + filler.repeat(len) + "\"",
                                s -> s + "\"" + filler.repeat(len) + "\"")));
        return Arbitraries.frequencyOf(
                Tuple.of(4, delete), Tuple.of(4, insert), Tuple.of(3, replace), Tuple.of(1, truncate),
                Tuple.of(3, duplicateKey), Tuple.of(4, swapType), Tuple.of(2, removeKey), Tuple.of(1, nest),
                Tuple.of(1, longString));
    }

    enum NestStyle {
        ARRAYS, OBJECTS, MIXED, UNCLOSED_ARRAYS, UNCLOSED_OBJECTS;

        String wrap(String core, int depth) {
            StringBuilder out = new StringBuilder(core.length() + depth * 8);
            switch (this) {
                case ARRAYS -> out.append("[".repeat(depth)).append(core).append("]".repeat(depth));
                case OBJECTS -> out.append("{\"Statement\":".repeat(depth)).append(core).append("}".repeat(depth));
                case MIXED -> {
                    for (int i = 0; i < depth; i++) {
                        out.append(i % 2 == 0 ? "[" : "{\"Condition\":");
                    }
                    out.append(core);
                    for (int i = depth - 1; i >= 0; i--) {
                        out.append(i % 2 == 0 ? "]" : "}");
                    }
                }
                case UNCLOSED_ARRAYS -> out.append("[".repeat(depth)).append(core);
                case UNCLOSED_OBJECTS -> out.append("{\"Action\":".repeat(depth)).append(core);
                default -> throw new IllegalStateException();
            }
            return out.toString();
        }
    }

    static Arbitrary<Integer> depths() {
        return Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.of(1, 2, 5, 6, 7, 31, 32, 33, 1000, 1001, 10_000)),
                Tuple.of(1, Arbitraries.integers().between(1, 10_000)));
    }

    static Arbitrary<Integer> lengths() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of(128, 2047, 2048, 2049, 5121, 6145, 20481, 131_073)),
                Tuple.of(1, Arbitraries.of((1 << 20) - 2, (1 << 20) + 1)),
                Tuple.of(2, Arbitraries.integers().between(1, 40_000)));
    }

    static Arbitrary<String> fillers() {
        return Arbitraries.of("a", " ", "*", "\\u00e9", "\u00e9", "\u4e2d", "${aws:username}", "/", "\\\\", "?*");
    }

    @Provide
    Arbitrary<Fuzz> mutatedPolicies() {
        return Combinators.combine(validDocuments(), mutations().list().ofMinSize(1).ofMaxSize(4)).as((doc, ms) -> {
            String text = doc;
            for (Mutation m : ms) {
                text = m.op().apply(text);
            }
            return new Fuzz("mutations " + ms, text);
        });
    }

    @Provide
    Arbitrary<Fuzz> deeplyNested() {
        return Combinators.combine(validDocuments(), Arbitraries.integers().between(0, Integer.MAX_VALUE), depths(),
                Arbitraries.of(NestStyle.class), Arbitraries.of(true, false)).as((doc, p, depth, style, whole) -> {
                    String text = whole ? style.wrap(doc, depth)
                            : atSlot(doc, p, false, (slot, old) -> style.wrap(old, depth), s -> style.wrap(s, depth));
                    return new Fuzz("nested " + style + " x" + depth + (whole ? " around the document" : " at " + p), text);
                });
    }

    @Provide
    Arbitrary<Fuzz> veryLong() {
        Arbitrary<Fuzz> longValue = Combinators.combine(validDocuments(), Arbitraries.integers().between(0, 1000),
                lengths(), fillers()).as((doc, p, len, filler) -> new Fuzz("string of " + len + " x '" + filler + "' at " + p,
                atSlot(doc, p, false, (slot, old) -> "\"" + filler.repeat(len) + "\"", s -> s)));
        Arbitrary<Fuzz> padded = Combinators.combine(validDocuments(), lengths(), Arbitraries.of(" ", "\n", "\t\r\n"))
                .as((doc, len, ws) -> new Fuzz("padded with " + len + " whitespace", ws.repeat(len / ws.length()) + doc));
        Arbitrary<Fuzz> manyStatements = Combinators.combine(validDocuments(), Arbitraries.integers().between(100, 3000))
                .as((doc, n) -> {
                    JsonNode root = readLeniently(doc);
                    JsonNode statement = root.get("Statement");
                    JsonNode one = statement.isArray() ? statement.get(0) : statement;
                    ArrayNode many = F.arrayNode();
                    for (int i = 0; i < n; i++) {
                        many.add(one);
                    }
                    ((ObjectNode) root).set("Statement", many);
                    return new Fuzz(n + " copies of one statement", root.toString());
                });
        Arbitrary<Fuzz> manyValues = Combinators.combine(validDocuments(), Arbitraries.integers().between(100, 20_000))
                .as((doc, n) -> {
                    JsonNode root = readLeniently(doc);
                    List<Slot> slots = slots(root).stream().filter(s -> "Action".equals(s.field())
                            || "Resource".equals(s.field())).toList();
                    if (!slots.isEmpty()) {
                        ArrayNode values = F.arrayNode();
                        for (int i = 0; i < n; i++) {
                            values.add("s3:Get" + "*".repeat(i % 7) + "Object" + i);
                        }
                        slots.get(0).set(values);
                    }
                    return new Fuzz(n + " action/resource values", root.toString());
                });
        return Arbitraries.frequencyOf(Tuple.of(3, longValue), Tuple.of(1, padded), Tuple.of(1, manyStatements),
                Tuple.of(1, manyValues));
    }
}
