package dev.crossrole.server.s3;

import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PutBucketTagging, GetBucketTagging and DeleteBucketTagging, and the tag rules they share with CreateBucket.
 *
 * <p>Authorization follows the Service Authorization Reference: {@code s3:PutBucketTagging} and
 * {@code s3:GetBucketTagging} on the bucket; DeleteBucketTagging has no action of its own and is authorized as
 * {@code s3:PutBucketTagging} (its API reference: "you must have permission to perform the s3:PutBucketTagging
 * action"). Neither lists {@code aws:RequestTag} or {@code aws:TagKeys}; the bucket's tags are
 * {@code aws:ResourceTag/<key>} and {@code s3:BucketTag/<key>} of every check on the bucket
 * ({@link S3Support#bucketCheck}).
 */
final class BucketTagging {
    /** A bucket has at most 50 tags (objects 10). */
    static final int MAX_TAGS = 50;

    private BucketTagging() {}

    static S3Call put(S3Input input, Bucket bucket, S3Repository repository) {
        return S3Call.of(S3Support.bucketCheck("s3:PutBucketTagging", bucket, RequestContext.empty()), findings -> {
            Map<String, String> tags = tags(input.document().list("TagSet"));
            repository.updateBucket(bucket.name(), current -> current.withTags(tags));
            return input.respond(Shape.of());
        });
    }

    static S3Call get(S3Input input, Bucket bucket) {
        return S3Call.of(S3Support.bucketCheck("s3:GetBucketTagging", bucket, RequestContext.empty()), findings -> {
            if (bucket.tags().isEmpty()) {
                throw new S3Exception("NoSuchTagSet", 404, "The TagSet does not exist").with("BucketName", bucket.name());
            }
            return input.respond(Shape.of().put("TagSet", tagSet(bucket.tags())));
        });
    }

    static S3Call delete(S3Input input, Bucket bucket, S3Repository repository) {
        return S3Call.of(S3Support.bucketCheck("s3:PutBucketTagging", bucket, RequestContext.empty()), findings -> {
            repository.updateBucket(bucket.name(), current -> current.withTags(Map.of()));
            return input.respond(Shape.of());
        });
    }

    /** Tags as the model's {@code TagSet}: a {@code Tag} with {@code Key} and {@code Value} each. */
    static List<Shape> tagSet(Map<String, String> tags) {
        List<Shape> set = new ArrayList<>();
        tags.forEach((key, value) -> set.add(Shape.of().put("Key", key).put("Value", value)));
        return set;
    }

    /** A tag set as the model read it, by key: a key given twice is S3's InvalidTag, for buckets and objects. */
    static Map<String, String> distinct(List<Input> tagSet) {
        Map<String, String> tags = new LinkedHashMap<>();
        for (Input tag : tagSet) {
            String key = tag.string("Key");
            if (tags.put(key, tag.string("Value")) != null) {
                throw new S3Exception("InvalidTag", 400, "Cannot provide multiple Tags with the same key")
                        .with("TagKey", key);
            }
        }
        return tags;
    }

    /**
     * A tag set as the model read it (each tag's Key and Value are required), checked as S3 checks bucket tags: each key once, 1 to 128
     * characters and not in the {@code aws:} namespace, values up to 256, at most 50 tags. Messages as S3 words
     * them for InvalidTag (quoted in versity/versitygw#1232, cloud-custodian/cloud-custodian#2834).
     */
    static Map<String, String> tags(List<Input> tagSet) {
        Map<String, String> tags = distinct(tagSet);
        for (Map.Entry<String, String> tag : tags.entrySet()) {
            String key = tag.getKey();
            if (key.isEmpty() || key.codePointCount(0, key.length()) > 128) {
                throw new S3Exception("InvalidTag", 400, "The TagKey you have provided is invalid").with("TagKey", key);
            }
            if (key.toLowerCase(java.util.Locale.ROOT).startsWith("aws:")) {
                throw new S3Exception("InvalidTag", 400, "System tags cannot be added/updated by requester")
                        .with("TagKey", key);
            }
            if (tag.getValue().codePointCount(0, tag.getValue().length()) > 256) {
                throw new S3Exception("InvalidTag", 400, "The TagValue you have provided is invalid")
                        .with("TagKey", key).with("TagValue", tag.getValue());
            }
        }
        if (tags.size() > MAX_TAGS) {
            throw new S3Exception("BadRequest", 400, "Bucket tag count cannot be greater than " + MAX_TAGS);
        }
        return tags;
    }
}
