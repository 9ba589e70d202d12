package dev.crossrole.server.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.crossrole.server.model.ServiceModels;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A list of scalars breaking its element's constraints is reported once, for the whole list, as AWS does. */
class ScalarListValidationTest {
    private static String failure(String operation, Map<String, String> params) {
        return assertThrows(AwsException.class, () -> OperationInput.fromQuery(
                ServiceModels.all().byId("iam").operation(operation), QueryParams.of(params), "ValidationError"))
                .getMessage();
    }

    @Test
    void anEnumListNamesTheListAndTheElementConstraint() {
        assertEquals("1 validation error detected: Value '[User, Users]' at 'filter' failed to satisfy constraint:"
                + " Member must satisfy constraint: [Member must satisfy enum value set: [User, Role, Group,"
                + " LocalManagedPolicy, AWSManagedPolicy]]", failure("GetAccountAuthorizationDetails",
                Map.of("Filter.member.1", "User", "Filter.member.2", "Users")));
    }

    @Test
    void everyBrokenConstraintIsListedOnce() {
        assertEquals("1 validation error detected: Value '[ab, " + "x".repeat(129) + ", cd]' at 'actionNames' failed"
                + " to satisfy constraint: Member must satisfy constraint: [Member must have length greater than or"
                + " equal to 3, Member must have length less than or equal to 128]", failure("SimulateCustomPolicy",
                Map.of("PolicyInputList.member.1", "{}", "ActionNames.member.1", "ab", "ActionNames.member.2",
                        "x".repeat(129), "ActionNames.member.3", "cd")));
    }

    @Test
    void validElementsPass() {
        assertEquals("User", OperationInput.fromQuery(ServiceModels.all().byId("iam")
                .operation("GetAccountAuthorizationDetails"), QueryParams.of(Map.of("Filter.member.1", "User")),
                "ValidationError").<String>list("Filter").get(0));
    }
}
