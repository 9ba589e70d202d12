package dev.crossrole.server.protocol;

/**
 * An AWS error: its code, HTTP status, message and fault side. Any stage may throw one; the error
 * stage renders it in the protocol of the request (Query XML, JSON {@code __type}).
 */
public class AwsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String code;
    private final int httpStatus;
    private final boolean senderFault;
    /** Members the error shape has besides its code and message ({@code Reason}), in the order they are added. */
    private final java.util.Map<String, String> members = new java.util.LinkedHashMap<>();

    public AwsException(String code, int httpStatus, String message) {
        this(code, httpStatus, message, httpStatus < 500);
    }

    public AwsException(String code, int httpStatus, String message, boolean senderFault) {
        super(message, null, false, false);
        this.code = code;
        this.httpStatus = httpStatus;
        this.senderFault = senderFault;
    }

    public String code() {
        return code;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public boolean senderFault() {
        return senderFault;
    }

    /**
     * Members a JSON error carries beside its code and message (DynamoDB's {@code CancellationReasons} and
     * {@code Item}), by wire name; none for most errors.
     */
    public java.util.Map<String, com.fasterxml.jackson.databind.JsonNode> extraMembers() {
        return java.util.Map.of();
    }

    /** Adds a member of the error's shape (Organizations' {@code Reason}); {@code null} adds nothing. */
    public AwsException with(String member, String value) {
        if (value != null) {
            members.put(member, value);
        }
        return this;
    }

    /** The error's other members, as {@link #with} added them. */
    public java.util.Map<String, String> members() {
        return java.util.Collections.unmodifiableMap(members);
    }

    // ---- the common errors of Query services ------------------------------------------------

    public static AwsException validation(String message) {
        return new AwsException("ValidationError", 400, message);
    }

    public static AwsException accessDenied(String message) {
        return new AwsException("AccessDenied", 403, message);
    }

    public static AwsException missingParameter(String name) {
        return new AwsException("MissingParameter", 400,
                "The request must contain the parameter " + name);
    }

    public static AwsException invalidParameterValue(String message) {
        return new AwsException("InvalidParameterValue", 400, message);
    }

    public static AwsException internal() {
        return new AwsException("InternalFailure", 500,
                "The request processing has failed because of an unknown error, exception or failure.", false);
    }
}
