package dev.crossrole.server.tls;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.bouncycastle.util.IPAddress;

/**
 * The names a server certificate carries: those crossrole answers on loopback ({@code localhost},
 * {@code 127.0.0.1}, {@code ::1}, and S3's virtual hosts {@code *.localhost}, {@code *.s3.localhost}), the
 * address it is bound to and the names the operator allowed ({@code --allow-host}), each name with
 * {@code *.s3.<name>} for S3's virtual hosts on it — the same hosts the Host check accepts.
 *
 * @param dnsNames DNS names, lower case, sorted
 * @param ipAddresses IP addresses in their shortest form ({@code ::1}), sorted
 */
public record ServerNames(Set<String> dnsNames, Set<String> ipAddresses) {
    private static final Pattern DNS_NAME = Pattern.compile("(\\*\\.)?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*");

    public ServerNames {
        dnsNames = Collections.unmodifiableSet(new TreeSet<>(dnsNames));
        ipAddresses = Collections.unmodifiableSet(new TreeSet<>(ipAddresses));
    }

    /**
     * @param bind the address crossrole listens on ({@code --bind}); a wildcard address adds no name
     * @param allowedHosts further names requests may carry ({@code --allow-host}), host names or IP literals
     * @throws IllegalArgumentException for a name no certificate can carry
     */
    public static ServerNames of(String bind, List<String> allowedHosts) {
        Set<String> dns = new TreeSet<>(List.of("localhost", "*.localhost", "*.s3.localhost"));
        Set<String> ips = new TreeSet<>(List.of("127.0.0.1", "::1"));
        List<String> names = new ArrayList<>(allowedHosts);
        names.add(0, bind);
        for (String name : names) {
            String n = name.strip().toLowerCase(Locale.ROOT);
            if (n.startsWith("[") && n.endsWith("]")) {
                n = n.substring(1, n.length() - 1);
            }
            int zone = n.indexOf('%');
            String address = zone >= 0 ? n.substring(0, zone) : n;
            if (IPAddress.isValid(address)) {
                InetAddress ip = literal(address);
                if (!ip.isAnyLocalAddress()) {
                    ips.add(text(ip));
                }
            } else if (DNS_NAME.matcher(n).matches() && !n.startsWith("*")) {
                dns.add(n);
                dns.add("*.s3." + n);
            } else {
                throw new IllegalArgumentException("'" + name + "' cannot be named in a certificate");
            }
        }
        return new ServerNames(dns, ips);
    }

    /** Every name, DNS names first, each host before its wildcards ({@code localhost, *.localhost, *.s3.localhost}). */
    public List<String> all() {
        List<String> out = new ArrayList<>(dnsNames);
        out.sort(java.util.Comparator.comparing((String name) -> name.replaceFirst("^\\*\\.(s3\\.)?", ""))
                .thenComparing(String::length));
        out.addAll(ipAddresses);
        return List.copyOf(out);
    }

    /** An IP address in the form this record keeps: dotted IPv4, RFC 5952's shortest IPv6. */
    static String text(InetAddress ip) {
        byte[] bytes = ip.getAddress();
        if (bytes.length == 4) {
            return ip.getHostAddress();
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
        }
        // RFC 5952 4.2: the longest run (first if tied) of two or more zero groups becomes "::".
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }

    /** An IP literal as an address; no name is looked up for a literal. */
    static InetAddress literal(String address) {
        try {
            return InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + address + "' is not an IP address", e);
        }
    }
}
