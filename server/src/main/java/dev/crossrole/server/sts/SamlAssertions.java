package dev.crossrole.server.sts;

import dev.crossrole.server.iam.IamDirectory;
import dev.crossrole.server.iam.SamlProvider;
import dev.crossrole.server.protocol.AwsException;
import dev.crossrole.server.saml.PrivateKeys;
import dev.crossrole.server.saml.SamlException;
import dev.crossrole.server.saml.SamlXml;
import dev.crossrole.server.saml.XmlEncryption;
import dev.crossrole.server.saml.XmlSignatures;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Verifies a SAML 2.0 authentication response as STS does for {@code AssumeRoleWithSAML}: the provider must be an
 * IAM SAML provider of the role's account; the response (or its assertion) must carry an enveloped signature that
 * one of the provider's signing certificates verifies; the issuer must be the provider's; the assertion must be
 * addressed to AWS (audience and recipient) and current; its {@code Role} attribute must pair the role with the
 * provider; its {@code RoleSessionName} names the session. What it says becomes the trust policy's {@code saml:}
 * keys.
 *
 * <p>Everything read comes from the one assertion whose signature (or whose response's signature) was verified: the
 * document may hold no other assertion, and no element may repeat a signed element's ID (signature wrapping).
 * Messages are STS's where they are known (IAM User Guide, "Troubleshoot SAML federation", and STS's answers
 * quoted in public issue reports); the others are crossrole's, under the same error codes.
 */
public final class SamlAssertions {
    /** Clock difference tolerated on {@code NotBefore} and {@code NotOnOrAfter}. */
    static final Duration SKEW = Duration.ofMinutes(5);
    static final String ATTRIBUTES = "https://aws.amazon.com/SAML/Attributes/";
    static final String ROLE = ATTRIBUTES + "Role";
    static final String ROLE_SESSION_NAME = ATTRIBUTES + "RoleSessionName";
    static final String SESSION_DURATION = ATTRIBUTES + "SessionDuration";
    static final String SOURCE_IDENTITY = ATTRIBUTES + "SourceIdentity";
    static final String PRINCIPAL_TAG = ATTRIBUTES + "PrincipalTag:";
    static final String TRANSITIVE_TAG_KEYS = ATTRIBUTES + "TransitiveTagKeys";
    /** The audiences AWS accepts (IAM User Guide, "Configure SAML assertions for the authentication response"). */
    static final Pattern AUDIENCE = Pattern.compile(
            "urn:amazon:webservices|https://([a-z0-9-]+\\.)?signin\\.aws\\.amazon\\.com/saml(/acs/[A-Za-z0-9]+)?");
    /** AWS's sign-in endpoints, global and regional, with an optional provider id (for encrypted assertions). */
    static final Pattern RECIPIENT = Pattern.compile(
            "https://([a-z0-9-]+\\.)?signin\\.aws\\.amazon\\.com/saml(/acs/[A-Za-z0-9]+)?");
    static final Pattern SESSION_NAME = Pattern.compile("[\\w+=,.@-]{2,64}");
    static final String NAME_ID_FORMAT_PREFIX = "urn:oasis:names:tc:SAML:2.0:nameid-format:";
    static final String UNSPECIFIED_FORMAT = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified";
    static final String SIGNATURE_INVALID = "Response signature invalid";
    static final String ASSUME_DENIED = "Not authorized to perform sts:AssumeRoleWithSAML";

    /**
     * The attributes AWS turns into {@code saml:} keys, by attribute {@code Name}, and whether the key is a list
     * (IAM User Guide, "Mapping SAML attributes to AWS trust policy context keys"; the key names are the Service
     * Authorization Reference's).
     */
    static final Map<String, Key> ATTRIBUTE_KEYS = attributeKeys();

    record Key(String name, boolean list) {}

    private static Map<String, Key> attributeKeys() {
        Map<String, Key> keys = new LinkedHashMap<>();
        String edu = "urn:oid:1.3.6.1.4.1.5923.1.1.1.";
        keys.put(edu + "1", new Key("saml:edupersonaffiliation", true));
        keys.put(edu + "2", new Key("saml:edupersonnickname", true));
        keys.put(edu + "3", new Key("saml:edupersonorgdn", false));
        keys.put(edu + "4", new Key("saml:edupersonorgunitdn", true));
        keys.put(edu + "5", new Key("saml:edupersonprimaryaffiliation", false));
        keys.put(edu + "6", new Key("saml:edupersonprincipalname", false));
        keys.put(edu + "7", new Key("saml:edupersonentitlement", true));
        keys.put(edu + "8", new Key("saml:edupersonprimaryorgunitdn", false));
        keys.put(edu + "9", new Key("saml:edupersonscopedaffiliation", true));
        keys.put(edu + "10", new Key("saml:edupersontargetedid", true));
        keys.put(edu + "11", new Key("saml:edupersonassurance", true));
        String org = "urn:oid:1.3.6.1.4.1.5923.1.2.1.";
        keys.put(org + "2", new Key("saml:eduorghomepageuri", true));
        keys.put(org + "3", new Key("saml:eduorgidentityauthnpolicyuri", true));
        keys.put(org + "4", new Key("saml:eduorglegalname", true));
        keys.put(org + "5", new Key("saml:eduorgsuperioruri", true));
        keys.put(org + "6", new Key("saml:eduorgwhitepagesuri", true));
        keys.put("urn:oid:2.5.4.3", new Key("saml:cn", true));
        String claims = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/";
        keys.put(claims + "name", new Key("saml:name", false));
        keys.put("http://schemas.xmlsoap.org/claims/CommonName", new Key("saml:commonName", false));
        keys.put(claims + "givenname", new Key("saml:givenName", false));
        keys.put(claims + "surname", new Key("saml:surname", false));
        keys.put(claims + "emailaddress", new Key("saml:mail", false));
        keys.put("http://schemas.microsoft.com/ws/2008/06/identity/claims/primarygroupsid",
                new Key("saml:primaryGroupSID", false));
        keys.put("2.5.4.3", new Key("saml:commonName", false));
        keys.put("2.5.4.4", new Key("saml:surname", false));
        keys.put("2.5.4.42", new Key("saml:givenName", false));
        keys.put("2.5.4.45", new Key("saml:x500UniqueIdentifier", false));
        keys.put("0.9.2342.19200300100.1.1", new Key("saml:uid", false));
        keys.put("0.9.2342.19200300100.1.3", new Key("saml:mail", false));
        keys.put("0.9.2342.19200300100.1.45", new Key("saml:organizationStatus", false));
        return Map.copyOf(keys);
    }

    private final IamDirectory iam;

    public SamlAssertions(IamDirectory iam) {
        this.iam = iam;
    }

    /**
     * What a verified response says.
     *
     * @param issuer the assertion's {@code Issuer} (the provider's entity id)
     * @param subject the {@code NameID}
     * @param subjectType its format, {@code persistent} or {@code transient} without SAML's prefix, else the URI
     * @param recipient the {@code Recipient} of the subject confirmation (STS's {@code Audience}, {@code saml:aud})
     * @param nameQualifier STS's {@code NameQualifier}: base64 of the SHA-1 of issuer, account and {@code /name}
     * @param sessionDuration the {@code SessionDuration} attribute in seconds, or {@code null}
     * @param sessionNotOnOrAfter the authentication statement's {@code SessionNotOnOrAfter}, or {@code null}
     * @param conditionKeys the {@code saml:} keys a trust policy may test
     */
    public record Verified(SamlProvider provider, String issuer, String subject, String subjectType, String recipient,
                           String nameQualifier, String sessionName, Integer sessionDuration, String sourceIdentity,
                           Map<String, String> tags, List<String> transitiveTagKeys, Instant sessionNotOnOrAfter,
                           Map<String, List<String>> conditionKeys) {}

    static AwsException invalid(String message) {
        return new AwsException("InvalidIdentityToken", 400, message);
    }

    /** The response's claims once every check passed; STS's error for the first that fails. */
    public Verified verify(String encoded, String roleArn, String roleAccount, String providerArn, Instant now) {
        SamlProvider provider = iam.samlProvider(providerArn)
                .filter(p -> p.account().equals(roleAccount) && p.arn().equals(providerArn))
                .orElseThrow(() -> invalid("Specified provider doesn't exist"));
        byte[] xml;
        try {
            // Line breaks and spaces are what copies of a SAMLResponse pick up; anything else is not base64.
            xml = Base64.getDecoder().decode(encoded.replaceAll("\\s+", ""));
        } catch (IllegalArgumentException e) {
            throw invalid("Invalid base64 SAMLResponse");
        }
        Document document;
        try {
            document = SamlXml.parse(xml);
        } catch (SamlException e) {
            throw invalid("Invalid SAML response: it is not well-formed XML");
        }
        Element response = document.getDocumentElement();
        if (!SamlXml.is(response, SamlXml.PROTOCOL, "Response") || !"2.0".equals(SamlXml.attribute(response, "Version"))) {
            throw invalid("Invalid SAML response: the document is not a SAML 2.0 samlp:Response");
        }
        try {
            return read(provider, response, roleArn, providerArn, now);
        } catch (SamlException e) {
            throw invalid("Invalid SAML response: " + e.getMessage());
        }
    }

    private Verified read(SamlProvider provider, Element response, String roleArn, String providerArn, Instant now)
            throws SamlException {
        Document document = response.getOwnerDocument();
        // One assertion in the whole document, plain or encrypted, a child of the response: nothing else can be
        // taken for it.
        List<Element> plain = SamlXml.all(document, SamlXml.ASSERTION, "Assertion");
        List<Element> encrypted = SamlXml.all(document, SamlXml.ASSERTION, "EncryptedAssertion");
        if (plain.size() + encrypted.size() != 1) {
            throw new SamlException("a response must hold exactly one assertion; this one holds "
                    + (plain.size() + encrypted.size()));
        }
        Element holder = plain.isEmpty() ? encrypted.get(0) : plain.get(0);
        if (holder.getParentNode() != response) {
            throw new SamlException("the assertion is not a child of the response");
        }
        boolean responseSigned;
        try {
            responseSigned = XmlSignatures.verify(response, provider.metadata().signingKeys());
        } catch (SamlException e) {
            throw invalid(SIGNATURE_INVALID);
        }
        Element status = SamlXml.child(response, SamlXml.PROTOCOL, "Status");
        Element statusCode = status == null ? null : SamlXml.child(status, SamlXml.PROTOCOL, "StatusCode");
        String statusValue = statusCode == null ? null : SamlXml.attribute(statusCode, "Value");
        if (!SamlXml.SUCCESS.equals(statusValue)) {
            throw new AwsException("IDPRejectedClaim", 403, "The identity provider did not authenticate the user:"
                    + " the response's status is " + statusValue + ".");
        }
        Element assertion;
        if (plain.isEmpty()) {
            assertion = XmlEncryption.decrypt(holder, privateKeys(provider));
        } else {
            if (SamlProvider.REQUIRED.equals(provider.assertionEncryptionMode())) {
                throw invalid("The SAML provider requires encrypted assertions; this assertion is not encrypted.");
            }
            assertion = holder;
        }
        boolean assertionSigned;
        try {
            assertionSigned = XmlSignatures.verify(assertion, provider.metadata().signingKeys());
        } catch (SamlException e) {
            throw invalid(SIGNATURE_INVALID);
        }
        if (!responseSigned && !assertionSigned) {
            throw invalid(SIGNATURE_INVALID);
        }
        if (SamlXml.attribute(assertion, "ID") != null
                && SamlXml.attribute(assertion, "ID").equals(SamlXml.attribute(response, "ID"))) {
            throw invalid(SIGNATURE_INVALID);
        }

        String entityId = provider.metadata().entityId();
        Element assertionIssuer = SamlXml.child(assertion, SamlXml.ASSERTION, "Issuer");
        Element responseIssuer = SamlXml.child(response, SamlXml.ASSERTION, "Issuer");
        if (assertionIssuer == null || !entityId.equals(SamlXml.text(assertionIssuer))
                || responseIssuer != null && !entityId.equals(SamlXml.text(responseIssuer))) {
            throw invalid("Issuer not present in specified provider");
        }

        Element subjectElement = SamlXml.child(assertion, SamlXml.ASSERTION, "Subject");
        Element nameId = subjectElement == null ? null : SamlXml.child(subjectElement, SamlXml.ASSERTION, "NameID");
        if (nameId == null || SamlXml.text(nameId).isEmpty()) {
            // STS answers a response without a subject as it answers a trust policy that says no.
            throw AwsException.accessDenied(ASSUME_DENIED);
        }
        String subject = SamlXml.text(nameId);
        String format = SamlXml.attribute(nameId, "Format");
        String subjectType = format == null ? UNSPECIFIED_FORMAT
                : format.startsWith(NAME_ID_FORMAT_PREFIX) ? format.substring(NAME_ID_FORMAT_PREFIX.length()) : format;

        List<Element> confirmations = SamlXml.children(subjectElement, SamlXml.ASSERTION, "SubjectConfirmation");
        Element confirmationData = confirmations.size() == 1
                ? SamlXml.child(confirmations.get(0), SamlXml.ASSERTION, "SubjectConfirmationData") : null;
        String recipient = confirmationData == null ? null : SamlXml.attribute(confirmationData, "Recipient");
        String confirmationExpiry = confirmationData == null ? null : SamlXml.attribute(confirmationData, "NotOnOrAfter");
        if (recipient == null || confirmationExpiry == null
                || !SamlXml.BEARER.equals(SamlXml.attribute(confirmations.get(0), "Method"))) {
            throw invalid("Responses must contain SubjectConfirmatonData with a Recipient and NotOnOrAfter");
        }
        if (!RECIPIENT.matcher(recipient).matches()) {
            throw invalid("The response's Recipient " + recipient + " is not an AWS sign-in endpoint"
                    + " (https://signin.aws.amazon.com/saml).");
        }
        if (!now.isBefore(SamlXml.instant(confirmationExpiry).plus(SKEW))) {
            throw new AwsException("ExpiredTokenException", 400, "Response has expired");
        }

        Element conditions = SamlXml.child(assertion, SamlXml.ASSERTION, "Conditions");
        boolean forAws = false;
        if (conditions != null) {
            String notBefore = SamlXml.attribute(conditions, "NotBefore");
            String notOnOrAfter = SamlXml.attribute(conditions, "NotOnOrAfter");
            if (notOnOrAfter != null && !now.isBefore(SamlXml.instant(notOnOrAfter).plus(SKEW))) {
                throw new AwsException("ExpiredTokenException", 400, "Response has expired");
            }
            if (notBefore != null && SamlXml.instant(notBefore).isAfter(now.plus(SKEW))) {
                throw invalid("Response is not yet valid");
            }
            for (Element restriction : SamlXml.children(conditions, SamlXml.ASSERTION, "AudienceRestriction")) {
                for (Element audience : SamlXml.children(restriction, SamlXml.ASSERTION, "Audience")) {
                    forAws |= AUDIENCE.matcher(SamlXml.text(audience)).matches();
                }
            }
        }
        if (!forAws) {
            throw invalid("Response does not contain the required audience.");
        }

        Map<String, List<String>> attributes = attributes(assertion);
        boolean paired = false;
        for (String value : attributes.getOrDefault(ROLE, List.of())) {
            String[] pair = value.split(",");
            if (pair.length == 2) {
                String a = pair[0].trim();
                String b = pair[1].trim();
                paired |= a.equals(roleArn) && b.equals(providerArn) || a.equals(providerArn) && b.equals(roleArn);
            }
        }
        if (!paired) {
            throw invalid("SAML Assertion doesn't contain the requested Role and Metadata in the attributes");
        }
        String sessionName = single(attributes, ROLE_SESSION_NAME);
        if (sessionName == null) {
            throw invalid("RoleSessionName is required in AuthnResponse");
        }
        if (!SESSION_NAME.matcher(sessionName).matches()) {
            throw invalid("RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}");
        }
        Integer sessionDuration = null;
        String durationText = single(attributes, SESSION_DURATION);
        if (durationText != null) {
            try {
                sessionDuration = Integer.parseInt(durationText);
            } catch (NumberFormatException e) {
                sessionDuration = -1;
            }
            if (sessionDuration < 900 || sessionDuration > 43200) {
                throw invalid("SessionDuration in AuthnResponse must be a number of seconds from 900 to 43200");
            }
        }
        String sourceIdentity = single(attributes, SOURCE_IDENTITY);
        if (sourceIdentity != null && (!SESSION_NAME.matcher(sourceIdentity).matches()
                || sourceIdentity.toLowerCase(Locale.ROOT).startsWith("aws:"))) {
            throw invalid("Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with \"aws:\"");
        }
        Map<String, String> tags = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> attribute : attributes.entrySet()) {
            if (attribute.getKey().startsWith(PRINCIPAL_TAG)) {
                String key = attribute.getKey().substring(PRINCIPAL_TAG.length());
                if (key.isEmpty() || attribute.getValue().size() != 1) {
                    throw invalid("The attribute " + attribute.getKey() + " must name a tag and have one value.");
                }
                if (tags.keySet().stream().anyMatch(key::equalsIgnoreCase)) {
                    throw invalid("Duplicate tag keys found. Please note that Tag keys are case insensitive.");
                }
                tags.put(key, attribute.getValue().get(0));
            }
        }
        List<String> transitive = attributes.getOrDefault(TRANSITIVE_TAG_KEYS, List.of());
        for (String key : transitive) {
            if (tags.keySet().stream().noneMatch(key::equalsIgnoreCase)) {
                throw invalid("The specified transitive tag key must be included in the requested tags.");
            }
        }
        Instant sessionEnd = null;
        for (Element statement : SamlXml.children(assertion, SamlXml.ASSERTION, "AuthnStatement")) {
            String end = SamlXml.attribute(statement, "SessionNotOnOrAfter");
            if (end != null) {
                Instant at = SamlXml.instant(end);
                sessionEnd = sessionEnd == null || at.isBefore(sessionEnd) ? at : sessionEnd;
            }
        }

        String issuer = SamlXml.text(assertionIssuer);
        String qualifier = nameQualifier(issuer, provider.account(), provider.name());
        Map<String, List<String>> keys = new LinkedHashMap<>();
        keys.put("saml:aud", List.of(recipient));
        keys.put("saml:iss", List.of(issuer));
        keys.put("saml:sub", List.of(subject));
        keys.put("saml:sub_type", List.of(subjectType));
        keys.put("saml:namequalifier", List.of(qualifier));
        keys.put("saml:doc", List.of(provider.account() + "/" + provider.name()));
        attributes.forEach((name, values) -> {
            Key key = ATTRIBUTE_KEYS.get(name);
            if (key != null && !values.isEmpty()) {
                keys.putIfAbsent(key.name(), key.list() ? values : List.of(values.get(0)));
            }
        });
        return new Verified(provider, issuer, subject, subjectType, recipient, qualifier, sessionName, sessionDuration,
                sourceIdentity, tags, transitive, sessionEnd, keys);
    }

    /** Every attribute of the assertion's attribute statements, by {@code Name}, values in order. */
    private static Map<String, List<String>> attributes(Element assertion) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Element statement : SamlXml.children(assertion, SamlXml.ASSERTION, "AttributeStatement")) {
            for (Element attribute : SamlXml.children(statement, SamlXml.ASSERTION, "Attribute")) {
                String name = SamlXml.attribute(attribute, "Name");
                if (name == null) {
                    continue;
                }
                List<String> values = out.computeIfAbsent(name, n -> new ArrayList<>());
                for (Element value : SamlXml.children(attribute, SamlXml.ASSERTION, "AttributeValue")) {
                    values.add(SamlXml.text(value));
                }
            }
        }
        return out;
    }

    private static String single(Map<String, List<String>> attributes, String name) {
        List<String> values = attributes.get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw invalid("The attribute " + name + " must have exactly one value.");
        }
        return values.get(0);
    }

    /** The provider's private keys, newest first (the newest most likely encrypted the assertion). */
    private static List<PrivateKey> privateKeys(SamlProvider provider) throws SamlException {
        if (provider.privateKeys().isEmpty()) {
            throw new SamlException("the assertion is encrypted, but the SAML provider has no private key to decrypt"
                    + " it (UpdateSAMLProvider --add-private-key)");
        }
        List<PrivateKey> keys = new ArrayList<>();
        for (int i = provider.privateKeys().size() - 1; i >= 0; i--) {
            keys.add(PrivateKeys.parse(provider.privateKeys().get(i).pem()));
        }
        return keys;
    }

    /** STS's {@code NameQualifier}: {@code BASE64(SHA1(issuer + account + "/" + providerName))} (STS API Reference). */
    static String nameQualifier(String issuer, String account, String providerName) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1")
                    .digest((issuer + account + "/" + providerName).getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
