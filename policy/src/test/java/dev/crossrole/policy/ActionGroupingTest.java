package dev.crossrole.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * A statement with many action patterns groups them by service prefix: the decision must be the one a
 * pattern-by-pattern match gives, for Action and NotAction, with patterns of any case, {@code *} and
 * wildcards in the prefix (which match nothing).
 */
class ActionGroupingTest {
    private static final PolicyEngine ENGINE = new PolicyEngine();
    private static final Principal CALLER = Principal.parse("arn:aws:iam::111122223333:user/someone");
    private static final List<String> PATTERNS = List.of("*", "iam:*", "IAM:Get*", "iam:list?oles", "s3:GetObject",
            "s3:Get*", "S3:PutObject", "ec2:Describe*", "ecs:Run?ask", "ecs:*Task", "sts:AssumeRole", "*:Get*",
            "xray:BatchGet*", "kms:Decrypt", "logs:*", "lambda:Invoke*", "dynamodb:Query",
            "sqs:ReceiveMessage", "a4b:Get*", "access-analyzer:List*", "ecr:BatchGetImage", "tag:Get*");
    private static final List<String> ACTIONS = List.of("iam:GetRole", "iam:ListRoles", "iam:CreateRole",
            "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "ec2:DescribeInstances", "ecs:RunTask", "ecs:StopTask",
            "ecs:StartTask", "sts:AssumeRole", "xray:BatchGetTraces", "kms:Decrypt", "kms:Encrypt", "logs:PutLogEvents",
            "lambda:InvokeFunction", "sqs:SendMessage", "tag:GetResources", "access-analyzer:ListFindings",
            "cloudtrail:LookupEvents");

    private static String document(String element, List<String> patterns) {
        String list = patterns.stream().map(p -> "\"" + p + "\"").collect(Collectors.joining(","));
        return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"" + element + "\":[" + list
                + "],\"Resource\":\"*\"}]}";
    }

    private static boolean allowed(String document, String action) throws InvalidPolicyException {
        Policy policy = Policies.parseAwsManaged(document, "grouping");
        AuthorizationRequest request = new AuthorizationRequest(CALLER, action, "*", null, RequestContext.empty());
        return ENGINE.evaluate(request, PolicySet.builder().identity(policy).build()).outcome() == Outcome.ALLOW;
    }

    /** Whether the action matches any pattern, asked of one small (ungrouped) statement per pattern. */
    private static boolean matchesOneByOne(List<String> patterns, String action) throws InvalidPolicyException {
        for (String pattern : patterns) {
            if (allowed(document("Action", List.of(pattern)), action)) {
                return true;
            }
        }
        return false;
    }

    @Provide
    Arbitrary<List<String>> manyPatterns() {
        return Arbitraries.of(PATTERNS).list().ofMinSize(16).ofMaxSize(60);
    }

    @Provide
    Arbitrary<String> actions() {
        return Arbitraries.of(ACTIONS);
    }

    @Property(tries = 300)
    void groupedActionMatchingAgreesWithOneByOne(@ForAll("manyPatterns") List<String> patterns,
                                                 @ForAll("actions") String action) throws InvalidPolicyException {
        boolean expected = matchesOneByOne(patterns, action);
        assertEquals(expected, allowed(document("Action", patterns), action), patterns + " / " + action);
        assertEquals(!expected, allowed(document("NotAction", patterns), action), "NotAction " + patterns + " / " + action);
    }

    @Example
    void aLongListWithoutTheServiceMatchesNothingOfIt() throws InvalidPolicyException {
        List<String> patterns = PATTERNS.stream().filter(p -> !p.equals("*") && !p.toLowerCase().startsWith("iam"))
                .toList();
        assertEquals(false, allowed(document("Action", patterns), "iam:GetRole"));
        assertEquals(true, allowed(document("Action", patterns), "S3:getobject"), "actions match case-insensitively");
        assertEquals(true, allowed(document("NotAction", patterns), "iam:GetRole"));
    }
}
