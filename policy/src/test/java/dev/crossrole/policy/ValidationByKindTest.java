package dev.crossrole.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The rules of each policy kind beyond CreatePolicy's (the recorded corpus covers those), with AWS's messages. */
class ValidationByKindTest {
    private static final String TRUST_OK = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:role/my-ECS-task-role\"},\"Action\":\"sts:AssumeRole\"}]}";

    private static Diagnostic error(String text, PolicyKind kind) {
        return Policies.validate(text, kind).error();
    }

    private static void assertMessage(String expected, String text, PolicyKind kind) {
        Diagnostic d = error(text, kind);
        assertTrue(d != null, "expected an error for " + text);
        assertEquals(expected, d.message(), text);
    }

    @Test
    void trustPolicyRules() {
        assertNull(error(TRUST_OK, PolicyKind.TRUST));
        assertNull(error("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":"
                + "\"ecs-tasks.amazonaws.com\"},\"Action\":[\"sts:AssumeRole\",\"sts:TagSession\"]}]}", PolicyKind.TRUST));
        assertMessage("This policy contains invalid Json", "{\"Version\":", PolicyKind.TRUST);
        assertMessage("Has prohibited field Resource", TRUST_OK.replace("\"Action\":\"sts:AssumeRole\"",
                "\"Action\":\"sts:AssumeRole\",\"Resource\":\"*\""), PolicyKind.TRUST);
        assertMessage("Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy"
                + " has a statement with no principals!", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
                + "\"Allow\",\"Action\":\"sts:AssumeRole\"}]}", PolicyKind.TRUST);
        assertMessage("AssumeRole policy may only specify STS AssumeRole actions.",
                TRUST_OK.replace("sts:AssumeRole", "s3:GetObject"), PolicyKind.TRUST);
        assertMessage("Invalid principal in policy: \"AWS\":\"arn:aws:iam::1111222233334444:role/my-ECS-task-role\"",
                TRUST_OK.replace("111122223333", "1111222233334444"), PolicyKind.TRUST);
        assertMessage("Invalid principal in policy: \"AWS\":\"arn:aws:iam::111122223333:role/*\"",
                TRUST_OK.replace("my-ECS-task-role", "*"), PolicyKind.TRUST);
        assertMessage("Invalid principal in policy: \"SERVICE\":\"not a service\"",
                TRUST_OK.replace("\"AWS\":\"arn:aws:iam::111122223333:role/my-ECS-task-role\"", "\"Service\":\"not a service\""),
                PolicyKind.TRUST);
        assertMessage("Has prohibited field NotPrincipal", TRUST_OK.replace("\"Principal\"", "\"NotPrincipal\"")
                .replace("\"Allow\"", "\"Deny\""), PolicyKind.TRUST);
        // A directory that knows no such role: the principal must exist.
        Diagnostic missing = Policies.validate(TRUST_OK, PolicyKind.TRUST, arn -> false).error();
        assertEquals("Invalid principal in policy: \"AWS\":\"arn:aws:iam::111122223333:role/my-ECS-task-role\"",
                missing.message());
    }

    @Test
    void sizeQuotasAreCountedWithoutWhitespace() {
        String filler = " ".repeat(5000);
        String padded = TRUST_OK.replace("{\"Effect\"", filler + "{\"Effect\"");
        assertNull(error(padded, PolicyKind.TRUST), "whitespace does not count");
        StringBuilder big = new StringBuilder("{\"Version\":\"2012-10-17\",\"Statement\":[");
        for (int i = 0; i < 40; i++) {
            big.append(i == 0 ? "" : ",").append("{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:"
                    + "role/role-number-").append(i).append("\"},\"Action\":\"sts:AssumeRole\"}");
        }
        big.append("]}");
        Diagnostic trust = error(big.toString(), PolicyKind.TRUST);
        assertEquals("LimitExceeded", trust.code());
        assertEquals(409, trust.httpStatus());
        assertEquals("Cannot exceed quota for ACLSizePerRole: 2048", trust.message());

        StringBuilder identity = new StringBuilder("{\"Version\":\"2012-10-17\",\"Statement\":[");
        for (int i = 0; i < 80; i++) {
            identity.append(i == 0 ? "" : ",").append("{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":"
                    + "\"arn:aws:s3:::bucket-").append(i).append("/*\"}");
        }
        identity.append("]}");
        assertEquals("Cannot exceed quota for PolicySize: 6144", error(identity.toString(), PolicyKind.IDENTITY).message());
        assertNull(error(identity.toString(), PolicyKind.INLINE), "inline policies are limited in aggregate, by the caller");
        assertEquals("You have exceeded the maximum size of a policy document.",
                error(identity.toString(), PolicyKind.SCP).message());
    }

    @Test
    void awsManagedDocumentsAreNotBoundByCustomerLimits() throws InvalidPolicyException {
        // 3,000 actions: far over the 6,144-character quota and the 131,072-character request limit,
        // the shape of AWS's own ReadOnlyAccess.
        StringBuilder big = new StringBuilder("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                + "\"Action\":[");
        for (int i = 0; i < 3000; i++) {
            big.append(i == 0 ? "" : ",\n        ").append("\"service-number-").append(i).append(":DescribeSomething*\"");
        }
        big.append("],\"Resource\":\"*\"}]}");
        String text = big.toString();
        assertTrue(text.length() > 131072, "longer than a request may carry: " + text.length());

        Diagnostic customer = error(text, PolicyKind.IDENTITY);
        assertEquals("ValidationError", customer.code(), "the same text is refused from a customer");
        InvalidPolicyException quota = assertThrows(InvalidPolicyException.class,
                () -> Policies.parse(text.replace(",\n        ", ","), PolicyKind.IDENTITY, "customer"));
        assertEquals("Cannot exceed quota for PolicySize: 6144", quota.diagnostic().message());

        Policy managed = Policies.parseAwsManaged(text, "arn:aws:iam::aws:policy/Big");
        assertEquals(text, managed.text());
        assertEquals(1, managed.statementCount());
        assertEquals(PolicyKind.IDENTITY, managed.kind());

        // The grammar still holds: a broken AWS document is refused with IAM's message.
        InvalidPolicyException broken = assertThrows(InvalidPolicyException.class,
                () -> Policies.parseAwsManaged(text.replace("\"Effect\":\"Allow\",", ""), "broken"));
        assertEquals("MalformedPolicyDocument", broken.diagnostic().code());
        assertThrows(InvalidPolicyException.class,
                () -> Policies.parseAwsManaged(text.replace("2012-10-17", "2008-10-17"), "old"));
    }

    @Test
    void hugeAndDeeplyNestedDocumentsFailFast() {
        String deep = "[".repeat(5_000) + "]".repeat(5_000);
        assertEquals("Policies must be valid JSON and the first byte must be '{'", error(deep, PolicyKind.RESOURCE).message());
        assertEquals("Syntax errors in policy.", error("{\"Statement\":" + "[".repeat(5000) + "]".repeat(5000) + "}",
                PolicyKind.INLINE).message());
        assertEquals("ValidationError", error("x".repeat(200_000), PolicyKind.IDENTITY).code());
        Diagnostic nested = error("{\"Version\":\"2012-10-17\",\"Statement\":" + "{\"a\":".repeat(3000) + "1"
                + "}".repeat(3000) + "}", PolicyKind.INLINE);
        assertEquals("Syntax errors in policy.", nested.message());
    }

    @Test
    void identityKindsRefusePrincipals() {
        String withPrincipal = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\","
                + "\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}}";
        for (PolicyKind kind : new PolicyKind[] {PolicyKind.IDENTITY, PolicyKind.INLINE, PolicyKind.BOUNDARY,
                PolicyKind.SESSION}) {
            assertMessage("Policy document should not specify a principal.", withPrincipal, kind);
        }
        Diagnostic scp = error(withPrincipal, PolicyKind.SCP);
        assertEquals("MalformedPolicyDocumentException", scp.code());
        assertEquals("Policy document should not specify a principal.", scp.detail());
    }

    @Test
    void inlinePoliciesNeedNoVersion() {
        String noVersion = "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}}";
        assertNull(error(noVersion, PolicyKind.INLINE));
        assertNull(error(noVersion, PolicyKind.SESSION));
        assertMessage("Policy document must be version 2012-10-17 or greater.", noVersion, PolicyKind.IDENTITY);
    }

    @Test
    void resourcePolicies() {
        String bucket = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
                + "\"arn:aws:iam::111122223333:root\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"}]}";
        assertNull(error(bucket, PolicyKind.RESOURCE));
        assertMessage("Missing required field Principal", bucket.replace("\"Principal\":{\"AWS\":"
                + "\"arn:aws:iam::111122223333:root\"},", ""), PolicyKind.RESOURCE);
        assertMessage("Policy has invalid resource", bucket.replace("arn:aws:s3:::b/*", "b/*"), PolicyKind.RESOURCE);
        assertMessage("Invalid principal in policy", bucket.replace("arn:aws:iam::111122223333:root", "someone"),
                PolicyKind.RESOURCE);
        assertEquals("MalformedPolicy", error(bucket.replace("Allow", "Maybe"), PolicyKind.RESOURCE).code());
    }

    @Test
    void resourceControlPolicies() {
        String rcp = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":"
                + "\"sts:AssumeRole\",\"Resource\":\"*\",\"Condition\":{\"StringNotEquals\":{\"aws:PrincipalOrgID\":\"o-1\"}}}]}";
        assertNull(error(rcp, PolicyKind.RCP));
        Diagnostic allow = error(rcp.replace("Deny", "Allow"), PolicyKind.RCP);
        assertEquals("MalformedPolicyDocumentException", allow.code());
        assertTrue(allow.detail().contains("RCPs may only Deny"), allow.detail());
        Diagnostic principal = error(rcp.replace("\"Principal\":\"*\"", "\"Principal\":{\"AWS\":\"111122223333\"}"),
                PolicyKind.RCP);
        assertTrue(principal.detail().contains("must be \"*\""), principal.detail());
    }
}
