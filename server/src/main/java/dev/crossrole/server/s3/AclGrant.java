package dev.crossrole.server.s3;

import dev.crossrole.server.protocol.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One grant of an S3 access control list: a grantee (a canonical user by its 64-hex id, or one of S3's groups by
 * its URI) and the permission it holds. Grants to an e-mail address are resolved to a canonical user by S3 before
 * they are stored; crossrole's accounts have no e-mail addresses, so such grants are refused as S3 refuses an
 * address it cannot resolve.
 *
 * @param type {@code CanonicalUser} or {@code Group}
 * @param id the canonical user id of a {@code CanonicalUser}, else {@code null}
 * @param uri the group URI of a {@code Group}, else {@code null}
 * @param permission {@code FULL_CONTROL}, {@code WRITE}, {@code WRITE_ACP}, {@code READ} or {@code READ_ACP}
 */
public record AclGrant(String type, String id, String uri, String permission) {
    static final String CANONICAL_USER = "CanonicalUser";
    static final String GROUP = "Group";
    static final String ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";
    static final String AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
    static final String LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery";
    static final Set<String> GROUPS = Set.of(ALL_USERS, AUTHENTICATED_USERS, LOG_DELIVERY);
    static final Set<String> PERMISSIONS = Set.of("FULL_CONTROL", "WRITE", "WRITE_ACP", "READ", "READ_ACP");
    /** The canned ACLs of the model's {@code BucketCannedACL} and {@code ObjectCannedACL}. */
    static final Set<String> CANNED = Set.of("private", "public-read", "public-read-write", "authenticated-read",
            "aws-exec-read", "bucket-owner-read", "bucket-owner-full-control", "log-delivery-write");
    /** The grant headers by the model's member name, with the permission each grants. */
    static final List<String[]> HEADERS = List.of(new String[] {"GrantFullControl", "FULL_CONTROL"},
            new String[] {"GrantRead", "READ"}, new String[] {"GrantReadACP", "READ_ACP"},
            new String[] {"GrantWrite", "WRITE"}, new String[] {"GrantWriteACP", "WRITE_ACP"});

    static AclGrant user(String canonicalId, String permission) {
        return new AclGrant(CANONICAL_USER, canonicalId, null, permission);
    }

    static AclGrant group(String uri, String permission) {
        return new AclGrant(GROUP, null, uri, permission);
    }

    /** The ACL of a bucket nobody put one on: its owner's FULL_CONTROL. */
    static List<AclGrant> ownerOnly(String account) {
        return List.of(user(S3Support.canonicalId(account), "FULL_CONTROL"));
    }

    /** Whether the grant is to everyone or to every AWS account: what Block Public Access calls public. */
    boolean isPublic() {
        return GROUP.equals(type) && (ALL_USERS.equals(uri) || AUTHENTICATED_USERS.equals(uri));
    }

    /**
     * A bucket's canned ACL as S3 expands it. {@code bucket-owner-read} and {@code bucket-owner-full-control} are
     * object ACLs; on a bucket they leave the owner's grant alone. {@code aws-exec-read} grants EC2's read of AMI
     * bundles, which crossrole has no account for: the owner's grant alone.
     */
    static List<AclGrant> cannedBucketAcl(String canned, String owner) {
        List<AclGrant> grants = new ArrayList<>(ownerOnly(owner));
        switch (canned) {
            case "public-read" -> grants.add(group(ALL_USERS, "READ"));
            case "public-read-write" -> {
                grants.add(group(ALL_USERS, "READ"));
                grants.add(group(ALL_USERS, "WRITE"));
            }
            case "authenticated-read" -> grants.add(group(AUTHENTICATED_USERS, "READ"));
            case "log-delivery-write" -> {
                grants.add(group(LOG_DELIVERY, "WRITE"));
                grants.add(group(LOG_DELIVERY, "READ_ACP"));
            }
            default -> { }
        }
        return grants;
    }

    /**
     * A canned ACL S3 knows, else its InvalidArgument. S3's exact message for it was not found; an empty one breaks
     * AWS CLI v1's error handling, so the message says what is refused.
     */
    static String checkCanned(String canned) {
        if (!CANNED.contains(canned)) {
            throw invalidCanned(canned);
        }
        return canned;
    }

    static S3Exception invalidCanned(String canned) {
        return S3Exception.invalidArgument("Invalid canned ACL: " + canned, "x-amz-acl", canned);
    }

    /**
     * The grants of one {@code x-amz-grant-*} header: comma-separated {@code id=}, {@code uri=} or
     * {@code emailAddress=} grantees, each value optionally in double quotes, as S3 parses them. A grantee of another
     * form is InvalidArgument "Argument format not recognized"; an unknown group "Invalid group uri"; an id that is
     * not a canonical user id "Invalid id" (S3's messages as SDK users quote them); an e-mail address
     * UnresolvableGrantByEmailAddress, since no account here has one.
     */
    static List<AclGrant> fromHeader(String header, String value, String permission) {
        List<AclGrant> grants = new ArrayList<>();
        for (String part : value.split(",")) {
            String grantee = part.strip();
            int equals = grantee.indexOf('=');
            if (equals < 0) {
                throw S3Exception.invalidArgument("Argument format not recognized", header, value);
            }
            String kind = grantee.substring(0, equals).strip().toLowerCase(Locale.ROOT);
            String text = grantee.substring(equals + 1).strip();
            if (text.length() >= 2 && text.startsWith("\"") && text.endsWith("\"")) {
                text = text.substring(1, text.length() - 1);
            }
            switch (kind) {
                case "id" -> grants.add(user(checkId(text), permission));
                case "uri" -> grants.add(group(checkUri(text), permission));
                case "emailaddress" -> throw unresolvable(text);
                default -> throw S3Exception.invalidArgument("Argument format not recognized", header, value);
            }
        }
        return grants;
    }

    /** The actions a permission grants on a bucket, by S3's mapping of ACL permissions to policy actions. */
    static Set<String> bucketActions(String permission) {
        return switch (permission) {
            case "READ" -> READ;
            case "WRITE" -> WRITE;
            case "READ_ACP" -> Set.of("s3:GetBucketAcl");
            case "WRITE_ACP" -> Set.of("s3:PutBucketAcl");
            case "FULL_CONTROL" -> FULL_CONTROL;
            default -> Set.of();
        };
    }

    /** The actions a permission grants on an object, by S3's mapping of ACL permissions to policy actions. */
    static Set<String> objectActions(String permission) {
        return switch (permission) {
            case "READ" -> Set.of("s3:GetObject", "s3:GetObjectVersion");
            case "READ_ACP" -> Set.of("s3:GetObjectAcl", "s3:GetObjectVersionAcl");
            case "WRITE_ACP" -> Set.of("s3:PutObjectAcl", "s3:PutObjectVersionAcl");
            case "FULL_CONTROL" -> S3Support.OBJECT_ACL_ACTIONS;
            default -> Set.of();
        };
    }

    /**
     * An object's canned ACL as S3 expands it for an object owned by {@code owner} in a bucket owned by
     * {@code bucketOwner}: {@code bucket-owner-read} and {@code bucket-owner-full-control} grant the bucket owner
     * (nothing more when it owns the object); {@code aws-exec-read}'s EC2 grantee is no account here. The model's
     * {@code ObjectCannedACL} has no {@code log-delivery-write}: InvalidArgument, as any canned ACL S3 does not know.
     */
    static List<AclGrant> cannedObjectAcl(String canned, String owner, String bucketOwner) {
        if (canned.equals("log-delivery-write")) {
            throw invalidCanned(canned);
        }
        List<AclGrant> grants = new ArrayList<>(ownerOnly(owner));
        boolean otherBucketOwner = !owner.equals(bucketOwner);
        switch (checkCanned(canned)) {
            case "bucket-owner-read" -> {
                if (otherBucketOwner) {
                    grants.add(user(S3Support.canonicalId(bucketOwner), "READ"));
                }
            }
            case "bucket-owner-full-control" -> {
                if (otherBucketOwner) {
                    grants.add(user(S3Support.canonicalId(bucketOwner), "FULL_CONTROL"));
                }
            }
            default -> grants = new ArrayList<>(cannedBucketAcl(canned, owner));
        }
        return grants;
    }

    private static final Set<String> READ = Set.of("s3:ListBucket", "s3:ListBucketVersions",
            "s3:ListBucketMultipartUploads");
    /** WRITE lets the grantee create, overwrite and delete objects of the bucket. */
    private static final Set<String> WRITE = Set.of("s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion");
    private static final Set<String> FULL_CONTROL = union(READ, WRITE, Set.of("s3:GetBucketAcl", "s3:PutBucketAcl"));

    @SafeVarargs
    private static Set<String> union(Set<String>... sets) {
        Set<String> all = new java.util.HashSet<>();
        for (Set<String> set : sets) {
            all.addAll(set);
        }
        return Set.copyOf(all);
    }

    /** A grant's canonical user id must be an account's (S3: "Invalid id"). */
    static String checkId(String id) {
        if (S3Support.accountOf(id) == null) {
            throw S3Exception.invalidArgument("Invalid id", "CanonicalUser/ID", id);
        }
        return id;
    }

    static String checkUri(String uri) {
        if (!GROUPS.contains(uri)) {
            throw S3Exception.invalidArgument("Invalid group uri", "Group/URI", uri);
        }
        return uri;
    }

    static S3Exception unresolvable(String email) {
        return new S3Exception("UnresolvableGrantByEmailAddress", 400,
                "The e-mail address you provided does not match any account on record.")
                .with("EmailAddress", email);
    }

    /** The grant as the model's {@code Grant}: its grantee (with {@code xsi:type}) and permission. */
    Shape toShape() {
        Shape grantee = Shape.of().put("Type", type);
        if (CANONICAL_USER.equals(type)) {
            grantee.put("ID", id);
        } else {
            grantee.put("URI", uri);
        }
        return Shape.of().put("Grantee", grantee).put("Permission", permission);
    }
}
