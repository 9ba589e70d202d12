package dev.crossrole.policy;

/**
 * One finding about a policy document, carrying the error AWS returns for it.
 *
 * @param code the AWS error code ({@code MalformedPolicyDocument}, {@code LimitExceeded}, ...)
 * @param httpStatus the HTTP status AWS answers with
 * @param message AWS's message text, verbatim
 * @param location where in the document the problem is ({@code Statement[1].Resource}), or "" for the whole document
 * @param detail crossrole's own account of the problem where AWS's message is generic, or {@code null}
 */
public record Diagnostic(String code, int httpStatus, String message, String location, String detail) {

    static final String MALFORMED = "MalformedPolicyDocument";

    static Diagnostic malformed(String message, String location) {
        return new Diagnostic(MALFORMED, 400, message, location, null);
    }
}
