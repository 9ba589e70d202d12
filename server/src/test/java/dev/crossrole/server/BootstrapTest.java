package dev.crossrole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.iam.AccessKeys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BootstrapTest {
    @TempDir
    Path dir;

    @Test
    void walkthroughAccountsAreReadyAndSurviveARestart() throws Exception {
        List<Bootstrap.Profile> first;
        String credentials;
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(dir).withPort(0))) {
            first = server.profiles();
            assertEquals(List.of("111122223333", "555566667777"), first.stream().map(p -> p.account().id()).toList());
            assertEquals(List.of("source", "destination"), first.stream().map(Bootstrap.Profile::name).toList());
            for (Bootstrap.Profile p : first) {
                assertTrue(p.accessKeyId().matches("AKIA[A-Z2-7]{16}"), p.accessKeyId());
                assertEquals(p.account().id(), AccessKeys.account(p.accessKeyId()));
                assertEquals(40, p.secretAccessKey().length());
            }
            credentials = Files.readString(server.credentialsFile());
            assertTrue(credentials.contains("[default]") && credentials.contains("[source]")
                    && credentials.contains("[destination]"), credentials);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(server.credentialsFile())));
            HttpResponse<String> health = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(server.endpoint() + "/_crossrole/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode());
            assertTrue(health.body().contains("\"status\":\"ok\""), health.body());
        }
        try (CrossroleServer again = CrossroleServer.start(CrossroleServer.Options.defaults(dir).withPort(0))) {
            assertEquals(first, again.profiles());
            assertEquals(credentials, Files.readString(again.credentialsFile()));
        }
    }

    @Test
    void configuredAccountsGetProfilesNamedByAlias() throws Exception {
        Path config = dir.resolve("accounts.json");
        Files.writeString(config, "{\"accounts\":[{\"id\":\"444455556666\",\"alias\":\"tooling\"},{\"id\":\"777788889999\"}]}");
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(dir.resolve("data"))
                .withPort(0).withAccountsConfig(config))) {
            assertEquals(List.of("tooling", "account-777788889999"),
                    server.profiles().stream().map(Bootstrap.Profile::name).toList());
        }
    }

    @Test
    void malformedAccountsConfigsAreRefusedWithTheField() throws Exception {
        assertConfigError("{\"accounts\":[{\"id\":\"1234\"}]}", "accounts[0].id must be a string of exactly 12 digits");
        assertConfigError("{\"accounts\":[]}", "\"accounts\" must be a non-empty array");
        assertConfigError("{\"accounts\":[{\"id\":\"111122223333\"},{\"id\":\"111122223333\"}]}", "is declared twice");
        assertConfigError("{\"accounts\":[{\"id\":\"111122223333\",\"alias\":\"Bad_Alias\"}]}", "accounts[0].alias must be");
        assertConfigError("{\"accounts\":[{\"id\":\"111122223333\",\"name\":\"x\"}]}", "unknown field \"name\"");
        assertConfigError("{\"acounts\":[]}", "unknown field \"acounts\"");
        assertConfigError("{not json", "not valid JSON");
        ConfigException missing = assertThrows(ConfigException.class,
                () -> AccountsConfig.load(dir.resolve("absent.json")));
        assertTrue(missing.getMessage().endsWith("no such file"), missing.getMessage());
    }

    private void assertConfigError(String content, String expected) throws Exception {
        Path config = Files.createTempFile(dir, "accounts", ".json");
        Files.writeString(config, content);
        Path data = Files.createTempDirectory(dir, "data");
        ConfigException e = assertThrows(ConfigException.class, () -> CrossroleServer.start(
                CrossroleServer.Options.defaults(data).withPort(0).withAccountsConfig(config)));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        // Nothing was created for a refused configuration.
        assertTrue(Files.list(data).findAny().isEmpty(), "data directory must stay empty");
    }
}
