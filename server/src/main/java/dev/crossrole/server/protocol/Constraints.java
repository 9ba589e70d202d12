package dev.crossrole.server.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Input constraint checks with AWS's {@code ValidationError} wording ("1 validation error detected:
 * Value 'x' at 'roleSessionName' failed to satisfy constraint: ..."); several failures are reported
 * together, joined by "; ".
 */
public final class Constraints {
    private final List<String> failures = new ArrayList<>();
    /** Failures a service words in full (IAM's name and path rules); reported alone when nothing else failed. */
    private final List<String> standalone = new ArrayList<>();

    public Constraints standalone(String message) {
        standalone.add(message);
        return this;
    }

    public Constraints required(String member, Object value) {
        if (value == null) {
            failures.add("Value null at '" + member + "' failed to satisfy constraint: Member must not be null");
        }
        return this;
    }

    public Constraints length(String member, String value, int min, int max) {
        if (value == null) {
            return this;
        }
        if (value.length() < min) {
            failures.add(value(member, value) + "Member must have length greater than or equal to " + min);
        } else if (value.length() > max) {
            failures.add(value(member, value) + "Member must have length less than or equal to " + max);
        }
        return this;
    }

    public Constraints pattern(String member, String value, Pattern pattern, String shown) {
        if (value != null && !pattern.matcher(value).matches()) {
            failures.add(value(member, value) + "Member must satisfy regular expression pattern: " + shown);
        }
        return this;
    }

    public Constraints range(String member, Integer value, int min, int max) {
        if (value == null) {
            return this;
        }
        if (value < min) {
            failures.add(value(member, String.valueOf(value)) + "Member must have value greater than or equal to " + min);
        } else if (value > max) {
            failures.add(value(member, String.valueOf(value)) + "Member must have value less than or equal to " + max);
        }
        return this;
    }

    public Constraints count(String member, int size, int max) {
        if (size > max) {
            failures.add("Value at '" + member + "' failed to satisfy constraint: Member must have length less than or equal to " + max);
        }
        return this;
    }

    public Constraints add(String failure) {
        failures.add(failure);
        return this;
    }

    private static String value(String member, String value) {
        return "Value '" + value + "' at '" + member + "' failed to satisfy constraint: ";
    }

    /** Throws the collected failures as one {@code ValidationError}. */
    public void check() {
        if (failures.isEmpty() && !standalone.isEmpty()) {
            throw AwsException.validation(standalone.get(0));
        }
        if (failures.isEmpty()) {
            return;
        }
        String count = failures.size() == 1 ? "1 validation error detected: " : failures.size() + " validation errors detected: ";
        throw AwsException.validation(count + String.join("; ", failures));
    }

    /** Reads an integer parameter; a value that is not a number is a validation failure. */
    public Integer integer(String member, String text) {
        if (text == null) {
            return null;
        }
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            failures.add(value(member, text) + "Member must be a number");
            return null;
        }
    }
}
