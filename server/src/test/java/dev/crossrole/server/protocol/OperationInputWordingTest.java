package dev.crossrole.server.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.crossrole.server.model.OperationModel;
import dev.crossrole.server.model.ServiceModels;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OperationInputWordingTest {
    private static final OperationModel CREATE_ROLE = ServiceModels.all().byId("iam").operation("CreateRole");
    private static final String TRUST = "{\"Version\":\"2012-10-17\",\"Statement\":[]}";
    private static final InputValidation.Wording NAMES = (path, shape) ->
            shape.name().equals("roleNameType") ? "The specified value for " + path + " is invalid." : null;

    private static String failure(Map<String, String> params, InputValidation.Wording wording) {
        return assertThrows(AwsException.class,
                () -> OperationInput.fromQuery(CREATE_ROLE, QueryParams.of(params), "ValidationError", wording))
                .getMessage();
    }

    @Test
    void aWordedPatternFailureStandsAlone() {
        assertEquals("The specified value for roleName is invalid.",
                failure(Map.of("RoleName", "bad name!", "AssumeRolePolicyDocument", TRUST), NAMES));
    }

    @Test
    void otherFailuresHideTheWordedOne() {
        assertEquals("1 validation error detected: Value '10' at 'maxSessionDuration' failed to satisfy constraint:"
                + " Member must have value greater than or equal to 3600", failure(Map.of("RoleName", "bad name!",
                "AssumeRolePolicyDocument", TRUST, "MaxSessionDuration", "10"), NAMES));
    }

    @Test
    void withoutWordingThePatternFailureIsGeneric() {
        assertEquals("1 validation error detected: Value 'bad name!' at 'roleName' failed to satisfy constraint:"
                + " Member must satisfy regular expression pattern: [\\w+=,.@-]+",
                failure(Map.of("RoleName", "bad name!", "AssumeRolePolicyDocument", TRUST),
                        InputValidation.Wording.GENERIC));
    }
}
