package dev.crossrole.policy;

import java.util.Locale;

/**
 * What is being authorized: who asks, for which action, on which resource, owned by which account,
 * with which condition keys.
 *
 * @param principal the caller
 * @param action the action, {@code service:Name} ({@code sts:AssumeRole})
 * @param resource the resource ARN, or {@code *} for actions without resource-level permissions
 * @param resourceAccount the account owning the resource; {@code null} to take it from the resource ARN,
 *     and where the ARN carries none (S3) or the resource is {@code *}, the caller's account
 * @param context the request's condition keys; derivable keys may be left out
 */
public record AuthorizationRequest(Principal principal, String action, String resource, String resourceAccount,
                                   RequestContext context) {

    public AuthorizationRequest {
        if (principal == null || action == null || resource == null) {
            throw new IllegalArgumentException("principal, action and resource are required");
        }
        if (context == null) {
            context = RequestContext.empty();
        }
    }

    public AuthorizationRequest(Principal principal, String action, String resource) {
        this(principal, action, resource, null, RequestContext.empty());
    }

    /** The account owning the resource, after the defaults described above. */
    public String effectiveResourceAccount() {
        if (resourceAccount != null && !resourceAccount.isEmpty()) {
            return resourceAccount;
        }
        String account = arnAccount(resource);
        return account != null ? account : principal.accountId();
    }

    /** The 12-digit account field of an ARN, or {@code null}; a scan, as this runs on every decision. */
    static String arnAccount(String arn) {
        if (!arn.startsWith("arn:")) {
            return null;
        }
        int start = 0;
        for (int colons = 0; colons < 4; colons++) {
            start = arn.indexOf(':', start) + 1;
            if (start == 0) {
                return null;
            }
        }
        int end = arn.indexOf(':', start);
        if (end - start != 12) {
            return null;
        }
        for (int i = start; i < end; i++) {
            char c = arn.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
        }
        return arn.substring(start, end);
    }

    String lowerAction() {
        return action.toLowerCase(Locale.ROOT);
    }
}
