package dev.crossrole.server.iam;

import static dev.crossrole.server.iam.IamSupport.account;

import dev.crossrole.policy.ContextKeys;
import dev.crossrole.policy.Policy;
import dev.crossrole.policy.PolicyKind;
import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.service.Call;
import dev.crossrole.server.service.PreparedCall;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GetContextKeysForCustomPolicy} and {@code GetContextKeysForPrincipalPolicy}: the condition keys and policy
 * variables the policies refer to ({@link Policy#contextKeys()}), each once, in the order the policies give them:
 * for a principal its own inline and attached policies, then (for a user) those of its groups, then the policies of
 * the request. Authorized like the simulations: on {@code *}, or on the user, group or role named.
 */
final class ContextKeyOperations {
    private final IamDirectory iam;

    ContextKeyOperations(IamSupport support) {
        this.iam = support.iam;
    }

    PreparedCall getContextKeysForCustomPolicy(Call call, Input input) {
        List<String> documents = input.listOrEmpty("PolicyInputList");
        return PreparedCall.of(List.of(IamSupport.check("iam:GetContextKeysForCustomPolicy", "*", RequestContext.empty())),
                () -> Shape.of().put("ContextKeyNames", keys(parse(documents))));
    }

    PreparedCall getContextKeysForPrincipalPolicy(Call call, Input input) {
        String source = input.string("PolicySourceArn");
        List<String> documents = input.listOrEmpty("PolicyInputList");
        return PreparedCall.of(List.of(IamSupport.check("iam:GetContextKeysForPrincipalPolicy", source,
                RequestContext.empty())), () -> {
            List<Policy> policies = policiesOf(account(call), source);
            policies.addAll(parse(documents));
            return Shape.of().put("ContextKeyNames", keys(policies));
        });
    }

    private static List<Policy> parse(List<String> documents) {
        List<Policy> out = new ArrayList<>();
        for (int i = 0; i < documents.size(); i++) {
            out.add(IamSupport.parse(documents.get(i), PolicyKind.INLINE, "PolicyInputList." + (i + 1)));
        }
        return out;
    }

    /** Every key of the policies once (key names are case-insensitive), as first written. */
    static List<String> keys(List<Policy> policies) {
        Map<String, String> keys = new LinkedHashMap<>();
        for (Policy policy : policies) {
            policy.contextKeys().forEach(k -> keys.putIfAbsent(ContextKeys.normalize(k), k));
        }
        return List.copyOf(keys.values());
    }

    /** The identity-based policies of a user (with its groups'), group or role of the account. */
    private List<Policy> policiesOf(String account, String arn) {
        String[] parts = arn.split(":", 6);
        if (parts.length != 6 || !parts[2].equals("iam") || !parts[4].equals(account)) {
            throw IamSupport.invalidInput("Invalid ARN: " + arn + " is not a user, group or role of this account.");
        }
        String resource = parts[5];
        String name = resource.substring(resource.lastIndexOf('/') + 1);
        List<Policy> out = new ArrayList<>();
        if (resource.startsWith("user/")) {
            IamUser user = iam.user(account, name).filter(u -> u.arn().equals(arn))
                    .orElseThrow(() -> IamSupport.noSuchUser(name));
            add(out, user.inlinePolicies(), user.attachedPolicyArns());
            for (Group group : iam.groupsOf(account, user.name())) {
                add(out, group.inlinePolicies(), group.attachedPolicyArns());
            }
        } else if (resource.startsWith("role/")) {
            Role role = iam.role(account, name).filter(r -> r.arn().equals(arn))
                    .orElseThrow(() -> IamSupport.noSuchRole(name));
            add(out, role.inlinePolicies(), role.attachedPolicyArns());
        } else if (resource.startsWith("group/")) {
            Group group = iam.group(account, name).filter(g -> g.arn().equals(arn))
                    .orElseThrow(() -> IamSupport.noSuchEntity("The group with name " + name + " cannot be found."));
            add(out, group.inlinePolicies(), group.attachedPolicyArns());
        } else {
            throw IamSupport.invalidInput("Invalid ARN: " + arn + " is not a user, group or role of this account.");
        }
        return out;
    }

    private void add(List<Policy> out, Map<String, Policy> inline, List<String> attached) {
        inline.keySet().stream().sorted().forEach(name -> out.add(inline.get(name)));
        for (String arn : attached) {
            iam.policy(arn).ifPresent(p -> out.add(p.document()));
        }
    }
}
