package dev.crossrole.server.service;

import java.util.List;

/**
 * One line of a provider's authorization table: an action an operation asks the policy engine for, the resource
 * type (as the Service Authorization Reference names it) whose ARN the operation builds from which input members, and
 * the condition keys it supplies beyond the global ones. A test holds every line against the reference, and the
 * pipeline (with assertions on) refuses an access check for an action its operation did not declare.
 *
 * @param action {@code service:Action}
 * @param resourceType the reference's resource type ({@code role}); {@code null} when the action takes {@code *}
 * @param fromMembers the input members the resource's ARN is built from (none when it comes from the caller)
 * @param conditionKeys the keys the operation supplies ({@code sts:ExternalId}, {@code aws:RequestTag/${TagKey}})
 */
public record Authorization(String action, String resourceType, List<String> fromMembers, List<String> conditionKeys) {
    public Authorization {
        fromMembers = List.copyOf(fromMembers);
        conditionKeys = List.copyOf(conditionKeys);
    }

    /** An action on any resource ({@code *}). */
    public static Authorization of(String action) {
        return new Authorization(action, null, List.of(), List.of());
    }

    /** The resource type, and the input members its ARN is built from. */
    public Authorization on(String type, String... members) {
        return new Authorization(action, type, List.of(members), conditionKeys);
    }

    /** Adds condition keys to those already named. */
    public Authorization keys(String... keys) {
        List<String> all = new java.util.ArrayList<>(conditionKeys);
        all.addAll(List.of(keys));
        return new Authorization(action, resourceType, fromMembers, all);
    }
}
