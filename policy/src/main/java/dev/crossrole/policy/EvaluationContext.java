package dev.crossrole.policy;

import java.time.Instant;

/** The condition keys of one evaluation: those the request gave, else those derived from the request. */
final class EvaluationContext implements TextPattern.VariableSource {
    final AuthorizationRequest request;
    final String resourceAccount;
    private final Instant now;

    EvaluationContext(AuthorizationRequest request, String resourceAccount, Instant now) {
        this.request = request;
        this.resourceAccount = resourceAccount;
        this.now = now;
    }

    /** The current time, formatted once per evaluation (and remembered as an instant for Date operators). */
    private String currentTime;

    ContextValue lookup(String lowerKey) {
        ContextValue given = request.context().getNormalized(lowerKey);
        if (given != null) {
            return given;
        }
        String derived = derived(lowerKey);
        return derived == null ? null : ContextValue.single(derived);
    }

    /** A date value in epoch milliseconds; the derived current time is not parsed back from its text. */
    Long epochMillis(String text) {
        if (text != null && text == currentTime) {
            return now.getEpochSecond() * 1000;
        }
        return Values.epochMillis(text);
    }

    private String currentTime() {
        if (currentTime == null) {
            currentTime = Values.isoSeconds(now);
        }
        return currentTime;
    }

    @Override
    public String singleValue(String lowerKey) {
        ContextValue value = lookup(lowerKey);
        return value == null ? null : value.singleOrNull();
    }

    /** Keys AWS sets from the request itself (IAM User Guide, "AWS global condition context keys"). */
    private String derived(String lowerKey) {
        Principal principal = request.principal();
        switch (lowerKey) {
            case "aws:principalarn":
                return principal.principalArn();
            case "aws:principalaccount":
                return principal instanceof Principal.Anonymous ? "anonymous" : principal.accountId();
            case "aws:principaltype":
                return principal.principalType();
            case "aws:userid":
                return principal.userId();
            case "aws:username":
                return principal instanceof Principal.IamUser user ? user.name() : null;
            case "aws:resourceaccount":
                return resourceAccount;
            case "aws:principalisawsservice":
                return principal instanceof Principal.Anonymous ? null
                        : String.valueOf(principal instanceof Principal.ServicePrincipal);
            case "aws:principalservicename":
                return principal instanceof Principal.ServicePrincipal service ? service.name() : null;
            case "aws:currenttime":
                return currentTime();
            case "aws:epochtime":
                return String.valueOf(now.getEpochSecond());
            default:
                return null;
        }
    }
}
