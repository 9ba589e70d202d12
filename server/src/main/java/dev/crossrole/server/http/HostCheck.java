package dev.crossrole.server.http;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.IntSupplier;
import java.util.regex.Pattern;

/**
 * Which {@code Host} headers crossrole answers: the loopback names ({@code 127.0.0.1}, {@code localhost},
 * {@code [::1]}), the address it is bound to, and the names the operator allowed — each with the port crossrole
 * listens on — plus S3's virtual-hosted names built on them ({@code <bucket>.localhost},
 * {@code <bucket>.s3.<host>}, {@code <bucket>.s3-<region>.<host>}), and the container registry's port and names
 * ({@code <account>.dkr.ecr.<region>.localhost}, under {@code .localhost} like every name crossrole takes without
 * being told). Anything else is refused on every route:
 * a web page whose name an attacker re-points at 127.0.0.1 (DNS rebinding) sends its own name as the host, and
 * must not reach the APIs or the admin routes through the user's browser.
 */
public final class HostCheck {
    /** A host name (labels of letters, digits, hyphens, underscores) or an IPv4 literal. */
    private static final Pattern NAME = Pattern.compile("[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*");
    private static final Pattern IPV6 = Pattern.compile("\\[[0-9a-f.]*:[0-9a-f.]*:[0-9a-f:.]*\\]");
    private static final Pattern S3_PREFIX = Pattern.compile("[^.]+(\\.[^.]+)*?\\.s3(-[a-z0-9-]+)?");

    private final Set<String> names;
    private final IntSupplier port;
    /** The port HTTPS has of its own ({@code serve --tls-port}), or -1. */
    private final IntSupplier httpsPort;
    /** The container registry's own port ({@code serve --registry-port}), or -1. */
    private final IntSupplier registryPort;

    private HostCheck(Set<String> names, IntSupplier port, IntSupplier httpsPort, IntSupplier registryPort) {
        this.names = names;
        this.port = port;
        this.httpsPort = httpsPort;
        this.registryPort = registryPort;
    }

    /**
     * @param bind the address crossrole listens on (accepted unless it is a wildcard address)
     * @param allowed further names the operator accepts ({@code serve --allow-host}), already validated
     * @param port the port crossrole listens on, known once it is bound
     */
    public static HostCheck of(String bind, List<String> allowed, IntSupplier port) {
        return of(bind, allowed, port, () -> -1);
    }

    /** As {@link #of(String, List, IntSupplier)}, HTTPS having a port of its own ({@code -1}: none). */
    public static HostCheck of(String bind, List<String> allowed, IntSupplier port, IntSupplier httpsPort) {
        return of(bind, allowed, port, httpsPort, () -> -1);
    }

    /** As {@link #of(String, List, IntSupplier, IntSupplier)}, the registry having a port of its own (-1: none). */
    public static HostCheck of(String bind, List<String> allowed, IntSupplier port, IntSupplier httpsPort,
                               IntSupplier registryPort) {
        Set<String> names = new LinkedHashSet<>(List.of("127.0.0.1", "localhost", "[::1]"));
        String address = bind.toLowerCase(Locale.ROOT);
        if (!address.equals("0.0.0.0") && !address.equals("::") && !address.equals("[::]")) {
            names.add(address.contains(":") && !address.startsWith("[") ? "[" + address + "]" : address);
        }
        for (String name : allowed) {
            names.add(normalize(name));
        }
        return new HostCheck(java.util.Collections.unmodifiableSet(names), port, httpsPort, registryPort);
    }

    /**
     * Whether {@code --allow-host} may name {@code name}: a host name, an IPv4 literal or a bracketed or bare
     * IPv6 literal, without a port. Returns the reason it may not, or {@code null}.
     */
    public static String invalidName(String name) {
        String n = normalize(name);
        if (NAME.matcher(n).matches() || IPV6.matcher(n).matches()) {
            return null;
        }
        return "'" + name + "' is not a host name or an IP address (give the name without a port or a scheme)";
    }

    private static String normalize(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        return n.contains(":") && !n.startsWith("[") ? "[" + n + "]" : n;
    }

    /** Whether a request whose {@code Host} header is {@code host} (possibly {@code null}) is answered. */
    public boolean accepts(String host) {
        if (host == null || host.isEmpty()) {
            return false;
        }
        String value = host.toLowerCase(Locale.ROOT);
        String name = value;
        int colon = value.lastIndexOf(':');
        if (colon >= 0 && colon > value.lastIndexOf(']')) {
            name = value.substring(0, colon);
            String digits = value.substring(colon + 1);
            if (digits.isEmpty() || digits.length() > 5 || !digits.chars().allMatch(Character::isDigit)) {
                return false;
            }
            int given = Integer.parseInt(digits);
            if (given != port.getAsInt() && given != httpsPort.getAsInt() && given != registryPort.getAsInt()) {
                return false;
            }
        } else if (port.getAsInt() != 80 && port.getAsInt() != 443 && httpsPort.getAsInt() != 443) {
            // Without a port a Host means the scheme's default; crossrole serves HTTPS on the main port too.
            return false;
        }
        if (names.contains(name)) {
            return true;
        }
        // Every name under .localhost is loopback (RFC 6761), so no outside party controls it.
        if (name.endsWith(".localhost") && NAME.matcher(name).matches()) {
            return true;
        }
        for (String accepted : names) {
            if (name.endsWith("." + accepted)
                    && S3_PREFIX.matcher(name.substring(0, name.length() - accepted.length() - 1)).matches()) {
                return true;
            }
        }
        return false;
    }

    /** The accepted hosts as a caller should write them, for the refusal's message. */
    public List<String> accepted() {
        List<String> out = new ArrayList<>();
        for (int each : new int[] {port.getAsInt(), httpsPort.getAsInt(), registryPort.getAsInt()}) {
            if (each > 0) {
                for (String name : names) {
                    out.add(name + ":" + each);
                }
            }
        }
        return out;
    }

    /** Why a request with this {@code Host} is refused: what was sent, what is accepted, how to add a name. */
    public String refusal(String host) {
        return "crossrole does not answer requests for the host " + (host == null ? "(no Host header, or more than one)" : "'" + host + "'")
                + ". It answers " + String.join(", ", accepted()) + " and S3's virtual-hosted names on them"
                + " (<bucket>.localhost:" + port.getAsInt() + ", <bucket>.s3.<host>); start crossrole with"
                + " --allow-host NAME to answer another name.";
    }
}
