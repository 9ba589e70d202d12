package dev.crossrole.server.tasks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The docker-archive an ECR image is loaded into an engine as: what {@code docker save} writes. */
class DockerArchiveTest {
    @Test
    void manifestConfigAndEachLayerOnceInTheManifestsOrder(@TempDir Path folder) throws Exception {
        Path first = Files.write(folder.resolve("aa"), "first layer".getBytes(StandardCharsets.UTF_8));
        Path second = Files.write(folder.resolve("bb"), "second layer".getBytes(StandardCharsets.UTF_8));
        byte[] config = "{\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DockerArchive.write(new PulledImage("111122223333.dkr.ecr.us-east-1.amazonaws.com/app:1", config,
                List.of(first, second, first), folder), out);

        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new ByteArrayInputStream(out.toByteArray()))) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                entries.put(entry.getName(), tar.readAllBytes());
            }
        }
        String configFile = DockerArchive.sha256(config) + ".json";
        assertEquals(List.of("manifest.json", configFile, "layers/aa.tar", "layers/bb.tar"),
                List.copyOf(entries.keySet()));
        assertArrayEquals(config, entries.get(configFile));
        assertArrayEquals("second layer".getBytes(StandardCharsets.UTF_8), entries.get("layers/bb.tar"));
        JsonNode manifest = new ObjectMapper().readTree(entries.get("manifest.json")).get(0);
        assertEquals(configFile, manifest.get("Config").asText());
        assertEquals("[\"111122223333.dkr.ecr.us-east-1.amazonaws.com/app:1\"]", manifest.get("RepoTags").toString());
        assertEquals("[\"layers/aa.tar\",\"layers/bb.tar\",\"layers/aa.tar\"]", manifest.get("Layers").toString());
    }
}
