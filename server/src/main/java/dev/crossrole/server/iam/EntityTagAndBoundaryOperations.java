package dev.crossrole.server.iam;

import static dev.crossrole.server.iam.IamSupport.account;

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
 * The tag and permissions-boundary operations that roles and users share ({@code Tag/Untag<Kind>},
 * {@code List<Kind>Tags}, {@code Put/Delete<Kind>PermissionsBoundary}), described per kind by an
 * {@link Entity}.
 */
final class EntityTagAndBoundaryOperations<T> {

    /**
     * One kind of IAM principal entity with tags and a permissions boundary.
     *
     * @param kind          the kind as it appears in operation names: {@code Role} or {@code User}
     * @param nameMember the input member naming the entity ({@code RoleName}, ...)
     */
    record Entity<T>(String kind, String nameMember,
                     EntityPolicyOperations.Access access, BiFunction<Call, String, T> existing,
                     Function<T, Map<String, String>> tags, BiFunction<T, Map<String, String>, T> withTags,
                     Function<T, String> boundary, BiFunction<T, String, T> withBoundary, Consumer<T> store) {
    }

    private final IamDirectory iam;
    private final Entity<T> entity;

    private EntityTagAndBoundaryOperations(IamDirectory iam, Entity<T> entity) {
        this.iam = iam;
        this.entity = entity;
    }

    /** The operations on one kind of entity; each is bound by its model name in {@link IamService}. */
    static <T> EntityTagAndBoundaryOperations<T> of(IamDirectory iam, Entity<T> entity) {
        return new EntityTagAndBoundaryOperations<>(iam, entity);
    }

    private AccessCheck check(Call call, String action, String name, RequestContext.Builder extra) {
        return entity.access().on(call, action, name, extra);
    }

    // ---- permissions boundary ---------------------------------------------------------------

    PreparedCall putBoundary(String action, Call call, Input input) {
        String name = input.string(entity.nameMember());
        String boundary = input.string("PermissionsBoundary");
        RequestContext.Builder context = RequestContext.builder().single("iam:PermissionsBoundary", boundary);
        AccessCheck check = check(call, action, name, context);
        return PreparedCall.of(List.of(check), () -> {
            synchronized (iam) {
                T holder = entity.existing().apply(call, name);
                String arn = IamSupport.boundary(iam, account(call), boundary);
                entity.store().accept(entity.withBoundary().apply(holder, arn));
                return null;
            }
        });
    }

    PreparedCall deleteBoundary(String action, Call call, Input input) {
        String name = input.string(entity.nameMember());
        AccessCheck check = check(call, action, name, null);
        return PreparedCall.of(List.of(check), () -> {
            synchronized (iam) {
                T holder = entity.existing().apply(call, name);
                if (entity.boundary().apply(holder) == null) {
                    throw IamSupport.noSuchEntity("The " + entity.kind().toLowerCase(java.util.Locale.ROOT) + " with name "
                            + name + " does not have a permissions boundary.");
                }
                entity.store().accept(entity.withBoundary().apply(holder, null));
                return null;
            }
        });
    }

    // ---- tags -------------------------------------------------------------------------------

    PreparedCall tag(String action, Call call, Input input) {
        String name = input.string(entity.nameMember());
        Map<String, String> tags = IamSupport.tags(input);
        RequestContext.Builder context = IamSupport.requestTags(RequestContext.builder(), tags);
        return PreparedCall.of(List.of(check(call, action, name, context)), () -> {
            synchronized (iam) {
                T holder = entity.existing().apply(call, name);
                entity.store().accept(entity.withTags().apply(holder, IamSupport.mergeTags(entity.tags().apply(holder), tags)));
                return null;
            }
        });
    }

    PreparedCall untag(String action, Call call, Input input) {
        String name = input.string(entity.nameMember());
        List<String> keys = input.<String>listOrEmpty("TagKeys");
        RequestContext.Builder context = RequestContext.builder().multi("aws:TagKeys", keys);
        return PreparedCall.of(List.of(check(call, action, name, context)), () -> {
            synchronized (iam) {
                T holder = entity.existing().apply(call, name);
                Map<String, String> remaining = new LinkedHashMap<>(entity.tags().apply(holder));
                remaining.keySet().removeIf(k -> keys.stream().anyMatch(k::equalsIgnoreCase));
                entity.store().accept(entity.withTags().apply(holder, remaining));
                return null;
            }
        });
    }

    PreparedCall listTags(String action, Call call, Input input) {
        String name = input.string(entity.nameMember());
        IamSupport.PageRequest page = IamSupport.pageRequest(input);
        return PreparedCall.of(List.of(check(call, action, name, null)), () -> {
            T holder = entity.existing().apply(call, name);
            IamSupport.Page<Map.Entry<String, String>> p =
                    IamSupport.page(new ArrayList<>(entity.tags().apply(holder).entrySet()), page);
            return p.into(Shape.of().put("Tags", IamSupport.shapes(p.items(),
                    e -> Shape.of().put("Key", e.getKey()).put("Value", e.getValue()))));
        });
    }
}
