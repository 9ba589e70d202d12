package dev.crossrole.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class HostCheckTest {
    private final HostCheck loopback = HostCheck.of("127.0.0.1", List.of(), () -> 4566);

    @Test
    void loopbackNamesWithThePortAreAccepted() {
        for (String host : List.of("127.0.0.1:4566", "localhost:4566", "LOCALHOST:4566", "[::1]:4566",
                "bucket.localhost:4566", "a.b.c.localhost:4566", "bucket.s3.localhost:4566", "bucket.s3.127.0.0.1:4566",
                "my.bucket.s3-eu-west-1.localhost:4566", "bucket.s3.[::1]:4566")) {
            assertTrue(loopback.accepts(host), host);
        }
    }

    @Test
    void otherNamesPortsAndShapesAreRefused() {
        for (String host : new String[] {null, "", "localhost", "localhost:", "localhost:80", "localhost:45660",
                "localhost:4566x", "localhost:+4566", "rebind.attacker.example:4566", "localhost.attacker.example:4566",
                "127.0.0.1.nip.io:4566", "bucket.s3.attacker.example:4566", "s3.localhost.attacker:4566",
                "[::2]:4566", "[::1]", "localhost:4566:4566", "-bad-.localhost:4566", "bucket.s4.127.0.0.1:4566",
                "user@localhost:4566", "localhost/x:4566"}) {
            assertFalse(loopback.accepts(host), String.valueOf(host));
        }
    }

    @Test
    void theBoundAddressAndAllowedNamesAreAcceptedButNotAWildcardBind() {
        HostCheck bound = HostCheck.of("10.0.0.5", List.of("Crossrole.Test", "fd00::7"), () -> 80);
        assertTrue(bound.accepts("10.0.0.5:80"));
        assertTrue(bound.accepts("10.0.0.5"), "port 80 may be left out");
        assertTrue(bound.accepts("crossrole.test"));
        assertTrue(bound.accepts("bucket.s3.crossrole.test:80"));
        assertTrue(bound.accepts("[fd00::7]:80"));
        assertFalse(bound.accepts("10.0.0.6:80"));
        HostCheck wildcard = HostCheck.of("0.0.0.0", List.of(), () -> 4566);
        assertFalse(wildcard.accepts("0.0.0.0:4566"));
        assertEquals(List.of("127.0.0.1:4566", "localhost:4566", "[::1]:4566"), wildcard.accepted());
        HostCheck v6 = HostCheck.of("::1", List.of(), () -> 4566);
        assertEquals(List.of("127.0.0.1:4566", "localhost:4566", "[::1]:4566"), v6.accepted());
    }

    @Test
    void allowHostTakesNamesAndAddressesOnly() {
        for (String name : List.of("crossrole.test", "my-host", "10.1.2.3", "fd00::7", "[fd00::7]", "host_name.internal")) {
            assertNull(HostCheck.invalidName(name), name);
        }
        for (String name : List.of("", "http://x", "x:8080", "two words", "a..b", "-a", "cafe:80", "x/y")) {
            assertNotNull(HostCheck.invalidName(name), name);
        }
    }

    @Test
    void theRegistrysPortAndNamesAreCrossrolesToo() {
        HostCheck withRegistry = HostCheck.of("127.0.0.1", List.of(), () -> 4566, () -> -1, () -> 4567);
        for (String host : List.of("127.0.0.1:4567", "localhost:4567", "[::1]:4567",
                "111122223333.dkr.ecr.us-east-1.localhost:4566", "111122223333.dkr.ecr.us-east-1.localhost:4567")) {
            assertTrue(withRegistry.accepts(host), host);
        }
        for (String host : List.of("127.0.0.1:4568", "rebind.attacker.example:4567",
                "111122223333.dkr.ecr.us-east-1.amazonaws.com:4567")) {
            assertFalse(withRegistry.accepts(host), host);
        }
        assertTrue(withRegistry.accepted().contains("localhost:4567"), withRegistry.accepted().toString());
        assertFalse(loopback.accepts("127.0.0.1:4567"), "no registry port, no registry host");
    }
}
