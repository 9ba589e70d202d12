package dev.crossrole.server.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every request names one operation by method, level and its full set of sub-resources, or is refused. */
class S3RoutesTest {

    static S3Request request(String method, String bucket, String key, String query, String... headers) {
        Map<String, String> params = new LinkedHashMap<>();
        if (query != null && !query.isEmpty()) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                params.put(eq < 0 ? pair : pair.substring(0, eq), eq < 0 ? "" : pair.substring(eq + 1));
            }
        }
        List<Map.Entry<String, String>> headerList = new java.util.ArrayList<>();
        for (int i = 0; i < headers.length; i += 2) {
            headerList.add(Map.entry(headers[i], headers[i + 1]));
        }
        return new S3Request(method, bucket, key, params, headerList, InputStream::nullInputStream, 0);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "GET|-|-|-|ListBuckets",
        "PUT|b|-|-|CreateBucket",
        "DELETE|b|-|-|DeleteBucket",
        "DELETE|b|-|tagging|DeleteBucketTagging",
        "GET|b|-|tagging|GetBucketTagging",
        "PUT|b|-|tagging|PutBucketTagging",
        "GET|b|-|-|ListObjects",
        "GET|b|-|list-type=2&prefix=a|ListObjectsV2",
        "GET|b|-|uploads&prefix=a|ListMultipartUploads",
        "POST|b|-|delete|DeleteObjects",
        "GET|b|k|-|GetObject",
        "GET|b|k|partNumber=2|GetObject",
        "GET|b|k|versionId=null|GetObject",
        "GET|b|k|response-content-type=x&x-id=GetObject|GetObject",
        "HEAD|b|k|partNumber=1|HeadObject",
        "DELETE|b|k|versionId=null|DeleteObject",
        "DELETE|b|k|tagging|DeleteObjectTagging",
        "DELETE|b|k|uploadId=u|AbortMultipartUpload",
        "PUT|b|k|partNumber=1&uploadId=u|UploadPart",
        "GET|b|k|uploadId=u|ListParts",
        "POST|b|k|uploads|CreateMultipartUpload",
        "POST|b|k|uploadId=u|CompleteMultipartUpload"})
    void namesOneOperation(String method, String bucket, String key, String query, String operation) {
        assertEquals(operation, S3Routes.resolve(request(method, bucket, key, query)));
    }

    @Test
    void headersRefineCopies() {
        assertEquals("CopyObject", S3Routes.resolve(request("PUT", "b", "k", null, "x-amz-copy-source", "/b/s")));
        assertEquals("UploadPartCopy", S3Routes.resolve(request("PUT", "b", "k", "partNumber=1&uploadId=u",
                "x-amz-copy-source", "/b/s")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "GET|b|k|attributes|501", "PUT|b|-|versioning|501", "DELETE|b|-|cors|501", "GET|b|k|tagging&acl|501",
        // no operation of the S3 model deletes an ACL or reads one of the service
        "DELETE|b|-|acl|405", "GET|-|-|acl|405",
        "PUT|b|-|location|405", "POST|b|k|tagging|405", "GET|b|k|uploads|405", "PUT|b|k|versionId=null|405",
        "GET|b|-|versionId=null|405", "GET|b|-|tagging&policy|400", "GET|b|k|partNumber=1&uploadId=u&tagging|400"})
    void otherwiseIsRefused(String method, String bucket, String key, String query, int status) {
        S3Exception e = assertThrows(S3Exception.class, () -> S3Routes.resolve(request(method, bucket, key, query)));
        assertEquals(status, e.httpStatus(), e.getMessage());
        assertEquals(null, S3Routes.operation(request(method, bucket, key, query)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "GET|b|-|acl|GetBucketAcl", "PUT|b|k|acl|PutObjectAcl", "GET|b|k|attributes|GetObjectAttributes",
        "PUT|b|-|versioning|PutBucketVersioning", "GET|b|-|versions|ListObjectVersions",
        "GET|b|-|inventory|ListBucketInventoryConfigurations", "GET|b|-|inventory&id=i|GetBucketInventoryConfiguration",
        "DELETE|b|-|metrics&id=i|DeleteBucketMetricsConfiguration",
        "GET|b|-|lifecycle|GetBucketLifecycleConfiguration", "PUT|b|-|notification|PutBucketNotificationConfiguration",
        "PUT|b|-|encryption|PutBucketEncryption", "PUT|b|k|encryption|UpdateObjectEncryption",
        "POST|b|k|select&select-type=2|SelectObjectContent", "GET|b|-|session|CreateSession",
        "POST|b|k|restore|RestoreObject", "GET|b|k|tagging&acl|GetObjectAcl"})
    void anUnimplementedSubresourceNamesItsModelOperation(String method, String bucket, String key, String query,
                                                          String operation) {
        S3Exception e = assertThrows(S3Exception.class, () -> S3Routes.resolve(request(method, bucket, key, query)));
        assertEquals(501, e.httpStatus());
        assertEquals("NotImplemented", e.code());
        assertEquals("crossrole does not implement s3:" + operation + " yet", e.getMessage());
    }

    @Test
    void aFormUploadIsItsOwnOperation() {
        assertEquals(S3Routes.POST_OBJECT, S3Routes.resolve(request("POST", "b", null, null)));
    }
}
