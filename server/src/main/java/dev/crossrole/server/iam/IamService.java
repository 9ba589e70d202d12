package dev.crossrole.server.iam;

import dev.crossrole.server.model.ShapeModel;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.service.Authorization;
import dev.crossrole.server.service.Call;
import dev.crossrole.server.service.OperationTable;
import dev.crossrole.server.service.PreparedCall;
import dev.crossrole.server.service.ServiceProvider;

/**
 * The IAM Query API (version 2010-05-08): every operation bound by its model name, with the actions it asks the
 * policy engine for.
 */
public final class IamService implements ServiceProvider {
    private static final String TAGS = "aws:RequestTag/${TagKey}";
    private static final String TAG_KEYS = "aws:TagKeys";
    private static final String BOUNDARY = "iam:PermissionsBoundary";
    private static final String POLICY_ARN = "iam:PolicyARN";

    private final RoleOperations roles;
    private final UserOperations users;
    private final GroupOperations groups;
    private final PolicyOperations policies;
    private final AccountOperations account;
    private final SimulationOperations simulation;
    private final OidcProviderOperations oidcProviders;
    private final LoginProfileOperations passwords;
    private final MfaDeviceOperations mfaDevices;
    private final InstanceProfileOperations instanceProfiles;
    private final ServiceLinkedRoleOperations serviceLinkedRoles;
    private final ContextKeyOperations contextKeys;
    private final CredentialReportOperations credentialReports;
    private final SamlProviderOperations samlProviders;
    // certificates, SSH public keys, service-specific credentials, access advisor
    private final ServerCertificateOperations serverCertificates;
    private final SigningCertificateOperations signingCertificates;
    private final SshPublicKeyOperations sshPublicKeys;
    private final ServiceSpecificCredentialOperations serviceCredentials;
    private final AccessAdvisorOperations accessAdvisor;

    public IamService(IamDirectory iam) {
        IamSupport support = new IamSupport(iam);
        this.roles = new RoleOperations(support);
        this.users = new UserOperations(support);
        this.groups = new GroupOperations(support);
        this.policies = new PolicyOperations(support);
        this.account = new AccountOperations(support);
        this.simulation = new SimulationOperations(support);
        this.oidcProviders = new OidcProviderOperations(support);
        this.passwords = new LoginProfileOperations(support);
        this.mfaDevices = new MfaDeviceOperations(support);
        this.instanceProfiles = new InstanceProfileOperations(support);
        this.serviceLinkedRoles = new ServiceLinkedRoleOperations(support);
        this.contextKeys = new ContextKeyOperations(support);
        this.credentialReports = new CredentialReportOperations(support);
        this.samlProviders = new SamlProviderOperations(support);
        this.serverCertificates = new ServerCertificateOperations(support);
        this.signingCertificates = new SigningCertificateOperations(support);
        this.sshPublicKeys = new SshPublicKeyOperations(support);
        this.serviceCredentials = new ServiceSpecificCredentialOperations(support);
        this.accessAdvisor = new AccessAdvisorOperations(support);
    }

    @Override
    public String modelId() {
        return "iam";
    }

    @Override
    public String patternFailure(String path, ShapeModel shape) {
        String credentialId = ServiceSpecificCredentialOperations.patternFailure(path, shape);
        return credentialId != null ? credentialId : IamSupport.patternFailure(path, shape);
    }

    @Override
    public void register(OperationTable operations) {
        operations
                .on("CreateRole", roles::createRole,
                        Authorization.of("iam:CreateRole").on("role", "Path", "RoleName").keys(TAGS, TAG_KEYS, BOUNDARY),
                        Authorization.of("iam:TagRole").on("role", "Path", "RoleName").keys(TAGS, TAG_KEYS))
                .on("GetRole", roles::getRole, Authorization.of("iam:GetRole").on("role", "RoleName"))
                .on("ListRoles", roles::listRoles, Authorization.of("iam:ListRoles"))
                .on("UpdateRole", roles::updateRole, Authorization.of("iam:UpdateRole").on("role", "RoleName"))
                .on("UpdateRoleDescription", roles::updateRoleDescription,
                        Authorization.of("iam:UpdateRoleDescription").on("role", "RoleName"))
                .on("DeleteRole", roles::deleteRole, Authorization.of("iam:DeleteRole").on("role", "RoleName"))
                .on("UpdateAssumeRolePolicy", roles::updateAssumeRolePolicy,
                        Authorization.of("iam:UpdateAssumeRolePolicy").on("role", "RoleName"))
                .on("TagRole", roles::tagRole,
                        Authorization.of("iam:TagRole").on("role", "RoleName").keys(TAGS, TAG_KEYS))
                .on("UntagRole", roles::untagRole,
                        Authorization.of("iam:UntagRole").on("role", "RoleName").keys(TAG_KEYS))
                .on("ListRoleTags", roles::listRoleTags,
                        Authorization.of("iam:ListRoleTags").on("role", "RoleName"))
                .on("PutRolePermissionsBoundary", roles::putRolePermissionsBoundary,
                        Authorization.of("iam:PutRolePermissionsBoundary").on("role", "RoleName").keys(BOUNDARY))
                .on("DeleteRolePermissionsBoundary", roles::deleteRolePermissionsBoundary,
                        Authorization.of("iam:DeleteRolePermissionsBoundary").on("role", "RoleName"))
                .on("PutRolePolicy", roles::putRolePolicy,
                        Authorization.of("iam:PutRolePolicy").on("role", "RoleName"))
                .on("GetRolePolicy", roles::getRolePolicy,
                        Authorization.of("iam:GetRolePolicy").on("role", "RoleName"))
                .on("ListRolePolicies", roles::listRolePolicies,
                        Authorization.of("iam:ListRolePolicies").on("role", "RoleName"))
                .on("DeleteRolePolicy", roles::deleteRolePolicy,
                        Authorization.of("iam:DeleteRolePolicy").on("role", "RoleName"))
                .on("AttachRolePolicy", roles::attachRolePolicy,
                        Authorization.of("iam:AttachRolePolicy").on("role", "RoleName").keys(POLICY_ARN))
                .on("DetachRolePolicy", roles::detachRolePolicy,
                        Authorization.of("iam:DetachRolePolicy").on("role", "RoleName").keys(POLICY_ARN))
                .on("ListAttachedRolePolicies", roles::listAttachedRolePolicies,
                        Authorization.of("iam:ListAttachedRolePolicies").on("role", "RoleName"))

                .on("CreateUser", users::createUser,
                        Authorization.of("iam:CreateUser").on("user", "Path", "UserName").keys(TAGS, TAG_KEYS, BOUNDARY),
                        Authorization.of("iam:TagUser").on("user", "Path", "UserName").keys(TAGS, TAG_KEYS))
                // Without a UserName, the user-optional calls act on the caller (its ARN, or the account root).
                .on("GetUser", users::getUser, Authorization.of("iam:GetUser").on("user", "UserName"))
                .on("ListUsers", users::listUsers, Authorization.of("iam:ListUsers"))
                .on("UpdateUser", users::updateUser, Authorization.of("iam:UpdateUser").on("user", "UserName"),
                        Authorization.of("iam:UpdateUser").on("user", "NewPath", "NewUserName"))
                .on("DeleteUser", users::deleteUser, Authorization.of("iam:DeleteUser").on("user", "UserName"))
                .on("CreateAccessKey", users::createAccessKey,
                        Authorization.of("iam:CreateAccessKey").on("user", "UserName"))
                .on("ListAccessKeys", users::listAccessKeys,
                        Authorization.of("iam:ListAccessKeys").on("user", "UserName"))
                .on("UpdateAccessKey", users::updateAccessKey,
                        Authorization.of("iam:UpdateAccessKey").on("user", "UserName"))
                .on("DeleteAccessKey", users::deleteAccessKey,
                        Authorization.of("iam:DeleteAccessKey").on("user", "UserName"))
                // The key's owner, found by its id, is the resource.
                .on("GetAccessKeyLastUsed", users::getAccessKeyLastUsed,
                        Authorization.of("iam:GetAccessKeyLastUsed").on("user"))
                .on("TagUser", users::tagUser,
                        Authorization.of("iam:TagUser").on("user", "UserName").keys(TAGS, TAG_KEYS))
                .on("UntagUser", users::untagUser,
                        Authorization.of("iam:UntagUser").on("user", "UserName").keys(TAG_KEYS))
                .on("ListUserTags", users::listUserTags,
                        Authorization.of("iam:ListUserTags").on("user", "UserName"))
                .on("PutUserPermissionsBoundary", users::putUserPermissionsBoundary,
                        Authorization.of("iam:PutUserPermissionsBoundary").on("user", "UserName").keys(BOUNDARY))
                .on("DeleteUserPermissionsBoundary", users::deleteUserPermissionsBoundary,
                        Authorization.of("iam:DeleteUserPermissionsBoundary").on("user", "UserName"))
                .on("PutUserPolicy", users::putUserPolicy,
                        Authorization.of("iam:PutUserPolicy").on("user", "UserName"))
                .on("GetUserPolicy", users::getUserPolicy,
                        Authorization.of("iam:GetUserPolicy").on("user", "UserName"))
                .on("ListUserPolicies", users::listUserPolicies,
                        Authorization.of("iam:ListUserPolicies").on("user", "UserName"))
                .on("DeleteUserPolicy", users::deleteUserPolicy,
                        Authorization.of("iam:DeleteUserPolicy").on("user", "UserName"))
                .on("AttachUserPolicy", users::attachUserPolicy,
                        Authorization.of("iam:AttachUserPolicy").on("user", "UserName").keys(POLICY_ARN))
                .on("DetachUserPolicy", users::detachUserPolicy,
                        Authorization.of("iam:DetachUserPolicy").on("user", "UserName").keys(POLICY_ARN))
                .on("ListAttachedUserPolicies", users::listAttachedUserPolicies,
                        Authorization.of("iam:ListAttachedUserPolicies").on("user", "UserName"))

                .on("CreateGroup", groups::createGroup, Authorization.of("iam:CreateGroup").on("group", "Path", "GroupName"))
                .on("GetGroup", groups::getGroup, Authorization.of("iam:GetGroup").on("group", "GroupName"))
                .on("ListGroups", groups::listGroups, Authorization.of("iam:ListGroups"))
                .on("UpdateGroup", groups::updateGroup, Authorization.of("iam:UpdateGroup").on("group", "GroupName"),
                        Authorization.of("iam:UpdateGroup").on("group", "NewPath", "NewGroupName"))
                .on("DeleteGroup", groups::deleteGroup, Authorization.of("iam:DeleteGroup").on("group", "GroupName"))
                .on("AddUserToGroup", groups::addUserToGroup,
                        Authorization.of("iam:AddUserToGroup").on("group", "GroupName"))
                .on("RemoveUserFromGroup", groups::removeUserFromGroup,
                        Authorization.of("iam:RemoveUserFromGroup").on("group", "GroupName"))
                .on("ListGroupsForUser", groups::listGroupsForUser,
                        Authorization.of("iam:ListGroupsForUser").on("user", "UserName"))
                .on("PutGroupPolicy", groups::putGroupPolicy,
                        Authorization.of("iam:PutGroupPolicy").on("group", "GroupName"))
                .on("GetGroupPolicy", groups::getGroupPolicy,
                        Authorization.of("iam:GetGroupPolicy").on("group", "GroupName"))
                .on("ListGroupPolicies", groups::listGroupPolicies,
                        Authorization.of("iam:ListGroupPolicies").on("group", "GroupName"))
                .on("DeleteGroupPolicy", groups::deleteGroupPolicy,
                        Authorization.of("iam:DeleteGroupPolicy").on("group", "GroupName"))
                .on("AttachGroupPolicy", groups::attachGroupPolicy,
                        Authorization.of("iam:AttachGroupPolicy").on("group", "GroupName").keys(POLICY_ARN))
                .on("DetachGroupPolicy", groups::detachGroupPolicy,
                        Authorization.of("iam:DetachGroupPolicy").on("group", "GroupName").keys(POLICY_ARN))
                .on("ListAttachedGroupPolicies", groups::listAttachedGroupPolicies,
                        Authorization.of("iam:ListAttachedGroupPolicies").on("group", "GroupName"))

                .on("CreatePolicy", policies::createPolicy,
                        Authorization.of("iam:CreatePolicy").on("policy", "Path", "PolicyName").keys(TAGS, TAG_KEYS),
                        Authorization.of("iam:TagPolicy").on("policy", "Path", "PolicyName").keys(TAGS, TAG_KEYS))
                .on("GetPolicy", policies::getPolicy, Authorization.of("iam:GetPolicy").on("policy", "PolicyArn"))
                .on("ListPolicies", policies::listPolicies, Authorization.of("iam:ListPolicies"))
                .on("DeletePolicy", policies::deletePolicy, Authorization.of("iam:DeletePolicy").on("policy", "PolicyArn"))
                .on("CreatePolicyVersion", policies::createPolicyVersion,
                        Authorization.of("iam:CreatePolicyVersion").on("policy", "PolicyArn"))
                .on("GetPolicyVersion", policies::getPolicyVersion,
                        Authorization.of("iam:GetPolicyVersion").on("policy", "PolicyArn"))
                .on("ListPolicyVersions", policies::listPolicyVersions,
                        Authorization.of("iam:ListPolicyVersions").on("policy", "PolicyArn"))
                .on("SetDefaultPolicyVersion", policies::setDefaultPolicyVersion,
                        Authorization.of("iam:SetDefaultPolicyVersion").on("policy", "PolicyArn"))
                .on("DeletePolicyVersion", policies::deletePolicyVersion,
                        Authorization.of("iam:DeletePolicyVersion").on("policy", "PolicyArn"))
                .on("TagPolicy", policies::tagPolicy,
                        Authorization.of("iam:TagPolicy").on("policy", "PolicyArn").keys(TAGS, TAG_KEYS))
                .on("UntagPolicy", policies::untagPolicy,
                        Authorization.of("iam:UntagPolicy").on("policy", "PolicyArn").keys(TAG_KEYS))
                .on("ListPolicyTags", policies::listPolicyTags,
                        Authorization.of("iam:ListPolicyTags").on("policy", "PolicyArn"))
                .on("ListEntitiesForPolicy", policies::listEntitiesForPolicy,
                        Authorization.of("iam:ListEntitiesForPolicy").on("policy", "PolicyArn"))

                .on("GetAccountAuthorizationDetails", account::getAccountAuthorizationDetails,
                        Authorization.of("iam:GetAccountAuthorizationDetails"))
                .on("GetAccountSummary", account::getAccountSummary, Authorization.of("iam:GetAccountSummary"))
                .on("CreateAccountAlias", account::createAccountAlias, Authorization.of("iam:CreateAccountAlias"))
                .on("ListAccountAliases", account::listAccountAliases, Authorization.of("iam:ListAccountAliases"))
                .on("DeleteAccountAlias", account::deleteAccountAlias, Authorization.of("iam:DeleteAccountAlias"));

        operations
                // The provider's ARN is built from its URL (without the scheme).
                .on("CreateOpenIDConnectProvider", oidcProviders::createOpenIDConnectProvider,
                        Authorization.of("iam:CreateOpenIDConnectProvider").on("oidc-provider", "Url")
                                .keys(TAGS, TAG_KEYS))
                .on("GetOpenIDConnectProvider", oidcProviders::getOpenIDConnectProvider,
                        Authorization.of("iam:GetOpenIDConnectProvider").on("oidc-provider", "OpenIDConnectProviderArn"))
                .on("ListOpenIDConnectProviders", oidcProviders::listOpenIDConnectProviders,
                        Authorization.of("iam:ListOpenIDConnectProviders"))
                .on("DeleteOpenIDConnectProvider", oidcProviders::deleteOpenIDConnectProvider,
                        Authorization.of("iam:DeleteOpenIDConnectProvider").on("oidc-provider", "OpenIDConnectProviderArn"))
                .on("AddClientIDToOpenIDConnectProvider", oidcProviders::addClientIDToOpenIDConnectProvider,
                        Authorization.of("iam:AddClientIDToOpenIDConnectProvider")
                                .on("oidc-provider", "OpenIDConnectProviderArn"))
                .on("RemoveClientIDFromOpenIDConnectProvider", oidcProviders::removeClientIDFromOpenIDConnectProvider,
                        Authorization.of("iam:RemoveClientIDFromOpenIDConnectProvider")
                                .on("oidc-provider", "OpenIDConnectProviderArn"))
                .on("UpdateOpenIDConnectProviderThumbprint", oidcProviders::updateOpenIDConnectProviderThumbprint,
                        Authorization.of("iam:UpdateOpenIDConnectProviderThumbprint")
                                .on("oidc-provider", "OpenIDConnectProviderArn"))
                .on("TagOpenIDConnectProvider", oidcProviders::tagOpenIDConnectProvider,
                        Authorization.of("iam:TagOpenIDConnectProvider").on("oidc-provider", "OpenIDConnectProviderArn")
                                .keys(TAGS, TAG_KEYS))
                .on("UntagOpenIDConnectProvider", oidcProviders::untagOpenIDConnectProvider,
                        Authorization.of("iam:UntagOpenIDConnectProvider").on("oidc-provider", "OpenIDConnectProviderArn")
                                .keys(TAG_KEYS))
                .on("ListOpenIDConnectProviderTags", oidcProviders::listOpenIDConnectProviderTags,
                        Authorization.of("iam:ListOpenIDConnectProviderTags")
                                .on("oidc-provider", "OpenIDConnectProviderArn"));

        registerCertificatesKeysAndAccessAdvisor(operations);

        operations
                // Without a UserName, the login-profile calls act on the calling user; ChangePassword always does.
                .on("CreateLoginProfile", passwords::createLoginProfile,
                        Authorization.of("iam:CreateLoginProfile").on("user", "UserName"))
                .on("GetLoginProfile", passwords::getLoginProfile,
                        Authorization.of("iam:GetLoginProfile").on("user", "UserName"))
                .on("UpdateLoginProfile", passwords::updateLoginProfile,
                        Authorization.of("iam:UpdateLoginProfile").on("user", "UserName"))
                .on("DeleteLoginProfile", passwords::deleteLoginProfile,
                        Authorization.of("iam:DeleteLoginProfile").on("user", "UserName"))
                .on("ChangePassword", passwords::changePassword, Authorization.of("iam:ChangePassword").on("user"))
                .on("UpdateAccountPasswordPolicy", passwords::updateAccountPasswordPolicy,
                        Authorization.of("iam:UpdateAccountPasswordPolicy"))
                .on("GetAccountPasswordPolicy", passwords::getAccountPasswordPolicy,
                        Authorization.of("iam:GetAccountPasswordPolicy"))
                .on("DeleteAccountPasswordPolicy", passwords::deleteAccountPasswordPolicy,
                        Authorization.of("iam:DeleteAccountPasswordPolicy"));

        operations
                // A device's own ARN (its serial number) is the resource of the calls on the device; the user's ARN of
                // the calls that tie devices to users.
                .on("CreateVirtualMFADevice", mfaDevices::createVirtualMFADevice,
                        Authorization.of("iam:CreateVirtualMFADevice").on("mfa", "Path", "VirtualMFADeviceName")
                                .keys(TAGS, TAG_KEYS),
                        Authorization.of("iam:TagMFADevice").on("mfa", "Path", "VirtualMFADeviceName")
                                .keys(TAGS, TAG_KEYS))
                .on("EnableMFADevice", mfaDevices::enableMFADevice,
                        Authorization.of("iam:EnableMFADevice").on("user", "UserName"))
                .on("ResyncMFADevice", mfaDevices::resyncMFADevice,
                        Authorization.of("iam:ResyncMFADevice").on("user", "UserName"))
                .on("DeactivateMFADevice", mfaDevices::deactivateMFADevice,
                        Authorization.of("iam:DeactivateMFADevice").on("user", "UserName"))
                .on("DeleteVirtualMFADevice", mfaDevices::deleteVirtualMFADevice,
                        Authorization.of("iam:DeleteVirtualMFADevice").on("mfa", "SerialNumber"))
                .on("ListMFADevices", mfaDevices::listMFADevices,
                        Authorization.of("iam:ListMFADevices").on("user", "UserName"))
                .on("ListVirtualMFADevices", mfaDevices::listVirtualMFADevices,
                        Authorization.of("iam:ListVirtualMFADevices"))
                .on("GetMFADevice", mfaDevices::getMFADevice,
                        Authorization.of("iam:GetMFADevice").on("user", "UserName"))
                .on("TagMFADevice", mfaDevices::tagMFADevice,
                        Authorization.of("iam:TagMFADevice").on("mfa", "SerialNumber").keys(TAGS, TAG_KEYS))
                .on("UntagMFADevice", mfaDevices::untagMFADevice,
                        Authorization.of("iam:UntagMFADevice").on("mfa", "SerialNumber").keys(TAG_KEYS))
                .on("ListMFADeviceTags", mfaDevices::listMFADeviceTags,
                        Authorization.of("iam:ListMFADeviceTags").on("mfa", "SerialNumber"));

        operations
                .on("CreateInstanceProfile", instanceProfiles::createInstanceProfile,
                        Authorization.of("iam:CreateInstanceProfile").on("instance-profile", "Path", "InstanceProfileName")
                                .keys(TAGS, TAG_KEYS),
                        Authorization.of("iam:TagInstanceProfile").on("instance-profile", "Path", "InstanceProfileName")
                                .keys(TAGS, TAG_KEYS))
                .on("GetInstanceProfile", instanceProfiles::getInstanceProfile,
                        Authorization.of("iam:GetInstanceProfile").on("instance-profile", "InstanceProfileName"))
                .on("ListInstanceProfiles", instanceProfiles::listInstanceProfiles,
                        Authorization.of("iam:ListInstanceProfiles"))
                .on("DeleteInstanceProfile", instanceProfiles::deleteInstanceProfile,
                        Authorization.of("iam:DeleteInstanceProfile").on("instance-profile", "InstanceProfileName"))
                // Adding a role passes it (to EC2): iam:PassRole on the role, as IAM asks.
                .on("AddRoleToInstanceProfile", instanceProfiles::addRoleToInstanceProfile,
                        Authorization.of("iam:AddRoleToInstanceProfile").on("instance-profile", "InstanceProfileName"),
                        Authorization.of("iam:PassRole").on("role", "RoleName").keys("iam:AssociatedResourceArn"))
                .on("RemoveRoleFromInstanceProfile", instanceProfiles::removeRoleFromInstanceProfile,
                        Authorization.of("iam:RemoveRoleFromInstanceProfile").on("instance-profile", "InstanceProfileName"))
                .on("ListInstanceProfilesForRole", instanceProfiles::listInstanceProfilesForRole,
                        Authorization.of("iam:ListInstanceProfilesForRole").on("role", "RoleName"))
                .on("TagInstanceProfile", instanceProfiles::tagInstanceProfile,
                        Authorization.of("iam:TagInstanceProfile").on("instance-profile", "InstanceProfileName")
                                .keys(TAGS, TAG_KEYS))
                .on("UntagInstanceProfile", instanceProfiles::untagInstanceProfile,
                        Authorization.of("iam:UntagInstanceProfile").on("instance-profile", "InstanceProfileName")
                                .keys(TAG_KEYS))
                .on("ListInstanceProfileTags", instanceProfiles::listInstanceProfileTags,
                        Authorization.of("iam:ListInstanceProfileTags").on("instance-profile", "InstanceProfileName"))

                // The role's name and path come from the service (and the custom suffix).
                .on("CreateServiceLinkedRole", serviceLinkedRoles::createServiceLinkedRole,
                        Authorization.of("iam:CreateServiceLinkedRole").on("role", "AWSServiceName", "CustomSuffix")
                                .keys("iam:AWSServiceName"))
                .on("DeleteServiceLinkedRole", serviceLinkedRoles::deleteServiceLinkedRole,
                        Authorization.of("iam:DeleteServiceLinkedRole").on("role", "RoleName"))
                // The task id names the service and the role it deleted.
                .on("GetServiceLinkedRoleDeletionStatus", serviceLinkedRoles::getServiceLinkedRoleDeletionStatus,
                        Authorization.of("iam:GetServiceLinkedRoleDeletionStatus").on("role", "DeletionTaskId"))

                .on("GetContextKeysForCustomPolicy", contextKeys::getContextKeysForCustomPolicy,
                        Authorization.of("iam:GetContextKeysForCustomPolicy"))
                .on("GetContextKeysForPrincipalPolicy", contextKeys::getContextKeysForPrincipalPolicy,
                        Authorization.of("iam:GetContextKeysForPrincipalPolicy").on("user", "PolicySourceArn"),
                        Authorization.of("iam:GetContextKeysForPrincipalPolicy").on("group", "PolicySourceArn"),
                        Authorization.of("iam:GetContextKeysForPrincipalPolicy").on("role", "PolicySourceArn"))

                .on("GenerateCredentialReport", credentialReports::generateCredentialReport,
                        Authorization.of("iam:GenerateCredentialReport"))
                .on("GetCredentialReport", credentialReports::getCredentialReport,
                        Authorization.of("iam:GetCredentialReport"));

        operations
                // The provider's ARN is built from its name.
                .on("CreateSAMLProvider", samlProviders::createSAMLProvider,
                        Authorization.of("iam:CreateSAMLProvider").on("saml-provider", "Name").keys(TAGS, TAG_KEYS))
                .on("GetSAMLProvider", samlProviders::getSAMLProvider,
                        Authorization.of("iam:GetSAMLProvider").on("saml-provider", "SAMLProviderArn"))
                .on("ListSAMLProviders", samlProviders::listSAMLProviders, Authorization.of("iam:ListSAMLProviders"))
                .on("UpdateSAMLProvider", samlProviders::updateSAMLProvider,
                        Authorization.of("iam:UpdateSAMLProvider").on("saml-provider", "SAMLProviderArn"))
                .on("DeleteSAMLProvider", samlProviders::deleteSAMLProvider,
                        Authorization.of("iam:DeleteSAMLProvider").on("saml-provider", "SAMLProviderArn"))
                .on("TagSAMLProvider", samlProviders::tagSAMLProvider,
                        Authorization.of("iam:TagSAMLProvider").on("saml-provider", "SAMLProviderArn")
                                .keys(TAGS, TAG_KEYS))
                .on("UntagSAMLProvider", samlProviders::untagSAMLProvider,
                        Authorization.of("iam:UntagSAMLProvider").on("saml-provider", "SAMLProviderArn").keys(TAG_KEYS))
                .on("ListSAMLProviderTags", samlProviders::listSAMLProviderTags,
                        Authorization.of("iam:ListSAMLProviderTags").on("saml-provider", "SAMLProviderArn"));

        operations
                // The source is a user, a group or a role of the caller's account.
                .on("SimulatePrincipalPolicy", simulation::simulatePrincipalPolicy,
                        Authorization.of("iam:SimulatePrincipalPolicy").on("user", "PolicySourceArn"),
                        Authorization.of("iam:SimulatePrincipalPolicy").on("group", "PolicySourceArn"),
                        Authorization.of("iam:SimulatePrincipalPolicy").on("role", "PolicySourceArn"))
                .on("SimulateCustomPolicy", simulation::simulateCustomPolicy, Authorization.of("iam:SimulateCustomPolicy"));
    }

    /** Server and signing certificates, SSH public keys, service-specific credentials, access advisor. */
    private void registerCertificatesKeysAndAccessAdvisor(OperationTable operations) {
        String serviceName = "iam:ServiceSpecificCredentialServiceName";
        operations
                .on("UploadServerCertificate", serverCertificates::uploadServerCertificate,
                        Authorization.of("iam:UploadServerCertificate").on("server-certificate", "Path",
                                "ServerCertificateName").keys(TAGS, TAG_KEYS))
                .on("GetServerCertificate", serverCertificates::getServerCertificate,
                        Authorization.of("iam:GetServerCertificate").on("server-certificate", "ServerCertificateName"))
                .on("ListServerCertificates", serverCertificates::listServerCertificates,
                        Authorization.of("iam:ListServerCertificates"))
                // Renaming or moving needs the permission on the old ARN and on the new one.
                .on("UpdateServerCertificate", serverCertificates::updateServerCertificate,
                        Authorization.of("iam:UpdateServerCertificate").on("server-certificate", "ServerCertificateName"),
                        Authorization.of("iam:UpdateServerCertificate").on("server-certificate", "NewPath",
                                "NewServerCertificateName"))
                .on("DeleteServerCertificate", serverCertificates::deleteServerCertificate,
                        Authorization.of("iam:DeleteServerCertificate").on("server-certificate", "ServerCertificateName"))
                .on("TagServerCertificate", serverCertificates::tagServerCertificate,
                        Authorization.of("iam:TagServerCertificate").on("server-certificate", "ServerCertificateName")
                                .keys(TAGS, TAG_KEYS))
                .on("UntagServerCertificate", serverCertificates::untagServerCertificate,
                        Authorization.of("iam:UntagServerCertificate").on("server-certificate", "ServerCertificateName")
                                .keys(TAG_KEYS))
                .on("ListServerCertificateTags", serverCertificates::listServerCertificateTags,
                        Authorization.of("iam:ListServerCertificateTags").on("server-certificate", "ServerCertificateName"))

                // Without a UserName: the caller's own (the account root's, for root credentials).
                .on("UploadSigningCertificate", signingCertificates::uploadSigningCertificate,
                        Authorization.of("iam:UploadSigningCertificate").on("user", "UserName"))
                .on("ListSigningCertificates", signingCertificates::listSigningCertificates,
                        Authorization.of("iam:ListSigningCertificates").on("user", "UserName"))
                .on("UpdateSigningCertificate", signingCertificates::updateSigningCertificate,
                        Authorization.of("iam:UpdateSigningCertificate").on("user", "UserName"))
                .on("DeleteSigningCertificate", signingCertificates::deleteSigningCertificate,
                        Authorization.of("iam:DeleteSigningCertificate").on("user", "UserName"))

                .on("UploadSSHPublicKey", sshPublicKeys::uploadSSHPublicKey,
                        Authorization.of("iam:UploadSSHPublicKey").on("user", "UserName"))
                .on("GetSSHPublicKey", sshPublicKeys::getSSHPublicKey,
                        Authorization.of("iam:GetSSHPublicKey").on("user", "UserName"))
                .on("ListSSHPublicKeys", sshPublicKeys::listSSHPublicKeys,
                        Authorization.of("iam:ListSSHPublicKeys").on("user", "UserName"))
                .on("UpdateSSHPublicKey", sshPublicKeys::updateSSHPublicKey,
                        Authorization.of("iam:UpdateSSHPublicKey").on("user", "UserName"))
                .on("DeleteSSHPublicKey", sshPublicKeys::deleteSSHPublicKey,
                        Authorization.of("iam:DeleteSSHPublicKey").on("user", "UserName"))

                .on("CreateServiceSpecificCredential", serviceCredentials::createServiceSpecificCredential,
                        Authorization.of("iam:CreateServiceSpecificCredential").on("user", "UserName")
                                .keys(serviceName, "iam:ServiceSpecificCredentialAgeDays"))
                // AllUsers: every user of the account (user/*).
                .on("ListServiceSpecificCredentials", serviceCredentials::listServiceSpecificCredentials,
                        Authorization.of("iam:ListServiceSpecificCredentials").on("user", "UserName"))
                .on("ResetServiceSpecificCredential", serviceCredentials::resetServiceSpecificCredential,
                        Authorization.of("iam:ResetServiceSpecificCredential").on("user", "UserName").keys(serviceName))
                .on("UpdateServiceSpecificCredential", serviceCredentials::updateServiceSpecificCredential,
                        Authorization.of("iam:UpdateServiceSpecificCredential").on("user", "UserName").keys(serviceName))
                .on("DeleteServiceSpecificCredential", serviceCredentials::deleteServiceSpecificCredential,
                        Authorization.of("iam:DeleteServiceSpecificCredential").on("user", "UserName").keys(serviceName))

                // The report is about a user, a group, a role or a managed policy of the caller's account.
                .on("GenerateServiceLastAccessedDetails", accessAdvisor::generateServiceLastAccessedDetails,
                        Authorization.of("iam:GenerateServiceLastAccessedDetails").on("user", "Arn"),
                        Authorization.of("iam:GenerateServiceLastAccessedDetails").on("group", "Arn"),
                        Authorization.of("iam:GenerateServiceLastAccessedDetails").on("role", "Arn"),
                        Authorization.of("iam:GenerateServiceLastAccessedDetails").on("policy", "Arn"))
                .on("ListPoliciesGrantingServiceAccess", accessAdvisor::listPoliciesGrantingServiceAccess,
                        Authorization.of("iam:ListPoliciesGrantingServiceAccess").on("user", "Arn"),
                        Authorization.of("iam:ListPoliciesGrantingServiceAccess").on("group", "Arn"),
                        Authorization.of("iam:ListPoliciesGrantingServiceAccess").on("role", "Arn"))
                .on("GetServiceLastAccessedDetails", accessAdvisor::getServiceLastAccessedDetails,
                        Authorization.of("iam:GetServiceLastAccessedDetails"))
                .on("GetServiceLastAccessedDetailsWithEntities", accessAdvisor::getServiceLastAccessedDetailsWithEntities,
                        Authorization.of("iam:GetServiceLastAccessedDetailsWithEntities"));
    }
}
