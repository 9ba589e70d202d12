package dev.crossrole.it;

import static dev.crossrole.it.IamSdk.assertError;
import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static dev.crossrole.it.TestCrossrole.userArn;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.IamException;

/**
 * GetContextKeysForCustomPolicy and GetContextKeysForPrincipalPolicy through the AWS SDK for Java v2: the condition
 * keys and policy variables of the policies, each once; a principal's own, attached and group policies; IAM's errors
 * for malformed policies and unknown principals; and no look into another account's principals.
 */
class IamContextKeysSdkTest {
    static TestCrossrole crossrole;
    static IamClient iam;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        iam = IamSdk.iam(crossrole, crossrole.adminCredentials(SOURCE));
    }

    @AfterAll
    static void stop() throws Exception {
        iam.close();
        crossrole.close();
    }

    static String policy(String resource, String condition) {
        return "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\""
                + resource + "\"" + (condition == null ? "" : ",\"Condition\":" + condition) + "}}";
    }

    @Test
    void customPoliciesAsTheCliReferenceShows() {
        // AWS CLI Command Reference, iam get-context-keys-for-custom-policy, example 1.
        String example = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"dynamodb:*\","
                + "\"Resource\":\"arn:aws:dynamodb:us-west-2:123456789012:table/${aws:username}\",\"Condition\":"
                + "{\"DateGreaterThan\":{\"aws:CurrentTime\":\"2015-08-16T12:00:00Z\"}}}}";
        assertEquals(List.of("aws:username", "aws:CurrentTime"),
                iam.getContextKeysForCustomPolicy(r -> r.policyInputList(example)).contextKeyNames());
        assertEquals(List.of("aws:username", "aws:CurrentTime", "aws:SourceIp"), iam.getContextKeysForCustomPolicy(
                r -> r.policyInputList(example, policy("arn:aws:s3:::b/${AWS:USERNAME}/*",
                        "{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}"))).contextKeyNames(),
                "each key once, as first written");
        assertEquals(List.of(), iam.getContextKeysForCustomPolicy(r -> r.policyInputList(policy("*", null)))
                .contextKeyNames());
    }

    @Test
    void aPrincipalsPoliciesAndTheOnesGiven() {
        iam.createUser(r -> r.userName("keyed-user"));
        iam.putUserPolicy(r -> r.userName("keyed-user").policyName("own").policyDocument(
                policy("arn:aws:s3:::b/${aws:userid}/*", "{\"Bool\":{\"aws:SecureTransport\":\"true\"}}")));
        String managed = iam.createPolicy(r -> r.policyName("keyed-managed").policyDocument(policy("*",
                "{\"StringLike\":{\"s3:prefix\":\"home/*\"}}"))).policy().arn();
        iam.attachUserPolicy(r -> r.userName("keyed-user").policyArn(managed));
        iam.createGroup(r -> r.groupName("keyed-group"));
        iam.addUserToGroup(r -> r.groupName("keyed-group").userName("keyed-user"));
        iam.putGroupPolicy(r -> r.groupName("keyed-group").policyName("group").policyDocument(policy("*",
                "{\"Bool\":{\"aws:MultiFactorAuthPresent\":\"true\"}}")));

        String user = userArn(SOURCE, "keyed-user");
        assertEquals(List.of("aws:userid", "aws:SecureTransport", "s3:prefix", "aws:MultiFactorAuthPresent"),
                iam.getContextKeysForPrincipalPolicy(r -> r.policySourceArn(user)).contextKeyNames());
        assertEquals(List.of("aws:userid", "aws:SecureTransport", "s3:prefix", "aws:MultiFactorAuthPresent",
                "aws:RequestedRegion"), iam.getContextKeysForPrincipalPolicy(r -> r.policySourceArn(user)
                .policyInputList(policy("*", "{\"StringEquals\":{\"aws:RequestedRegion\":\"eu-west-1\","
                        + "\"s3:prefix\":\"x\"}}"))).contextKeyNames());
        assertEquals(List.of("aws:MultiFactorAuthPresent"), iam.getContextKeysForPrincipalPolicy(
                r -> r.policySourceArn("arn:aws:iam::" + SOURCE + ":group/keyed-group")).contextKeyNames());

        iam.createRole(r -> r.roleName("keyed-role").assumeRolePolicyDocument("{\"Version\":\"2012-10-17\","
                + "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},"
                + "\"Action\":\"sts:AssumeRole\"}]}"));
        assertEquals(List.of(), iam.getContextKeysForPrincipalPolicy(
                r -> r.policySourceArn(TestCrossrole.roleArn(SOURCE, "keyed-role"))).contextKeyNames());
        iam.attachRolePolicy(r -> r.roleName("keyed-role").policyArn(managed));
        assertEquals(List.of("s3:prefix"), iam.getContextKeysForPrincipalPolicy(
                r -> r.policySourceArn(TestCrossrole.roleArn(SOURCE, "keyed-role"))).contextKeyNames());
    }

    @Test
    void malformedPoliciesAndUnknownPrincipalsGetIamsErrors() {
        IamException malformed = IamSdk.fails(() -> iam.getContextKeysForCustomPolicy(r -> r.policyInputList("{")));
        assertEquals("MalformedPolicyDocument", malformed.awsErrorDetails().errorCode());
        assertError(() -> iam.getContextKeysForPrincipalPolicy(r -> r.policySourceArn(userArn(SOURCE, "nobody-here"))),
                404, "NoSuchEntity", "The user with name nobody-here cannot be found.");
        assertError(() -> iam.getContextKeysForPrincipalPolicy(r -> r.policySourceArn(
                TestCrossrole.roleArn(SOURCE, "no-role-here"))), 404, "NoSuchEntity",
                "The role with name no-role-here cannot be found.");
    }

    @Test
    void anotherAccountsPrincipalsAreNotRead() {
        try (IamClient other = IamSdk.iam(crossrole, crossrole.adminCredentials(DESTINATION))) {
            other.createUser(r -> r.userName("secretive"));
            other.putUserPolicy(r -> r.userName("secretive").policyName("p").policyDocument(policy("*",
                    "{\"StringEquals\":{\"aws:PrincipalTag/clearance\":\"top\"}}")));
        }
        IamException denied = IamSdk.fails(() -> iam.getContextKeysForPrincipalPolicy(
                r -> r.policySourceArn(userArn(DESTINATION, "secretive"))));
        assertEquals("AccessDenied", denied.awsErrorDetails().errorCode());
        assertEquals(403, denied.statusCode());
    }
}
