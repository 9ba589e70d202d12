package dev.crossrole.server.s3;

import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A bucket's Object Ownership, its ACL and its Block Public Access configuration: PutBucketOwnershipControls,
 * GetBucketOwnershipControls, DeleteBucketOwnershipControls, PutBucketAcl, GetBucketAcl, PutPublicAccessBlock,
 * GetPublicAccessBlock and DeletePublicAccessBlock.
 *
 * <p>Authorization follows the Service Authorization Reference: {@code s3:PutBucketOwnershipControls} (which "add,
 * replace or delete"s them, so DeleteBucketOwnershipControls too) and {@code s3:GetBucketOwnershipControls};
 * {@code s3:PutBucketAcl} with {@code s3:x-amz-acl} and {@code s3:x-amz-grant-*} and {@code s3:GetBucketAcl};
 * {@code s3:PutBucketPublicAccessBlock} (DeletePublicAccessBlock as well, as its API reference says) and
 * {@code s3:GetBucketPublicAccessBlock}.
 *
 * <p>S3's answers, as observed of it: a bucket without ownership controls is 404 OwnershipControlsNotFoundError
 * "The bucket ownership controls were not found" (versity/versitygw#1493), one without a Block Public Access
 * configuration 404 NoSuchPublicAccessBlockConfiguration "The public access block configuration was not found"
 * (boto/boto3#3627), an ACL on a bucket whose ACLs are disabled 400 AccessControlListNotSupported "The bucket does not
 * allow ACLs" (aws-controllers-k8s/community#1282). A public ACL that Block Public Access blocks is 403 AccessDenied.
 */
final class BucketAccess {
    static final Set<String> OWNERSHIPS = Set.of("BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter");

    private BucketAccess() {}

    // ---- ownership controls -------------------------------------------------------------------

    static S3Call putOwnership(S3Input input, Bucket bucket, S3Repository repository) {
        return S3Call.of(S3Support.bucketCheck("s3:PutBucketOwnershipControls", bucket, RequestContext.empty()),
                findings -> {
                    Input controls = input.document();
                    List<Input> rules = controls == null ? List.of() : controls.listOrEmpty("Rules");
                    if (rules.size() != 1) {
                        // S3 takes exactly one rule; its answer to more or none is MalformedXML.
                        throw S3Exception.malformedXml();
                    }
                    String ownership = rules.get(0).string("ObjectOwnership");
                    if (!OWNERSHIPS.contains(ownership)) {
                        throw S3Exception.malformedXml();
                    }
                    if (ownership.equals(Bucket.OWNER_ENFORCED) && !ownerOnly(bucket)) {
                        // S3 refuses to disable ACLs while the bucket ACL grants anyone but the owner.
                        throw invalidAclWithOwnership();
                    }
                    repository.updateBucket(bucket.name(), current -> current.withOwnership(ownership));
                    return input.respond(Shape.of());
                });
    }

    static S3Call getOwnership(S3Input input, Bucket bucket) {
        return S3Call.of(S3Support.bucketCheck("s3:GetBucketOwnershipControls", bucket, RequestContext.empty()),
                findings -> {
                    if (bucket.ownership() == null) {
                        throw new S3Exception("OwnershipControlsNotFoundError", 404,
                                "The bucket ownership controls were not found").with("BucketName", bucket.name());
                    }
                    return input.respond(Shape.of().put("OwnershipControls", Shape.of().put("Rules",
                            List.of(Shape.of().put("ObjectOwnership", bucket.ownership())))));
                });
    }

    static S3Call deleteOwnership(S3Input input, Bucket bucket, S3Repository repository) {
        return S3Call.of(S3Support.bucketCheck("s3:PutBucketOwnershipControls", bucket, RequestContext.empty()),
                findings -> {
                    repository.updateBucket(bucket.name(), current -> current.withOwnership(null));
                    return input.respond(Shape.of());
                });
    }

    static S3Exception invalidAclWithOwnership() {
        return new S3Exception("InvalidBucketAclWithObjectOwnership", 400,
                "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting");
    }

    private static boolean ownerOnly(Bucket bucket) {
        return bucket.acl().equals(AclGrant.ownerOnly(bucket.owner()));
    }

    // ---- ACLs ---------------------------------------------------------------------------------

    /** The condition keys of an ACL write: {@code s3:x-amz-acl} and one {@code s3:x-amz-grant-*} per header. */
    static RequestContext aclContext(S3Input input) {
        RequestContext.Builder context = RequestContext.builder();
        if (input.string("ACL") != null) {
            context.single("s3:x-amz-acl", input.string("ACL"));
        }
        for (String[] header : AclGrant.HEADERS) {
            String value = input.string(header[0]);
            if (value != null) {
                context.single("s3:" + input.wireName(header[0]).toLowerCase(java.util.Locale.ROOT), value);
            }
        }
        return context.build();
    }

    /**
     * The grants of a write's {@code x-amz-acl} or {@code x-amz-grant-*} headers, or {@code null} when it sent
     * neither. Both at once is S3's InvalidRequest.
     */
    static List<AclGrant> headerGrants(S3Input input, String owner) {
        String canned = input.string("ACL");
        // an object write's model has no GrantWrite: only the headers its operation takes are read
        List<String[]> headers = AclGrant.HEADERS.stream().filter(header -> input.takes(header[0])).toList();
        boolean grantHeaders = headers.stream().anyMatch(header -> input.string(header[0]) != null);
        if (canned != null && grantHeaders) {
            throw S3Exception.invalidRequest("Specifying both Canned ACLs and Header Grants is not allowed");
        }
        if (canned != null) {
            return AclGrant.cannedBucketAcl(AclGrant.checkCanned(canned), owner);
        }
        if (!grantHeaders) {
            return null;
        }
        List<AclGrant> grants = new ArrayList<>();
        for (String[] header : headers) {
            String value = input.string(header[0]);
            if (value != null) {
                grants.addAll(AclGrant.fromHeader(input.wireName(header[0]), value, header[1]));
            }
        }
        return grants;
    }

    /**
     * Whether {@code grants} may be put on {@code bucket}: refused when its ACLs are disabled (unless they are the
     * owner's grant alone, which S3 accepts), and when Block Public Access blocks a public one.
     */
    static void checkAclWrite(List<AclGrant> grants, String owner, boolean aclsEnabled, PublicAccessBlock block) {
        if (!aclsEnabled && !grants.equals(AclGrant.ownerOnly(owner))) {
            throw new S3Exception("AccessControlListNotSupported", 400, "The bucket does not allow ACLs");
        }
        if (block != null && block.blockPublicAcls() && grants.stream().anyMatch(AclGrant::isPublic)) {
            throw S3Exception.accessDenied();
        }
    }

    static S3Call putAcl(S3Input input, Bucket bucket, S3Repository repository) {
        return S3Call.of(S3Support.bucketCheck("s3:PutBucketAcl", bucket, aclContext(input)), findings -> {
            List<AclGrant> grants = headerGrants(input, bucket.owner());
            Input policy = input.document();
            if (grants != null && policy != null) {
                throw new S3Exception("UnexpectedContent", 400, "This request does not support content");
            }
            if (grants == null && policy == null) {
                throw new S3Exception("MissingSecurityHeader", 400, "Your request was missing a required header")
                        .with("MissingHeaderName", "x-amz-acl");
            }
            if (grants == null) {
                grants = documentGrants(policy, bucket.owner());
            }
            checkAclWrite(grants, bucket.owner(), bucket.aclsEnabled(), bucket.blocking());
            List<AclGrant> put = grants;
            repository.updateBucket(bucket.name(), current -> current.withAcl(put));
            return input.respond(Shape.of());
        });
    }

    /**
     * The grants of an {@code AccessControlPolicy} document. Its Owner must be the bucket owner (S3: AccessDenied),
     * and every grant name a grantee of a type S3 knows, with the member that type needs, and a permission S3 knows
     * (S3: MalformedACLError, with the wording SDK users quote).
     */
    static List<AclGrant> documentGrants(Input policy, String owner) {
        Input ownerElement = policy.struct("Owner");
        if (ownerElement == null || ownerElement.string("ID") == null) {
            throw malformedAcl();
        }
        if (!ownerElement.string("ID").equals(S3Support.canonicalId(owner))) {
            throw S3Exception.accessDenied();
        }
        List<AclGrant> grants = new ArrayList<>();
        for (Input grant : policy.<Input>listOrEmpty("Grants")) {
            Input grantee = grant.struct("Grantee");
            String permission = grant.string("Permission");
            if (grantee == null || permission == null || !AclGrant.PERMISSIONS.contains(permission)) {
                throw malformedAcl();
            }
            String type = grantee.string("Type");
            if (AclGrant.CANONICAL_USER.equals(type) && grantee.string("ID") != null) {
                grants.add(AclGrant.user(AclGrant.checkId(grantee.string("ID")), permission));
            } else if (AclGrant.GROUP.equals(type) && grantee.string("URI") != null) {
                grants.add(AclGrant.group(AclGrant.checkUri(grantee.string("URI")), permission));
            } else if ("AmazonCustomerByEmail".equals(type) && grantee.string("EmailAddress") != null) {
                throw AclGrant.unresolvable(grantee.string("EmailAddress"));
            } else {
                throw malformedAcl();
            }
        }
        return grants;
    }

    static S3Exception malformedAcl() {
        return new S3Exception("MalformedACLError", 400,
                "The XML you provided was not well-formed or did not validate against our published schema");
    }

    static S3Call getAcl(S3Input input, Bucket bucket) {
        return S3Call.of(S3Support.bucketCheck("s3:GetBucketAcl", bucket, RequestContext.empty()),
                findings -> input.respond(Shape.of().put("Owner", S3Support.owner(bucket.owner()))
                        .put("Grants", bucket.acl().stream().map(AclGrant::toShape).toList())));
    }

    // ---- Block Public Access ------------------------------------------------------------------

    /** GetBucketPolicyStatus: whether the bucket policy is public; a bucket without one is NoSuchBucketPolicy. */
    static S3Call policyStatus(S3Input input, Bucket bucket) {
        return S3Call.of(S3Support.bucketCheck("s3:GetBucketPolicyStatus", bucket, RequestContext.empty()),
                findings -> {
                    if (bucket.policyText() == null) {
                        throw new S3Exception("NoSuchBucketPolicy", 404, "The bucket policy does not exist")
                                .with("BucketName", bucket.name());
                    }
                    return input.respond(Shape.of().put("PolicyStatus", Shape.of().put("IsPublic",
                            PublicPolicies.isPublic(bucket.policyText()))));
                });
    }

    static S3Call putPublicAccessBlock(S3Input input, Bucket bucket, S3Repository repository) {
        return S3Call.of(S3Support.bucketCheck("s3:PutBucketPublicAccessBlock", bucket, RequestContext.empty()),
                findings -> {
                    Input configuration = input.document();
                    if (configuration == null) {
                        throw S3Exception.malformedXml();
                    }
                    // a setting left out is false, as the API reference's defaults say
                    PublicAccessBlock block = new PublicAccessBlock(configuration.bool("BlockPublicAcls", false),
                            configuration.bool("IgnorePublicAcls", false),
                            configuration.bool("BlockPublicPolicy", false),
                            configuration.bool("RestrictPublicBuckets", false));
                    repository.updateBucket(bucket.name(), current -> current.withPublicAccessBlock(block));
                    return input.respond(Shape.of());
                });
    }

    static S3Call getPublicAccessBlock(S3Input input, Bucket bucket) {
        return S3Call.of(S3Support.bucketCheck("s3:GetBucketPublicAccessBlock", bucket, RequestContext.empty()),
                findings -> {
                    if (bucket.publicAccessBlock() == null) {
                        throw new S3Exception("NoSuchPublicAccessBlockConfiguration", 404,
                                "The public access block configuration was not found")
                                .with("BucketName", bucket.name());
                    }
                    return input.respond(Shape.of().put("PublicAccessBlockConfiguration",
                            bucket.publicAccessBlock().toShape()));
                });
    }

    static S3Call deletePublicAccessBlock(S3Input input, Bucket bucket, S3Repository repository) {
        return S3Call.of(S3Support.bucketCheck("s3:PutBucketPublicAccessBlock", bucket, RequestContext.empty()),
                findings -> {
                    repository.updateBucket(bucket.name(), current -> current.withPublicAccessBlock(null));
                    return input.respond(Shape.of());
                });
    }
}
