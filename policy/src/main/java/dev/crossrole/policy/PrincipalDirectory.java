package dev.crossrole.policy;

/**
 * Tells validation whether an IAM user or role named in a trust policy exists. AWS rejects a trust
 * policy that names a user or role that does not exist (in any account); offline validation has no
 * directory and checks the form of principals only.
 */
@FunctionalInterface
public interface PrincipalDirectory {
    /** Whether the user or role with this ARN ({@code arn:aws:iam::ACCOUNT:role/NAME}) exists now. */
    boolean exists(String userOrRoleArn);

    /** A directory that does not check existence. */
    PrincipalDirectory ANY = arn -> true;
}
