package dev.crossrole.policy;

import java.util.Locale;

/** Names of the global condition keys the engine derives, and key-name normalisation (key names are case-insensitive). */
public final class ContextKeys {
    public static final String PRINCIPAL_ARN = "aws:PrincipalArn";
    public static final String PRINCIPAL_ACCOUNT = "aws:PrincipalAccount";
    public static final String PRINCIPAL_TYPE = "aws:PrincipalType";
    public static final String USER_ID = "aws:userid";
    public static final String USERNAME = "aws:username";
    public static final String RESOURCE_ACCOUNT = "aws:ResourceAccount";
    public static final String PRINCIPAL_IS_AWS_SERVICE = "aws:PrincipalIsAWSService";
    public static final String PRINCIPAL_SERVICE_NAME = "aws:PrincipalServiceName";
    public static final String CURRENT_TIME = "aws:CurrentTime";
    public static final String EPOCH_TIME = "aws:EpochTime";

    private ContextKeys() {}

    /** The canonical lookup form of a key name: lower case, tag-key part included (tag keys match case-insensitively too). */
    public static String normalize(String key) {
        return key.toLowerCase(Locale.ROOT);
    }
}
