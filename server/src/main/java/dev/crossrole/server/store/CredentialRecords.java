package dev.crossrole.server.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossrole.server.iam.IamDirectory;
import dev.crossrole.server.iam.IamDirectory.EntityKind;
import dev.crossrole.server.iam.IamDirectory.EntityRef;
import dev.crossrole.server.iam.ServerCertificate;
import dev.crossrole.server.iam.ServiceSpecificCredential;
import dev.crossrole.server.iam.SigningCertificate;
import dev.crossrole.server.iam.SshPublicKey;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The IAM entities that are credentials or certificates, as {@link IamRecords} stores them: server certificates
 * (keyed by id), signing certificates ({@code account/id}: their ids are digests of the certificate), SSH public keys
 * and service-specific credentials (by id). Users are referred to by unique id, so a rename changes none of these.
 * No private key is stored: IAM checks a server certificate's key at upload and never gives it back.
 */
final class CredentialRecords {
    static final String SERVER_CERTIFICATES = "iam.serverCertificates";
    static final String SIGNING_CERTIFICATES = "iam.signingCertificates";
    static final String SSH_PUBLIC_KEYS = "iam.sshPublicKeys";
    static final String SERVICE_CREDENTIALS = "iam.serviceCredentials";
    private static final ObjectMapper JSON = new ObjectMapper();

    private CredentialRecords() {}

    static String namespace(EntityKind kind) {
        return switch (kind) {
            case SERVER_CERTIFICATE -> SERVER_CERTIFICATES;
            case SIGNING_CERTIFICATE -> SIGNING_CERTIFICATES;
            case SSH_PUBLIC_KEY -> SSH_PUBLIC_KEYS;
            case SERVICE_CREDENTIAL -> SERVICE_CREDENTIALS;
            default -> throw new IllegalArgumentException("not a credential kind: " + kind);
        };
    }

    static Optional<ObjectNode> current(IamDirectory iam, EntityRef ref) {
        return switch (ref.kind()) {
            case SERVER_CERTIFICATE -> iam.serverCertificateById(ref.id()).map(CredentialRecords::encode);
            case SIGNING_CERTIFICATE -> iam.signingCertificate(ref.id()).map(CredentialRecords::encode);
            case SSH_PUBLIC_KEY -> iam.sshPublicKey(ref.id()).map(CredentialRecords::encode);
            case SERVICE_CREDENTIAL -> iam.serviceCredential(ref.id()).map(CredentialRecords::encode);
            default -> throw new IllegalArgumentException("not a credential kind: " + ref.kind());
        };
    }

    /** Puts a decoded entity into the directory; {@code false} when it is none of these kinds. */
    static boolean install(IamDirectory iam, Object entity) {
        if (entity instanceof ServerCertificate c) {
            iam.putServerCertificate(c);
        } else if (entity instanceof SigningCertificate c) {
            iam.putSigningCertificate(c);
        } else if (entity instanceof SshPublicKey k) {
            iam.putSshPublicKey(k);
        } else if (entity instanceof ServiceSpecificCredential c) {
            iam.putServiceCredential(c);
        } else {
            return false;
        }
        return true;
    }

    static void remove(IamDirectory iam, String namespace, String key) {
        switch (namespace) {
            case SERVER_CERTIFICATES -> iam.deleteServerCertificate(key);
            case SIGNING_CERTIFICATES -> iam.deleteSigningCertificate(key);
            case SSH_PUBLIC_KEYS -> iam.deleteSshPublicKey(key);
            case SERVICE_CREDENTIALS -> iam.deleteServiceCredential(key);
            default -> throw new IllegalArgumentException("not a credential namespace: " + namespace);
        }
    }

    static ObjectNode encode(ServerCertificate c) {
        ObjectNode n = JSON.createObjectNode().put("account", c.account()).put("name", c.name()).put("path", c.path())
                .put("id", c.id()).put("body", c.body()).put("chain", c.chain())
                .put("expiration", c.expiration().toString()).put("uploaded", c.uploaded().toString());
        ObjectNode tags = n.putObject("tags");
        c.tags().forEach(tags::put);
        return n;
    }

    static ObjectNode encode(SigningCertificate c) {
        return JSON.createObjectNode().put("account", c.account()).put("user", c.userId()).put("id", c.id())
                .put("body", c.body()).put("active", c.active()).put("uploaded", c.uploaded().toString());
    }

    static ObjectNode encode(SshPublicKey k) {
        return JSON.createObjectNode().put("account", k.account()).put("user", k.userId()).put("id", k.id())
                .put("body", k.body()).put("wire", Base64.getEncoder().encodeToString(k.wire()))
                .put("fingerprint", k.fingerprint()).put("active", k.active()).put("uploaded", k.uploaded().toString());
    }

    static ObjectNode encode(ServiceSpecificCredential c) {
        return JSON.createObjectNode().put("account", c.account()).put("user", c.userId()).put("id", c.id())
                .put("service", c.service()).put("serviceUserName", c.serviceUserName()).put("secret", c.secret())
                .put("alias", c.alias()).put("active", c.active()).put("created", c.created().toString())
                .put("expires", c.expires() == null ? null : c.expires().toString());
    }

    static Object decode(String namespace, JsonNode n) {
        return switch (namespace) {
            case SERVER_CERTIFICATES -> {
                Map<String, String> tags = new LinkedHashMap<>();
                n.path("tags").fields().forEachRemaining(e -> tags.put(e.getKey(), e.getValue().asText()));
                yield new ServerCertificate(required(n, "account"), required(n, "name"), required(n, "path"),
                        required(n, "id"), required(n, "body"), IamRecords.text(n, "chain"),
                        Instant.parse(required(n, "expiration")), Instant.parse(required(n, "uploaded")), tags);
            }
            case SIGNING_CERTIFICATES -> new SigningCertificate(required(n, "account"), IamRecords.text(n, "user"),
                    required(n, "id"), required(n, "body"), n.path("active").asBoolean(true),
                    Instant.parse(required(n, "uploaded")));
            case SSH_PUBLIC_KEYS -> new SshPublicKey(required(n, "account"), required(n, "user"), required(n, "id"),
                    required(n, "body"), Base64.getDecoder().decode(required(n, "wire")), required(n, "fingerprint"),
                    n.path("active").asBoolean(true), Instant.parse(required(n, "uploaded")));
            case SERVICE_CREDENTIALS -> new ServiceSpecificCredential(required(n, "account"), required(n, "user"),
                    required(n, "id"), required(n, "service"), IamRecords.text(n, "serviceUserName"),
                    required(n, "secret"), IamRecords.text(n, "alias"), n.path("active").asBoolean(true),
                    Instant.parse(required(n, "created")),
                    IamRecords.text(n, "expires") == null ? null : Instant.parse(IamRecords.text(n, "expires")));
            default -> throw new IllegalArgumentException("not a credential namespace: " + namespace);
        };
    }

    private static String required(JsonNode n, String field) {
        String value = IamRecords.text(n, field);
        if (value == null) {
            throw new IllegalArgumentException("the field " + field + " is missing");
        }
        return value;
    }
}
