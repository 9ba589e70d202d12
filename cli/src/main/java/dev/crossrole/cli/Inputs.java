package dev.crossrole.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads command inputs from a file or standard input ({@code -}), with a size cap. */
final class Inputs {
    /** Far above any policy quota; keeps a mistaken argument (a disk image, say) from filling memory. */
    static final int MAX_BYTES = 16 * 1024 * 1024;

    private Inputs() {}

    static String read(String source, InputStream stdin) throws UnusableInputException {
        try {
            byte[] bytes;
            if (source.equals("-")) {
                bytes = stdin.readNBytes(MAX_BYTES + 1);
            } else {
                Path path = Path.of(source);
                if (Files.isDirectory(path)) {
                    throw new UnusableInputException(source + ": is a directory");
                }
                if (Files.size(path) > MAX_BYTES) {
                    throw new UnusableInputException(source + ": larger than " + MAX_BYTES + " bytes");
                }
                bytes = Files.readAllBytes(path);
            }
            if (bytes.length > MAX_BYTES) {
                throw new UnusableInputException(source + ": larger than " + MAX_BYTES + " bytes");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UnusableInputException(source + ": no such file");
        } catch (IOException e) {
            throw new UnusableInputException(source + ": " + e.getMessage());
        }
    }

    static final class UnusableInputException extends Exception {
        private static final long serialVersionUID = 1L;

        UnusableInputException(String message) {
            super(message);
        }
    }
}
