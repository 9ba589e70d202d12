package dev.crossrole.server.sts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.iam.IamDirectory;
import dev.crossrole.server.iam.IdGenerator;
import dev.crossrole.server.iam.SamlProvider;
import dev.crossrole.server.protocol.AwsException;
import dev.crossrole.server.saml.PrivateKeys;
import dev.crossrole.server.saml.SamlMetadata;
import dev.crossrole.server.saml.SamlXml;
import dev.crossrole.server.saml.XmlSignatures;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Response verification as STS does it: a good response and what it gives, each check failing alone, and the
 * attacks on SAML signatures (tampering, no signature, another key, signature wrapping, comment truncation, DTDs).
 */
class SamlAssertionsTest {
    static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");
    static final String ACCOUNT = "111122223333";
    static final String OTHER_ACCOUNT = "555566667777";
    static final String ISSUER = "idp.example.com";
    static final String PROVIDER = "arn:aws:iam::" + ACCOUNT + ":saml-provider/corp";
    static final String ROLE = "arn:aws:iam::" + ACCOUNT + ":role/engineers";
    /** One key for the whole class: RSA key generation is slow. */
    static final byte[] KEY = SamlIdentityProvider.newKey();
    static final byte[] OTHER_KEY = SamlIdentityProvider.newKey();

    final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    final IamDirectory iam = new IamDirectory(clock, new IdGenerator(new SecureRandom()));
    final SamlIdentityProvider idp = new SamlIdentityProvider(KEY, clock);
    final SamlAssertions assertions = new SamlAssertions(iam);

    SamlAssertionsTest() throws Exception {
        provider(ACCOUNT, "corp", idp.metadata(ISSUER), SamlProvider.ALLOWED, List.of());
    }

    void provider(String account, String name, String metadata, String mode, List<SamlProvider.PrivateKey> keys)
            throws Exception {
        iam.putSamlProvider(new SamlProvider(account, name, metadata, SamlMetadata.parse(metadata), "SAMLTESTTESTTESTTEST12",
                NOW, NOW.plus(Duration.ofDays(36500)), Map.of(), mode, keys));
    }

    SamlIdentityProvider.Claims claims(String sessionName, Map<String, List<String>> attributes) {
        return new SamlIdentityProvider.Claims(List.of(ROLE + "," + PROVIDER), "alice@example.com", null, sessionName,
                attributes, Duration.ofMinutes(5), null);
    }

    String good() {
        return idp.response(ISSUER, claims("alice", Map.of()));
    }

    SamlAssertions.Verified verify(String response) {
        return assertions.verify(response, ROLE, ACCOUNT, PROVIDER, NOW);
    }

    static AwsException refused(Runnable call) {
        return assertThrows(AwsException.class, call::run);
    }

    static void assertRefused(String code, String message, Runnable call) {
        AwsException e = refused(call);
        assertEquals(code, e.code(), e.getMessage());
        assertEquals(message, e.getMessage());
    }

    static Document decode(String response) throws Exception {
        return SamlXml.parse(Base64.getDecoder().decode(response));
    }

    static String encode(Document document) {
        return Base64.getEncoder().encodeToString(SamlXml.serialize(document));
    }

    static Element assertion(Document document) {
        return SamlXml.children(document.getDocumentElement(), SamlXml.ASSERTION, "Assertion").get(0);
    }

    /** The assertion signed anew by the identity provider, after a test changed it. */
    String resign(Document document) {
        Element assertion = assertion(document);
        SamlXml.children(assertion, SamlXml.DSIG, "Signature").forEach(assertion::removeChild);
        Element issuer = SamlXml.children(assertion, SamlXml.ASSERTION, "Issuer").get(0);
        XmlSignatures.sign(assertion, idp.signingKey(), idp.certificate(), issuer.getNextSibling());
        return encode(document);
    }

    static Element first(Element parent, String localName) {
        return (Element) parent.getElementsByTagNameNS(SamlXml.ASSERTION, localName).item(0);
    }

    @Test
    void aGoodResponseGivesItsClaimsAsKeys() {
        Map<String, List<String>> attributes = new LinkedHashMap<>();
        attributes.put("urn:oid:1.3.6.1.4.1.5923.1.1.1.1", List.of("staff", "member"));
        attributes.put("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress", List.of("alice@example.com"));
        attributes.put("SessionDuration", List.of("1800"));
        attributes.put("SourceIdentity", List.of("alice"));
        attributes.put("PrincipalTag:team", List.of("platform"));
        attributes.put("TransitiveTagKeys", List.of("team"));
        SamlAssertions.Verified verified = verify(idp.response(ISSUER, claims("alice", attributes)));
        assertEquals("alice@example.com", verified.subject());
        assertEquals("persistent", verified.subjectType());
        assertEquals("https://" + ISSUER, verified.issuer());
        assertEquals("https://signin.aws.amazon.com/saml", verified.recipient());
        assertEquals("alice", verified.sessionName());
        assertEquals(1800, verified.sessionDuration());
        assertEquals("alice", verified.sourceIdentity());
        assertEquals(Map.of("team", "platform"), verified.tags());
        assertEquals(List.of("team"), verified.transitiveTagKeys());
        String qualifier = verified.nameQualifier();
        assertEquals(SamlAssertions.nameQualifier("https://" + ISSUER, ACCOUNT, "corp"), qualifier);
        Map<String, List<String>> keys = verified.conditionKeys();
        assertEquals(List.of("https://signin.aws.amazon.com/saml"), keys.get("saml:aud"));
        assertEquals(List.of("https://" + ISSUER), keys.get("saml:iss"));
        assertEquals(List.of("alice@example.com"), keys.get("saml:sub"));
        assertEquals(List.of("persistent"), keys.get("saml:sub_type"));
        assertEquals(List.of(qualifier), keys.get("saml:namequalifier"));
        assertEquals(List.of(ACCOUNT + "/corp"), keys.get("saml:doc"));
        assertEquals(List.of("staff", "member"), keys.get("saml:edupersonaffiliation"));
        assertEquals(List.of("alice@example.com"), keys.get("saml:mail"));
    }

    @Test
    void theNameQualifierIsAwssHash() throws Exception {
        // STS API Reference, AssumeRoleWithSAML: BASE64 ( SHA1 ( "https://example.com/saml" + "123456789012" + "/MySAMLIdP" ) )
        String expected = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                .digest("https://example.com/saml123456789012/MySAMLIdP".getBytes(StandardCharsets.UTF_8)));
        assertEquals(expected, SamlAssertions.nameQualifier("https://example.com/saml", "123456789012", "MySAMLIdP"));
    }

    @Test
    void theProviderMustBeTheRolesAccounts() throws Exception {
        String response = good();
        assertRefused("InvalidIdentityToken", "Specified provider doesn't exist",
                () -> assertions.verify(response, ROLE, ACCOUNT, "arn:aws:iam::" + ACCOUNT + ":saml-provider/none", NOW));
        provider(OTHER_ACCOUNT, "corp", idp.metadata(ISSUER), SamlProvider.ALLOWED, List.of());
        String theirs = "arn:aws:iam::" + OTHER_ACCOUNT + ":saml-provider/corp";
        assertRefused("InvalidIdentityToken", "Specified provider doesn't exist",
                () -> assertions.verify(response, ROLE, ACCOUNT, theirs, NOW));
    }

    @Test
    void eachCheckRefusesAlone() throws Exception {
        String good = good();
        assertRefused("InvalidIdentityToken", "Invalid base64 SAMLResponse", () -> verify("not base64 at all!"));
        assertEquals("InvalidIdentityToken", refused(() -> verify(Base64.getEncoder()
                .encodeToString("<samlp:Response".getBytes(StandardCharsets.UTF_8)))).code());

        assertRefused("ExpiredTokenException", "Response has expired",
                () -> assertions.verify(good, ROLE, ACCOUNT, PROVIDER, NOW.plus(Duration.ofMinutes(10))));
        // Within the five minutes of skew, still good.
        assertEquals("alice", assertions.verify(good, ROLE, ACCOUNT, PROVIDER, NOW.plus(Duration.ofMinutes(9)))
                .sessionName());
        assertRefused("InvalidIdentityToken", "Response is not yet valid",
                () -> assertions.verify(good, ROLE, ACCOUNT, PROVIDER, NOW.minus(Duration.ofMinutes(6))));

        String otherRole = "arn:aws:iam::" + ACCOUNT + ":role/admins";
        assertRefused("InvalidIdentityToken",
                "SAML Assertion doesn't contain the requested Role and Metadata in the attributes",
                () -> assertions.verify(good, otherRole, ACCOUNT, PROVIDER, NOW));

        assertRefused("InvalidIdentityToken", "RoleSessionName is required in AuthnResponse",
                () -> verify(idp.response(ISSUER, claims(null, Map.of()))));
        assertRefused("InvalidIdentityToken", "RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}",
                () -> verify(idp.response(ISSUER, claims("Alice Smith", Map.of()))));
        assertRefused("InvalidIdentityToken",
                "Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with \"aws:\"",
                () -> verify(idp.response(ISSUER, claims("alice", Map.of("SourceIdentity", List.of("aws:alice"))))));
        assertEquals("InvalidIdentityToken", refused(() -> verify(idp.response(ISSUER,
                claims("alice", Map.of("SessionDuration", List.of("60"))))))
                .code());

        // Signed by the provider's key, but under another issuer name.
        assertRefused("InvalidIdentityToken", "Issuer not present in specified provider",
                () -> verify(idp.response("idp.other.example", claims("alice", Map.of()))));

        Document noAudience = decode(good);
        Element restriction = first(assertion(noAudience), "AudienceRestriction");
        restriction.getParentNode().removeChild(restriction);
        String withoutAudience = resign(noAudience);
        assertRefused("InvalidIdentityToken", "Response does not contain the required audience.",
                () -> verify(withoutAudience));

        Document otherAudience = decode(good);
        first(assertion(otherAudience), "Audience").setTextContent("https://app.example.com/saml");
        String forAnotherAudience = resign(otherAudience);
        assertRefused("InvalidIdentityToken", "Response does not contain the required audience.",
                () -> verify(forAnotherAudience));
        Document webServices = decode(good);
        first(assertion(webServices), "Audience").setTextContent("urn:amazon:webservices");
        assertEquals("alice", verify(resign(webServices)).sessionName());

        Document noRecipient = decode(good);
        first(assertion(noRecipient), "SubjectConfirmationData").removeAttribute("Recipient");
        String withoutRecipient = resign(noRecipient);
        assertRefused("InvalidIdentityToken",
                "Responses must contain SubjectConfirmatonData with a Recipient and NotOnOrAfter",
                () -> verify(withoutRecipient));

        Document noSubject = decode(good);
        Element nameId = first(assertion(noSubject), "NameID");
        nameId.getParentNode().removeChild(nameId);
        String withoutSubject = resign(noSubject);
        assertRefused("AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML", () -> verify(withoutSubject));

        Document failed = decode(good);
        ((Element) failed.getElementsByTagNameNS(SamlXml.PROTOCOL, "StatusCode").item(0))
                .setAttribute("Value", "urn:oasis:names:tc:SAML:2.0:status:Requester");
        String failedResponse = encode(failed);
        AwsException rejected = refused(() -> verify(failedResponse));
        assertEquals("IDPRejectedClaim", rejected.code());
        assertEquals(403, rejected.httpStatus());
    }

    @Test
    void aTamperedAssertionIsRefused() throws Exception {
        Document document = decode(good());
        first(assertion(document), "NameID").setTextContent("mallory@example.com");
        String tampered = encode(document);
        assertRefused("InvalidIdentityToken", "Response signature invalid", () -> verify(tampered));

        Document roles = decode(good());
        Element role = first(assertion(roles), "AttributeValue");
        role.setTextContent("arn:aws:iam::" + ACCOUNT + ":role/admins," + PROVIDER);
        String moreRoles = encode(roles);
        assertRefused("InvalidIdentityToken", "Response signature invalid",
                () -> assertions.verify(moreRoles, "arn:aws:iam::" + ACCOUNT + ":role/admins", ACCOUNT, PROVIDER, NOW));
    }

    @Test
    void anUnsignedAssertionIsRefused() throws Exception {
        Document document = decode(good());
        Element assertion = assertion(document);
        SamlXml.children(assertion, SamlXml.DSIG, "Signature").forEach(assertion::removeChild);
        String unsigned = encode(document);
        assertRefused("InvalidIdentityToken", "Response signature invalid", () -> verify(unsigned));
    }

    @Test
    void anAssertionSignedByAnotherKeyIsRefused() {
        SamlIdentityProvider impostor = new SamlIdentityProvider(OTHER_KEY, clock);
        String forged = impostor.response(ISSUER, claims("alice", Map.of()));
        assertRefused("InvalidIdentityToken", "Response signature invalid", () -> verify(forged));
    }

    @Test
    void signatureWrappingIsRefused() throws Exception {
        // The attacker keeps the signed assertion in the document, where a careless verifier still finds its ID, and
        // puts an assertion of their own where the reader looks.
        Document document = decode(good());
        Element signed = assertion(document);
        Element forged = (Element) signed.cloneNode(true);
        SamlXml.children(forged, SamlXml.DSIG, "Signature").forEach(forged::removeChild);
        first(forged, "NameID").setTextContent("mallory@example.com");
        Element extensions = document.createElementNS(SamlXml.PROTOCOL, "samlp:Extensions");
        Element response = document.getDocumentElement();
        response.insertBefore(extensions, SamlXml.children(response, SamlXml.PROTOCOL, "Status").get(0));
        response.replaceChild(forged, signed);
        extensions.appendChild(signed);
        String wrapped = encode(document);
        AwsException e = refused(() -> verify(wrapped));
        assertEquals("InvalidIdentityToken", e.code());

        // The same with the signed original as the forged assertion's own child.
        Document nested = decode(good());
        Element original = assertion(nested);
        Element copy = (Element) original.cloneNode(true);
        SamlXml.children(copy, SamlXml.DSIG, "Signature").forEach(copy::removeChild);
        first(copy, "NameID").setTextContent("mallory@example.com");
        nested.getDocumentElement().replaceChild(copy, original);
        copy.appendChild(original);
        String nestedWrapped = encode(nested);
        assertEquals("InvalidIdentityToken", refused(() -> verify(nestedWrapped)).code());

        // An element elsewhere repeating the signed assertion's ID: refused as a wrapping attempt, not resolved.
        Document repeated = decode(good());
        Element decoy = repeated.createElementNS(SamlXml.PROTOCOL, "samlp:Extensions");
        decoy.setAttribute("ID", assertion(repeated).getAttribute("ID"));
        repeated.getDocumentElement().insertBefore(decoy,
                SamlXml.children(repeated.getDocumentElement(), SamlXml.PROTOCOL, "Status").get(0));
        String withDecoy = encode(repeated);
        assertRefused("InvalidIdentityToken", "Response signature invalid", () -> verify(withDecoy));
    }

    @Test
    void aSignatureOfAnotherElementDoesNotCoverTheAssertion() throws Exception {
        // The response's Status signed with the provider's key, the assertion forged and unsigned.
        Document document = decode(good());
        Element assertion = assertion(document);
        SamlXml.children(assertion, SamlXml.DSIG, "Signature").forEach(assertion::removeChild);
        first(assertion, "NameID").setTextContent("mallory@example.com");
        Element status = SamlXml.children(document.getDocumentElement(), SamlXml.PROTOCOL, "Status").get(0);
        status.setAttribute("ID", "_status");
        XmlSignatures.sign(status, idp.signingKey(), idp.certificate(), null);
        String response = encode(document);
        assertRefused("InvalidIdentityToken", "Response signature invalid", () -> verify(response));
    }

    @Test
    void aSignedResponseCoversItsAssertion() throws Exception {
        Document document = decode(good());
        Element assertion = assertion(document);
        SamlXml.children(assertion, SamlXml.DSIG, "Signature").forEach(assertion::removeChild);
        Element response = document.getDocumentElement();
        XmlSignatures.sign(response, idp.signingKey(), idp.certificate(),
                SamlXml.children(response, SamlXml.ASSERTION, "Issuer").get(0).getNextSibling());
        assertEquals("alice@example.com", verify(encode(document)).subject());

        first(assertion(document), "NameID").setTextContent("mallory@example.com");
        String tampered = encode(document);
        assertRefused("InvalidIdentityToken", "Response signature invalid", () -> verify(tampered));
    }

    @Test
    void aCommentInASignedValueDoesNotTruncateIt() throws Exception {
        // Signatures never cover comments: a reader stopping at the comment would see alice@example.com.
        String signed = new String(Base64.getDecoder().decode(idp.response(ISSUER,
                new SamlIdentityProvider.Claims(List.of(ROLE + "," + PROVIDER), "alice@example.com.evil.example", null,
                        "alice", Map.of(), Duration.ofMinutes(5), null))), StandardCharsets.UTF_8);
        String commented = signed.replace(">alice@example.com.evil.example<", ">alice@example.com<!---->.evil.example<");
        assertTrue(!commented.equals(signed));
        SamlAssertions.Verified verified = verify(Base64.getEncoder().encodeToString(
                commented.getBytes(StandardCharsets.UTF_8)));
        assertEquals("alice@example.com.evil.example", verified.subject());
    }

    @Test
    void aDoctypeIsRefusedBeforeAnythingIsResolved() {
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                + "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" Version=\"2.0\">&x;</samlp:Response>";
        AwsException e = refused(() -> verify(Base64.getEncoder().encodeToString(xxe.getBytes(StandardCharsets.UTF_8))));
        assertEquals("InvalidIdentityToken", e.code());
        assertTrue(!e.getMessage().contains("root:"), e.getMessage());
    }

    @Test
    void encryptedAssertionsAreDecryptedWithTheProvidersKey() throws Exception {
        String pem = rsaPem();
        provider(ACCOUNT, "corp", idp.metadata(ISSUER), SamlProvider.REQUIRED,
                List.of(new SamlProvider.PrivateKey("KEYAAAAAAAAAAAAAAAAAAA", pem, NOW)));
        PrivateKey key = PrivateKeys.parse(pem);
        String encrypted = idp.response(ISSUER, new SamlIdentityProvider.Claims(List.of(ROLE + "," + PROVIDER),
                "alice@example.com", "transient", "alice", Map.of(), Duration.ofMinutes(5), PrivateKeys.publicKey(key)));
        assertTrue(new String(Base64.getDecoder().decode(encrypted), StandardCharsets.UTF_8).contains("EncryptedAssertion"));
        SamlAssertions.Verified verified = verify(encrypted);
        assertEquals("alice@example.com", verified.subject());
        assertEquals("transient", verified.subjectType());

        // Required: an assertion in clear is refused.
        AwsException clear = refused(() -> verify(good()));
        assertEquals("InvalidIdentityToken", clear.code());

        // Encrypted for a key the provider does not have.
        String strangers = idp.response(ISSUER, new SamlIdentityProvider.Claims(List.of(ROLE + "," + PROVIDER),
                "alice@example.com", null, "alice", Map.of(), Duration.ofMinutes(5),
                PrivateKeys.publicKey(PrivateKeys.parse(rsaPem()))));
        assertEquals("InvalidIdentityToken", refused(() -> verify(strangers)).code());
    }

    @Test
    void anAssertionWithoutAnIdIsNeverTakenForSigned() throws Exception {
        Document document = decode(good());
        assertion(document).removeAttribute("ID");
        String response = encode(document);
        assertRefused("InvalidIdentityToken", "Response signature invalid", () -> verify(response));
        assertNull(SamlXml.attribute(assertion(decode(response)), "ID"));
    }

    static String rsaPem() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(
                    generator.generateKeyPair().getPrivate(), null));
        }
        return out.toString();
    }
}
