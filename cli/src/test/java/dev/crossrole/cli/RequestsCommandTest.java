package dev.crossrole.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crossrole.server.Bootstrap;
import dev.crossrole.server.CrossroleServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code crossrole requests} and the admin API's {@code /_crossrole/requests} filters behind it. */
class RequestsCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void listsRecentRequestsFilteredByDecisionAndAccount() throws Exception {
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(dir.resolve("w")).withPort(0))) {
            server.iam().createRole("555566667777", "destination-account-role", "/", "{\"Version\":\"2012-10-17\","
                    + "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::555566667777:root\"},"
                    + "\"Action\":\"sts:AssumeRole\"}]}", 3600, Map.of());
            Bootstrap.Profile source = server.profiles().get(0);
            Bootstrap.Profile destination = server.profiles().get(1);
            HttpResponse<String> denied = ServeAndWhyTest.signedPost(server, source, "Action=AssumeRole&Version=2011-06-15"
                    + "&RoleArn=arn%3Aaws%3Aiam%3A%3A555566667777%3Arole%2Fdestination-account-role&RoleSessionName=listed");
            assertEquals(403, denied.statusCode(), denied.body());
            String deniedId = denied.headers().firstValue("x-amzn-RequestId").orElseThrow();
            HttpResponse<String> allowed = ServeAndWhyTest.signedPost(server, destination,
                    "Action=GetCallerIdentity&Version=2011-06-15");
            assertEquals(200, allowed.statusCode(), allowed.body());
            String allowedId = allowed.headers().firstValue("x-amzn-RequestId").orElseThrow();
            String endpoint = server.endpoint();
            String data = dir.resolve("w").toString();

            CliTest.Result all = CliTest.run("requests", "--endpoint", endpoint, "--data-dir", data);
            assertEquals(0, all.exit(), all.err());
            String[] lines = all.out().split("\n");
            assertTrue(lines[0].matches("TIME +REQUEST-ID +STATUS +DECISION +ACTION +CALLER +RESOURCE"), lines[0]);
            assertTrue(lines[1].contains(allowedId) && lines[1].contains("200") && lines[1].contains("sts:GetCallerIdentity")
                    && lines[1].contains("arn:aws:iam::555566667777:user/admin"), "newest first: " + lines[1]);
            assertTrue(lines[2].contains(deniedId) && lines[2].contains("403") && lines[2].contains("sts:AssumeRole")
                    && lines[2].contains("arn:aws:iam::111122223333:user/admin")
                    && lines[2].contains("arn:aws:iam::555566667777:role/destination-account-role"), lines[2]);
            assertTrue(lines[1].matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ .*"), "time to the second: " + lines[1]);

            CliTest.Result onlyDenied = CliTest.run("requests", "--denied", "--endpoint", endpoint, "--data-dir", data);
            assertEquals(0, onlyDenied.exit(), onlyDenied.err());
            assertEquals(2, onlyDenied.out().split("\n").length, onlyDenied.out());
            assertTrue(onlyDenied.out().contains(deniedId), onlyDenied.out());

            // the source account's caller, and the destination account's role it named, both belong to the denial
            CliTest.Result source111 = CliTest.run("requests", "--account", "111122223333", "--endpoint", endpoint,
                    "--data-dir", data);
            assertTrue(source111.out().contains(deniedId) && !source111.out().contains(allowedId), source111.out());
            CliTest.Result destination555 = CliTest.run("requests", "--account", "555566667777", "--json",
                    "--endpoint", endpoint, "--data-dir", data);
            JsonNode listed = JSON.readTree(destination555.out()).path("requests");
            assertEquals(2, listed.size(), destination555.out());
            assertEquals(allowedId, listed.get(0).path("requestId").asText());
            assertEquals(deniedId, listed.get(1).path("requestId").asText());
            assertEquals("403", listed.get(1).path("httpStatus").asText());

            CliTest.Result one = CliTest.run("requests", "--limit", "1", "--endpoint", endpoint, "--data-dir", data);
            assertEquals(2, one.out().split("\n").length, one.out());
            assertTrue(one.out().contains(allowedId), one.out());

            CliTest.Result none = CliTest.run("requests", "--denied", "--account", "999999999999", "--endpoint", endpoint,
                    "--data-dir", data);
            assertEquals(0, none.exit());
            assertEquals("", none.out());
            assertTrue(none.err().contains("no request denied of account 999999999999"), none.err());

            // bad filters: the admin API's 400 and its message, exit 2
            CliTest.Result badLimit = CliTest.run("requests", "--limit", "0", "--endpoint", endpoint, "--data-dir", data);
            assertEquals(2, badLimit.exit());
            assertTrue(badLimit.err().contains("limit must be a number from 1 to 1000, not '0'"), badLimit.err());
            CliTest.Result badAccount = CliTest.run("requests", "--account", "12", "--endpoint", endpoint, "--data-dir", data);
            assertEquals(2, badAccount.exit());
            assertTrue(badAccount.err().contains("account must be an account id of 12 digits, not '12'"), badAccount.err());
            CliTest.Result notANumber = CliTest.run("requests", "--limit", "x", "--endpoint", endpoint, "--data-dir", data);
            assertEquals(2, notANumber.exit());
            assertTrue(notANumber.err().contains("'x' is not an int"), notANumber.err());

            AdminClient admin = new AdminClient(endpoint, Files.readString(dir.resolve("w").resolve("admin-token")).strip());
            for (String[] bad : new String[][] {{"limit=1001", "limit must be a number from 1 to 1000, not '1001'"},
                    {"limit=", "limit must be a number from 1 to 1000, not ''"},
                    {"denied=yes", "denied must be true or false, not 'yes'"},
                    {"account=11112222333a", "account must be an account id of 12 digits, not '11112222333a'"},
                    {"caller=x", "Unknown parameter 'caller': /_crossrole/requests takes limit, denied and account"}}) {
                AdminClient.Response response = admin.get("/_crossrole/requests?" + bad[0]);
                assertEquals(400, response.status(), bad[0]);
                assertEquals(bad[1], response.message(), bad[0]);
            }
            assertEquals(1, admin.get("/_crossrole/requests?denied=true&limit=1000").json().path("requests").size());
            assertFalse(admin.get("/_crossrole/requests?denied=false").json().path("requests").isEmpty());

            // without the administrator's token nothing is listed
            CliTest.Result tokenless = CliTest.run("requests", "--endpoint", endpoint, "--data-dir",
                    dir.resolve("elsewhere").toString());
            assertEquals(2, tokenless.exit());
            assertEquals("", tokenless.out());
            assertTrue(tokenless.err().contains("This admin route needs the administrator's token"), tokenless.err());
        }
    }
}
