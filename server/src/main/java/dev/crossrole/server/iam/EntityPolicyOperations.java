package dev.crossrole.server.iam;

import static dev.crossrole.server.iam.IamSupport.account;

import dev.crossrole.policy.Policy;
import dev.crossrole.policy.PolicyKind;
import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.service.AccessCheck;
import dev.crossrole.server.service.Call;
import dev.crossrole.server.service.PreparedCall;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The seven policy operations that roles, users and groups share ({@code Put/Get/List/Delete<Kind>Policy},
 * {@code Attach/Detach<Kind>Policy}, {@code ListAttached<Kind>Policies}). They differ only in names,
 * quotas and how the entity is found and stored, which an {@link Entity} describes; IAM's messages
 * name the kind ("The role policy with name X cannot be found.").
 */
final class EntityPolicyOperations<T> {

    /** The access check for an operation on the named entity, with extra request context (or {@code null}). */
    interface Access {
        AccessCheck on(Call call, String action, String name, RequestContext.Builder extra);
    }

    /**
     * One kind of IAM entity that holds policies.
     *
     * @param kind          the kind as it appears in operation names: {@code Role}, {@code User}, {@code Group}
     * @param nameMember    the input member naming the entity ({@code RoleName}, ...)
     * @param inlineQuota   aggregate size of the entity's inline policies, in non-whitespace characters
     * @param attachGuard   refuses managed policies this kind cannot hold (may throw); otherwise a no-op
     */
    record Entity<T>(String kind, String nameMember, int inlineQuota,
                     int attachedQuota, Access access, BiFunction<Call, String, T> existing, Function<T, String> name,
                     Function<T, Map<String, Policy>> inline, Function<T, List<String>> attached,
                     BiFunction<T, Map<String, Policy>, T> withInline, BiFunction<T, List<String>, T> withAttached,
                     Consumer<T> store, Consumer<ManagedPolicy> attachGuard) {

        String lower() {
            return kind.toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final IamDirectory iam;
    private final Entity<T> entity;

    private EntityPolicyOperations(IamDirectory iam, Entity<T> entity) {
        this.iam = iam;
        this.entity = entity;
    }

    /** The operations on one kind of entity; each is bound by its model name in {@link IamService}. */
    static <T> EntityPolicyOperations<T> of(IamDirectory iam, Entity<T> entity) {
        return new EntityPolicyOperations<>(iam, entity);
    }

    // ---- parameters and helpers -------------------------------------------------------------

    /** The aggregate size of an entity's inline policies, as IAM counts it: characters other than whitespace. */
    static int inlineSize(Map<String, Policy> inline) {
        return inline.values().stream().mapToInt(p -> nonWhitespace(p.text())).sum();
    }

    static int nonWhitespace(String text) {
        int n = 0;
        for (int i = 0; i < text.length(); i++) {
            if (!Character.isWhitespace(text.charAt(i))) {
                n++;
            }
        }
        return n;
    }

    static List<ManagedPolicy> attachedPolicies(IamDirectory iam, List<String> arns, String prefix) {
        return arns.stream().map(arn -> iam.policy(arn).orElse(null))
                .filter(p -> p != null && IamSupport.underPrefix(p.path(), prefix)).toList();
    }

    static Shape attachedShape(ManagedPolicy policy) {
        return Shape.of().put("PolicyName", policy.name()).put("PolicyArn", policy.arn());
    }

    private dev.crossrole.server.protocol.AwsException noSuchInline(String policyName) {
        return IamSupport.noSuchEntity("The " + entity.lower() + " policy with name " + policyName + " cannot be found.");
    }

    // ---- inline policies --------------------------------------------------------------------

    PreparedCall put(String action, Call call, Input input) {
        String name = input.string(entity.nameMember());
        String policyName = input.string("PolicyName");
        String document = input.string("PolicyDocument");
        AccessCheck check = entity.access().on(call, action, name, null);
        return PreparedCall.of(List.of(check), () -> {
            synchronized (iam) {
                T holder = entity.existing().apply(call, name);
                Policy policy = IamSupport.parse(document, PolicyKind.INLINE, policyName);
                Map<String, Policy> inline = new LinkedHashMap<>(entity.inline().apply(holder));
                inline.put(policyName, policy);
                if (inlineSize(inline) > entity.inlineQuota()) {
                    throw IamSupport.limitExceeded("Maximum policy size of " + entity.inlineQuota() + " bytes exceeded for "
                            + entity.lower() + " " + entity.name().apply(holder));
                }
                entity.store().accept(entity.withInline().apply(holder, inline));
                return null;
            }
        });
    }

    PreparedCall get(String action, Call call, Input input) {
        String name = input.string(entity.nameMember());
        String policyName = input.string("PolicyName");
        AccessCheck check = entity.access().on(call, action, name, null);
        return PreparedCall.of(List.of(check), () -> {
            T holder = entity.existing().apply(call, name);
            Policy policy = entity.inline().apply(holder).get(policyName);
            if (policy == null) {
                throw noSuchInline(policyName);
            }
            return Shape.of().put(entity.nameMember(), entity.name().apply(holder)).put("PolicyName", policyName)
                    .put("PolicyDocument", IamSupport.encodeDocument(policy.text()));
        });
    }

    PreparedCall list(String action, Call call, Input input) {
        String name = input.string(entity.nameMember());
        IamSupport.PageRequest page = IamSupport.pageRequest(input);
        AccessCheck check = entity.access().on(call, action, name, null);
        return PreparedCall.of(List.of(check), () -> {
            T holder = entity.existing().apply(call, name);
            List<String> names = entity.inline().apply(holder).keySet().stream().sorted().toList();
            IamSupport.Page<String> p = IamSupport.page(names, page);
            return p.into(Shape.of().put("PolicyNames", p.items()));
        });
    }

    PreparedCall delete(String action, Call call, Input input) {
        String name = input.string(entity.nameMember());
        String policyName = input.string("PolicyName");
        AccessCheck check = entity.access().on(call, action, name, null);
        return PreparedCall.of(List.of(check), () -> {
            synchronized (iam) {
                T holder = entity.existing().apply(call, name);
                if (!entity.inline().apply(holder).containsKey(policyName)) {
                    throw noSuchInline(policyName);
                }
                Map<String, Policy> inline = new LinkedHashMap<>(entity.inline().apply(holder));
                inline.remove(policyName);
                entity.store().accept(entity.withInline().apply(holder, inline));
                return null;
            }
        });
    }

    // ---- attached managed policies ----------------------------------------------------------

    PreparedCall attach(String action, Call call, Input input) {
        String name = input.string(entity.nameMember());
        String arn = input.string("PolicyArn");
        RequestContext.Builder context = RequestContext.builder().single("iam:PolicyARN", arn);
        AccessCheck check = entity.access().on(call, action, name, context);
        return PreparedCall.of(List.of(check), () -> {
            synchronized (iam) {
                T holder = entity.existing().apply(call, name);
                entity.attachGuard().accept(IamSupport.attachable(iam, account(call), arn));
                List<String> current = entity.attached().apply(holder);
                if (!current.contains(arn)) {
                    if (current.size() >= entity.attachedQuota()) {
                        throw IamSupport.limitExceeded("Cannot exceed quota for PoliciesPer" + entity.kind() + ": "
                                + entity.attachedQuota());
                    }
                    List<String> attached = new ArrayList<>(current);
                    attached.add(arn);
                    entity.store().accept(entity.withAttached().apply(holder, attached));
                }
                return null;
            }
        });
    }

    PreparedCall detach(String action, Call call, Input input) {
        String name = input.string(entity.nameMember());
        String arn = input.string("PolicyArn");
        RequestContext.Builder context = RequestContext.builder().single("iam:PolicyARN", arn);
        AccessCheck check = entity.access().on(call, action, name, context);
        return PreparedCall.of(List.of(check), () -> {
            synchronized (iam) {
                T holder = entity.existing().apply(call, name);
                List<String> current = entity.attached().apply(holder);
                if (!current.contains(arn)) {
                    throw IamSupport.noSuchEntity("Policy " + arn + " was not found.");
                }
                List<String> attached = new ArrayList<>(current);
                attached.remove(arn);
                entity.store().accept(entity.withAttached().apply(holder, attached));
                return null;
            }
        });
    }

    PreparedCall listAttached(String action, Call call, Input input) {
        String name = input.string(entity.nameMember());
        String prefix = input.string("PathPrefix");
        IamSupport.PageRequest page = IamSupport.pageRequest(input);
        AccessCheck check = entity.access().on(call, action, name, null);
        return PreparedCall.of(List.of(check), () -> {
            T holder = entity.existing().apply(call, name);
            List<ManagedPolicy> attached = attachedPolicies(iam, entity.attached().apply(holder), prefix);
            IamSupport.Page<ManagedPolicy> p = IamSupport.page(attached, page);
            return p.into(Shape.of().put("AttachedPolicies", IamSupport.shapes(p.items(), EntityPolicyOperations::attachedShape)));
        });
    }
}
