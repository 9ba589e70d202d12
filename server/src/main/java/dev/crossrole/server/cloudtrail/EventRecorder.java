package dev.crossrole.server.cloudtrail;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossrole.policy.Principal;
import dev.crossrole.server.model.OperationModel;
import dev.crossrole.server.model.ServiceModel;
import dev.crossrole.server.model.ServiceModels;
import dev.crossrole.server.requestlog.RecordedRequest;
import dev.crossrole.server.requestlog.RequestDetails;
import dev.crossrole.server.service.AccessCheck;
import dev.crossrole.server.service.Caller;
import dev.crossrole.server.service.SessionClaims;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns a finished request into the CloudTrail events of the accounts it concerns: the caller's account, and the
 * account owning a resource the call asked for when that is another (a cross-account call is in both histories, as on
 * AWS, each copy with its own {@code eventID}, its {@code recipientAccountId} and the {@code sharedEventID} they have
 * in common). Data events ({@link DataEvents}) and requests of no known account are not recorded.
 */
final class EventRecorder {
    private static final Logger LOG = Logger.getLogger(EventRecorder.class.getName());
    private static final java.util.regex.Pattern ACCOUNT_ID = java.util.regex.Pattern.compile("\\d{12}");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The version of the event record's format that the fields written here follow. */
    static final String EVENT_VERSION = "1.09";
    /** The services CloudTrail records in us-east-1 whatever the endpoint (global services). */
    private static final Set<String> GLOBAL = Set.of("iam", "organizations");
    /** How resource types are spelled for the services whose name is not simply capitalized. */
    private static final Map<String, String> SERVICE_NAMES = Map.ofEntries(Map.entry("iam", "IAM"),
            Map.entry("sts", "STS"), Map.entry("sqs", "SQS"), Map.entry("sns", "SNS"), Map.entry("s3", "S3"),
            Map.entry("kms", "KMS"), Map.entry("ssm", "SSM"), Map.entry("ecs", "ECS"), Map.entry("ecr", "ECR"),
            Map.entry("secretsmanager", "SecretsManager"), Map.entry("logs", "Logs"),
            Map.entry("dynamodb", "DynamoDB"), Map.entry("cloudtrail", "CloudTrail"),
            Map.entry("organizations", "Organizations"), Map.entry("lambda", "Lambda"));

    private final EventHistory history;
    /** The served account an access key belongs to, or {@code null}: for requests that failed authentication. */
    private final Function<String, String> accountOfKey;
    /** Whether crossrole serves an account: another account's resource makes an event of that account if so. */
    private final java.util.function.Predicate<String> served;

    EventRecorder(EventHistory history, Function<String, String> accountOfKey,
                  java.util.function.Predicate<String> served) {
        this.history = history;
        this.accountOfKey = accountOfKey;
        this.served = served;
    }

    /** Records a finished request; never fails the request it is told of. */
    void record(RecordedRequest request, RequestDetails details) {
        try {
            for (TrailEvent event : events(request, details)) {
                history.add(event);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot record request " + request.requestId() + " in the event history", e);
        }
    }

    /** The events of one request, one per account it concerns; none for a data event. */
    List<TrailEvent> events(RecordedRequest request, RequestDetails details) {
        String service = details.service();
        String operation = details.operation();
        if (service == null || operation == null || DataEvents.isDataEvent(service, operation)) {
            return List.of();
        }
        Caller caller = details.caller();
        String callerAccount = caller != null ? caller.account()
                : details.attemptedAccessKeyId() == null ? null : accountOfKey.apply(details.attemptedAccessKeyId());
        List<TrailEvent.Resource> resources = new ArrayList<>();
        Set<String> recipients = new LinkedHashSet<>();
        if (callerAccount != null) {
            recipients.add(callerAccount);
        }
        List<ObjectNode> resourceNodes = new ArrayList<>();
        for (AccessCheck check : details.checks()) {
            String arn = check.resource();
            if (arn == null || !arn.startsWith("arn:") || resources.stream().anyMatch(r -> r.name().equals(arn))) {
                continue;
            }
            String account = check.resourceAccount() != null ? check.resourceAccount() : accountOf(arn);
            TrailEvent.Resource resource = new TrailEvent.Resource(resourceType(arn), arn);
            resources.add(resource);
            ObjectNode node = JSON.createObjectNode();
            if (account != null) {
                node.put("accountId", account);
                // Another account's resource: the event is that account's too, when crossrole serves it.
                if (caller != null && ACCOUNT_ID.matcher(account).matches() && served.test(account)) {
                    recipients.add(account);
                }
            }
            node.put("type", resource.type()).put("ARN", arn);
            resourceNodes.add(node);
        }
        if (recipients.isEmpty()) {
            return List.of();
        }
        OperationModel model = details.model() != null ? details.model() : operationModel(service, operation);
        boolean readOnly = model != null && model.readsOnly();
        String region = GLOBAL.contains(service) ? "us-east-1" : details.region();
        ObjectNode identity = userIdentity(caller, callerAccount, details.attemptedAccessKeyId());
        ObjectNode parameters = RequestParameters.of(details.input());
        // What a call answered is kept for calls that change something, and for STS's, which AWS keeps too (the
        // session's key id and expiration: its secret and token are hidden); reads answer too much to keep.
        ObjectNode answer = model == null || readOnly && !service.equals("sts") ? null
                : RequestParameters.of(details.output(), model.output());
        String shared = recipients.size() > 1 ? randomId() : null;
        List<TrailEvent> events = new ArrayList<>(recipients.size());
        for (String recipient : recipients) {
            String eventId = randomId();
            ObjectNode event = JSON.createObjectNode();
            event.put("eventVersion", EVENT_VERSION);
            // The resource owner's copy of another account's call names that account, not its caller's key or ARN,
            // as CloudTrail writes it (type AWSAccount).
            boolean foreign = callerAccount != null && !recipient.equals(callerAccount);
            event.set("userIdentity", foreign ? otherAccount(caller, callerAccount) : identity);
            event.put("eventTime", request.time().truncatedTo(ChronoUnit.SECONDS).toString());
            event.put("eventSource", service + ".amazonaws.com");
            event.put("eventName", operation);
            event.put("awsRegion", region);
            event.put("sourceIPAddress", details.sourceIp());
            event.put("userAgent", details.userAgent());
            if (request.errorCode() != null) {
                event.put("errorCode", request.errorCode());
                event.put("errorMessage", request.errorMessage());
            }
            event.set("requestParameters", parameters);
            event.set("responseElements", request.errorCode() == null ? answer : null);
            event.put("requestID", request.requestId());
            event.put("eventID", eventId);
            event.put("readOnly", readOnly);
            if (!resourceNodes.isEmpty()) {
                event.putArray("resources").addAll(resourceNodes);
            }
            event.put("eventType", "AwsApiCall");
            event.put("managementEvent", true);
            event.put("recipientAccountId", recipient);
            if (shared != null) {
                event.put("sharedEventID", shared);
            }
            event.put("eventCategory", "Management");
            if (details.secure()) {
                // The listener does not tell which TLS version and cipher a connection agreed: the host alone.
                event.putObject("tlsDetails").put("clientProvidedHostHeader", details.host());
            }
            String text = text(event);
            if (text.length() > RequestParameters.MAX_CHARS) {
                event.putNull("requestParameters");
                event.putNull("responseElements");
                text = text(event);
            }
            String accessKeyId = foreign ? null : caller != null ? caller.accessKeyId() : details.attemptedAccessKeyId();
            events.add(new TrailEvent(recipient, request.time().toEpochMilli(), eventId, operation,
                    service + ".amazonaws.com", region, readOnly, accessKeyId, foreign ? null : username(caller),
                    resources, text));
        }
        return events;
    }

    /**
     * A version-4-shaped UUID. Event ids must be unique, not secret: drawn from the thread's own generator rather than
     * {@link UUID#randomUUID()}'s shared SecureRandom, whose lock every request would contend for.
     */
    static String randomId() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }

    private static OperationModel operationModel(String service, String operation) {
        ServiceModel model = ServiceModels.all().bySigningName(service);
        return model == null ? null : model.operation(operation);
    }

    /** The {@code userIdentity} element: who called, with what credentials, and for a session how it was made. */
    static ObjectNode userIdentity(Caller caller, String account, String attemptedKey) {
        ObjectNode n = JSON.createObjectNode();
        if (caller == null) {
            // Authentication failed: all that is known is the key the request named, and its account.
            n.put("type", "Unknown");
            n.put("accountId", account);
            n.put("accessKeyId", attemptedKey);
            return n;
        }
        Principal principal = caller.principal();
        SessionClaims session = caller.session();
        if (principal instanceof Principal.AccountRoot root) {
            n.put("type", "Root").put("principalId", root.accountId()).put("arn", root.arn())
                    .put("accountId", root.accountId()).put("accessKeyId", caller.accessKeyId());
        } else if (principal instanceof Principal.IamUser user) {
            n.put("type", "IAMUser").put("principalId", user.uniqueId()).put("arn", user.arn())
                    .put("accountId", user.accountId()).put("accessKeyId", caller.accessKeyId())
                    .put("userName", user.name());
        } else if (principal instanceof Principal.RoleSession role) {
            n.put("type", "AssumedRole").put("principalId", role.userId()).put("arn", role.sessionArn())
                    .put("accountId", role.accountId()).put("accessKeyId", caller.accessKeyId());
            ObjectNode context = n.putObject("sessionContext");
            context.putObject("sessionIssuer").put("type", "Role").put("principalId", role.roleUniqueId())
                    .put("arn", role.roleArn()).put("accountId", role.accountId()).put("userName", role.roleName());
            context.putObject("webIdFederationData");
            attributes(context, session);
            if (session != null && session.sourceIdentity() != null) {
                context.put("sourceIdentity", session.sourceIdentity());
            }
            return n;
        } else if (principal instanceof Principal.FederatedUser federated) {
            n.put("type", "FederatedUser").put("principalId", federated.userId()).put("arn", federated.arn())
                    .put("accountId", federated.accountId()).put("accessKeyId", caller.accessKeyId());
            ObjectNode context = n.putObject("sessionContext");
            ObjectNode issuer = context.putObject("sessionIssuer");
            if (session != null && session.userName() != null) {
                issuer.put("type", "IAMUser").put("principalId", session.userId())
                        .put("arn", "arn:aws:iam::" + federated.accountId() + ":user/" + session.userName())
                        .put("accountId", federated.accountId()).put("userName", session.userName());
            } else {
                issuer.put("type", "Root").put("principalId", federated.accountId())
                        .put("arn", "arn:aws:iam::" + federated.accountId() + ":root")
                        .put("accountId", federated.accountId());
            }
            attributes(context, session);
            return n;
        } else if (principal instanceof Principal.ServicePrincipal service) {
            n.put("type", "AWSService").put("invokedBy", service.name());
            return n;
        } else if (principal instanceof Principal.WebIdentity token) {
            String provider = token.provider();
            boolean saml = provider.contains(":saml-provider/");
            String host = provider.substring(provider.indexOf('/') + 1);
            n.put("type", saml ? "SAMLUser" : "WebIdentityUser")
                    .put("principalId", host + ":" + token.subject()).put("userName", token.subject())
                    .put("identityProvider", saml ? provider : host);
            return n;
        } else {
            n.put("type", "AWSAccount").put("principalId", "").put("accountId", "anonymous");
            return n;
        }
        if (session != null) {
            // A user's or the root's session (GetSessionToken): its context tells when it was made and with MFA or not.
            attributes(n.putObject("sessionContext"), session);
        }
        return n;
    }

    /** The {@code userIdentity} of another account's call as the resource owner's copy has it. */
    static ObjectNode otherAccount(Caller caller, String account) {
        String principalId = caller == null ? null : caller.principal().userId();
        return JSON.createObjectNode().put("type", "AWSAccount").put("principalId", principalId)
                .put("accountId", account);
    }

    private static void attributes(ObjectNode context, SessionClaims session) {
        ObjectNode attributes = context.putObject("attributes");
        if (session != null) {
            attributes.put("creationDate", Instant.ofEpochSecond(session.issuedAt()).toString());
        }
        attributes.put("mfaAuthenticated", Boolean.toString(session != null && session.mfa()));
    }

    /** How LookupEvents names who called: a user's name, a role session's name, {@code root}. */
    static String username(Caller caller) {
        if (caller == null) {
            return null;
        }
        Principal principal = caller.principal();
        if (principal instanceof Principal.AccountRoot) {
            return "root";
        }
        if (principal instanceof Principal.IamUser user) {
            return user.name();
        }
        if (principal instanceof Principal.RoleSession role) {
            return role.sessionName();
        }
        if (principal instanceof Principal.FederatedUser federated) {
            return federated.name();
        }
        if (principal instanceof Principal.WebIdentity token) {
            return token.subject();
        }
        return null;
    }

    /** The account in an ARN's fifth field, or {@code null} (S3's buckets have none). */
    static String accountOf(String arn) {
        String[] parts = arn.split(":", 6);
        return parts.length == 6 && !parts[4].isEmpty() ? parts[4] : null;
    }

    /** A resource's type as CloudTrail names it ({@code AWS::SQS::Queue}, {@code AWS::IAM::Role}), from its ARN. */
    static String resourceType(String arn) {
        String[] parts = arn.split(":", 6);
        if (parts.length < 6) {
            return "AWS::Unknown";
        }
        String service = parts[2];
        String rest = parts[5];
        String prefix;
        if (service.equals("sqs")) {
            prefix = "queue";
        } else if (service.equals("s3")) {
            prefix = rest.contains("/") ? "object" : "bucket";
        } else {
            int cut = firstOf(rest, '/', ':');
            prefix = cut < 0 ? rest : rest.substring(0, cut);
        }
        String serviceName = SERVICE_NAMES.getOrDefault(service, pascal(service));
        return "AWS::" + serviceName + "::" + pascal(prefix);
    }

    private static int firstOf(String text, char a, char b) {
        int i = text.indexOf(a);
        int j = text.indexOf(b);
        return i < 0 ? j : j < 0 ? i : Math.min(i, j);
    }

    private static String pascal(String words) {
        StringBuilder out = new StringBuilder();
        for (String word : words.split("[-_]")) {
            if (!word.isEmpty()) {
                out.append(Character.toUpperCase(word.charAt(0))).append(word.substring(1));
            }
        }
        return out.toString().isEmpty() ? "Unknown" : out.toString().replace("Oidc", "OIDC").replace("Saml", "SAML")
                .replace("Mfa", "MFA");
    }

    private static String text(ObjectNode event) {
        try {
            return JSON.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
