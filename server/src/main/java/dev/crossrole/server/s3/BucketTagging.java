package dev.crossrole.server.s3;

import dev.crossrole.policy.RequestContext;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.w3c.dom.Element;

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

    static S3Call put(S3Request request, Bucket bucket, S3Repository repository) {
        return S3Call.of(S3Support.bucketCheck("s3:PutBucketTagging", bucket, RequestContext.empty()), findings -> {
            Element root;
            try (InputStream body = request.body().get()) {
                byte[] bytes = body.readNBytes(Xml.MAX_REQUEST_XML + 1);
                if (bytes.length > Xml.MAX_REQUEST_XML) {
                    throw S3Exception.malformedXml();
                }
                root = Xml.parse(bytes);
            }
            if (!"Tagging".equals(root.getLocalName())) {
                throw S3Exception.malformedXml();
            }
            List<Element> sets = Xml.children(root, "TagSet");
            if (sets.size() != 1) {
                throw S3Exception.malformedXml();
            }
            Map<String, String> tags = parse(sets.get(0));
            repository.updateBucket(bucket.name(), current -> current.withTags(tags));
            return S3Response.empty(204);
        });
    }

    static S3Call get(Bucket bucket) {
        return S3Call.of(S3Support.bucketCheck("s3:GetBucketTagging", bucket, RequestContext.empty()), findings -> {
            if (bucket.tags().isEmpty()) {
                throw new S3Exception("NoSuchTagSet", 404, "The TagSet does not exist").with("BucketName", bucket.name());
            }
            Xml xml = new Xml().root("Tagging").open("TagSet");
            bucket.tags().forEach((k, v) -> xml.open("Tag").element("Key", k).element("Value", v).close("Tag"));
            return S3Response.xml(200, xml.close("TagSet").close("Tagging").toString());
        });
    }

    static S3Call delete(Bucket bucket, S3Repository repository) {
        return S3Call.of(S3Support.bucketCheck("s3:PutBucketTagging", bucket, RequestContext.empty()), findings -> {
            repository.updateBucket(bucket.name(), current -> current.withTags(Map.of()));
            return S3Response.empty(204);
        });
    }

    /**
     * The {@code <Tag>} children of a tag set, checked as S3 checks bucket tags: each key once, 1 to 128
     * characters and not in the {@code aws:} namespace, values up to 256, at most 50 tags. Messages as S3 words
     * them for InvalidTag (quoted in versity/versitygw#1232, cloud-custodian/cloud-custodian#2834).
     */
    static Map<String, String> parse(Element tagSet) {
        Map<String, String> tags = new LinkedHashMap<>();
        for (Element tag : Xml.children(tagSet, "Tag")) {
            String key = Xml.childText(tag, "Key");
            String value = Xml.childText(tag, "Value");
            if (key == null || value == null) {
                throw S3Exception.malformedXml();
            }
            if (tags.put(key, value) != null) {
                throw new S3Exception("InvalidTag", 400, "Cannot provide multiple Tags with the same key")
                        .with("TagKey", key);
            }
        }
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
