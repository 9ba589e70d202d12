package dev.crossrole.server.ecs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EnvironmentFilesTest {

    private static Map<String, String> parse(String text) {
        return EnvironmentFiles.parse(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void linesAreSplitAtTheFirstEqualsSignAndWhatTheAgentSkipsIsSkipped() {
        assertEquals(Map.of("A", "1", "TOKEN", "abc==", "URL", "postgres://h/db?x=y", "SPACED", " kept ",
                        " #NOT_A_COMMENT", "it does not begin with #"),
                parse("# comment\nA=1\nTOKEN=abc==\n\nURL=postgres://h/db?x=y\nnot a variable\n=nameless\nEMPTY=\n"
                        + "SPACED= kept \n #NOT_A_COMMENT=it does not begin with #\n"));
    }

    @Test
    void aNameSetTwiceInOneFileKeepsItsLastValueAndWindowsLineEndsAreLines() {
        assertEquals(Map.of("A", "2", "B", "x"), parse("A=1\r\nA=2\r\nB=x"));
    }

    @Test
    void theContainersOwnVariablesWinThenTheFirstFile() {
        EnvironmentFiles.Merged merged = EnvironmentFiles.merge(
                Map.of("DEFINED", "definition", "PATH", "/host/bin", "HOME", "/task", "AWS_REGION", "us-east-1"),
                Set.of("PATH", "HOME"),
                List.of(Map.of("DEFINED", "file", "SHARED", "first", "PATH", "/first/bin", "AWS_REGION", "eu-west-1"),
                        Map.of("SHARED", "second", "PATH", "/second/bin", "ONLY_SECOND", "2")));
        assertEquals(Map.of("DEFINED", "definition", "SHARED", "first", "PATH", "/first/bin", "HOME", "/task",
                "AWS_REGION", "us-east-1", "ONLY_SECOND", "2"), merged.environment());
        assertEquals(Set.of("SHARED", "PATH", "ONLY_SECOND"), merged.fromFiles());
    }

    @Test
    void onlyS3ObjectArnsAreFiles() throws Exception {
        assertEquals(Optional.of(new EnvironmentFiles.Location("arn:aws:s3:::b/dir/app.env", "b", "dir/app.env")),
                EnvironmentFiles.location("arn:aws:s3:::b/dir/app.env"));
        for (String bad : new String[] {"s3://b/app.env", "arn:aws:s3:::b", "arn:aws:s3:::b/", "arn:aws:s3:::/k",
                "arn:aws:s3:us-east-1::b/k", null}) {
            assertTrue(EnvironmentFiles.location(bad).isEmpty(), String.valueOf(bad));
        }
        ObjectMapper json = new ObjectMapper();
        assertEquals(Optional.of("Invalid arn syntax."), EnvironmentFiles.invalid("app",
                json.readTree("[{\"type\":\"s3\",\"value\":\"arn:aws:s3:::b\"}]")));
        assertEquals(Optional.of("Invalid environmentFiles type for container app: only 's3' is supported."),
                EnvironmentFiles.invalid("app", json.readTree("[{\"type\":\"http\",\"value\":\"arn:aws:s3:::b/k\"}]")));
        assertEquals(Optional.empty(), EnvironmentFiles.invalid("app",
                json.readTree("[{\"type\":\"s3\",\"value\":\"arn:aws:s3:::b/k.env\"}]")));
    }
}
