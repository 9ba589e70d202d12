package dev.crossrole.server.tls;

import dev.crossrole.server.store.PrivateFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * crossrole's own certificate authority, kept in {@code <data-dir>/tls}: made once, then reused so that a client
 * trusts it once; and the server certificate it issues, re-issued (with a new key) when the names crossrole
 * answers change or it nears its end. Private keys are written 0600 in a 0700 folder, every file whole or not
 * at all (written aside, then renamed), the key before its certificate: a certificate on disk always has its key.
 */
final class LocalCa {
    static final String FOLDER = "tls";
    static final String CA_CERTIFICATE = "ca.pem";
    static final String CA_KEY = "ca-key.pem";
    static final String SERVER_CERTIFICATE = "server.pem";
    static final String SERVER_KEY = "server-key.pem";
    static final String TRUST_STORE = "truststore.p12";
    /** The Java trust store holds only the public CA certificate: its password protects nothing secret. */
    static final String TRUST_STORE_PASSWORD = "changeit";
    /** A server certificate with less left than this is re-issued at start. */
    static final Duration RENEW_BEFORE = Duration.ofDays(30);

    private final Path folder;
    private final X509Certificate certificate;
    private final PrivateKey key;

    private LocalCa(Path folder, X509Certificate certificate, PrivateKey key) {
        this.folder = folder;
        this.certificate = certificate;
        this.key = key;
    }

    /** A server certificate chain (server first, the CA last) and its key. */
    record Issued(List<X509Certificate> chain, PrivateKey key) {
        Issued {
            chain = List.copyOf(chain);
        }
    }

    /** The CA in {@code folder}, made there if it has none. */
    static LocalCa loadOrCreate(Path folder, Instant now, SecureRandom random) throws TlsException, IOException {
        PrivateFiles.createDirectories(folder);
        Path certificateFile = folder.resolve(CA_CERTIFICATE);
        Path keyFile = folder.resolve(CA_KEY);
        if (!Files.exists(certificateFile)) {
            // A key without its certificate is a first start that stopped half-way: nobody can trust that CA yet.
            return create(folder, now, random);
        }
        String remedy = " Remove " + folder + " to have crossrole make a new CA; clients that trusted the old one"
                + " must then trust the new " + CA_CERTIFICATE + ".";
        X509Certificate certificate;
        PrivateKey key;
        try {
            certificate = Pem.readCertificates(certificateFile, certificateFile.toString()).get(0);
            key = Files.exists(keyFile) ? Pem.readPrivateKey(keyFile, keyFile.toString()) : null;
        } catch (TlsException e) {
            throw new TlsException(e.getMessage() + "." + remedy, e);
        }
        if (key == null) {
            throw new TlsException(keyFile + ", the local CA's key, is missing." + remedy);
        }
        if (!Pem.matches(key, certificate.getPublicKey(), keyFile.toString())) {
            throw new TlsException(keyFile + " is not the key of " + certificateFile + "." + remedy);
        }
        if (certificate.getBasicConstraints() < 0) {
            throw new TlsException(certificateFile + " is not a CA certificate." + remedy);
        }
        if (!now.isBefore(certificate.getNotAfter().toInstant())) {
            throw new TlsException("the local CA " + certificateFile + " expired on " + certificate.getNotAfter().toInstant()
                    + "." + remedy);
        }
        LocalCa ca = new LocalCa(folder, certificate, key);
        if (!Files.exists(folder.resolve(TRUST_STORE))) {
            ca.writeTrustStore();
        }
        return ca;
    }

    private static LocalCa create(Path folder, Instant now, SecureRandom random) throws IOException {
        KeyPair pair = Certificates.newKeyPair(random);
        byte[] id = new byte[4];
        random.nextBytes(id);
        // A name of its own: two CAs made on one machine are told apart in a trust store.
        X509Certificate certificate = Certificates.authority(pair, "crossrole local CA " + HexFormat.of().formatHex(id),
                now, random);
        write(folder.resolve(CA_KEY), Pem.privateKey(pair.getPrivate()).getBytes(StandardCharsets.US_ASCII));
        write(folder.resolve(CA_CERTIFICATE), Pem.certificates(List.of(certificate)).getBytes(StandardCharsets.US_ASCII));
        LocalCa ca = new LocalCa(folder, certificate, pair.getPrivate());
        ca.writeTrustStore();
        return ca;
    }

    X509Certificate certificate() {
        return certificate;
    }

    Path certificateFile() {
        return folder.resolve(CA_CERTIFICATE);
    }

    Path trustStoreFile() {
        return folder.resolve(TRUST_STORE);
    }

    /**
     * The server certificate for {@code names}: the one in the folder when it was issued by this CA for exactly
     * these names and lasts at least {@link #RENEW_BEFORE} more, else a new one (written to the folder).
     */
    Issued serverCertificate(ServerNames names, Instant now, SecureRandom random) throws IOException {
        Issued current = currentServerCertificate(names, now);
        if (current != null) {
            return current;
        }
        KeyPair pair = Certificates.newKeyPair(random);
        X509Certificate server = Certificates.server(pair.getPublic(), names, certificate, key, now, random);
        List<X509Certificate> chain = List.of(server, certificate);
        write(folder.resolve(SERVER_KEY), Pem.privateKey(pair.getPrivate()).getBytes(StandardCharsets.US_ASCII));
        write(folder.resolve(SERVER_CERTIFICATE), Pem.certificates(chain).getBytes(StandardCharsets.US_ASCII));
        return new Issued(chain, pair.getPrivate());
    }

    /** The server certificate on disk if it can still be used for {@code names}, else {@code null}. */
    private Issued currentServerCertificate(ServerNames names, Instant now) {
        Path certificateFile = folder.resolve(SERVER_CERTIFICATE);
        Path keyFile = folder.resolve(SERVER_KEY);
        if (!Files.exists(certificateFile) || !Files.exists(keyFile)) {
            return null;
        }
        try {
            X509Certificate server = Pem.readCertificates(certificateFile, certificateFile.toString()).get(0);
            PrivateKey serverKey = Pem.readPrivateKey(keyFile, keyFile.toString());
            server.verify(certificate.getPublicKey());
            boolean fresh = !now.isBefore(server.getNotBefore().toInstant())
                    && now.plus(RENEW_BEFORE).isBefore(server.getNotAfter().toInstant());
            if (fresh && names.equals(namesOf(server)) && Pem.matches(serverKey, server.getPublicKey(), keyFile.toString())) {
                return new Issued(List.of(server, certificate), serverKey);
            }
        } catch (TlsException | GeneralSecurityException | RuntimeException e) {
            // Damaged, or signed by a CA made since: the server certificate is derived material, issued anew.
        }
        return null;
    }

    /** The names a certificate carries in its subjectAltName, as {@link ServerNames} keeps them. */
    static ServerNames namesOf(X509Certificate certificate) throws java.security.cert.CertificateParsingException {
        Set<String> dns = new TreeSet<>();
        Set<String> ips = new TreeSet<>();
        var alternatives = certificate.getSubjectAlternativeNames();
        if (alternatives != null) {
            for (List<?> entry : alternatives) {
                int type = (Integer) entry.get(0);
                String value = (String) entry.get(1);
                if (type == 2) {
                    dns.add(value);
                } else if (type == 7) {
                    ips.add(ServerNames.text(ServerNames.literal(value)));
                }
            }
        }
        return new ServerNames(dns, ips);
    }

    private void writeTrustStore() throws IOException {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("crossrole-local-ca", certificate);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            store.store(out, TRUST_STORE_PASSWORD.toCharArray());
            write(folder.resolve(TRUST_STORE), out.toByteArray());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("writing a PKCS12 trust store", e);
        }
    }

    /** Replaces {@code file} with {@code content} (0600), whole or not at all. */
    private static void write(Path file, byte[] content) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        try (FileChannel channel = PrivateFiles.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
