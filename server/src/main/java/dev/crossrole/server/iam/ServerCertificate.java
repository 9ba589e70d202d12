package dev.crossrole.server.iam;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An IAM server certificate: the public key certificate and its chain as uploaded, with the dates IAM reports.
 * Immutable, replaced on change. The private key uploaded with it is checked against the certificate and then
 * dropped: no IAM operation returns it and nothing in crossrole terminates TLS with it, so it is never stored.
 *
 * @param id the unique id ({@code ASCA…}), stable across renames
 * @param chain the chain as uploaded, or {@code null}
 * @param expiration the certificate's {@code notAfter}
 */
public record ServerCertificate(String account, String name, String path, String id, String body, String chain,
                                Instant expiration, Instant uploaded, Map<String, String> tags) {
    public ServerCertificate {
        tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
    }

    public static String arn(String account, String path, String name) {
        return "arn:aws:iam::" + account + ":server-certificate" + path + name;
    }

    public String arn() {
        return arn(account, path, name);
    }

    ServerCertificate withNameAndPath(String newName, String newPath) {
        return new ServerCertificate(account, newName, newPath, id, body, chain, expiration, uploaded, tags);
    }

    ServerCertificate withTags(Map<String, String> newTags) {
        return new ServerCertificate(account, name, path, id, body, chain, expiration, uploaded, newTags);
    }
}
