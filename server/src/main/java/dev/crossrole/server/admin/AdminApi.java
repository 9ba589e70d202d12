package dev.crossrole.server.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossrole.policy.Decision;
import dev.crossrole.policy.Simulation;
import dev.crossrole.server.ecs.EcsTask;
import dev.crossrole.server.ecs.EcsTasks;
import dev.crossrole.server.http.HttpRequest;
import dev.crossrole.server.http.HttpResponse;
import dev.crossrole.server.iam.Account;
import dev.crossrole.server.iam.IamDirectory;
import dev.crossrole.server.requestlog.RecordedRequest;
import dev.crossrole.server.requestlog.RequestLog;
import dev.crossrole.server.sts.OidcIssuer;
import dev.crossrole.server.sts.SamlIdentityProvider;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.Optional;

/**
 * {@code GET /_crossrole/health}, {@code /_crossrole/accounts}, {@code /_crossrole/requests} and
 * {@code /_crossrole/requests/{id}} (JSON, or readable text with {@code ?format=text}), the tasks' records
 * and logs, and exec into them ({@code /_crossrole/tasks/{id}/exec}, a WebSocket: {@link ExecEndpoint}). Every
 * route but the health check answers only a caller presenting the administrator's token ({@link AdminToken}):
 * the records hold other accounts' requests, policies and tasks, and exec runs commands in their tasks.
 */
public final class AdminApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final java.util.regex.Pattern EXEC_PATH = java.util.regex.Pattern.compile("/_crossrole/tasks/[^/]+/exec");
    private final RequestLog log;
    private final IamDirectory iam;
    private final String version;
    private final EcsTasks tasks;
    private final ExecEndpoint exec;
    private final AdminToken token;
    private final OidcIssuer oidcIssuer;
    private final SamlIdentityProvider samlIdentityProvider;

    private final ClockControl clock;

    /**
     * The server's clock as the admin API moves it: the clock, and what runs once it moved (the passes that act on
     * time, so what became due has happened when the answer comes).
     */
    public record ClockControl(dev.crossrole.server.AdjustableClock clock, Runnable afterAdvance) {}

    public AdminApi(RequestLog log, IamDirectory iam, String version, EcsTasks tasks, OidcIssuer oidcIssuer,
                    SamlIdentityProvider samlIdentityProvider, AdminToken token) {
        this(log, iam, version, tasks, oidcIssuer, samlIdentityProvider, token, null);
    }

    public AdminApi(RequestLog log, IamDirectory iam, String version, EcsTasks tasks, OidcIssuer oidcIssuer,
                    SamlIdentityProvider samlIdentityProvider, AdminToken token, ClockControl clock) {
        this.clock = clock;
        this.token = token;
        this.oidcIssuer = oidcIssuer;
        this.samlIdentityProvider = samlIdentityProvider;
        this.log = log;
        this.iam = iam;
        this.version = version;
        this.tasks = tasks;
        this.exec = new ExecEndpoint(tasks);
    }

    static final String CLOCK = "/_crossrole/clock";

    /**
     * {@code GET /_crossrole/clock}: the server's time and how far it is ahead of the real one;
     * {@code POST /_crossrole/clock?advance=<ISO-8601 duration>} moves it forward and answers the same.
     */
    private HttpResponse clock(HttpRequest request, boolean read) {
        if (!read) {
            if (!"POST".equals(request.method())) {
                return message(405, CLOCK + " answers GET and POST.");
            }
            String advance = null;
            String query = request.rawQuery();
            if (query != null) {
                for (String pair : query.split("&")) {
                    if (pair.startsWith("advance=")) {
                        advance = java.net.URLDecoder.decode(pair.substring("advance=".length()), StandardCharsets.UTF_8);
                    }
                }
            }
            if (advance == null) {
                return message(400, "POST " + CLOCK + " needs ?advance=DURATION (ISO-8601, e.g. P31D or PT2H).");
            }
            java.time.Duration amount;
            try {
                amount = java.time.Duration.parse(advance);
            } catch (java.time.format.DateTimeParseException e) {
                return message(400, "advance must be an ISO-8601 duration such as P31D or PT2H30M, not '" + advance
                        + "'");
            }
            try {
                clock.clock().advance(amount);
            } catch (IllegalArgumentException e) {
                return message(400, "advance must be positive: " + e.getMessage());
            }
            clock.afterAdvance().run();
        }
        ObjectNode node = JSON.createObjectNode();
        node.put("now", clock.clock().instant().toString());
        node.put("offset", clock.clock().offset().toString());
        node.put("offsetSeconds", clock.clock().offset().getSeconds());
        return json(200, node);
    }

    public HttpResponse handle(HttpRequest request) {
        String path = request.rawPath();
        boolean read = "GET".equals(request.method()) || "HEAD".equals(request.method());
        boolean health = path.equals("/_crossrole/health");
        if (read && path.startsWith(OIDC) && (path.endsWith(DISCOVERY) || path.endsWith(JWKS))) {
            return oidcPublic(request, path);
        }
        if (read && path.startsWith(SAML) && path.endsWith(METADATA)) {
            return samlMetadata(path.substring(SAML.length(), path.length() - METADATA.length()));
        }
        if (!(health && read)) {
            HttpResponse refused = authenticate(request);
            if (refused != null) {
                return refused;
            }
        }
        if (path.equals(CLOCK) && clock != null) {
            return clock(request, read);
        }
        if (!read) {
            return message(405, "The admin API answers GET only (and POST to " + CLOCK + ").");
        }
        if (health) {
            ObjectNode node = JSON.createObjectNode();
            node.put("status", "ok");
            node.put("version", version);
            // the commit the running jar was built from, as `crossrole --version` prints it
            node.put("commit", java.util.Objects.requireNonNullElse(dev.crossrole.server.BuildInfo.current().commit(), "unknown"));
            node.put("accounts", iam.accounts().size());
            return json(200, node);
        }
        if (path.equals("/_crossrole/accounts")) {
            ArrayNode accounts = JSON.createArrayNode();
            iam.accounts().stream().sorted(Comparator.comparing(Account::id)).forEach(a -> {
                ObjectNode node = accounts.addObject();
                node.put("id", a.id());
                if (a.alias() != null) {
                    node.put("alias", a.alias());
                }
                // the profile crossrole wrote for the account's administrator in <data-dir>/credentials
                node.put("profile", a.alias() != null ? a.alias() : "account-" + a.id());
                if (a.organizationId() != null) {
                    node.put("organizationId", a.organizationId());
                }
            });
            ObjectNode node = JSON.createObjectNode();
            node.set("accounts", accounts);
            return json(200, node);
        }
        if (path.equals("/_crossrole/requests")) {
            return recentRequests(request.rawQuery());
        }
        if (path.startsWith("/_crossrole/requests/")) {
            String id = path.substring("/_crossrole/requests/".length());
            Optional<RecordedRequest> found = log.find(id);
            if (found.isEmpty()) {
                return message(404, "No request with id " + id + " is remembered (crossrole keeps the most recent ones).");
            }
            RecordedRequest r = found.get();
            if (request.rawQuery() != null && request.rawQuery().contains("format=text")) {
                return HttpResponse.of(200, "text/plain; charset=utf-8", text(r).getBytes(StandardCharsets.UTF_8));
            }
            ObjectNode node = summary(r);
            if (r.decision() != null) {
                node.set("decision", Simulation.toJson(r.decision()));
            }
            return json(200, node);
        }
        if (path.equals("/_crossrole/tasks")) {
            ArrayNode list = JSON.createArrayNode();
            for (EcsTask task : tasks.all()) {
                ObjectNode t = list.addObject();
                t.put("taskId", task.id());
                t.put("taskArn", task.arn());
                t.put("cluster", task.cluster().name());
                t.put("account", task.account());
                t.put("lastStatus", task.lastStatus());
                t.put("node", task.node());
            }
            ObjectNode node = JSON.createObjectNode();
            node.set("tasks", list);
            return json(200, node);
        }
        if (path.startsWith(OIDC) && path.endsWith(TOKEN)) {
            return oidcToken(path.substring(OIDC.length(), path.length() - TOKEN.length()), request.rawQuery());
        }
        if (path.startsWith(SAML) && path.endsWith(ASSERTION)) {
            return samlAssertion(path.substring(SAML.length(), path.length() - ASSERTION.length()), request.rawQuery());
        }
        if (EXEC_PATH.matcher(path).matches()) {
            return exec.handle(request, path.substring("/_crossrole/tasks/".length(), path.length() - "/exec".length()));
        }
        if (path.startsWith("/_crossrole/tasks/")) {
            return task(path.substring("/_crossrole/tasks/".length()), request.rawQuery());
        }
        return message(404, "Unknown admin path " + path);
    }

    /** A task's containers with their environment (secrets redacted) and working directory, or a container's log. */
    private HttpResponse task(String rest, String query) {
        String id = rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest;
        Optional<EcsTask> found = tasks.task(id);
        if (found.isEmpty()) {
            return message(404, "No task with id " + id + ".");
        }
        EcsTask task = found.get();
        if (!tasks.local(task)) {
            // Its processes, environment and logs are on the node that runs it.
            return message(409, "Task " + id + " runs on another crossrole node (node id " + task.node()
                    + "): run exec and logs against that node.");
        }
        if (rest.endsWith("/logs")) {
            String container = queryValue(query, "container");
            long offset = 0;
            try {
                String o = queryValue(query, "offset");
                offset = o == null ? 0 : Long.parseLong(o);
            } catch (NumberFormatException e) {
                return message(400, "offset must be a number");
            }
            EcsTask.Container c = container == null ? task.containers().get(0) : task.containers().stream()
                    .filter(x -> x.name().equals(container)).findFirst().orElse(null);
            if (c == null) {
                return message(404, "No container named " + container + " in task " + id + ".");
            }
            try {
                // Only what follows the offset is read: `logs --follow` asks again every 300 ms.
                byte[] out = new byte[0];
                long size = 0;
                if (java.nio.file.Files.exists(c.logFile())) {
                    try (java.nio.channels.FileChannel log = java.nio.channels.FileChannel.open(c.logFile())) {
                        size = log.size();
                        long from = Math.min(Math.max(0, offset), size);
                        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(Math.toIntExact(size - from));
                        while (buffer.hasRemaining() && log.read(buffer, from + buffer.position()) >= 0) {
                            // read until the size seen above
                        }
                        out = java.util.Arrays.copyOf(buffer.array(), buffer.position());
                        size = from + buffer.position();
                    }
                }
                return HttpResponse.of(200, "text/plain; charset=utf-8", out)
                        .withHeader("X-Crossrole-Next-Offset", String.valueOf(size))
                        .withHeader("X-Crossrole-Task-Status", task.lastStatus());
            } catch (java.io.IOException e) {
                return message(500, "Cannot read the log: " + e.getMessage());
            }
        }
        ObjectNode node = JSON.createObjectNode();
        node.put("taskId", task.id());
        node.put("taskArn", task.arn());
        node.put("cluster", task.cluster().name());
        node.put("lastStatus", task.lastStatus());
        node.put("workingDirectory", task.workDir().toString());
        ArrayNode containers = node.putArray("containers");
        for (EcsTask.Container c : task.containers()) {
            ObjectNode cn = containers.addObject();
            cn.put("name", c.name());
            cn.put("logFile", c.logFile().toString());
            ObjectNode env = cn.putObject("environment");
            c.environment().forEach((name, value) -> env.put(name, secret(name) || c.secretNames().contains(name)
                    ? REDACTED : value));
        }
        return json(200, node);
    }

    static final String OIDC = "/_crossrole/oidc/";
    static final String DISCOVERY = "/.well-known/openid-configuration";
    static final String JWKS = "/jwks";
    static final String TOKEN = "/token";

    /**
     * The built-in OIDC issuer's public documents, for anyone (as an issuer publishes them): its discovery document
     * and its keys, under any issuer name.
     */
    private HttpResponse oidcPublic(HttpRequest request, String path) {
        boolean discovery = path.endsWith(DISCOVERY);
        String name = path.substring(OIDC.length(), path.length() - (discovery ? DISCOVERY : JWKS).length());
        if (!OidcIssuer.NAME.matcher(name).matches()) {
            return message(404, "No OIDC issuer is named '" + name + "': an issuer name is a host name with an optional"
                    + " path, such as " + OidcIssuer.DEFAULT_NAME + ".");
        }
        if (!discovery) {
            return HttpResponse.json(200, oidcIssuer.publicKeys().toString());
        }
        String host = request.header("Host");
        String base = (request.secure() ? "https://" : "http://") + (host == null ? "127.0.0.1" : host);
        return json(200, (ObjectNode) JSON.valueToTree(OidcIssuer.discovery(name, base)));
    }

    /**
     * A token of the built-in issuer ({@code crossrole oidc token}): {@code sub}, one or more {@code aud}, {@code ttl}
     * in seconds (an hour when absent) and any {@code claim=NAME=VALUE}.
     */
    private HttpResponse oidcToken(String name, String query) {
        java.util.List<String> audiences = new java.util.ArrayList<>();
        java.util.Map<String, Object> claims = new java.util.LinkedHashMap<>();
        String subject = null;
        long ttl = 3600;
        if (query != null) {
            for (String pair : query.split("&")) {
                int equals = pair.indexOf('=');
                String key = equals < 0 ? pair : pair.substring(0, equals);
                String value = equals < 0 ? "" : java.net.URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
                switch (key) {
                    case "sub" -> subject = value;
                    case "aud" -> audiences.add(value);
                    case "ttl" -> {
                        try {
                            ttl = Long.parseLong(value);
                        } catch (NumberFormatException e) {
                            return message(400, "ttl must be a number of seconds");
                        }
                    }
                    case "claim" -> {
                        int split = value.indexOf('=');
                        if (split <= 0) {
                            return message(400, "a claim is NAME=VALUE");
                        }
                        String claim = value.substring(0, split);
                        if (java.util.Set.of("iss", "sub", "aud", "exp", "iat", "nbf", "jti").contains(claim)) {
                            return message(400, "the claim " + claim + " is set by the issuer or its own option");
                        }
                        String text = value.substring(split + 1);
                        if (text.startsWith("{") || text.startsWith("[")) {
                            // A structured claim (AWS's session tags: https://aws.amazon.com/tags) given as JSON.
                            try {
                                claims.put(claim, JSON.readValue(text, Object.class));
                            } catch (java.io.IOException e) {
                                return message(400, "the claim " + claim + " is not valid JSON: " + e.getMessage());
                            }
                        } else {
                            claims.put(claim, text);
                        }
                    }
                    default -> {
                        return message(400, "Unknown parameter " + key + ": sub, aud, ttl and claim are known.");
                    }
                }
            }
        }
        try {
            String jwt = oidcIssuer.token(name, subject, audiences, java.time.Duration.ofSeconds(ttl), claims);
            ObjectNode node = JSON.createObjectNode();
            node.put("token", jwt);
            node.put("issuer", OidcIssuer.issuer(name));
            return json(200, node);
        } catch (IllegalArgumentException e) {
            return message(400, e.getMessage());
        }
    }

    static final String SAML = "/_crossrole/saml/";
    static final String METADATA = "/metadata";
    static final String ASSERTION = "/assertion";

    /** The built-in SAML identity provider's metadata document, for anyone (as an identity provider publishes it). */
    private HttpResponse samlMetadata(String name) {
        if (!SamlIdentityProvider.NAME.matcher(name).matches()) {
            return message(404, "No SAML identity provider is named '" + name + "': a name is a host name with an"
                    + " optional path, such as " + SamlIdentityProvider.DEFAULT_NAME + ".");
        }
        return HttpResponse.of(200, "application/samlmetadata+xml; charset=utf-8",
                samlIdentityProvider.metadata(name).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A signed SAML response of the built-in identity provider ({@code crossrole saml assertion}), base64: one or
     * more {@code role} (a role ARN) with the {@code provider} (the IAM SAML provider's ARN), {@code sub}, and
     * optionally {@code sub-type}, {@code session-name} (the subject when absent), {@code attribute=NAME=VALUE},
     * {@code ttl} in seconds (five minutes when absent) and {@code encrypt} ({@code auto}: for the provider's newest
     * private key when it has one; {@code yes}; {@code no}).
     */
    private HttpResponse samlAssertion(String name, String query) {
        java.util.List<String> roles = new java.util.ArrayList<>();
        java.util.Map<String, java.util.List<String>> attributes = new java.util.LinkedHashMap<>();
        String provider = null;
        String subject = null;
        String subjectType = null;
        String sessionName = null;
        String encrypt = "auto";
        long ttl = 300;
        if (query != null) {
            for (String pair : query.split("&")) {
                int equals = pair.indexOf('=');
                String key = equals < 0 ? pair : pair.substring(0, equals);
                String value = equals < 0 ? "" : java.net.URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
                switch (key) {
                    case "role" -> roles.add(value);
                    case "provider" -> provider = value;
                    case "sub" -> subject = value;
                    case "sub-type" -> subjectType = value;
                    case "session-name" -> sessionName = value;
                    case "encrypt" -> encrypt = value;
                    case "ttl" -> {
                        try {
                            ttl = Long.parseLong(value);
                        } catch (NumberFormatException e) {
                            return message(400, "ttl must be a number of seconds");
                        }
                    }
                    case "attribute" -> {
                        int split = value.indexOf('=');
                        if (split <= 0) {
                            return message(400, "an attribute is NAME=VALUE");
                        }
                        attributes.computeIfAbsent(value.substring(0, split), k -> new java.util.ArrayList<>())
                                .add(value.substring(split + 1));
                    }
                    default -> {
                        return message(400, "Unknown parameter " + key + ": role, provider, sub, sub-type,"
                                + " session-name, attribute, ttl and encrypt are known.");
                    }
                }
            }
        }
        if (provider == null || roles.isEmpty()) {
            return message(400, "an assertion needs a role and the provider (the IAM SAML provider's ARN)");
        }
        if (!java.util.Set.of("auto", "yes", "no").contains(encrypt)) {
            return message(400, "encrypt is auto, yes or no");
        }
        java.security.PublicKey encryptFor = null;
        if (!encrypt.equals("no")) {
            var keys = iam.samlProvider(provider).map(dev.crossrole.server.iam.SamlProvider::privateKeys)
                    .orElse(java.util.List.of());
            if (keys.isEmpty() && encrypt.equals("yes")) {
                return message(400, "the SAML provider " + provider + " has no private key to encrypt for");
            }
            if (!keys.isEmpty()) {
                try {
                    encryptFor = dev.crossrole.server.saml.PrivateKeys.publicKey(
                            dev.crossrole.server.saml.PrivateKeys.parse(keys.get(keys.size() - 1).pem()));
                } catch (dev.crossrole.server.saml.SamlException e) {
                    return message(400, "the SAML provider's private key cannot be used: " + e.getMessage());
                }
            }
        }
        String finalProvider = provider;
        try {
            String response = samlIdentityProvider.response(name, new SamlIdentityProvider.Claims(
                    roles.stream().map(role -> role + "," + finalProvider).toList(), subject, subjectType,
                    sessionName == null ? subject : sessionName, attributes, java.time.Duration.ofSeconds(ttl),
                    encryptFor));
            ObjectNode node = JSON.createObjectNode();
            node.put("assertion", response);
            node.put("issuer", SamlIdentityProvider.entityId(name));
            node.put("encrypted", encryptFor != null);
            return json(200, node);
        } catch (IllegalArgumentException e) {
            return message(400, e.getMessage());
        }
    }

    /** {@code null} when the request carries the administrator's token, else the refusal (never data). */
    private HttpResponse authenticate(HttpRequest request) {
        String authorization = request.header("Authorization");
        String how = "Send the administrator's token as 'Authorization: Bearer <token>'. crossrole keeps it in "
                + token.file() + " (readable by the user running crossrole only); the crossrole CLI reads it from"
                + " the data directory (--data-dir, $CROSSROLE_DATA_DIR) or from $" + AdminToken.ENVIRONMENT_VARIABLE + ".";
        if (AdminToken.bearer(authorization) == null) {
            return error(401, "MissingAdminToken", "This admin route needs the administrator's token. " + how)
                    .withHeader("WWW-Authenticate", "Bearer realm=\"crossrole\"");
        }
        if (!token.accepts(authorization)) {
            return error(403, "InvalidAdminToken", "The token given is not the administrator's token. " + how);
        }
        return null;
    }

    static final String REDACTED = "<redacted>";

    /**
     * Whether a variable's value is a secret the admin API never shows: the container credentials endpoint's
     * token (with the endpoint's URI it is a role's keys), and whatever is named like a key, token or password.
     */
    static boolean secret(String name) {
        String upper = name.toUpperCase(java.util.Locale.ROOT);
        return upper.contains("TOKEN") || upper.contains("SECRET") || upper.contains("PASSWORD")
                || upper.contains("PASSWD") || upper.endsWith("_KEY") || upper.contains("PRIVATE_KEY");
    }

    private static String queryValue(String query, String name) {
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            if (pair.startsWith(name + "=")) {
                return java.net.URLDecoder.decode(pair.substring(name.length() + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /**
     * {@code GET /_crossrole/requests?limit=N&denied=true&account=ID}: the most recent requests, newest first, at most
     * {@code limit} (1 to 1000, default 50) of those that pass the filters: {@code denied=true} keeps the requests a
     * policy denied, {@code account} those whose caller or resource is in that account.
     */
    private HttpResponse recentRequests(String query) {
        int limit = 50;
        boolean deniedOnly = false;
        String account = null;
        if (query != null && !query.isEmpty()) {
            for (String pair : query.split("&")) {
                int equals = pair.indexOf('=');
                String name = java.net.URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
                String value = equals < 0 ? "" : java.net.URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
                switch (name) {
                    case "limit" -> {
                        try {
                            limit = Integer.parseInt(value);
                        } catch (NumberFormatException e) {
                            limit = 0;
                        }
                        if (limit < 1 || limit > 1000) {
                            return message(400, "limit must be a number from 1 to 1000, not '" + value + "'");
                        }
                    }
                    case "denied" -> {
                        if (!value.equals("true") && !value.equals("false")) {
                            return message(400, "denied must be true or false, not '" + value + "'");
                        }
                        deniedOnly = value.equals("true");
                    }
                    case "account" -> {
                        if (!value.matches("[0-9]{12}")) {
                            return message(400, "account must be an account id of 12 digits, not '" + value + "'");
                        }
                        account = value;
                    }
                    default -> {
                        return message(400, "Unknown parameter '" + name + "': " + "/_crossrole/requests takes limit,"
                                + " denied and account");
                    }
                }
            }
        }
        java.util.function.Predicate<RecordedRequest> wanted = requestFilter(deniedOnly, account);
        ArrayNode requests = JSON.createArrayNode();
        for (RecordedRequest r : log.recent(limit, wanted)) {
            requests.add(summary(r));
        }
        ObjectNode node = JSON.createObjectNode();
        node.set("requests", requests);
        return json(200, node);
    }

    /** Which recorded requests {@code /_crossrole/requests} lists: those a policy denied, and those of one account. */
    static java.util.function.Predicate<RecordedRequest> requestFilter(boolean deniedOnly, String account) {
        java.util.function.Predicate<RecordedRequest> wanted = r -> true;
        if (deniedOnly) {
            wanted = wanted.and(r -> r.decision() != null && !r.decision().allowed());
        }
        if (account != null) {
            wanted = wanted.and(r -> account.equals(arnAccount(r.caller())) || account.equals(arnAccount(r.resource())));
        }
        return wanted;
    }

    /** The account field of an ARN ({@code arn:partition:service:region:account:...}), or {@code null}. */
    private static String arnAccount(String arn) {
        if (arn == null || !arn.startsWith("arn:")) {
            return null;
        }
        String[] fields = arn.split(":", 6);
        return fields.length >= 5 && !fields[4].isEmpty() ? fields[4] : null;
    }

    private static ObjectNode summary(RecordedRequest r) {
        ObjectNode node = JSON.createObjectNode();
        node.put("requestId", r.requestId());
        node.put("time", r.time().toString());
        node.put("service", r.service());
        node.put("operation", r.operation());
        node.put("caller", r.caller());
        node.put("action", r.action());
        node.put("resource", r.resource());
        node.put("httpStatus", r.httpStatus());
        if (r.errorCode() != null) {
            node.put("errorCode", r.errorCode());
        }
        if (r.errorMessage() != null) {
            node.put("errorMessage", r.errorMessage());
        }
        if (r.decision() != null) {
            node.put("outcome", r.decision().outcome().wireName());
        }
        node.put("durationMicros", r.durationMicros());
        return node;
    }

    /** The readable account of one request, as {@code crossrole why} prints it. */
    public static String text(RecordedRequest r) {
        StringBuilder out = new StringBuilder();
        out.append("Request ").append(r.requestId()).append(" at ").append(r.time()).append('\n');
        out.append("Call: ").append(r.service()).append(' ').append(r.operation()).append(" by ")
                .append(r.caller() == null ? "(unauthenticated)" : r.caller()).append('\n');
        out.append("Result: HTTP ").append(r.httpStatus());
        if (r.errorCode() != null) {
            out.append(' ').append(r.errorCode());
        }
        out.append('\n');
        Decision decision = r.decision();
        if (decision == null) {
            if (r.errorMessage() != null) {
                out.append(r.errorMessage()).append('\n');
            }
            out.append("No policy decision was made (the request ended before authorization).\n");
            return out.toString();
        }
        if (!decision.allowed()) {
            out.append(decision.accessDeniedMessage()).append('\n');
        } else if (r.httpStatus() >= 400) {
            out.append("Authorization allowed the call; it failed afterwards");
            out.append(r.errorMessage() == null ? ".\n" : ": " + r.errorMessage() + "\n");
        }
        out.append('\n').append(decision.explanation().toText(decision));
        return out.toString();
    }

    private static HttpResponse json(int status, ObjectNode node) {
        return HttpResponse.json(status, node.toString());
    }

    private static HttpResponse message(int status, String message) {
        ObjectNode node = JSON.createObjectNode();
        node.put("message", message);
        return json(status, node);
    }

    private static HttpResponse error(int status, String code, String message) {
        ObjectNode node = JSON.createObjectNode();
        node.put("code", code);
        node.put("message", message);
        return json(status, node);
    }
}
