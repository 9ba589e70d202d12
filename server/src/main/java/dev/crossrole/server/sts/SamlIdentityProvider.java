package dev.crossrole.server.sts;

import dev.crossrole.server.saml.SamlMetadata;
import dev.crossrole.server.saml.SamlXml;
import dev.crossrole.server.saml.XmlEncryption;
import dev.crossrole.server.saml.XmlSignatures;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * crossrole's own SAML 2.0 identity provider, for tests of SAML federation: for any issuer name it publishes a
 * metadata document ({@code /_crossrole/saml/<name>/metadata}) and signs responses ({@code crossrole saml
 * assertion}) that a role's account trusts once it has made an IAM SAML provider of that metadata. Every name shares
 * one RSA key and its self-signed certificate, kept in the store so that every node and every restart sign alike.
 * An issuer name {@code N} has the entity id {@code https://N}.
 */
public final class SamlIdentityProvider {
    /** An issuer name: a host name with an optional path, as the entity id has it after {@code https://}. */
    public static final Pattern NAME = OidcIssuer.NAME;
    public static final String DEFAULT_NAME = "idp.crossrole.localhost";
    public static final String AWS_SIGN_IN = "https://signin.aws.amazon.com/saml";
    /** At most a day: a test assertion, not a credential to keep. */
    public static final Duration MAX_LIFETIME = Duration.ofDays(1);
    static final String PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";
    private static final String XMLNS = "http://www.w3.org/2000/xmlns/";

    /** The signing key and its certificate, read from the stored PEM on first use (start-up does not pay for it). */
    private record Keys(PrivateKey key, X509Certificate certificate) {}

    private final java.util.function.Supplier<byte[]> stored;
    private volatile Keys keys;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public SamlIdentityProvider(byte[] stored, Clock clock) {
        this(() -> stored, clock);
    }

    /** A provider whose stored key is fetched, and read, the first time it signs or publishes its metadata. */
    public SamlIdentityProvider(java.util.function.Supplier<byte[]> stored, Clock clock) {
        this.stored = stored;
        this.clock = clock;
    }

    private Keys keys() {
        Keys known = keys;
        if (known == null) {
            synchronized (this) {
                known = keys;
                if (known == null) {
                    known = read(stored.get());
                    keys = known;
                }
            }
        }
        return known;
    }

    private static Keys read(byte[] stored) {
        try (PEMParser parser = new PEMParser(new StringReader(new String(stored, StandardCharsets.UTF_8)))) {
            PrivateKey readKey = null;
            X509Certificate readCertificate = null;
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                if (object instanceof PrivateKeyInfo info) {
                    readKey = new JcaPEMKeyConverter().getPrivateKey(info);
                } else if (object instanceof org.bouncycastle.openssl.PEMKeyPair pair) {
                    readKey = new JcaPEMKeyConverter().getKeyPair(pair).getPrivate();
                } else if (object instanceof X509CertificateHolder holder) {
                    readCertificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                            .generateCertificate(new ByteArrayInputStream(holder.getEncoded()));
                }
            }
            if (readKey == null || readCertificate == null) {
                throw new IllegalStateException("the stored SAML identity provider key lacks its key or certificate");
            }
            return new Keys(readKey, readCertificate);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("the stored SAML identity provider key cannot be read: " + e.getMessage(), e);
        }
    }

    /**
     * A new key and certificate, as the store keeps them (PEM): RSA-2048, which every SAML service provider accepts,
     * and a self-signed certificate valid for ten years (service providers use it as a key holder, not a chain).
     */
    public static byte[] newKey() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            X500Name name = new X500Name("CN=crossrole SAML identity provider,O=crossrole");
            X509CertificateHolder holder = new JcaX509v3CertificateBuilder(name,
                    new BigInteger(64, new SecureRandom()).abs().add(BigInteger.ONE), Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(Duration.ofDays(3650))), name, pair.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate()));
            StringWriter out = new StringWriter();
            try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
                writer.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(pair.getPrivate(), null));
                writer.writeObject(holder);
            }
            return out.toString().getBytes(StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot make the SAML identity provider's key: " + e.getMessage(), e);
        }
    }

    public X509Certificate certificate() {
        return keys().certificate();
    }

    /** The signing key, for tests that sign documents of their own making as this provider would. */
    PrivateKey signingKey() {
        return keys().key();
    }

    /** The entity id of an issuer name, as its responses' {@code Issuer} names it. */
    public static String entityId(String name) {
        return "https://" + name;
    }

    private static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("the issuer name must be a host name with an optional path (such as "
                    + DEFAULT_NAME + "); its entity id is https://NAME");
        }
    }

    /**
     * The metadata document of an issuer name, to give CreateSAMLProvider. It depends on the name and the key only
     * (not on the address crossrole is reached at), so the same document comes back after a restart. Its sign-in
     * service is a placeholder under the entity id: crossrole signs responses on request, not after a login.
     */
    public String metadata(String name) {
        checkName(name);
        return SamlMetadata.document(entityId(name), keys().certificate(), entityId(name) + "/sso");
    }

    /**
     * What a response says.
     *
     * @param roles the {@code Role} attribute's values, {@code roleArn,providerArn} each
     * @param subject the {@code NameID}
     * @param subjectFormat its format ({@code persistent}, {@code transient} or a URI), {@code null} for persistent
     * @param sessionName the {@code RoleSessionName} attribute, {@code null} for none
     * @param attributes further attributes by name (a name without a scheme is one of AWS's, under
     *     {@code https://aws.amazon.com/SAML/Attributes/}), each with its values
     * @param lifetime how long the assertion may be redeemed
     * @param encryptFor an RSA key to encrypt the assertion for (the IAM provider's private key's public half), or
     *     {@code null} to leave it in clear
     */
    public record Claims(List<String> roles, String subject, String subjectFormat, String sessionName,
                         Map<String, List<String>> attributes, Duration lifetime, PublicKey encryptFor) {}

    /**
     * A signed SAML response of {@code name}, as an identity provider posts it to AWS's sign-in endpoint, in base64
     * (what AssumeRoleWithSAML's {@code SAMLAssertion} takes). The assertion is signed (enveloped, RSA-SHA256), then
     * encrypted when asked to.
     *
     * @throws IllegalArgumentException when the name, subject, roles or lifetime are not usable
     */
    public String response(String name, Claims claims) {
        checkName(name);
        if (claims.subject() == null || claims.subject().isEmpty()) {
            throw new IllegalArgumentException("a response needs a subject (NameID)");
        }
        if (claims.roles().isEmpty()) {
            throw new IllegalArgumentException("a response needs at least one role (roleArn,providerArn)");
        }
        Duration lifetime = claims.lifetime();
        if (lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(MAX_LIFETIME) > 0) {
            throw new IllegalArgumentException("an assertion lives from 1 second to 1 day");
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        String issued = now.toString();
        String expires = now.plus(lifetime).toString();
        String issuer = entityId(name);
        Document document = SamlXml.newDocument();
        Element response = document.createElementNS(SamlXml.PROTOCOL, "samlp:Response");
        response.setAttributeNS(XMLNS, "xmlns:samlp", SamlXml.PROTOCOL);
        response.setAttributeNS(XMLNS, "xmlns:saml", SamlXml.ASSERTION);
        response.setAttributeNS(null, "ID", newId());
        response.setAttributeNS(null, "Version", "2.0");
        response.setAttributeNS(null, "IssueInstant", issued);
        response.setAttributeNS(null, "Destination", AWS_SIGN_IN);
        document.appendChild(response);
        response.appendChild(text(document, "saml:Issuer", issuer));
        Element status = document.createElementNS(SamlXml.PROTOCOL, "samlp:Status");
        Element statusCode = document.createElementNS(SamlXml.PROTOCOL, "samlp:StatusCode");
        statusCode.setAttributeNS(null, "Value", SamlXml.SUCCESS);
        status.appendChild(statusCode);
        response.appendChild(status);

        Element assertion = document.createElementNS(SamlXml.ASSERTION, "saml:Assertion");
        assertion.setAttributeNS(XMLNS, "xmlns:saml", SamlXml.ASSERTION);
        assertion.setAttributeNS(null, "ID", newId());
        assertion.setAttributeNS(null, "Version", "2.0");
        assertion.setAttributeNS(null, "IssueInstant", issued);
        response.appendChild(assertion);
        Element assertionIssuer = text(document, "saml:Issuer", issuer);
        assertion.appendChild(assertionIssuer);
        Element subject = document.createElementNS(SamlXml.ASSERTION, "saml:Subject");
        Element nameId = text(document, "saml:NameID", claims.subject());
        String format = claims.subjectFormat() == null ? PERSISTENT
                : claims.subjectFormat().contains(":") ? claims.subjectFormat()
                : SamlAssertions.NAME_ID_FORMAT_PREFIX + claims.subjectFormat();
        nameId.setAttributeNS(null, "Format", format);
        subject.appendChild(nameId);
        Element confirmation = document.createElementNS(SamlXml.ASSERTION, "saml:SubjectConfirmation");
        confirmation.setAttributeNS(null, "Method", SamlXml.BEARER);
        Element confirmationData = document.createElementNS(SamlXml.ASSERTION, "saml:SubjectConfirmationData");
        confirmationData.setAttributeNS(null, "NotOnOrAfter", expires);
        confirmationData.setAttributeNS(null, "Recipient", AWS_SIGN_IN);
        confirmation.appendChild(confirmationData);
        subject.appendChild(confirmation);
        assertion.appendChild(subject);
        Element conditions = document.createElementNS(SamlXml.ASSERTION, "saml:Conditions");
        conditions.setAttributeNS(null, "NotBefore", issued);
        conditions.setAttributeNS(null, "NotOnOrAfter", expires);
        Element restriction = document.createElementNS(SamlXml.ASSERTION, "saml:AudienceRestriction");
        restriction.appendChild(text(document, "saml:Audience", AWS_SIGN_IN));
        conditions.appendChild(restriction);
        assertion.appendChild(conditions);
        Element authn = document.createElementNS(SamlXml.ASSERTION, "saml:AuthnStatement");
        authn.setAttributeNS(null, "AuthnInstant", issued);
        authn.setAttributeNS(null, "SessionIndex", newId());
        Element context = document.createElementNS(SamlXml.ASSERTION, "saml:AuthnContext");
        context.appendChild(text(document, "saml:AuthnContextClassRef",
                "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"));
        authn.appendChild(context);
        assertion.appendChild(authn);
        Element statement = document.createElementNS(SamlXml.ASSERTION, "saml:AttributeStatement");
        statement.appendChild(attribute(document, SamlAssertions.ROLE, claims.roles()));
        if (claims.sessionName() != null) {
            statement.appendChild(attribute(document, SamlAssertions.ROLE_SESSION_NAME, List.of(claims.sessionName())));
        }
        claims.attributes().forEach((attributeName, values) -> statement.appendChild(attribute(document,
                attributeName(attributeName), values)));
        assertion.appendChild(statement);

        XmlSignatures.sign(assertion, keys().key(), keys().certificate(), assertionIssuer.getNextSibling());
        if (claims.encryptFor() != null) {
            XmlEncryption.encrypt(assertion, claims.encryptFor(), random);
        }
        return Base64.getEncoder().encodeToString(SamlXml.serialize(document));
    }

    /**
     * An attribute's full name: a URI ({@code urn:oid:2.5.4.3}, {@code http://schemas.xmlsoap.org/...}) or an OID
     * as given, anything else one of AWS's ({@code SessionDuration}, {@code PrincipalTag:team}).
     */
    static String attributeName(String name) {
        return name.startsWith("urn:") || name.contains("://") || name.matches("[0-9]+(\\.[0-9]+)+") ? name
                : SamlAssertions.ATTRIBUTES + name;
    }

    private static Element text(Document document, String qualifiedName, String value) {
        Element element = document.createElementNS(SamlXml.ASSERTION, qualifiedName);
        element.setTextContent(value);
        return element;
    }

    private static Element attribute(Document document, String name, List<String> values) {
        Element attribute = document.createElementNS(SamlXml.ASSERTION, "saml:Attribute");
        attribute.setAttributeNS(null, "Name", name);
        for (String value : values) {
            attribute.appendChild(text(document, "saml:AttributeValue", value));
        }
        return attribute;
    }

    /** An XML ID: it must not start with a digit. */
    private String newId() {
        byte[] bytes = new byte[20];
        random.nextBytes(bytes);
        return "_" + HexFormat.of().formatHex(bytes);
    }
}
