package dev.crossrole.server.iam;

import static dev.crossrole.server.iam.IamSupport.account;

import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.protocol.AwsException;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.service.AccessCheck;
import dev.crossrole.server.service.Call;
import dev.crossrole.server.service.PreparedCall;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Server certificates: upload (the certificate, its chain and private key read as IAM reads them, the key checked
 * against the certificate and then dropped), read, list, rename or move, delete, and tags. Every operation is
 * authorized as {@code iam:<Operation>} on the certificate's ARN ({@code *} for the list); a rename needs it on the
 * old ARN and on the new one. Names are unique in an account regardless of case.
 */
final class ServerCertificateOperations {
    /** IAM's quota (IAM User Guide, "IAM and AWS STS quotas"). */
    static final int PER_ACCOUNT = 20;

    private final IamDirectory iam;

    ServerCertificateOperations(IamSupport support) {
        this.iam = support.iam;
    }

    static AwsException noSuchCertificate(String name) {
        return IamSupport.noSuchEntity("The Server Certificate with name " + name + " cannot be found.");
    }

    private static AwsException exists(String name) {
        return IamSupport.alreadyExists("The Server Certificate with name " + name + " already exists.");
    }

    private AccessCheck on(Call call, String action, String name, RequestContext.Builder extra) {
        RequestContext.Builder context = extra == null ? RequestContext.builder() : extra;
        ServerCertificate certificate = iam.serverCertificate(account(call), name).orElse(null);
        if (certificate != null) {
            IamSupport.resourceTags(context, certificate.tags());
        }
        return IamSupport.check(action, certificate != null ? certificate.arn()
                : ServerCertificate.arn(account(call), "/", name), context.build());
    }

    private ServerCertificate existing(Call call, String name) {
        return iam.serverCertificate(account(call), name).orElseThrow(() -> noSuchCertificate(name));
    }

    static Shape metadata(ServerCertificate c) {
        return Shape.of().put("Path", c.path()).put("ServerCertificateName", c.name())
                .put("ServerCertificateId", c.id()).put("Arn", c.arn()).put("UploadDate", c.uploaded())
                .put("Expiration", c.expiration());
    }

    PreparedCall uploadServerCertificate(Call call, Input input) {
        String name = input.string("ServerCertificateName");
        String path = input.string("Path") == null ? "/" : input.string("Path");
        String body = input.string("CertificateBody");
        String privateKey = input.string("PrivateKey");
        String chain = input.string("CertificateChain");
        Map<String, String> tags = IamSupport.tags(input);
        String arn = ServerCertificate.arn(account(call), path, name);
        return PreparedCall.of(List.of(IamSupport.check("iam:UploadServerCertificate", arn,
                IamSupport.requestTags(RequestContext.builder(), tags).build())), () -> {
            X509Certificate certificate = CertificateMaterial.certificate(body);
            CertificateMaterial.checkValidity(certificate, iam.clock().instant());
            if (chain != null) {
                CertificateMaterial.checkChain(certificate, CertificateMaterial.certificates(chain));
            }
            PrivateKey key = CertificateMaterial.privateKey(privateKey);
            if (!CertificateMaterial.matches(key, certificate.getPublicKey())) {
                throw new AwsException("KeyPairMismatch", 400, CertificateMaterial.MISMATCH);
            }
            synchronized (iam) {
                if (iam.serverCertificate(account(call), name).isPresent()) {
                    throw exists(name);
                }
                if (iam.serverCertificates(account(call)).size() >= PER_ACCOUNT) {
                    throw IamSupport.limitExceeded("Cannot exceed quota for ServerCertificatesPerAccount: " + PER_ACCOUNT);
                }
                ServerCertificate uploaded = new ServerCertificate(account(call), name, path, iam.ids().uniqueId("ASCA"),
                        body, chain, certificate.getNotAfter().toInstant(), iam.clock().instant(), tags);
                iam.putServerCertificate(uploaded);
                Shape out = Shape.of().put("ServerCertificateMetadata", metadata(uploaded));
                if (!tags.isEmpty()) {
                    out.put("Tags", IamSupport.tagShapes(tags));
                }
                return out;
            }
        });
    }

    PreparedCall getServerCertificate(Call call, Input input) {
        String name = input.string("ServerCertificateName");
        return PreparedCall.of(List.of(on(call, "iam:GetServerCertificate", name, null)), () -> {
            ServerCertificate c = existing(call, name);
            Shape certificate = Shape.of().put("ServerCertificateMetadata", metadata(c)).put("CertificateBody", c.body());
            if (c.chain() != null) {
                certificate.put("CertificateChain", c.chain());
            }
            if (!c.tags().isEmpty()) {
                certificate.put("Tags", IamSupport.tagShapes(c.tags()));
            }
            return Shape.of().put("ServerCertificate", certificate);
        });
    }

    PreparedCall listServerCertificates(Call call, Input input) {
        String prefix = input.string("PathPrefix");
        IamSupport.PageRequest page = IamSupport.pageRequest(input);
        return PreparedCall.of(List.of(IamSupport.check("iam:ListServerCertificates", "*", RequestContext.empty())),
                () -> {
                    List<ServerCertificate> all = iam.serverCertificates(account(call)).stream()
                            .filter(c -> IamSupport.underPrefix(c.path(), prefix)).toList();
                    IamSupport.Page<ServerCertificate> p = IamSupport.page(all, page);
                    return p.into(Shape.of().put("ServerCertificateMetadataList",
                            IamSupport.shapes(p.items(), ServerCertificateOperations::metadata)));
                });
    }

    PreparedCall updateServerCertificate(Call call, Input input) {
        String name = input.string("ServerCertificateName");
        String newPath = input.string("NewPath");
        String newName = input.string("NewServerCertificateName");
        List<AccessCheck> checks = new ArrayList<>(List.of(on(call, "iam:UpdateServerCertificate", name, null)));
        ServerCertificate current = iam.serverCertificate(account(call), name).orElse(null);
        if (newName != null || newPath != null) {
            // IAM API Reference: the caller needs the permission on the old name and on the new one.
            String path = newPath != null ? newPath : current != null ? current.path() : "/";
            String target = ServerCertificate.arn(account(call), path,
                    newName != null ? newName : current != null ? current.name() : name);
            if (current == null || !target.equals(current.arn())) {
                checks.add(IamSupport.check("iam:UpdateServerCertificate", target, RequestContext.empty()));
            }
        }
        return PreparedCall.of(checks, () -> {
            synchronized (iam) {
                ServerCertificate c = existing(call, name);
                String renamed = newName != null ? newName : c.name();
                if (!renamed.equalsIgnoreCase(c.name()) && iam.serverCertificate(account(call), renamed).isPresent()) {
                    throw exists(renamed);
                }
                iam.putServerCertificate(c.withNameAndPath(renamed, newPath != null ? newPath : c.path()));
                return null;
            }
        });
    }

    PreparedCall deleteServerCertificate(Call call, Input input) {
        String name = input.string("ServerCertificateName");
        return PreparedCall.of(List.of(on(call, "iam:DeleteServerCertificate", name, null)), () -> {
            synchronized (iam) {
                iam.deleteServerCertificate(existing(call, name).id());
                return null;
            }
        });
    }

    PreparedCall tagServerCertificate(Call call, Input input) {
        String name = input.string("ServerCertificateName");
        Map<String, String> tags = IamSupport.tags(input);
        return PreparedCall.of(List.of(on(call, "iam:TagServerCertificate", name,
                IamSupport.requestTags(RequestContext.builder(), tags))), () -> {
            synchronized (iam) {
                ServerCertificate c = existing(call, name);
                iam.putServerCertificate(c.withTags(IamSupport.mergeTags(c.tags(), tags)));
                return null;
            }
        });
    }

    PreparedCall untagServerCertificate(Call call, Input input) {
        String name = input.string("ServerCertificateName");
        List<String> keys = input.listOrEmpty("TagKeys");
        return PreparedCall.of(List.of(on(call, "iam:UntagServerCertificate", name,
                RequestContext.builder().multi("aws:TagKeys", keys))), () -> {
            synchronized (iam) {
                ServerCertificate c = existing(call, name);
                Map<String, String> remaining = new LinkedHashMap<>(c.tags());
                remaining.keySet().removeIf(k -> keys.stream().anyMatch(k::equalsIgnoreCase));
                iam.putServerCertificate(c.withTags(remaining));
                return null;
            }
        });
    }

    PreparedCall listServerCertificateTags(Call call, Input input) {
        String name = input.string("ServerCertificateName");
        IamSupport.PageRequest page = IamSupport.pageRequest(input);
        return PreparedCall.of(List.of(on(call, "iam:ListServerCertificateTags", name, null)), () -> {
            ServerCertificate c = existing(call, name);
            IamSupport.Page<Map.Entry<String, String>> p = IamSupport.page(new ArrayList<>(c.tags().entrySet()), page);
            return p.into(Shape.of().put("Tags", IamSupport.shapes(p.items(),
                    e -> Shape.of().put("Key", e.getKey()).put("Value", e.getValue()))));
        });
    }
}
