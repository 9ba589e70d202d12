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

/** Every request names one operation of the S3 model by method, level and its full set of selectors, or is refused. */
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
        "GET|-|-|x-id=ListBuckets|ListBuckets",
        "GET|-|-|prefix=a|ListBuckets",
        // a Smithy-built SDK names the operation; so does a parameter only directory buckets take
        "GET|-|-|x-id=ListDirectoryBuckets|ListDirectoryBuckets",
        "GET|-|-|max-directory-buckets=5|ListDirectoryBuckets",
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
        // UploadPart itself refuses the missing part number
        "PUT|b|k|uploadId=u|UploadPart",
        "GET|b|-|list-type=1|ListObjects",
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
        // no operation of the S3 model deletes an ACL or reads one of the service
        "DELETE|b|-|acl|405", "GET|-|-|acl|405",
        "PUT|b|-|location|405", "POST|b|k|tagging|405", "GET|b|k|uploads|405", "PUT|b|k|versionId=null|405",
        "GET|b|-|versionId=null|405", "GET|b|-|tagging&policy|400", "GET|b|k|partNumber=1&uploadId=u&tagging|400",
        // two sub-resources name no operation, whether or not crossrole implements either
        "GET|b|k|tagging&acl|400"})
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
        "POST|b|k|restore|RestoreObject", "DELETE|b|-|cors|DeleteBucketCors"})
    void everySubresourceNamesItsModelOperation(String method, String bucket, String key, String query,
                                                String operation) {
        assertEquals(operation, S3Routes.resolve(request(method, bucket, key, query)));
    }

    @Test
    void everyOperationOfTheModelIsReachable() {
        // One request per operation, built from its own binding: each comes back to that operation.
        for (dev.crossrole.server.model.OperationModel operation
                : dev.crossrole.server.model.ServiceModels.all().byId("s3").operations()) {
            String uri = operation.requestUri();
            if (!uri.startsWith("/{Bucket}") && !uri.startsWith("/?") && !uri.equals("/") || operation.deprecated()) {
                continue;
            }
            int question = uri.indexOf('?');
            String path = question < 0 ? uri : uri.substring(0, question);
            List<String> query = new java.util.ArrayList<>();
            if (question >= 0) {
                query.add(uri.substring(question + 1));
            }
            operation.requiredQuery().forEach(name -> query.add(name + "=1"));
            query.add("x-id=" + operation.name());
            List<String> headers = new java.util.ArrayList<>();
            operation.input().members().values().stream()
                    .filter(m -> "header".equals(m.location()) && m.required())
                    .forEach(m -> { headers.add(m.locationName()); headers.add("v"); });
            S3Request request = request(operation.httpMethod(), path.equals("/") ? null : "b",
                    path.contains("{Key+}") ? "k" : null, String.join("&", query), headers.toArray(String[]::new));
            assertEquals(operation.name(), S3Routes.resolve(request), uri);
            // without the SDK's x-id, the binding alone still names it (ListBuckets and
            // ListDirectoryBuckets share GET /: the plain request is ListBuckets)
            query.remove(query.size() - 1);
            S3Request plain = request(operation.httpMethod(), path.equals("/") ? null : "b",
                    path.contains("{Key+}") ? "k" : null, String.join("&", query), headers.toArray(String[]::new));
            assertEquals(operation.name().equals("ListDirectoryBuckets") ? "ListBuckets" : operation.name(),
                    S3Routes.resolve(plain), uri);
        }
    }

    @Test
    void aFormUploadIsItsOwnOperation() {
        assertEquals(S3Routes.POST_OBJECT, S3Routes.resolve(request("POST", "b", null, null)));
    }
}
