package dev.crossrole.server.saml;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.util.List;
import java.util.Set;
import javax.xml.crypto.MarshalException;
import javax.xml.crypto.dsig.CanonicalizationMethod;
import javax.xml.crypto.dsig.DigestMethod;
import javax.xml.crypto.dsig.Reference;
import javax.xml.crypto.dsig.SignatureMethod;
import javax.xml.crypto.dsig.SignedInfo;
import javax.xml.crypto.dsig.Transform;
import javax.xml.crypto.dsig.XMLSignature;
import javax.xml.crypto.dsig.XMLSignatureException;
import javax.xml.crypto.dsig.XMLSignatureFactory;
import javax.xml.crypto.dsig.dom.DOMSignContext;
import javax.xml.crypto.dsig.dom.DOMValidateContext;
import javax.xml.crypto.dsig.keyinfo.KeyInfo;
import javax.xml.crypto.dsig.keyinfo.KeyInfoFactory;
import javax.xml.crypto.dsig.spec.C14NMethodParameterSpec;
import javax.xml.crypto.dsig.spec.TransformParameterSpec;
import org.w3c.dom.Attr;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

/**
 * Enveloped XML signatures over a SAML element (a Response or an Assertion), made and checked with the JDK's
 * {@code javax.xml.crypto.dsig}.
 *
 * <p>A signature is accepted only in the shape SAML's profile gives it, so that what was verified is exactly the
 * element the caller goes on to read: it is a direct child of that element; it has exactly one reference, and the
 * reference is {@code #} followed by that element's {@code ID}, which is registered as an ID for that element alone
 * and carried by no other element of the document (an attacker's copy of a signed element elsewhere in the
 * document — the signature-wrapping attack — is refused rather than resolved); its transforms are the enveloped
 * signature transform and canonicalization, nothing else (no XPath, no XSLT); its algorithms are RSA or ECDSA with
 * SHA-2 (the JDK's secure validation refuses SHA-1 and short keys). The key is never taken from the signature's
 * own {@code KeyInfo}: only the keys the caller trusts are tried.
 */
public final class XmlSignatures {
    private static final Set<String> SIGNATURE_METHODS = Set.of(SignatureMethod.RSA_SHA256, SignatureMethod.RSA_SHA384,
            SignatureMethod.RSA_SHA512, SignatureMethod.ECDSA_SHA256, SignatureMethod.ECDSA_SHA384,
            SignatureMethod.ECDSA_SHA512);
    private static final Set<String> DIGEST_METHODS = Set.of(DigestMethod.SHA256, DigestMethod.SHA384,
            DigestMethod.SHA512);
    private static final Set<String> CANONICALIZATIONS = Set.of(CanonicalizationMethod.EXCLUSIVE,
            CanonicalizationMethod.INCLUSIVE);
    private static final Set<String> TRANSFORMS = Set.of(Transform.ENVELOPED, CanonicalizationMethod.EXCLUSIVE,
            CanonicalizationMethod.INCLUSIVE);
    /** Attribute names SAML and XML Signature use for identifiers, any of which an attacker might repeat. */
    private static final Set<String> ID_ATTRIBUTES = Set.of("ID", "Id", "id", "AssertionID", "ResponseID");

    private XmlSignatures() {}

    /** Whether {@code element} carries a signature of its own (a {@code ds:Signature} child). */
    public static boolean signed(Element element) {
        return !SamlXml.children(element, SamlXml.DSIG, "Signature").isEmpty();
    }

    /**
     * Signs {@code element} (which must have an {@code ID}) with an enveloped signature inserted before
     * {@code nextSibling} ({@code null}: as its last child): exclusive canonicalization, SHA-256, RSA or ECDSA as
     * the key is, and the certificate in {@code KeyInfo} as identity providers send it.
     */
    public static void sign(Element element, PrivateKey key, X509Certificate certificate, Node nextSibling) {
        String id = SamlXml.attribute(element, "ID");
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("the element to sign has no ID");
        }
        try {
            XMLSignatureFactory factory = XMLSignatureFactory.getInstance("DOM");
            Reference reference = factory.newReference("#" + id, factory.newDigestMethod(DigestMethod.SHA256, null),
                    List.of(factory.newTransform(Transform.ENVELOPED, (TransformParameterSpec) null),
                            factory.newTransform(CanonicalizationMethod.EXCLUSIVE, (TransformParameterSpec) null)),
                    null, null);
            SignedInfo signedInfo = factory.newSignedInfo(
                    factory.newCanonicalizationMethod(CanonicalizationMethod.EXCLUSIVE, (C14NMethodParameterSpec) null),
                    factory.newSignatureMethod(key instanceof ECPrivateKey ? SignatureMethod.ECDSA_SHA256
                            : SignatureMethod.RSA_SHA256, null),
                    List.of(reference));
            KeyInfoFactory keys = factory.getKeyInfoFactory();
            KeyInfo keyInfo = keys.newKeyInfo(List.of(keys.newX509Data(List.of(certificate))));
            DOMSignContext context = nextSibling == null ? new DOMSignContext(key, element)
                    : new DOMSignContext(key, element, nextSibling);
            context.setIdAttributeNS(element, null, "ID");
            context.setDefaultNamespacePrefix("ds");
            factory.newXMLSignature(signedInfo, keyInfo).sign(context);
        } catch (GeneralSecurityException | MarshalException | XMLSignatureException e) {
            throw new IllegalStateException("cannot sign: " + e.getMessage(), e);
        }
    }

    /**
     * Checks the enveloped signature of {@code element} against {@code keys}.
     *
     * @return {@code false} when the element has no signature
     * @throws SamlException when it has one that is not of the accepted shape or that no key verifies
     */
    public static boolean verify(Element element, List<PublicKey> keys) throws SamlException {
        List<Element> signatures = SamlXml.children(element, SamlXml.DSIG, "Signature");
        if (signatures.isEmpty()) {
            return false;
        }
        if (signatures.size() > 1) {
            throw new SamlException(element.getLocalName() + " has more than one signature");
        }
        Element signatureElement = signatures.get(0);
        String id = SamlXml.attribute(element, "ID");
        if (id == null || id.isEmpty()) {
            throw new SamlException(element.getLocalName() + " is signed but has no ID");
        }
        int carriers = idCarriers(element.getOwnerDocument().getDocumentElement(), id);
        if (carriers != 1) {
            throw new SamlException("the ID " + id + " is carried by " + carriers + " elements");
        }
        String failure = "no trusted key verifies the signature";
        for (PublicKey key : keys) {
            DOMValidateContext context = new DOMValidateContext(key, signatureElement);
            context.setProperty("org.jcp.xml.dsig.secureValidation", Boolean.TRUE);
            context.setIdAttributeNS(element, null, "ID");
            XMLSignature signature;
            try {
                signature = XMLSignatureFactory.getInstance("DOM").unmarshalXMLSignature(context);
            } catch (MarshalException e) {
                throw new SamlException("the signature cannot be read: " + e.getMessage(), e);
            }
            checkShape(signature.getSignedInfo(), id);
            try {
                if (signature.validate(context)) {
                    return true;
                }
            } catch (XMLSignatureException e) {
                failure = "the signature cannot be checked: " + e.getMessage();
            }
        }
        throw new SamlException(failure);
    }

    private static void checkShape(SignedInfo signedInfo, String id) throws SamlException {
        if (!CANONICALIZATIONS.contains(signedInfo.getCanonicalizationMethod().getAlgorithm())) {
            throw new SamlException("the canonicalization " + signedInfo.getCanonicalizationMethod().getAlgorithm()
                    + " is not accepted");
        }
        if (!SIGNATURE_METHODS.contains(signedInfo.getSignatureMethod().getAlgorithm())) {
            throw new SamlException("the signature algorithm " + signedInfo.getSignatureMethod().getAlgorithm()
                    + " is not accepted");
        }
        List<?> references = signedInfo.getReferences();
        if (references.size() != 1) {
            throw new SamlException("the signature has " + references.size() + " references, not one");
        }
        Reference reference = (Reference) references.get(0);
        if (!("#" + id).equals(reference.getURI())) {
            throw new SamlException("the signature refers to " + reference.getURI() + ", not to the element that holds"
                    + " it (#" + id + ")");
        }
        if (!DIGEST_METHODS.contains(reference.getDigestMethod().getAlgorithm())) {
            throw new SamlException("the digest " + reference.getDigestMethod().getAlgorithm() + " is not accepted");
        }
        boolean enveloped = false;
        for (Object transform : reference.getTransforms()) {
            String algorithm = ((Transform) transform).getAlgorithm();
            if (!TRANSFORMS.contains(algorithm)) {
                throw new SamlException("the transform " + algorithm + " is not accepted");
            }
            enveloped |= algorithm.equals(Transform.ENVELOPED);
        }
        if (!enveloped) {
            throw new SamlException("the signature is not an enveloped signature");
        }
    }

    /** How many elements at or below {@code root} carry {@code id} in an identifier attribute. */
    static int idCarriers(Element root, String id) {
        int count = 0;
        java.util.ArrayDeque<Element> pending = new java.util.ArrayDeque<>();
        pending.push(root);
        while (!pending.isEmpty()) {
            Element element = pending.pop();
            NamedNodeMap attributes = element.getAttributes();
            for (int i = 0; i < attributes.getLength(); i++) {
                Attr attribute = (Attr) attributes.item(i);
                String name = attribute.getLocalName() == null ? attribute.getName() : attribute.getLocalName();
                if (ID_ATTRIBUTES.contains(name) && id.equals(attribute.getValue())) {
                    count++;
                    break;
                }
            }
            for (Node node = element.getFirstChild(); node != null; node = node.getNextSibling()) {
                if (node instanceof Element child) {
                    pending.push(child);
                }
            }
        }
        return count;
    }
}
