package dev.crossrole.server.sns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crossrole.server.protocol.AwsException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The filter policy language, with the examples of the Amazon SNS Developer Guide ("Amazon SNS message filtering":
 * the customer-transaction message and its policies) and SNS's messages for policies it refuses.
 */
class FilterPolicyTest {
    private static final String SET = "Invalid parameter: ";
    /** The guide's example message attributes. */
    private static final Map<String, FilterPolicy.Attribute> MESSAGE = Map.of(
            "customer_interests", new FilterPolicy.Attribute("String.Array", "[\"soccer\", \"rugby\", \"hockey\"]"),
            "store", new FilterPolicy.Attribute("String", "example_corp"),
            "event", new FilterPolicy.Attribute("String", "order_placed"),
            "price_usd", new FilterPolicy.Attribute("Number", "210.75"),
            "source_ip", new FilterPolicy.Attribute("String", "10.0.0.7"));

    private static boolean attributes(String policy) {
        JsonNode checked = FilterPolicy.check(policy, FilterPolicy.ATTRIBUTES, SET);
        return FilterPolicy.matchesAttributes(checked, MESSAGE);
    }

    private static boolean body(String policy, String body) {
        JsonNode checked = FilterPolicy.check(policy, FilterPolicy.BODY, SET);
        return FilterPolicy.matchesBody(checked, body);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"store\":[\"example_corp\"]}|true",
        "{\"store\":[\"other\"]}|false",
        "{\"store\":[\"example_corp\"],\"event\":[\"order_cancelled\"]}|false",
        "{\"customer_interests\":[\"rugby\",\"football\"]}|true",
        "{\"customer_interests\":[\"football\"]}|false",
        "{\"price_usd\":[210.75]}|true",
        "{\"price_usd\":[210.750]}|true",
        "{\"price_usd\":[\"210.75\"]}|false",
        "{\"price_usd\":[{\"numeric\":[\">\",100,\"<=\",500]}]}|true",
        "{\"price_usd\":[{\"numeric\":[\"<\",100]}]}|false",
        "{\"price_usd\":[{\"numeric\":[\"=\",210.75]}]}|true",
        "{\"store\":[{\"prefix\":\"example\"}]}|true",
        "{\"store\":[{\"suffix\":\"_corp\"}]}|true",
        "{\"store\":[{\"suffix\":\"_inc\"}]}|false",
        "{\"store\":[{\"equals-ignore-case\":\"EXAMPLE_CORP\"}]}|true",
        "{\"store\":[{\"anything-but\":[\"other_corp\"]}]}|true",
        "{\"store\":[{\"anything-but\":\"example_corp\"}]}|false",
        "{\"store\":[{\"anything-but\":{\"prefix\":\"exam\"}}]}|false",
        "{\"price_usd\":[{\"anything-but\":[100,500]}]}|true",
        "{\"encrypted\":[{\"exists\":false}]}|true",
        "{\"store\":[{\"exists\":true}]}|true",
        "{\"store\":[{\"exists\":false}]}|false",
        "{\"missing\":[{\"anything-but\":\"x\"}]}|false",
        "{\"source_ip\":[{\"cidr\":\"10.0.0.0/24\"}]}|true",
        "{\"source_ip\":[{\"cidr\":\"10.0.1.0/24\"}]}|false",
        "{\"store\":[\"other\"],\"$or\":[{\"event\":[\"order_placed\"]},{\"price_usd\":[1]}]}|false",
        "{\"$or\":[{\"store\":[\"other\"]},{\"price_usd\":[{\"numeric\":[\">=\",200]}]}]}|true",
    })
    void attributePoliciesMatchAsTheGuideDescribes(String policy, boolean matches) {
        assertEquals(matches, attributes(policy), policy);
    }

    @Test
    void bodyPoliciesFollowTheBodysNesting() {
        String order = "{\"store\":\"example_corp\",\"order\":{\"price\":210.75,\"items\":[{\"sku\":\"a1\"},"
                + "{\"sku\":\"b2\"}],\"gift\":true,\"note\":null}}";
        assertTrue(body("{\"store\":[\"example_corp\"],\"order\":{\"price\":[{\"numeric\":[\">\",200]}]}}", order));
        assertTrue(body("{\"order\":{\"items\":{\"sku\":[\"b2\"]}}}", order));
        assertFalse(body("{\"order\":{\"items\":{\"sku\":[\"c3\"]}}}", order));
        assertTrue(body("{\"order\":{\"gift\":[true],\"note\":[null]}}", order));
        assertTrue(body("{\"order\":{\"coupon\":[{\"exists\":false}]}}", order));
        assertFalse(body("{\"store\":[\"example_corp\"]}", "not json"));
    }

    private static void refused(String policy, String scope, String message) {
        AwsException e = assertThrows(AwsException.class, () -> FilterPolicy.check(policy, scope, SET));
        assertEquals("InvalidParameter", e.code());
        assertEquals(400, e.httpStatus());
        assertEquals(message, e.getMessage());
    }

    @Test
    void policiesSnsRefusesAreRefusedWithItsMessages() {
        String a = FilterPolicy.ATTRIBUTES;
        refused("{", a, "Invalid parameter: FilterPolicy: failed to parse JSON.");
        refused("{\"a\":[1],\"b\":[1],\"c\":[1],\"d\":[1],\"e\":[1],\"f\":[1]}", a,
                "Invalid parameter: FilterPolicy: Filter policy can not have more than 5 keys");
        refused("{\"a\":[]}", a, "Invalid parameter: FilterPolicy: Empty arrays are not allowed");
        refused("{\"a\":\"x\"}", a, "Invalid parameter: FilterPolicy: \"a\" must be an object or an array");
        refused("{\"a\":{\"b\":[\"x\"]}}", a,
                "Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy");
        refused("{\"a\":[{\"prefix\":\"x\",\"suffix\":\"y\"}]}", a,
                "Invalid parameter: FilterPolicy: Only one key allowed in match expression");
        refused("{\"a\":[{\"prefix\":1}]}", a,
                "Invalid parameter: FilterPolicy: prefix match pattern must be a string");
        refused("{\"a\":[{\"exists\":\"yes\"}]}", a,
                "Invalid parameter: FilterPolicy: exists match pattern must be either true or false.");
        refused("{\"a\":[{\"error\":true}]}", a, "Invalid parameter: FilterPolicy: Unrecognized match type error");
        refused("{\"a\":[[\"x\"]]}", a,
                "Invalid parameter: FilterPolicy: Match value must be String, number, true, false, or null");
        refused("{\"a\":[{\"anything-but\":{\"wildcard\":\"x\"}}]}", a,
                "Invalid parameter: FilterPolicy: Unsupported anything-but pattern: wildcard");
        refused("{\"a\":[{\"numeric\":[\"!\",1]}]}", a,
                "Invalid parameter: FilterPolicy: Unrecognized numeric range operator: !");
        refused("{\"a\":[{\"numeric\":[\"=\",\"x\"]}]}", a,
                "Invalid parameter: FilterPolicy: Value of equals must be numeric");
        refused("{\"a\":[{\"numeric\":[\"<\",1,\">\",0]}]}", a,
                "Invalid parameter: FilterPolicy: Too many elements in numeric expression");
        refused("{\"a\":[{\"numeric\":[\">\",1,\">\",5]}]}", a,
                "Invalid parameter: FilterPolicy: Bad numeric range operator: >");
        refused("{\"a\":[{\"numeric\":[\">\",5,\"<\",1]}]}", a,
                "Invalid parameter: FilterPolicy: Bottom must be less than top");
        refused("{\"a\":[{\"cidr\":\"10.0.0.0\"}]}", a,
                "Invalid parameter: FilterPolicy: Malformed CIDR, one '/' required");
        refused("{\"a\":[{\"cidr\":\"10.0.0.300/8\"}]}", a,
                "Invalid parameter: FilterPolicy: Nonstandard IP address: 10.0.0.300");
        // Three keys of six values each: 6 x 6 x 6 = 216 combinations, beyond SNS's 150.
        refused("{\"a\":[1,2,3,4,5,6],\"b\":[1,2,3,4,5,6],\"c\":[1,2,3,4,5,6]}", a,
                "Invalid parameter: FilterPolicy: Filter policy is too complex");
    }
}
