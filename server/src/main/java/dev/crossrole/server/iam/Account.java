package dev.crossrole.server.iam;

/** An AWS account: a 12-digit id and an optional alias. */
public record Account(String id, String alias) {
    public String rootArn() {
        return "arn:aws:iam::" + id + ":root";
    }
}
