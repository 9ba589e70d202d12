package dev.crossrole.server.http;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Only the {@code http} package knows the HTTP server library: every other source file of the server (and of the
 * command line) sees requests as {@link HttpRequest} and answers as {@link HttpResponse}, so the listener can be
 * replaced without touching a service.
 */
class HttpLibraryConfinedTest {
    private static final Pattern SERVER_LIBRARY = Pattern.compile("(?m)^\\s*import\\s+(static\\s+)?org\\.eclipse\\.jetty\\.");

    @Test
    void noSourceOutsideTheHttpPackageImportsJetty() throws IOException {
        Path server = Path.of("src", "main", "java");
        Path cli = Path.of("..", "cli", "src", "main", "java");
        List<String> offenders;
        try (Stream<Path> files = Stream.concat(Files.walk(server), Files.exists(cli) ? Files.walk(cli) : Stream.empty())) {
            offenders = files.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> !f.startsWith(server.resolve(Path.of("dev", "crossrole", "server", "http"))))
                    .filter(HttpLibraryConfinedTest::importsTheLibrary)
                    .map(Path::toString).toList();
        }
        assertTrue(Files.isDirectory(server.resolve(Path.of("dev", "crossrole", "server", "http"))), "run from server/");
        assertTrue(offenders.isEmpty(), "Jetty imported outside dev.crossrole.server.http: " + offenders);
    }

    @Test
    void theCheckSeesAnImport() {
        assertTrue(SERVER_LIBRARY.matcher("package x;\nimport org.eclipse.jetty.server.Request;\n").find());
    }

    private static boolean importsTheLibrary(Path file) {
        try {
            return SERVER_LIBRARY.matcher(Files.readString(file)).find();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
