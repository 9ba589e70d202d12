package dev.crossrole.server.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LaunchEnvironmentTest {
    private static final Path ENV = Path.of("/usr/bin/env");

    @Test
    void loaderLocaleAndShellVariablesAreTheCommandsAlone() {
        Map<String, String> container = new LinkedHashMap<>();
        for (String name : List.of("LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT", "GCONV_PATH", "GLIBC_TUNABLES",
                "MALLOC_CHECK_", "LC_ALL", "LANG", "TZ", "LOCPATH", "BASH_ENV", "ENV", "TMPDIR")) {
            container.put(name, "x");
        }
        container.put("AWS_CONTAINER_AUTHORIZATION_TOKEN", "secret-token");
        container.put("PATH", "/usr/bin:/bin");
        container.put("ld_preload", "lower case is no loader variable");
        LaunchEnvironment split = LaunchEnvironment.of(container);
        assertEquals(Map.of("AWS_CONTAINER_AUTHORIZATION_TOKEN", "secret-token", "PATH", "/usr/bin:/bin",
                "ld_preload", "lower case is no loader variable"), split.launcher());
        assertEquals(13, split.command().size());
        assertTrue(split.command().keySet().stream().noneMatch(split.launcher()::containsKey));
    }

    @Test
    void theCommandIsRunByEnvWithItsVariablesAndNoSecretInTheArguments() throws IOException {
        LaunchEnvironment split = LaunchEnvironment.of(Map.of("LD_DEBUG", "files", "AWS_CONTAINER_AUTHORIZATION_TOKEN", "t"));
        assertEquals(List.of("/usr/bin/env", "--", "LD_DEBUG=files", "-weird", "arg"), split.wrap(ENV, List.of("-weird", "arg")));
        assertEquals(List.of("sleep", "1"), LaunchEnvironment.of(Map.of("A", "b")).wrap(ENV, List.of("sleep", "1")),
                "nothing to set: the command as it is");
        IOException refused = assertThrows(IOException.class, () -> split.wrap(ENV, List.of("a=b", "c")));
        assertTrue(refused.getMessage().contains("'a=b'"), refused.getMessage());
    }
}
