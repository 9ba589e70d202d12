package dev.crossrole.it;

import static dev.crossrole.it.IamSdk.assertError;
import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.GetOpenIdConnectProviderResponse;
import software.amazon.awssdk.services.iam.model.OpenIDConnectProviderListEntry;
import software.amazon.awssdk.services.iam.model.Tag;

/**
 * IAM OpenID Connect providers through the AWS SDK for Java v2: every operation of the model, IAM's answers to bad
 * URLs, quotas and duplicates, idempotent deletes and client-id changes, and no reach into another account's.
 */
class IamOidcProvidersSdkTest {
    static TestCrossrole crossrole;
    static IamClient iam;
    static IamClient otherAccount;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        iam = IamSdk.iam(crossrole, crossrole.adminCredentials(SOURCE));
        otherAccount = IamSdk.iam(crossrole, crossrole.adminCredentials(DESTINATION));
    }

    @AfterAll
    static void stop() throws Exception {
        iam.close();
        otherAccount.close();
        crossrole.close();
    }

    static String arn(String url) {
        return "arn:aws:iam::" + SOURCE + ":oidc-provider/" + url;
    }

    @Test
    void aProviderLivesThroughEveryOperation() {
        String arn = iam.createOpenIDConnectProvider(r -> r.url("https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE1")
                .clientIDList("sts.amazonaws.com").thumbprintList("9E99A48A9960B14926BB7F3B02E22DA2B0AB7280")
                .tags(Tag.builder().key("team").value("platform").build())).openIDConnectProviderArn();
        assertEquals(arn("oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE1"), arn);

        GetOpenIdConnectProviderResponse got = iam.getOpenIDConnectProvider(r -> r.openIDConnectProviderArn(arn));
        assertEquals("oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE1", got.url());
        assertEquals(List.of("sts.amazonaws.com"), got.clientIDList());
        assertEquals(List.of("9e99a48a9960b14926bb7f3b02e22da2b0ab7280"), got.thumbprintList(), "kept lower-cased");
        assertEquals("platform", got.tags().get(0).value());
        assertTrue(iam.listOpenIDConnectProviders().openIDConnectProviderList().stream()
                .map(OpenIDConnectProviderListEntry::arn).anyMatch(arn::equals));

        iam.addClientIDToOpenIDConnectProvider(r -> r.openIDConnectProviderArn(arn).clientID("other-client"));
        iam.addClientIDToOpenIDConnectProvider(r -> r.openIDConnectProviderArn(arn).clientID("other-client"));
        assertEquals(List.of("sts.amazonaws.com", "other-client"),
                iam.getOpenIDConnectProvider(r -> r.openIDConnectProviderArn(arn)).clientIDList(), "added once");
        iam.removeClientIDFromOpenIDConnectProvider(r -> r.openIDConnectProviderArn(arn).clientID("other-client"));
        iam.removeClientIDFromOpenIDConnectProvider(r -> r.openIDConnectProviderArn(arn).clientID("never-there"));
        assertEquals(List.of("sts.amazonaws.com"),
                iam.getOpenIDConnectProvider(r -> r.openIDConnectProviderArn(arn)).clientIDList());

        iam.updateOpenIDConnectProviderThumbprint(r -> r.openIDConnectProviderArn(arn)
                .thumbprintList("1111111111111111111111111111111111111111", "2222222222222222222222222222222222222222"));
        assertEquals(2, iam.getOpenIDConnectProvider(r -> r.openIDConnectProviderArn(arn)).thumbprintList().size());

        iam.tagOpenIDConnectProvider(r -> r.openIDConnectProviderArn(arn).tags(Tag.builder().key("env").value("ci").build()));
        assertEquals(2, iam.listOpenIDConnectProviderTags(r -> r.openIDConnectProviderArn(arn)).tags().size());
        iam.untagOpenIDConnectProvider(r -> r.openIDConnectProviderArn(arn).tagKeys("TEAM"));
        assertEquals(List.of("env"), iam.listOpenIDConnectProviderTags(r -> r.openIDConnectProviderArn(arn)).tags()
                .stream().map(Tag::key).toList());

        iam.deleteOpenIDConnectProvider(r -> r.openIDConnectProviderArn(arn));
        assertError(() -> iam.getOpenIDConnectProvider(r -> r.openIDConnectProviderArn(arn)), 404, "NoSuchEntity",
                "OpenIDConnect Provider not found for arn " + arn);
        // Deleting again is no error (IAM API Reference, DeleteOpenIDConnectProvider).
        iam.deleteOpenIDConnectProvider(r -> r.openIDConnectProviderArn(arn));
        assertError(() -> iam.addClientIDToOpenIDConnectProvider(r -> r.openIDConnectProviderArn(arn).clientID("x")),
                404, "NoSuchEntity", "OpenIDConnect Provider not found for arn " + arn);
    }

    @Test
    void badUrlsAndListsGetIamsErrors() {
        assertError(() -> iam.createOpenIDConnectProvider(r -> r.url("example.com")), 400, "ValidationError",
                "Invalid Open ID Connect Provider URL");
        assertError(() -> iam.createOpenIDConnectProvider(r -> r.url("http://example.com")), 400, "InvalidInput",
                "Invalid Open ID Connect Provider URL. The URL must begin with https://.");
        for (String url : List.of("https://user:pw@example.com", "https://example.com?x=1", "https://example.com#f",
                "https://example.com:8443", "https://exa_mple.com")) {
            assertError(() -> iam.createOpenIDConnectProvider(r -> r.url(url)), 400, "InvalidInput",
                    "Invalid Open ID Connect Provider URL.");
        }
        assertError(() -> iam.createOpenIDConnectProvider(r -> r.url("https://six.example.com").thumbprintList(
                "1111111111111111111111111111111111111111", "2222222222222222222222222222222222222222",
                "3333333333333333333333333333333333333333", "4444444444444444444444444444444444444444",
                "5555555555555555555555555555555555555555", "6666666666666666666666666666666666666666")),
                400, "InvalidInput", "Thumbprint list must contain fewer than 5 entries.");
        List<String> tooMany = java.util.stream.IntStream.range(0, 101).mapToObj(i -> "client-" + i).toList();
        assertError(() -> iam.createOpenIDConnectProvider(r -> r.url("https://many.example.com").clientIDList(tooMany)),
                409, "LimitExceeded", "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100");
        assertError(() -> iam.createOpenIDConnectProvider(r -> r.url("https://tags.example.com").tags(
                Tag.builder().key("k").value("1").build(), Tag.builder().key("K").value("2").build())),
                400, "InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive.");
        assertTrue(iam.listOpenIDConnectProviders().openIDConnectProviderList().stream()
                .noneMatch(p -> p.arn().contains("example.com")), "nothing refused was created");

        iam.createOpenIDConnectProvider(r -> r.url("https://twice.example.com"));
        assertError(() -> iam.createOpenIDConnectProvider(r -> r.url("https://twice.example.com")), 409,
                "EntityAlreadyExists", "Provider with url https://twice.example.com already exists.");
        // A trailing slash makes another provider, as on IAM.
        assertEquals(arn("twice.example.com/"), iam.createOpenIDConnectProvider(r -> r.url("https://twice.example.com/"))
                .openIDConnectProviderArn());

        assertError(() -> iam.getOpenIDConnectProvider(r -> r.openIDConnectProviderArn("not-an-arn-at-all-here")), 400,
                "ValidationError", "Invalid ARN:  Could not be parsed!");
    }

    @Test
    void anotherAccountsProviderIsOutOfReach() {
        String arn = iam.createOpenIDConnectProvider(r -> r.url("https://private.example.org").clientIDList("a"))
                .openIDConnectProviderArn();
        IamSdk.fails(() -> otherAccount.getOpenIDConnectProvider(r -> r.openIDConnectProviderArn(arn)));
        IamSdk.fails(() -> otherAccount.deleteOpenIDConnectProvider(r -> r.openIDConnectProviderArn(arn)));
        assertTrue(otherAccount.listOpenIDConnectProviders().openIDConnectProviderList().isEmpty());
        assertEquals(List.of("a"), iam.getOpenIDConnectProvider(r -> r.openIDConnectProviderArn(arn)).clientIDList());
    }
}
