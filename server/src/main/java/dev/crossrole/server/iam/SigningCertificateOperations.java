package dev.crossrole.server.iam;

import static dev.crossrole.server.iam.IamSupport.account;

import dev.crossrole.server.protocol.AwsException;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.service.Call;
import dev.crossrole.server.service.PreparedCall;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * X.509 signing certificates of users, or of the account root (root credentials without a {@code UserName}). A
 * certificate's id is derived from the certificate, so one certificate can belong to one user of an account only
 * ({@code DuplicateCertificate}); a user has at most two. Every operation is authorized as {@code iam:<Operation>} on
 * the user's ARN (the root's for the root's own).
 */
final class SigningCertificateOperations {
    /** IAM's quota (IAM User Guide, "IAM and AWS STS quotas"). */
    static final int PER_USER = 2;

    private final IamDirectory iam;
    private final UserCredentials users;

    SigningCertificateOperations(IamSupport support) {
        this.iam = support.iam;
        this.users = new UserCredentials(iam);
    }

    private Shape certificate(SigningCertificate c) {
        Shape shape = Shape.of();
        String userName = users.userName(c.userId());
        if (userName != null) {
            shape.put("UserName", userName);
        }
        return shape.put("CertificateId", c.id()).put("CertificateBody", c.body())
                .put("Status", c.active() ? "Active" : "Inactive").put("UploadDate", c.uploaded());
    }

    /** The certificate with that id if it is the target's (the root's, for {@code null}). */
    private SigningCertificate owned(Call call, String id, String ownerId) {
        return iam.signingCertificate(SigningCertificate.key(account(call), id))
                .filter(c -> java.util.Objects.equals(c.userId(), ownerId))
                .orElseThrow(() -> IamSupport.noSuchEntity("The Certificate with id " + id + " cannot be found."));
    }

    PreparedCall uploadSigningCertificate(Call call, Input input) {
        String target = UserCredentials.target(call, input.string("UserName"));
        String body = input.string("CertificateBody");
        return PreparedCall.of(List.of(users.on(call, "iam:UploadSigningCertificate", target, null)), () -> {
            synchronized (iam) {
                String ownerId = users.ownerId(call, target);
                X509Certificate parsed = CertificateMaterial.certificate(body);
                CertificateMaterial.checkValidity(parsed, iam.clock().instant());
                String id = CertificateMaterial.signingCertificateId(parsed);
                if (iam.signingCertificate(SigningCertificate.key(account(call), id)).isPresent()) {
                    throw new AwsException("DuplicateCertificate", 409, "The Certificate with id " + id
                            + " already exists in this account.");
                }
                if (iam.signingCertificates(account(call), ownerId).size() >= PER_USER) {
                    throw IamSupport.limitExceeded("Cannot exceed quota for CertificatesPerUser: " + PER_USER);
                }
                SigningCertificate uploaded = new SigningCertificate(account(call), ownerId, id, body, true,
                        iam.clock().instant());
                iam.putSigningCertificate(uploaded);
                return Shape.of().put("Certificate", certificate(uploaded));
            }
        });
    }

    PreparedCall listSigningCertificates(Call call, Input input) {
        String target = UserCredentials.target(call, input.string("UserName"));
        IamSupport.PageRequest page = IamSupport.pageRequest(input);
        return PreparedCall.of(List.of(users.on(call, "iam:ListSigningCertificates", target, null)), () -> {
            IamSupport.Page<SigningCertificate> p = IamSupport.page(
                    iam.signingCertificates(account(call), users.ownerId(call, target)), page);
            return p.into(Shape.of().put("Certificates", IamSupport.shapes(p.items(), this::certificate)));
        });
    }

    PreparedCall updateSigningCertificate(Call call, Input input) {
        String target = UserCredentials.target(call, input.string("UserName"));
        String id = input.string("CertificateId");
        boolean active = UserCredentials.active(input.string("Status"));
        return PreparedCall.of(List.of(users.on(call, "iam:UpdateSigningCertificate", target, null)), () -> {
            synchronized (iam) {
                iam.putSigningCertificate(owned(call, id, users.ownerId(call, target)).withActive(active));
                return null;
            }
        });
    }

    PreparedCall deleteSigningCertificate(Call call, Input input) {
        String target = UserCredentials.target(call, input.string("UserName"));
        String id = input.string("CertificateId");
        return PreparedCall.of(List.of(users.on(call, "iam:DeleteSigningCertificate", target, null)), () -> {
            synchronized (iam) {
                iam.deleteSigningCertificate(owned(call, id, users.ownerId(call, target)).key());
                return null;
            }
        });
    }
}
