package dev.crossrole.server.iam;

import static dev.crossrole.server.iam.IamSupport.account;

import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.protocol.Constraints;
import dev.crossrole.server.protocol.QueryParams;
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
     * @param nameParameter reads and validates the entity's name parameter ({@code RoleName}, ...)
     */
    record Entity<T>(String kind, BiFunction<QueryParams, Constraints, String> nameParameter,
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

    static <T> void register(Map<String, IamOperation> ops, IamDirectory iam, Entity<T> entity) {
        EntityTagAndBoundaryOperations<T> e = new EntityTagAndBoundaryOperations<>(iam, entity);
        String kind = entity.kind();
        ops.put("Tag" + kind, e::tag);
        ops.put("Untag" + kind, e::untag);
        ops.put("List" + kind + "Tags", e::listTags);
        ops.put("Put" + kind + "PermissionsBoundary", e::putBoundary);
        ops.put("Delete" + kind + "PermissionsBoundary", e::deleteBoundary);
    }

    private AccessCheck check(Call call, String operation, String name, RequestContext.Builder extra) {
        return entity.access().on(call, "iam:" + operation, name, extra);
    }

    // ---- permissions boundary ---------------------------------------------------------------

    private PreparedCall putBoundary(Call call, QueryParams params) {
        Constraints c = new Constraints();
        String name = entity.nameParameter().apply(params, c);
        String boundary = params.get("PermissionsBoundary");
        c.required("permissionsBoundary", boundary).length("permissionsBoundary", boundary, 20, 2048);
        c.check();
        RequestContext.Builder context = RequestContext.builder().single("iam:PermissionsBoundary", boundary);
        AccessCheck check = check(call, "Put" + entity.kind() + "PermissionsBoundary", name, context);
        return PreparedCall.of(List.of(check), () -> {
            synchronized (iam) {
                T holder = entity.existing().apply(call, name);
                String arn = IamSupport.boundary(iam, account(call), boundary);
                entity.store().accept(entity.withBoundary().apply(holder, arn));
                return null;
            }
        });
    }

    private PreparedCall deleteBoundary(Call call, QueryParams params) {
        Constraints c = new Constraints();
        String name = entity.nameParameter().apply(params, c);
        c.check();
        AccessCheck check = check(call, "Delete" + entity.kind() + "PermissionsBoundary", name, null);
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

    private PreparedCall tag(Call call, QueryParams params) {
        Constraints c = new Constraints();
        String name = entity.nameParameter().apply(params, c);
        Map<String, String> tags = IamSupport.tags(params, c);
        if (tags.isEmpty()) {
            c.required("tags", null);
        }
        c.check();
        RequestContext.Builder context = IamSupport.requestTags(RequestContext.builder(), tags);
        return PreparedCall.of(List.of(check(call, "Tag" + entity.kind(), name, context)), () -> {
            synchronized (iam) {
                T holder = entity.existing().apply(call, name);
                entity.store().accept(entity.withTags().apply(holder, IamSupport.mergeTags(entity.tags().apply(holder), tags)));
                return null;
            }
        });
    }

    private PreparedCall untag(Call call, QueryParams params) {
        Constraints c = new Constraints();
        String name = entity.nameParameter().apply(params, c);
        List<String> keys = params.list("TagKeys");
        if (keys.isEmpty()) {
            c.required("tagKeys", null);
        }
        c.count("tagKeys", keys.size(), 50);
        c.check();
        RequestContext.Builder context = RequestContext.builder().multi("aws:TagKeys", keys);
        return PreparedCall.of(List.of(check(call, "Untag" + entity.kind(), name, context)), () -> {
            synchronized (iam) {
                T holder = entity.existing().apply(call, name);
                Map<String, String> remaining = new LinkedHashMap<>(entity.tags().apply(holder));
                remaining.keySet().removeIf(k -> keys.stream().anyMatch(k::equalsIgnoreCase));
                entity.store().accept(entity.withTags().apply(holder, remaining));
                return null;
            }
        });
    }

    private PreparedCall listTags(Call call, QueryParams params) {
        Constraints c = new Constraints();
        String name = entity.nameParameter().apply(params, c);
        IamSupport.PageRequest page = IamSupport.pageRequest(params, c);
        return PreparedCall.of(List.of(check(call, "List" + entity.kind() + "Tags", name, null)), () -> {
            T holder = entity.existing().apply(call, name);
            IamSupport.Page<Map.Entry<String, String>> p =
                    IamSupport.page(new ArrayList<>(entity.tags().apply(holder).entrySet()), page);
            return p.into(Shape.of().put("Tags", IamSupport.shapes(p.items(),
                    e -> Shape.of().put("Key", e.getKey()).put("Value", e.getValue()))));
        });
    }
}
