package dev.crossrole.server.iam;

import static dev.crossrole.server.iam.IamSupport.account;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.crossrole.policy.AuthorizationRequest;
import dev.crossrole.policy.Decision;
import dev.crossrole.policy.Explanation;
import dev.crossrole.policy.Outcome;
import dev.crossrole.policy.Policy;
import dev.crossrole.policy.PolicyEngine;
import dev.crossrole.policy.PolicyKind;
import dev.crossrole.policy.PolicySet;
import dev.crossrole.policy.Principal;
import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.protocol.AwsException;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.service.Call;
import dev.crossrole.server.service.PreparedCall;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code SimulatePrincipalPolicy} and {@code SimulateCustomPolicy}, answered by the same policy engine
 * that decides real requests, in AWS's response shape.
 */
final class SimulationOperations {
    private static final JsonFactory JSON = new JsonFactory();

    private final IamDirectory iam;
    private final PolicyEngine engine;

    SimulationOperations(IamSupport support) {
        this.iam = support.iam;
        this.engine = new PolicyEngine(support.iam.clock());
    }

    /** The policies of a simulation, each named by the id AWS reports as {@code SourcePolicyId}, with its type. */
    private static final class Sources {
        final List<Policy> identity = new ArrayList<>();
        final Map<String, String> typeById = new HashMap<>();
        final Map<String, String> textById = new HashMap<>();
        Policy boundary;

        void add(Policy policy, String id, String type) {
            identity.add(policy.withName(id));
            typeById.put(id, type);
            textById.put(id, policy.text());
        }
    }

    PreparedCall simulatePrincipalPolicy(Call call, Input input) {
        String source = input.string("PolicySourceArn");
        Simulation simulation = simulation(input);
        return PreparedCall.of(List.of(IamSupport.check("iam:SimulatePrincipalPolicy", source, RequestContext.empty())), () -> {
            Sources sources = new Sources();
            Principal principal = sourcePrincipal(account(call), source, sources);
            addInputPolicies(simulation, sources);
            return simulate(principal, simulation, sources);
        });
    }

    PreparedCall simulateCustomPolicy(Call call, Input input) {
        Simulation simulation = simulation(input);
        return PreparedCall.of(List.of(IamSupport.check("iam:SimulateCustomPolicy", "*", RequestContext.empty())), () -> {
            Sources sources = new Sources();
            addInputPolicies(simulation, sources);
            String callerArn = simulation.callerArn != null ? simulation.callerArn
                    : "arn:aws:iam::" + account(call) + ":user/simulated-user";
            Principal principal;
            try {
                principal = principal(callerArn);
            } catch (IllegalArgumentException e) {
                throw IamSupport.invalidInput("Invalid ARN: " + callerArn);
            }
            return simulate(principal, simulation, sources);
        });
    }

    /** The parameters both operations share. */
    private record Simulation(List<String> actions, List<String> resources, List<String> policies,
                              List<String> boundaries, String resourcePolicy, String resourceOwner, String callerArn,
                              RequestContext context, IamSupport.PageRequest page) {}

    private static Simulation simulation(Input input) {
        RequestContext.Builder context = RequestContext.builder();
        for (Input entry : input.<Input>listOrEmpty("ContextEntries")) {
            String key = entry.string("ContextKeyName");
            String type = entry.has("ContextKeyType") ? entry.string("ContextKeyType") : "string";
            List<String> values = entry.listOrEmpty("ContextKeyValues");
            if (key == null) {
                throw AwsException.validation("1 validation error detected: Value null at"
                        + " 'contextEntries.member.contextKeyName' failed to satisfy constraint: Member must not be null");
            }
            if (type.endsWith("List")) {
                context.multi(key, values);
            } else if (values.size() == 1) {
                context.single(key, values.get(0));
            } else {
                throw AwsException.validation("1 validation error detected: Value at"
                        + " 'contextEntries.member.contextKeyValues' failed to satisfy constraint: a " + type
                        + " key takes exactly one value");
            }
        }
        List<String> resources = input.listOrEmpty("ResourceArns");
        return new Simulation(input.listOrEmpty("ActionNames"), resources.isEmpty() ? List.of("*") : resources,
                input.listOrEmpty("PolicyInputList"), input.listOrEmpty("PermissionsBoundaryPolicyInputList"),
                input.string("ResourcePolicy"), input.string("ResourceOwner"), input.string("CallerArn"),
                context.build(), IamSupport.pageRequest(input));
    }

    private Principal sourcePrincipal(String account, String arn, Sources sources) {
        String[] parts = arn.split(":", 6);
        if (parts.length != 6 || !parts[2].equals("iam") || !parts[4].equals(account)) {
            throw IamSupport.invalidInput("Invalid ARN: " + arn + " is not a user, group or role of this account.");
        }
        String resource = parts[5];
        String name = resource.substring(resource.lastIndexOf('/') + 1);
        if (resource.startsWith("user/")) {
            IamUser user = iam.user(account, name).filter(u -> u.arn().equals(arn))
                    .orElseThrow(() -> IamSupport.noSuchEntity("The user with name " + name + " cannot be found."));
            user.inlinePolicies().forEach((n, p) -> sources.add(p, n, "user"));
            addAttached(user.attachedPolicyArns(), sources);
            for (Group group : iam.groupsOf(account, user.name())) {
                group.inlinePolicies().forEach((n, p) -> sources.add(p, n, "group"));
                addAttached(group.attachedPolicyArns(), sources);
            }
            sources.boundary = iam.boundary(user.permissionsBoundaryArn());
            return new Principal.IamUser(user.arn(), account, user.name(), user.userId());
        }
        if (resource.startsWith("role/")) {
            Role role = iam.role(account, name).filter(r -> r.arn().equals(arn))
                    .orElseThrow(() -> IamSupport.noSuchRole(name));
            role.inlinePolicies().forEach((n, p) -> sources.add(p, n, "role"));
            addAttached(role.attachedPolicyArns(), sources);
            sources.boundary = iam.boundary(role.permissionsBoundaryArn());
            return new Principal.RoleSession("arn:aws:sts::" + account + ":assumed-role/" + role.name() + "/simulation",
                    account, role.name(), "simulation", role.arn(), role.roleId());
        }
        if (resource.startsWith("group/")) {
            Group group = iam.group(account, name).filter(g -> g.arn().equals(arn))
                    .orElseThrow(() -> IamSupport.noSuchEntity("The group with name " + name + " cannot be found."));
            group.inlinePolicies().forEach((n, p) -> sources.add(p, n, "group"));
            addAttached(group.attachedPolicyArns(), sources);
            return new Principal.IamUser("arn:aws:iam::" + account + ":user/simulated-member", account, "simulated-member",
                    null);
        }
        throw IamSupport.invalidInput("Invalid ARN: " + arn + " is not a user, group or role of this account.");
    }

    private void addAttached(List<String> arns, Sources sources) {
        for (String arn : arns) {
            iam.policy(arn).ifPresent(p -> sources.add(p.document(), p.name(), p.awsManaged() ? "aws-managed" : "user-managed"));
        }
    }

    private static void addInputPolicies(Simulation input, Sources sources) {
        for (int i = 0; i < input.policies().size(); i++) {
            sources.add(IamSupport.parse(input.policies().get(i), PolicyKind.INLINE, "PolicyInputList." + (i + 1)),
                    "PolicyInputList." + (i + 1), "none");
        }
        if (!input.boundaries().isEmpty()) {
            sources.boundary = IamSupport.parse(input.boundaries().get(0), PolicyKind.BOUNDARY,
                    "PermissionsBoundaryPolicyInputList.1");
        }
    }

    private static Principal principal(String arn) {
        if (!arn.startsWith("arn:")) {
            throw new IllegalArgumentException(arn);
        }
        return dev.crossrole.policy.Simulation.parsePrincipal(arn);
    }

    private Shape simulate(Principal principal, Simulation input, Sources sources) {
        Policy resourcePolicy = input.resourcePolicy() == null ? null
                : IamSupport.parse(input.resourcePolicy(), PolicyKind.RESOURCE, "ResourcePolicy");
        String owner = input.resourceOwner() == null ? null : input.resourceOwner().split(":", 6).length == 6
                ? input.resourceOwner().split(":", 6)[4] : input.resourceOwner();
        List<Shape> results = new ArrayList<>();
        for (String action : input.actions()) {
            for (String resource : input.resources()) {
                PolicySet.Builder set = PolicySet.builder().identity(sources.identity).boundary(sources.boundary);
                if (resourcePolicy != null) {
                    set.resource(resourcePolicy);
                } else {
                    set.identityOnly();
                }
                Decision decision = engine.evaluate(new AuthorizationRequest(principal, action, resource, owner,
                        input.context()), set.build());
                results.add(result(action, resource, decision, sources, resourcePolicy));
            }
        }
        IamSupport.Page<Shape> page = IamSupport.page(results, input.page());
        return page.into(Shape.of().put("EvaluationResults", page.items()));
    }

    private static Shape result(String action, String resource, Decision decision, Sources sources, Policy resourcePolicy) {
        String evalDecision = switch (decision.outcome()) {
            case ALLOW -> "allowed";
            case EXPLICIT_DENY -> "explicitDeny";
            case IMPLICIT_DENY -> "implicitDeny";
        };
        List<Shape> matched = new ArrayList<>();
        for (Explanation.StatementRef ref : decision.explanation().matchedStatements()) {
            String type;
            String text;
            if (ref.kind() == PolicyKind.IDENTITY) {
                type = sources.typeById.getOrDefault(ref.policy(), "none");
                text = sources.textById.get(ref.policy());
            } else if (ref.kind() == PolicyKind.RESOURCE || ref.kind() == PolicyKind.TRUST) {
                type = "resource";
                text = resourcePolicy == null ? null : resourcePolicy.text();
            } else {
                continue;
            }
            Shape statement = Shape.of().put("SourcePolicyId", ref.policy()).put("SourcePolicyType", type);
            int[] position = text == null ? null : statementPosition(text, ref.statementIndex());
            if (position != null) {
                statement.put("StartPosition", Shape.of().put("Line", position[0]).put("Column", position[1]));
                statement.put("EndPosition", Shape.of().put("Line", position[2]).put("Column", position[3]));
            }
            matched.add(statement);
        }
        boolean boundaryAllows = decision.explanation().gates().stream()
                .filter(g -> g.kind() == PolicyKind.BOUNDARY)
                .noneMatch(g -> g.outcome() == Explanation.GateOutcome.IMPLICIT_DENY
                        || g.outcome() == Explanation.GateOutcome.EXPLICIT_DENY);
        Shape shape = Shape.of()
                .put("EvalActionName", action)
                .put("EvalResourceName", resource)
                .put("EvalDecision", evalDecision)
                .put("MatchedStatements", matched)
                .put("MissingContextValues", decision.explanation().missingKeys())
                .put("OrganizationsDecisionDetail", Shape.of().put("AllowedByOrganizations", true));
        if (sources.boundary != null) {
            shape.put("PermissionsBoundaryDecisionDetail", Shape.of().put("AllowedByPermissionsBoundary", boundaryAllows));
        }
        if (resourcePolicy != null) {
            Map<String, String> details = new LinkedHashMap<>();
            details.put("IAM Policy", identityDecision(decision));
            details.put("Resource Policy", resourceDecision(decision));
            shape.put("EvalDecisionDetails", details);
        }
        return shape;
    }

    private static String identityDecision(Decision decision) {
        return gate(decision, PolicyKind.IDENTITY);
    }

    private static String resourceDecision(Decision decision) {
        return gate(decision, PolicyKind.RESOURCE);
    }

    private static String gate(Decision decision, PolicyKind kind) {
        for (Explanation.Gate gate : decision.explanation().gates()) {
            if (gate.kind() == kind) {
                return switch (gate.outcome()) {
                    case ALLOW -> "allowed";
                    case EXPLICIT_DENY -> "explicitDeny";
                    default -> "implicitDeny";
                };
            }
        }
        return decision.outcome() == Outcome.ALLOW ? "allowed" : "implicitDeny";
    }

    /**
     * Where statement {@code index} of a document starts and ends (1-based line and column), as AWS reports
     * positions of matched statements; {@code null} if the text cannot be read.
     */
    static int[] statementPosition(String text, int index) {
        try (JsonParser parser = JSON.createParser(text)) {
            int depth = 0;
            boolean inStatement = false;
            boolean statementIsArray = false;
            int current = -1;
            int[] found = null;
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                if (token == JsonToken.FIELD_NAME && depth == 1 && "Statement".equals(parser.currentName())) {
                    JsonToken value = parser.nextToken();
                    inStatement = true;
                    statementIsArray = value == JsonToken.START_ARRAY;
                    if (!statementIsArray && value == JsonToken.START_OBJECT) {
                        found = new int[] {parser.currentTokenLocation().getLineNr(),
                                parser.currentTokenLocation().getColumnNr(), 0, 0};
                        parser.skipChildren();
                        found[2] = parser.currentLocation().getLineNr();
                        found[3] = parser.currentLocation().getColumnNr();
                        return index == 0 ? found : null;
                    }
                    depth++;
                    continue;
                }
                if (inStatement && statementIsArray && depth == 2 && token == JsonToken.START_OBJECT) {
                    current++;
                    int line = parser.currentTokenLocation().getLineNr();
                    int column = parser.currentTokenLocation().getColumnNr();
                    parser.skipChildren();
                    if (current == index) {
                        return new int[] {line, column, parser.currentLocation().getLineNr(),
                                parser.currentLocation().getColumnNr()};
                    }
                    continue;
                }
                if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
                    depth++;
                } else if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
                    depth--;
                    if (inStatement && depth == 1) {
                        inStatement = false;
                    }
                }
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }
}
