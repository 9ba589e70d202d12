package dev.crossrole.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossrole.server.iam.IamDirectory;
import dev.crossrole.server.iam.IdGenerator;
import dev.crossrole.server.iam.SamlProvider;
import dev.crossrole.server.saml.SamlMetadata;
import dev.crossrole.server.sts.SamlIdentityProvider;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A SAML provider read back from the store is the provider written: metadata re-read, keys and mode kept. */
class SamlProviderRecordsTest {
    static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

    @Test
    void aProviderReadBackEqualsTheProviderWritten() throws Exception {
        String document = new SamlIdentityProvider(SamlIdentityProvider.newKey(), Clock.systemUTC())
                .metadata("idp.example.com");
        SamlProvider provider = new SamlProvider("111122223333", "Okta", document, SamlMetadata.parse(document),
                "SAMLABCDEFGHIJKLMNOPQR", NOW, NOW.plusSeconds(86400), Map.of("team", "identity"), SamlProvider.REQUIRED,
                List.of(new SamlProvider.PrivateKey("KEYABCDEFGHIJKLMNOPQRS", "-----BEGIN PRIVATE KEY-----\n...", NOW)));
        ObjectNode stored = IamRecords.samlProvider(provider);
        SamlProvider read = (SamlProvider) IamRecords.decode(IamRecords.SAML_PROVIDERS,
                new ObjectMapper().readTree(IamRecords.bytes(stored)));
        assertEquals(provider, read);
        assertEquals("https://idp.example.com", read.metadata().entityId());

        IamDirectory iam = new IamDirectory(Clock.systemUTC(), new IdGenerator(new SecureRandom()));
        IamRecords records = new IamRecords(iam);
        records.apply(new StoredRecord(IamRecords.SAML_PROVIDERS, provider.arn(), IamRecords.bytes(stored), 1, 1));
        assertEquals(provider, iam.samlProvider("arn:aws:iam::111122223333:saml-provider/okta").orElseThrow());
        assertTrue(iam.takeTouched().isEmpty(), "what the store gives is not written back");
        records.apply(new StoredRecord(IamRecords.SAML_PROVIDERS, provider.arn(), null, 2, 2));
        assertTrue(iam.samlProviders("111122223333").isEmpty(), "a deletion from the store removes it");

        stored.put("metadata", "<not-metadata/>");
        assertThrows(StoreException.class, () -> IamRecords.decode(IamRecords.SAML_PROVIDERS, stored));
    }
}
