package dev.crossrole.it;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Small builders for IAM policy documents, so that tests read like the policies they use. */
final class Docs {
    private Docs() {}

    /** A JSON string literal. */
    static String q(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** A JSON array of strings. */
    static String arr(String... items) {
        return Arrays.stream(items).map(Docs::q).collect(Collectors.joining(",", "[", "]"));
    }

    /** A policy document of the given statements. */
    static String doc(String... statements) {
        return "{\"Version\":\"2012-10-17\",\"Statement\":[" + String.join(",", statements) + "]}";
    }

    /** An identity-policy statement. */
    static String stmt(String effect, String[] actions, String resource) {
        return stmt(effect, actions, resource, null);
    }

    static String stmt(String effect, String[] actions, String resource, String condition) {
        return "{\"Effect\":" + q(effect) + ",\"Action\":" + arr(actions) + ",\"Resource\":" + q(resource)
                + (condition == null ? "" : ",\"Condition\":" + condition) + "}";
    }

    /** An identity policy allowing the actions on a resource. */
    static String allow(String resource, String... actions) {
        return doc(stmt("Allow", actions, resource));
    }

    /** A trust-policy statement; {@code principal} is the JSON value of {@code Principal}. */
    static String trustStmt(String effect, String principal, String[] actions, String condition) {
        return "{\"Effect\":" + q(effect) + ",\"Principal\":" + principal + ",\"Action\":" + arr(actions)
                + (condition == null ? "" : ",\"Condition\":" + condition) + "}";
    }

    /** A trust policy letting the AWS principal (an ARN or account id) assume the role. */
    static String trustAws(String principal, String... actions) {
        return doc(trustStmt("Allow", "{\"AWS\":" + q(principal) + "}",
                actions.length == 0 ? new String[] {"sts:AssumeRole"} : actions, null));
    }

    /** {@code {"AWS": "<principal>"}}. */
    static String aws(String principal) {
        return "{\"AWS\":" + q(principal) + "}";
    }

    /** {@code {"<operator>": {"<key>": "<value>"}}}. */
    static String cond(String operator, String key, String value) {
        return "{" + q(operator) + ":{" + q(key) + ":" + q(value) + "}}";
    }

    static String[] actions(String... actions) {
        return actions;
    }
}
