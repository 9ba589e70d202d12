package dev.crossrole.server.ecs;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A container image in an ECR private registry, as a task definition names it:
 * {@code <account>.dkr.ecr.<region>.amazonaws.com/<repository>[:<tag>][@sha256:<digest>]} (also
 * {@code .amazonaws.com.cn}, {@code dkr.ecr-fips}, and crossrole's own
 * {@code <account>.dkr.ecr.<region>.localhost[:<port>]}). ECS's agent pulls
 * such an image with the task execution role; any other image is the engine's to find.
 *
 * @param host the registry's host as written (what the image is named by once pulled)
 * @param tag the tag, or {@code null} when the image is named by digest
 * @param digest the manifest's digest ({@code sha256:…}), or {@code null}
 */
public record EcrImage(String image, String host, String account, String region, String repository, String tag,
                       String digest) {
    private static final Pattern ECR = Pattern.compile(
            "(([0-9]{12})\\.dkr\\.ecr(?:-fips)?\\.([a-z0-9-]+)\\."
                    + "(?:amazonaws\\.com(?:\\.cn)?|localhost(?::[0-9]{1,5})?))"
                    + "/([a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*)*)"
                    + "(?::([A-Za-z0-9_][A-Za-z0-9._-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?");

    /** The ECR image {@code image} names, or {@code null} when it names another registry's (or is malformed). */
    public static EcrImage parse(String image) {
        if (image == null) {
            return null;
        }
        Matcher m = ECR.matcher(image.strip());
        if (!m.matches()) {
            return null;
        }
        String tag = m.group(5);
        String digest = m.group(6);
        return new EcrImage(image.strip(), m.group(1), m.group(2), m.group(3), m.group(4),
                tag == null && digest == null ? "latest" : tag, digest);
    }

    /** What the registry is asked for: the digest when there is one (it wins over a tag, as in Docker), or the tag. */
    public String reference() {
        return digest != null ? digest : tag;
    }

    /**
     * The name the pulled image is given in a container engine: the task definition's, its tag kept; an image named
     * by digest is tagged {@code sha256-<hex>} (an engine names loaded images by tag only).
     */
    public String localName() {
        return host + "/" + repository + ":" + (digest != null ? digest.replace(':', '-') : tag);
    }
}
