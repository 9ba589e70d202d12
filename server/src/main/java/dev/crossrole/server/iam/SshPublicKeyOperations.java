package dev.crossrole.server.iam;

import static dev.crossrole.server.iam.IamSupport.account;

import dev.crossrole.server.protocol.AwsException;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.service.Call;
import dev.crossrole.server.service.PreparedCall;
import java.util.Arrays;
import java.util.List;

/**
 * SSH public keys of users, for CodeCommit: RSA keys of 2048 bits or more in {@code ssh-rsa} or PEM form (see
 * {@link SshKeys}), at most five per user, each once per user. Listed by key id, as IAM lists them. Every operation
 * is authorized as {@code iam:<Operation>} on the user's ARN.
 */
final class SshPublicKeyOperations {
    /** IAM's quota (IAM User Guide, "IAM and AWS STS quotas"). */
    static final int PER_USER = 5;

    private final IamDirectory iam;
    private final UserCredentials users;

    SshPublicKeyOperations(IamSupport support) {
        this.iam = support.iam;
        this.users = new UserCredentials(iam);
    }

    private SshPublicKey owned(String id, IamUser user) {
        return iam.sshPublicKey(id).filter(k -> k.account().equals(user.account()) && k.userId().equals(user.userId()))
                .orElseThrow(() -> IamSupport.noSuchEntity("The Public Key with id " + id + " cannot be found."));
    }

    private Shape key(SshPublicKey k, String body) {
        return Shape.of().put("UserName", users.userName(k.userId())).put("SSHPublicKeyId", k.id())
                .put("Fingerprint", k.fingerprint()).put("SSHPublicKeyBody", body)
                .put("Status", k.active() ? "Active" : "Inactive").put("UploadDate", k.uploaded());
    }

    private Shape metadata(SshPublicKey k) {
        return Shape.of().put("UserName", users.userName(k.userId())).put("SSHPublicKeyId", k.id())
                .put("Status", k.active() ? "Active" : "Inactive").put("UploadDate", k.uploaded());
    }

    PreparedCall uploadSSHPublicKey(Call call, Input input) {
        String name = input.string("UserName");
        String body = input.string("SSHPublicKeyBody");
        return PreparedCall.of(List.of(users.on(call, "iam:UploadSSHPublicKey", name, null)), () -> {
            synchronized (iam) {
                IamUser user = users.user(call, name);
                byte[] wire = SshKeys.parse(body);
                List<SshPublicKey> keys = iam.sshPublicKeys(account(call), user.userId());
                if (keys.stream().anyMatch(k -> Arrays.equals(k.wire(), wire))) {
                    throw new AwsException("DuplicateSSHPublicKey", 400,
                            "The SSH public key is already associated with the user " + user.name() + ".");
                }
                if (keys.size() >= PER_USER) {
                    throw IamSupport.limitExceeded("Cannot exceed quota for SSHPublicKeysPerUser: " + PER_USER);
                }
                SshPublicKey key = new SshPublicKey(account(call), user.userId(),
                        UserCredentials.id(iam.ids().random(), "APKA", 16), body, wire, SshKeys.fingerprint(wire), true,
                        iam.clock().instant());
                iam.putSshPublicKey(key);
                return Shape.of().put("SSHPublicKey", key(key, body));
            }
        });
    }

    PreparedCall getSSHPublicKey(Call call, Input input) {
        String name = input.string("UserName");
        String id = input.string("SSHPublicKeyId");
        String encoding = input.string("Encoding");
        return PreparedCall.of(List.of(users.on(call, "iam:GetSSHPublicKey", name, null)), () -> {
            SshPublicKey k = owned(id, users.user(call, name));
            String body;
            if (encoding.equals("PEM")) {
                body = SshKeys.isPem(k.body()) ? k.body() : SshKeys.pem(k.wire());
            } else {
                body = SshKeys.isOneLine(k.body()) ? k.body().strip() : SshKeys.ssh(k.wire());
            }
            return Shape.of().put("SSHPublicKey", key(k, body));
        });
    }

    PreparedCall listSSHPublicKeys(Call call, Input input) {
        String target = UserCredentials.target(call, input.string("UserName"));
        IamSupport.PageRequest page = IamSupport.pageRequest(input);
        return PreparedCall.of(List.of(users.on(call, "iam:ListSSHPublicKeys", target, null)), () -> {
            // The account root has no SSH public keys.
            List<SshPublicKey> keys = target == null ? List.of()
                    : iam.sshPublicKeys(account(call), users.user(call, target).userId());
            IamSupport.Page<SshPublicKey> p = IamSupport.page(keys, page);
            return p.into(Shape.of().put("SSHPublicKeys", IamSupport.shapes(p.items(), this::metadata)));
        });
    }

    PreparedCall updateSSHPublicKey(Call call, Input input) {
        String name = input.string("UserName");
        String id = input.string("SSHPublicKeyId");
        boolean active = UserCredentials.active(input.string("Status"));
        return PreparedCall.of(List.of(users.on(call, "iam:UpdateSSHPublicKey", name, null)), () -> {
            synchronized (iam) {
                iam.putSshPublicKey(owned(id, users.user(call, name)).withActive(active));
                return null;
            }
        });
    }

    PreparedCall deleteSSHPublicKey(Call call, Input input) {
        String name = input.string("UserName");
        String id = input.string("SSHPublicKeyId");
        return PreparedCall.of(List.of(users.on(call, "iam:DeleteSSHPublicKey", name, null)), () -> {
            synchronized (iam) {
                iam.deleteSshPublicKey(owned(id, users.user(call, name)).id());
                return null;
            }
        });
    }
}
