package dev.crossrole.server.organizations;

/**
 * Makes a new account usable, as CreateAccount does in AWS: the account in IAM, its role the management account may
 * assume, and (crossrole's addition) an administrator with an access key written as a profile to the credentials
 * file. Runs inside the CreateAccount call's store transaction.
 */
@FunctionalInterface
public interface AccountProvisioner {
    /**
     * @param account the new 12-digit id
     * @param roleName the role trusted by the management account, with AdministratorAccess
     * @param managementAccount the account that may assume it
     */
    void provision(String account, String roleName, String managementAccount);
}
