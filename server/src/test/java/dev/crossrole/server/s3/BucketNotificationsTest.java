package dev.crossrole.server.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BucketNotificationsTest {

    private static Map<String, Object> configuration(String event, String prefix, String suffix) {
        List<Object> rules = new java.util.ArrayList<>();
        if (prefix != null) {
            rules.add(Map.of("Name", "Prefix", "Value", prefix));
        }
        if (suffix != null) {
            rules.add(Map.of("Name", "suffix", "Value", suffix));
        }
        return Map.of("Events", List.of(event), "Filter", Map.of("Key", Map.of("FilterRules", rules)));
    }

    @ParameterizedTest(name = "{0} {1} prefix={2} suffix={3}: {4}")
    @CsvSource(nullValues = "-", value = {
        "s3:ObjectCreated:*, ObjectCreated:Put, -, -, true",
        "s3:ObjectCreated:*, ObjectCreated:CompleteMultipartUpload, -, -, true",
        "s3:ObjectCreated:Put, ObjectCreated:Copy, -, -, false",
        "s3:ObjectCreated:*, ObjectRemoved:Delete, -, -, false",
        "s3:ObjectRemoved:*, ObjectRemoved:DeleteMarkerCreated, -, -, true",
        "s3:LifecycleExpiration:*, LifecycleExpiration:Delete, -, -, true",
        "s3:ObjectCreated:*, ObjectCreated:Put, in/, -, true",
        "s3:ObjectCreated:*, ObjectCreated:Put, out/, -, false",
        "s3:ObjectCreated:*, ObjectCreated:Put, in/, .txt, true",
        "s3:ObjectCreated:*, ObjectCreated:Put, in/, .csv, false",
        "s3:ObjectCreated:*, ObjectCreated:Put, IN/, -, false",
    })
    void eventTypesAndKeyFiltersDecide(String configured, String event, String prefix, String suffix,
                                       boolean expected) {
        ObjectEvent happened = new ObjectEvent("b", event, "in/file.txt", 1L, "e", null);
        assertEquals(expected, BucketNotifications.matches(configuration(configured, prefix, suffix), happened));
    }
}
