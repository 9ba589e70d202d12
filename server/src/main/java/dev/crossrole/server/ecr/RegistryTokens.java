package dev.crossrole.server.ecr;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crossrole.server.service.SessionClaims;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The passwords GetAuthorizationToken hands out ({@code docker login -u AWS -p PASSWORD}): who asked and until when,
 * sealed with AES-256-GCM under a key of ECR's own, so that crossrole can later take a password for the caller who
 * obtained it without keeping anything, on any node holding the key. The key is not the session-token key: a
 * password can never be taken for a session token, nor the reverse. Layout: {@code ecr1.} then base64url of a
 * 12-byte nonce and the ciphertext of the JSON grant with its GCM tag.
 */
public final class RegistryTokens {
    /** How long a password is good for, as AWS's are. */
    public static final long VALIDITY_SECONDS = 12 * 60 * 60;
    private static final String PREFIX = "ecr1.";
    private static final byte[] PURPOSE = "crossrole ECR registry password".getBytes(StandardCharsets.UTF_8);
    /** Sealed for another purpose: a layer's download URL is never a password, nor the reverse. */
    private static final byte[] DOWNLOAD = "crossrole ECR layer download".getBytes(StandardCharsets.UTF_8);
    /** How long a GetDownloadUrlForLayer URL is good for (crossrole's choice; AWS's are short-lived too). */
    public static final long DOWNLOAD_VALIDITY_SECONDS = 60 * 60;
    private static final String DOWNLOAD_PREFIX = "ecrdl1.";
    private static final int NONCE = 12;
    private static final int TAG_BITS = 128;
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /**
     * What a password stands for.
     *
     * @param region where GetAuthorizationToken was called: the registry a password names by its port alone
     *     ({@code 127.0.0.1:<registry port>/<account>/<repository>}) is the one of that region
     * @param principalArn the caller as GetCallerIdentity names it
     * @param accessKeyId the key GetAuthorizationToken was signed with
     * @param session the claims of the caller's temporary credentials, or {@code null} for long-term keys: a
     *     registry that takes the password must also hold them to their own expiry
     * @param expiresAt epoch seconds
     */
    public record Grant(String account, String region, String principalArn, String accessKeyId,
                        SessionClaims session, long expiresAt) {}

    /**
     * A registry's {@code Authorization: Basic} credentials read: the grant, or {@code null} with whether the password
     * was a good one that has expired (a registry tells the two apart to its client).
     */
    public record Opened(Grant grant, boolean expired) {}

    /**
     * What a layer's download URL stands for: the layer of a repository, handed to {@code principalArn} by
     * GetDownloadUrlForLayer (which was authorized then, as ECR's pre-signed URLs are), until {@code expiresAt}.
     */
    public record Download(String repositoryArn, String digest, String principalArn, long expiresAt) {}

    private final SecretKeySpec key;
    private final SecureRandom random;

    public RegistryTokens(byte[] key256, SecureRandom random) {
        if (key256.length != 32) {
            throw new IllegalArgumentException("the ECR token key is 32 bytes");
        }
        this.key = new SecretKeySpec(key256, "AES");
        this.random = random;
    }

    /** A fresh key for {@link #RegistryTokens}. */
    public static byte[] newKey(SecureRandom random) {
        byte[] key = new byte[32];
        random.nextBytes(key);
        return key;
    }

    String seal(Grant grant) {
        return seal(grant, PURPOSE, PREFIX);
    }

    /** The token of a layer's download URL. */
    String sealDownload(Download download) {
        return seal(download, DOWNLOAD, DOWNLOAD_PREFIX);
    }

    /** What a download URL's token stands for while it is good; empty for anything else. */
    public Optional<Download> openDownload(String token, Instant now) {
        return unseal(token, DOWNLOAD, DOWNLOAD_PREFIX, Download.class)
                .filter(download -> now.getEpochSecond() < download.expiresAt());
    }

    private String seal(Object claims, byte[] purpose, String prefix) {
        try {
            byte[] nonce = new byte[NONCE];
            random.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(purpose);
            byte[] sealed = cipher.doFinal(JSON.writeValueAsBytes(claims));
            ByteBuffer out = ByteBuffer.allocate(NONCE + sealed.length).put(nonce).put(sealed);
            return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(out.array());
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot seal an ECR token", e);
        }
    }

    /**
     * What a password sealed by this key stands for, if it is still good at {@code now}; empty for anything else
     * (forged, altered, expired, garbage).
     */
    public Optional<Grant> open(String password, Instant now) {
        return unseal(password).filter(grant -> now.getEpochSecond() < grant.expiresAt());
    }

    /** What a password sealed by this key stands for, expired or not; empty for anything else. */
    private Optional<Grant> unseal(String password) {
        return unseal(password, PURPOSE, PREFIX, Grant.class);
    }

    private <T> Optional<T> unseal(String sealed, byte[] purpose, String prefix, Class<T> type) {
        if (sealed == null || !sealed.startsWith(prefix)) {
            return Optional.empty();
        }
        try {
            byte[] bytes = Base64.getUrlDecoder().decode(sealed.substring(prefix.length()));
            if (bytes.length <= NONCE) {
                return Optional.empty();
            }
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, bytes, 0, NONCE));
            cipher.updateAAD(purpose);
            return Optional.of(JSON.readValue(cipher.doFinal(bytes, NONCE, bytes.length - NONCE), type));
        } catch (IllegalArgumentException | GeneralSecurityException | IOException e) {
            return Optional.empty();
        }
    }

    /**
     * The {@code user:password} pair of an {@code authorizationToken} (base64 of {@code AWS:PASSWORD}), as a registry
     * reads it from a Basic authorization header; empty when it is not one of this key's.
     */
    public Optional<Grant> openAuthorization(String base64UserAndPassword, Instant now) {
        return Optional.ofNullable(readAuthorization(base64UserAndPassword, now).grant());
    }

    /**
     * As {@link #openAuthorization}, telling an expired password of this key (or one whose temporary credentials have
     * expired) from one that never was.
     */
    public Opened readAuthorization(String base64UserAndPassword, Instant now) {
        Optional<Grant> sealed;
        try {
            String pair = new String(Base64.getDecoder().decode(base64UserAndPassword.strip()), StandardCharsets.UTF_8);
            sealed = pair.startsWith("AWS:") ? unseal(pair.substring(4)) : Optional.empty();
        } catch (IllegalArgumentException e) {
            sealed = Optional.empty();
        }
        if (sealed.isEmpty()) {
            return new Opened(null, false);
        }
        Grant grant = sealed.get();
        long at = now.getEpochSecond();
        boolean expired = at >= grant.expiresAt() || grant.session() != null && at >= grant.session().expiration();
        return expired ? new Opened(null, true) : new Opened(grant, false);
    }
}
