package dev.crossrole.server.iam;

import static dev.crossrole.server.iam.IamSupport.account;

import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.protocol.AwsException;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.service.AccessCheck;
import dev.crossrole.server.service.Call;
import dev.crossrole.server.service.PreparedCall;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * Service-specific credentials of users: a user name ({@code <user>-at-<account>}) and password for CodeCommit and
 * Amazon Keyspaces, an API key (alias and secret, optionally expiring after {@code CredentialAgeDays}) for Amazon
 * Bedrock and CloudWatch Logs. The password or secret is returned by Create and Reset only. At most two per service
 * per user. Every operation is authorized as {@code iam:<Operation>} on the user's ARN, with
 * {@code iam:ServiceSpecificCredentialServiceName} (and {@code iam:ServiceSpecificCredentialAgeDays} on create).
 */
final class ServiceSpecificCredentialOperations {
    /** IAM's quota (CreateServiceSpecificCredential: "a maximum of two sets ... for each supported service per user"). */
    static final int PER_SERVICE_PER_USER = 2;
    static final Set<String> PASSWORD_SERVICES = Set.of("codecommit.amazonaws.com", "cassandra.amazonaws.com");
    static final Set<String> API_KEY_SERVICES = Set.of("bedrock.amazonaws.com", "logs.amazonaws.com");
    private static final char[] PASSWORD_ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".toCharArray();

    private final IamDirectory iam;
    private final UserCredentials users;

    ServiceSpecificCredentialOperations(IamSupport support) {
        this.iam = support.iam;
        this.users = new UserCredentials(iam);
    }

    private static void checkService(String service) {
        if (!PASSWORD_SERVICES.contains(service) && !API_KEY_SERVICES.contains(service)) {
            throw IamSupport.noSuchEntity("No such service " + service + " is supported for Service Specific Credentials");
        }
    }

    private static AwsException noSuchCredential(String id) {
        return IamSupport.noSuchEntity("No such credential " + id + " exists");
    }

    /** A password as IAM makes them: 59 characters of the base64 alphabet and a final '='. */
    static String password(SecureRandom random) {
        byte[] bytes = new byte[59];
        random.nextBytes(bytes);
        StringBuilder out = new StringBuilder(60);
        for (byte b : bytes) {
            out.append(PASSWORD_ALPHABET[b & 63]);
        }
        return out.append('=').toString();
    }

    private static String apiKeySecret(SecureRandom random) {
        byte[] bytes = new byte[48];
        random.nextBytes(bytes);
        return Base64.getEncoder().withoutPadding().encodeToString(bytes);
    }

    private String status(ServiceSpecificCredential c) {
        if (c.expires() != null && !c.expires().isAfter(iam.clock().instant())) {
            return "Expired";
        }
        return c.active() ? "Active" : "Inactive";
    }

    /** The ServiceSpecificCredential shape: everything, the password or secret included. */
    private Shape full(ServiceSpecificCredential c) {
        Shape shape = Shape.of().put("CreateDate", c.created());
        if (c.expires() != null) {
            shape.put("ExpirationDate", c.expires());
        }
        shape.put("ServiceName", c.service());
        if (c.apiKey()) {
            shape.put("ServiceCredentialAlias", c.alias()).put("ServiceCredentialSecret", c.secret());
        } else {
            shape.put("ServiceUserName", c.serviceUserName()).put("ServicePassword", c.secret());
        }
        return shape.put("ServiceSpecificCredentialId", c.id()).put("UserName", users.userName(c.userId()))
                .put("Status", status(c));
    }

    private Shape metadata(ServiceSpecificCredential c) {
        Shape shape = Shape.of().put("UserName", users.userName(c.userId())).put("Status", status(c));
        if (c.apiKey()) {
            shape.put("ServiceCredentialAlias", c.alias());
        } else {
            shape.put("ServiceUserName", c.serviceUserName());
        }
        shape.put("CreateDate", c.created());
        if (c.expires() != null) {
            shape.put("ExpirationDate", c.expires());
        }
        return shape.put("ServiceSpecificCredentialId", c.id()).put("ServiceName", c.service());
    }

    /** The access check on the user, with the service of the credential the call names when there is one. */
    private AccessCheck on(Call call, String action, String target, String credentialId) {
        RequestContext.Builder context = RequestContext.builder();
        iam.serviceCredential(credentialId).filter(c -> c.account().equals(account(call)))
                .ifPresent(c -> context.single("iam:ServiceSpecificCredentialServiceName", c.service()));
        return users.on(call, action, target, context);
    }

    /** The credential with that id if it is the target user's. */
    private ServiceSpecificCredential owned(Call call, String id, String target) {
        String ownerId = users.ownerId(call, target);
        return iam.serviceCredential(id).filter(c -> c.account().equals(account(call)) && c.userId().equals(ownerId))
                .orElseThrow(() -> noSuchCredential(id));
    }

    PreparedCall createServiceSpecificCredential(Call call, Input input) {
        String name = input.string("UserName");
        String service = input.string("ServiceName");
        Integer ageDays = input.integer("CredentialAgeDays");
        RequestContext.Builder context = RequestContext.builder().single("iam:ServiceSpecificCredentialServiceName",
                service);
        if (ageDays != null) {
            context.single("iam:ServiceSpecificCredentialAgeDays", String.valueOf(ageDays));
        }
        return PreparedCall.of(List.of(users.on(call, "iam:CreateServiceSpecificCredential", name, context)), () -> {
            synchronized (iam) {
                IamUser user = users.user(call, name);
                checkService(service);
                boolean apiKey = API_KEY_SERVICES.contains(service);
                if (ageDays != null && !apiKey) {
                    throw IamSupport.invalidInput("CredentialAgeDays is valid only for Bedrock and CloudWatch Logs API"
                            + " keys.");
                }
                long existing = iam.serviceCredentials(account(call)).stream()
                        .filter(c -> c.userId().equals(user.userId()) && c.service().equals(service)).count();
                if (existing >= PER_SERVICE_PER_USER) {
                    throw IamSupport.limitExceeded("Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: "
                            + PER_SERVICE_PER_USER);
                }
                Instant now = iam.clock().instant();
                SecureRandom random = iam.ids().random();
                ServiceSpecificCredential credential = apiKey
                        ? new ServiceSpecificCredential(account(call), user.userId(), iam.ids().uniqueId("ACCA"),
                                service, null, apiKeySecret(random),
                                user.name() + "+1-at-" + account(call) + "-" + now.getEpochSecond(), true, now,
                                ageDays == null ? null : now.plus(Duration.ofDays(ageDays)))
                        : new ServiceSpecificCredential(account(call), user.userId(), iam.ids().uniqueId("ACCA"),
                                service, user.name() + "-at-" + account(call), password(random), null, true, now, null);
                iam.putServiceCredential(credential);
                return Shape.of().put("ServiceSpecificCredential", full(credential));
            }
        });
    }

    PreparedCall listServiceSpecificCredentials(Call call, Input input) {
        String given = input.string("UserName");
        String service = input.string("ServiceName");
        boolean allUsers = Boolean.TRUE.equals(input.bool("AllUsers"));
        if (allUsers && given != null) {
            throw IamSupport.invalidInput("AllUsers cannot be specified together with UserName.");
        }
        IamSupport.PageRequest page = IamSupport.pageRequest(input);
        String target = allUsers ? null : UserCredentials.target(call, given);
        AccessCheck check = allUsers
                ? IamSupport.check("iam:ListServiceSpecificCredentials", "arn:aws:iam::" + account(call) + ":user/*",
                        RequestContext.empty())
                : users.on(call, "iam:ListServiceSpecificCredentials", target, null);
        return PreparedCall.of(List.of(check), () -> {
            String ownerId = allUsers ? null : users.ownerId(call, target);
            if (service != null) {
                checkService(service);
            }
            List<ServiceSpecificCredential> credentials = iam.serviceCredentials(account(call)).stream()
                    .filter(c -> allUsers || c.userId().equals(ownerId))
                    .filter(c -> service == null || c.service().equals(service)).toList();
            if (!allUsers && target == null) {
                credentials = List.of(); // the account root has none
            }
            IamSupport.Page<ServiceSpecificCredential> p = IamSupport.page(credentials, page);
            return p.into(Shape.of().put("ServiceSpecificCredentials", IamSupport.shapes(p.items(), this::metadata)));
        });
    }

    PreparedCall resetServiceSpecificCredential(Call call, Input input) {
        String target = UserCredentials.target(call, input.string("UserName"));
        String id = input.string("ServiceSpecificCredentialId");
        return PreparedCall.of(List.of(on(call, "iam:ResetServiceSpecificCredential", target, id)), () -> {
            synchronized (iam) {
                ServiceSpecificCredential c = owned(call, id, target);
                SecureRandom random = iam.ids().random();
                ServiceSpecificCredential reset = c.withSecret(c.apiKey() ? apiKeySecret(random) : password(random));
                iam.putServiceCredential(reset);
                return Shape.of().put("ServiceSpecificCredential", full(reset));
            }
        });
    }

    PreparedCall updateServiceSpecificCredential(Call call, Input input) {
        String target = UserCredentials.target(call, input.string("UserName"));
        String id = input.string("ServiceSpecificCredentialId");
        boolean active = UserCredentials.active(input.string("Status"));
        return PreparedCall.of(List.of(on(call, "iam:UpdateServiceSpecificCredential", target, id)), () -> {
            synchronized (iam) {
                iam.putServiceCredential(owned(call, id, target).withActive(active));
                return null;
            }
        });
    }

    PreparedCall deleteServiceSpecificCredential(Call call, Input input) {
        String target = UserCredentials.target(call, input.string("UserName"));
        String id = input.string("ServiceSpecificCredentialId");
        return PreparedCall.of(List.of(on(call, "iam:DeleteServiceSpecificCredential", target, id)), () -> {
            synchronized (iam) {
                iam.deleteServiceCredential(owned(call, id, target).id());
                return null;
            }
        });
    }

    /**
     * How IAM words a credential id that breaks the model's pattern (recorded from AWS): without repeating the
     * value. {@code null} for every other shape.
     */
    static String patternFailure(String path, dev.crossrole.server.model.ShapeModel shape) {
        if (shape.name().equals("serviceSpecificCredentialId")) {
            return "1 validation error detected: Value at '" + path + "' failed to satisfy constraint: Member must"
                    + " satisfy regular expression pattern: " + shape.patternText();
        }
        return null;
    }
}
