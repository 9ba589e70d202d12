package dev.crossrole.server.tasks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * An image as {@code docker save} writes it ("docker-archive"), which both Docker's and Podman's
 * {@code POST /images/load} take: a tar of {@code manifest.json} (the config's file, the layers' files in order and
 * the image's name), the config, and the layers. Layers go in as the registry served them: both engines decompress
 * a compressed layer as they load it and check it against the config's {@code diff_ids}.
 */
final class DockerArchive {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DockerArchive() {}

    /** Writes {@code image} as a docker-archive to {@code out}. */
    static void write(PulledImage image, OutputStream out) throws IOException {
        String configFile = sha256(image.config()) + ".json";
        ObjectNode entry = JSON.createObjectNode().put("Config", configFile);
        entry.putArray("RepoTags").add(image.name());
        ArrayNode layers = entry.putArray("Layers");
        Set<Path> files = new LinkedHashSet<>();
        for (Path layer : image.layers()) {
            layers.add(layerName(layer));
            files.add(layer);
        }
        ArrayNode manifest = JSON.createArrayNode().add(entry);
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            add(tar, "manifest.json", manifest.toString().getBytes(StandardCharsets.UTF_8));
            add(tar, configFile, image.config());
            for (Path layer : files) {
                TarArchiveEntry file = new TarArchiveEntry(layerName(layer));
                file.setSize(Files.size(layer));
                file.setMode(0644);
                tar.putArchiveEntry(file);
                Files.copy(layer, tar);
                tar.closeArchiveEntry();
            }
            tar.finish();
        }
    }

    private static String layerName(Path layer) {
        return "layers/" + layer.getFileName() + ".tar";
    }

    private static void add(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(content.length);
        entry.setMode(0644);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
