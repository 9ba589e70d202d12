package dev.crossrole.server.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The names the server certificate carries follow --bind and --allow-host as the Host check does. */
class ServerNamesTest {
    @Test
    void loopbackAlwaysAndAWildcardBindAddsNothing() {
        ServerNames names = ServerNames.of("0.0.0.0", List.of());
        assertEquals(Set.of("localhost", "*.localhost", "*.s3.localhost"), names.dnsNames());
        assertEquals(Set.of("127.0.0.1", "::1"), names.ipAddresses());
        assertEquals(names, ServerNames.of("::", List.of()));
        assertEquals(names, ServerNames.of("127.0.0.1", List.of()));
        assertEquals(List.of("localhost", "*.localhost", "*.s3.localhost", "127.0.0.1", "::1"), names.all());
    }

    @Test
    void theBindAddressAndAllowedHostsWithTheirS3VirtualHosts() {
        ServerNames names = ServerNames.of("192.168.1.5", List.of("[FE80::1]", "MyHost.Example", "10.0.0.2", "0:0:0:0:0:0:0:1"));
        assertEquals(Set.of("127.0.0.1", "::1", "192.168.1.5", "fe80::1", "10.0.0.2"), names.ipAddresses());
        assertTrue(names.dnsNames().containsAll(Set.of("myhost.example", "*.s3.myhost.example")), names.dnsNames().toString());
        assertEquals(5, names.dnsNames().size());
        assertEquals(Set.of("127.0.0.1", "::1", "fe80::1"), ServerNames.of("fe80::1%2", List.of()).ipAddresses());
        assertTrue(ServerNames.of("devbox", List.of()).dnsNames().contains("*.s3.devbox"));
    }

    @Test
    void ipv6IsWrittenInItsShortestForm() {
        assertEquals("::1", ServerNames.text(ServerNames.literal("0:0:0:0:0:0:0:1")));
        assertEquals("::", ServerNames.text(ServerNames.literal("0:0:0:0:0:0:0:0")));
        assertEquals("1::", ServerNames.text(ServerNames.literal("1:0:0:0:0:0:0:0")));
        // RFC 5952 4.2.3: the longer run of zeros, the first of two equal ones; a single zero group stays.
        assertEquals("2001:db8::1:0:0:1", ServerNames.text(ServerNames.literal("2001:db8:0:0:1:0:0:1")));
        assertEquals("2001:0:0:1::1", ServerNames.text(ServerNames.literal("2001:0:0:1:0:0:0:1")));
        assertEquals("2001:db8:0:1:1:1:1:1", ServerNames.text(ServerNames.literal("2001:db8:0:1:1:1:1:1")));
        assertEquals("127.0.0.1", ServerNames.text(ServerNames.literal("127.0.0.1")));
    }

    @Test
    void aNameNoCertificateCanCarryIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServerNames.of("127.0.0.1", List.of("a b")));
        assertEquals("'a b' cannot be named in a certificate", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ServerNames.of("127.0.0.1", List.of("*.example")));
        assertThrows(IllegalArgumentException.class, () -> ServerNames.of("127.0.0.1", List.of("bücher.example")));
    }
}
