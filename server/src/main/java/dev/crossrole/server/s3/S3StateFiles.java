package dev.crossrole.server.s3;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crossrole.server.store.PrivateFiles;
import dev.crossrole.server.store.Store;
import dev.crossrole.server.store.StoredRecord;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Object bytes for {@code crossrole state export|import}: the state document holds S3's records, and the
 * blobs they reference travel as files in a folder beside it, named by the object's (or version's, or part's) id.
 */
public final class S3StateFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private S3StateFiles() {}

    /** The folder of object bytes that goes with a state document. */
    public static Path blobFolder(Path document) {
        return document.resolveSibling(document.getFileName() + ".blobs");
    }

    /** What an export of the bytes did: blobs written, and the ids of those missing from the data directory. */
    public record Exported(int written, List<String> missing) {}

    /** The number of objects, older versions and parts in the store, whose bytes an export must carry. */
    public static int referencedBlobs(Store store) throws IOException {
        int count = 0;
        for (StoredRecord record : blobRecords(store)) {
            if (JSON.readTree(record.value()).hasNonNull("objectId")) {
                count++;
            }
        }
        return count;
    }

    /** The records that may name a blob: objects, versions (delete markers name none) and parts. */
    private static List<StoredRecord> blobRecords(Store store) {
        List<StoredRecord> records = new ArrayList<>(store.scan(StoreS3Repository.OBJECTS));
        records.addAll(store.scan(StoreS3Repository.VERSIONS));
        records.addAll(store.scan(StoreS3Repository.PARTS));
        return records;
    }

    /**
     * Where serve keeps object bytes for this store: the folder named by {@code --s3-blobs}, else the store's
     * database if it is one, else the data directory's blob folder.
     */
    public static BlobStore blobs(Store store, Path dataDir, Path named) throws IOException {
        return BlobStore.of(store, dataDir.resolve("s3").resolve("blobs"), named);
    }

    /**
     * Copies the bytes of every object and part in {@code store} from {@code blobs} into {@code folder}
     * (created 0700; emptied of earlier blobs first), each a file of mode 0600.
     */
    public static Exported exportBlobs(Store store, BlobStore blobs, Path folder) throws IOException {
        if (Files.isDirectory(folder)) {
            try (DirectoryStream<Path> old = Files.newDirectoryStream(folder)) {
                for (Path file : old) {
                    Files.delete(file);
                }
            }
        }
        PrivateFiles.createDirectories(folder);
        PrivateFiles.restrict(folder);
        int written = 0;
        List<String> missing = new ArrayList<>();
        for (StoredRecord record : blobRecords(store)) {
            JsonNode node = JSON.readTree(record.value());
            if (!node.hasNonNull("objectId")) {
                continue; // a delete marker
            }
            String id = node.path("objectId").asText();
            if (!blobs.exists(id)) {
                missing.add(record.key());
                continue;
            }
            blobs.export(id, node.path("size").asLong(), folder.resolve(id));
            written++;
        }
        return new Exported(written, missing);
    }

    /**
     * Copies the blobs of an exported folder into {@code blobs}, durably, before the records that
     * reference them are imported. Returns how many.
     */
    public static int importBlobs(Path folder, BlobStore blobs) throws IOException {
        int copied = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder)) {
            for (Path file : files) {
                String id = file.getFileName().toString();
                try (BlobStore.Pending pending = blobs.create();
                     java.nio.channels.FileChannel in = java.nio.channels.FileChannel.open(file)) {
                    long size = in.size();
                    long position = 0;
                    while (position < size) {
                        position += in.transferTo(position, size - position, pending.channel());
                    }
                    pending.publish(id);
                }
                copied++;
            }
        }
        return copied;
    }
}
