package dev.crossrole.bench.load;

import dev.crossrole.server.ModeTightening;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * What tightening a data directory adds to crossrole's start when it holds many S3 blobs: {@code fill} makes a
 * data directory of BLOBS small blob files under {@code s3/blobs} with the modes an older crossrole left
 * (folders 0755, files 0644); {@code tighten} times, in a fresh JVM, what a start does with it
 * ({@link ModeTightening#start}): the part the start waits for, then the background walk of the blobs (the first
 * run changes every file, later ones find nothing to change).
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar dev.crossrole.bench.load.TightenLoad fill BLOBS DATA_DIR},
 * then {@code … TightenLoad tighten DATA_DIR}.
 */
public final class TightenLoad {
    public static void main(String[] args) throws Exception {
        if (args.length == 3 && args[0].equals("fill")) {
            fill(Integer.parseInt(args[1]), Path.of(args[2]));
        } else if (args.length == 2 && args[0].equals("tighten")) {
            tighten(Path.of(args[1]));
        } else {
            System.err.println("usage: TightenLoad fill BLOBS DATA_DIR | TightenLoad tighten DATA_DIR");
            System.exit(2);
        }
    }

    private static void fill(int blobs, Path data) throws Exception {
        Path folder = Files.createDirectories(data.resolve("s3").resolve("blobs"));
        byte[] bytes = "sixteen bytes...".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (int i = 0; i < blobs; i++) {
            Path blob = folder.resolve(String.format("%032x", i));
            Files.write(blob, bytes);
            Files.setPosixFilePermissions(blob, PosixFilePermissions.fromString("rw-r--r--"));
        }
        for (Path p : new Path[] {data, data.resolve("s3"), folder}) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        System.out.printf("filled %s with %d blobs (0644) in 0755 folders%n", data, blobs);
    }

    private static void tighten(Path data) throws Exception {
        long t0 = System.nanoTime();
        Thread walk = ModeTightening.start(data, null);
        long t1 = System.nanoTime();
        walk.join();
        long t2 = System.nanoTime();
        System.out.printf("tighten: start waits %.1f ms; background walk %.0f ms%n", (t1 - t0) / 1e6, (t2 - t1) / 1e6);
    }
}
