package dev.crossrole.server.s3;

import dev.crossrole.server.protocol.Shape;

/**
 * A bucket's Block Public Access configuration. New buckets get every setting on, as S3 creates them since April
 * 2023; DeletePublicAccessBlock removes the configuration, which then blocks nothing.
 */
public record PublicAccessBlock(boolean blockPublicAcls, boolean ignorePublicAcls, boolean blockPublicPolicy,
                                boolean restrictPublicBuckets) {
    static final PublicAccessBlock ALL = new PublicAccessBlock(true, true, true, true);

    /**
     * The settings on in either configuration ({@code null} for none): a bucket's and its owner account's
     * configurations combine to the most restrictive.
     */
    static PublicAccessBlock combined(PublicAccessBlock bucket, PublicAccessBlock account) {
        if (bucket == null || account == null) {
            return bucket == null ? account : bucket;
        }
        return new PublicAccessBlock(bucket.blockPublicAcls || account.blockPublicAcls,
                bucket.ignorePublicAcls || account.ignorePublicAcls,
                bucket.blockPublicPolicy || account.blockPublicPolicy,
                bucket.restrictPublicBuckets || account.restrictPublicBuckets);
    }

    Shape toShape() {
        return Shape.of().put("BlockPublicAcls", blockPublicAcls).put("IgnorePublicAcls", ignorePublicAcls)
                .put("BlockPublicPolicy", blockPublicPolicy).put("RestrictPublicBuckets", restrictPublicBuckets);
    }
}
