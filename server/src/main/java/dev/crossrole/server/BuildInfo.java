package dev.crossrole.server;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.jar.Attributes;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;

/**
 * Which build of crossrole this is: the version and git commit the command line's jar records in its manifest
 * ({@code Implementation-Version}, {@code Crossrole-Commit}). Classes run from a build's output folders (tests, an
 * IDE) have no such manifest: a development build.
 *
 * @param version the project's version, or {@code null} for a development build
 * @param commit the abbreviated commit the jar was built from, {@code "unknown"} when built outside a git checkout,
 *               or {@code null} for a development build
 */
public record BuildInfo(String version, String commit) {
    /** The manifest attribute holding the commit. */
    public static final String COMMIT_ATTRIBUTE = "Crossrole-Commit";

    private static final BuildInfo CURRENT = of(BuildInfo.class);

    /** This running crossrole's build. */
    public static BuildInfo current() {
        return CURRENT;
    }

    /** The build recorded in the manifest of the jar {@code type} was loaded from. */
    static BuildInfo of(Class<?> type) {
        try {
            URL location = type.getProtectionDomain().getCodeSource() == null ? null
                    : type.getProtectionDomain().getCodeSource().getLocation();
            if (location == null || !location.getPath().endsWith(".jar")) {
                return new BuildInfo(null, null);
            }
            try (InputStream in = location.openStream(); JarInputStream jar = new JarInputStream(in)) {
                return from(jar.getManifest());
            }
        } catch (IOException | SecurityException e) {
            return new BuildInfo(null, null);
        }
    }

    /** The build a manifest records; a manifest without a version (or none) is a development build's. */
    public static BuildInfo from(Manifest manifest) {
        if (manifest == null) {
            return new BuildInfo(null, null);
        }
        Attributes main = manifest.getMainAttributes();
        String version = blankToNull(main.getValue(Attributes.Name.IMPLEMENTATION_VERSION));
        if (version == null) {
            return new BuildInfo(null, null);
        }
        String commit = blankToNull(main.getValue(COMMIT_ATTRIBUTE));
        // An unresolved property (built by a tool that did not run the plugin) says nothing about the commit.
        return new BuildInfo(version, commit == null || commit.startsWith("${") ? "unknown" : commit);
    }

    /** Whether this is a development build, with no recorded version. */
    public boolean development() {
        return version == null;
    }

    /** {@code 0.1.0 (commit abc1234)}, or {@code development build}. */
    public String describe() {
        return development() ? "development build" : version + " (commit " + commit + ")";
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
