package dev.crossrole.server.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link Pipeline#readsOnly}: which requests may be answered on the thread that read them. Only requests it can tell
 * read state count; everything it cannot tell is answered on a worker.
 */
class ReadsOnlyTest {
    private static final String FORM = "application/x-www-form-urlencoded";

    private static String authorization(String service) {
        return "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261206/us-east-1/" + service
                + "/aws4_request, SignedHeaders=host;x-amz-date, Signature=0123";
    }

    private static HttpRequest request(String method, String path, String query, String body, String... headers) {
        List<Map.Entry<String, String>> list = new ArrayList<>();
        list.add(Map.entry("Host", "127.0.0.1:4566"));
        for (int i = 0; i < headers.length; i += 2) {
            list.add(Map.entry(headers[i], headers[i + 1]));
        }
        return new HttpRequest(method, path, query, list, body.getBytes(StandardCharsets.UTF_8), "127.0.0.1", false);
    }

    private static HttpRequest query(String service, String form) {
        return request("POST", "/", null, form, "Content-Type", FORM, "Authorization", authorization(service));
    }

    @Test
    void queryCallsThatReadOnly() {
        assertTrue(Pipeline.readsOnly(query("sts", "Action=GetCallerIdentity&Version=2011-06-15"), true));
        assertTrue(Pipeline.readsOnly(query("sts", "Version=2011-06-15&Action=AssumeRole&RoleArn=x"), true),
                "STS keeps no state: its sessions are sealed in their tokens");
        assertTrue(Pipeline.readsOnly(query("iam", "Action=GetRole&RoleName=r&Version=2010-05-08"), true));
        assertTrue(Pipeline.readsOnly(query("iam", "Action=ListRoles&Version=2010-05-08"), true));
        assertTrue(Pipeline.readsOnly(query("iam", "Action=GenerateOrganizationsAccessReport&Version=2010-05-08"), true),
                "IAM's access level for it is Read, though its name does not say so");
    }

    @Test
    void queryCallsThatChangeStateOrCannotBeTold() {
        assertFalse(Pipeline.readsOnly(query("iam", "Action=CreateRole&RoleName=r&Version=2010-05-08"), true));
        assertFalse(Pipeline.readsOnly(query("iam", "Action=TagRole&RoleName=r&Version=2010-05-08"), true));
        assertFalse(Pipeline.readsOnly(query("iam", "Action=GenerateCredentialReport&Version=2010-05-08"), true),
                "its access level is Read, but crossrole stores the report it makes");
        assertFalse(Pipeline.readsOnly(query("iam", "Action=GenerateServiceLastAccessedDetails&Version=2010-05-08"), true),
                "its access level is Read, but crossrole stores the report job it starts");
        assertFalse(Pipeline.readsOnly(query("iam", "Action=GetNoSuchThing&Version=2010-05-08"), true),
                "a name in no model, whatever its prefix");
        assertFalse(Pipeline.readsOnly(query("iam", "Action=Delete%52ole&Version=2010-05-08"), true), "encoded");
        assertFalse(Pipeline.readsOnly(query("iam", "Version=2010-05-08"), true), "no Action");
        assertFalse(Pipeline.readsOnly(query("iam", "XAction=GetRole"), true), "a longer name ending in Action");
        assertFalse(Pipeline.readsOnly(request("POST", "/", null, "Action=GetCallerIdentity", "Content-Type", FORM), true),
                "unsigned: no service to tell");
        assertFalse(Pipeline.readsOnly(request("GET", "/", "Action=CreateRole&Version=2010-05-08", "",
                "Authorization", authorization("iam")), true), "a Query call by GET is judged by its Action too");
        assertFalse(Pipeline.readsOnly(query("sts", "Action=AssumeRole&Version=2011-06-15&RoleArn=x&SerialNumber=s"
                + "&TokenCode=123456"), true), "an MFA code is used up: a durable write");
        assertFalse(Pipeline.readsOnly(query("sts", "Action=GetSessionToken&Version=2011-06-15&Token%43ode=123456"),
                true), "encoded");
        assertFalse(Pipeline.readsOnly(request("GET", "/_sns/confirm", "TopicArn=t&Token=0123", ""), true),
                "SNS's SubscribeURL is a GET that confirms a subscription");
        assertFalse(Pipeline.readsOnly(request("GET", "/_sns/unsubscribe", "SubscriptionArn=s", ""), true));
    }

    @Test
    void jsonCallsAreJudgedByTheirTarget() {
        String ecs = authorization("ecs");
        assertTrue(Pipeline.readsOnly(request("POST", "/", null, "{}", "X-Amz-Target",
                "AmazonEC2ContainerServiceV20141113.DescribeTasks", "Authorization", ecs), true));
        assertFalse(Pipeline.readsOnly(request("POST", "/", null, "{}", "X-Amz-Target",
                "AmazonEC2ContainerServiceV20141113.RunTask", "Authorization", ecs), true));
        assertFalse(Pipeline.readsOnly(request("POST", "/", null, "{}", "X-Amz-Target", "NoOperation",
                "Authorization", ecs), true));
        assertFalse(Pipeline.readsOnly(request("POST", "/", null, "{}", "X-Amz-Target", "OtherService.DescribeTasks",
                "Authorization", ecs), true), "a target prefix that is not the service's");
        assertFalse(Pipeline.readsOnly(request("POST", "/", null, "{}", "X-Amz-Target",
                "AmazonEC2ContainerServiceV20141113.NoSuchOperation", "Authorization", ecs), true), "in no model");
    }

    @Test
    void s3AndLocalRoutesByMethodTheAdministratorsNever() {
        String s3 = authorization("s3");
        assertTrue(Pipeline.readsOnly(request("GET", "/bucket/key", null, "", "Authorization", s3), true));
        assertTrue(Pipeline.readsOnly(request("HEAD", "/bucket/key", null, "", "Authorization", s3), true));
        assertFalse(Pipeline.readsOnly(request("PUT", "/bucket/key", null, "x", "Authorization", s3), true));
        assertFalse(Pipeline.readsOnly(request("DELETE", "/bucket/key", null, "", "Authorization", s3), true));
        assertFalse(Pipeline.readsOnly(request("POST", "/bucket", "delete", "<Delete/>", "Authorization", s3), true));
        assertTrue(Pipeline.readsOnly(request("GET", "/v2/credentials/abc", null, ""), true));
        assertFalse(Pipeline.readsOnly(request("GET", "/_crossrole/tasks", null, ""), true));
    }
}
