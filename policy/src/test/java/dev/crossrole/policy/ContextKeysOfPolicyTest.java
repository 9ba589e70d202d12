package dev.crossrole.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Policy#contextKeys()}: the keys a policy refers to, in the order IAM's GetContextKeysFor*Policy lists them. */
class ContextKeysOfPolicyTest {
    private static Policy policy(String text) throws InvalidPolicyException {
        return Policies.parse(text, PolicyKind.IDENTITY, "p");
    }

    @Test
    void theExampleOfTheCliReference() throws InvalidPolicyException {
        // AWS CLI Command Reference, iam get-context-keys-for-custom-policy, example 1: the variable of the resource,
        // then the key of the condition.
        Policy p = policy("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"dynamodb:*\","
                + "\"Resource\":\"arn:aws:dynamodb:us-west-2:123456789012:table/${aws:username}\",\"Condition\":"
                + "{\"DateGreaterThan\":{\"aws:CurrentTime\":\"2015-08-16T12:00:00Z\"}}}}");
        assertEquals(List.of("aws:username", "aws:CurrentTime"), p.contextKeys());
    }

    @Test
    void keysOfEveryStatementOnceEachAsFirstWritten() throws InvalidPolicyException {
        Policy p = policy("{\"Version\":\"2012-10-17\",\"Statement\":["
                + "{\"Effect\":\"Allow\",\"Action\":\"s3:ListBucket\",\"Resource\":\"arn:aws:s3:::b\",\"Condition\":{"
                + "\"StringLike\":{\"s3:prefix\":[\"home/${aws:username}/*\",\"${aws:PrincipalTag/team, 'none'}/*\"]},"
                + "\"Bool\":{\"aws:SecureTransport\":\"true\"}}},"
                + "{\"Effect\":\"Deny\",\"NotAction\":\"s3:Get*\",\"NotResource\":\"arn:aws:s3:::b/${AWS:UserName}/${*}\","
                + "\"Condition\":{\"StringEquals\":{\"aws:RequestTag/env\":\"prod\",\"AWS:SECURETRANSPORT\":\"x\"},"
                + "\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}}]}");
        assertEquals(List.of("s3:prefix", "aws:username", "aws:PrincipalTag/team", "aws:SecureTransport",
                "aws:RequestTag/env", "aws:SourceIp"), p.contextKeys());
    }

    @Test
    void withoutVariablesOrConditionsThereAreNone() throws InvalidPolicyException {
        assertEquals(List.of(), policy("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                + "\"Action\":\"s3:*\",\"Resource\":\"*\"}}").contextKeys());
    }
}
