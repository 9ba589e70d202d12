package dev.crossrole.server.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.CrossroleServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * S3's inputs read by the model and its outputs written by it, on the wire: values not of their type and documents
 * that do not match their shape get S3's errors and change nothing; the documents S3 writes keep their bytes.
 */
class S3ModelInputTest {
    private static final String NAMESPACE = "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"";

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        S3WireTest.server = CrossroleServer.start(CrossroleServer.Options.defaults(dir).withPort(0));
        S3WireTest.admin = S3WireTest.server.profiles().stream()
                .filter(p -> p.account().id().equals("555566667777")).findFirst().orElseThrow();
    }

    @AfterAll
    static void stop() {
        S3WireTest.server.close();
    }

    private static S3WireTest.Response send(String method, String path, String query,
                                            List<Map.Entry<String, String>> headers, String body) throws IOException {
        return S3WireTest.send(S3WireTest.signed(method, path, query, headers, body.getBytes(StandardCharsets.UTF_8),
                false));
    }

    private static void assertError(S3WireTest.Response response, int status, String code, String... elements) {
        assertEquals(status, response.status(), response.text());
        assertTrue(response.text().contains("<Code>" + code + "</Code>"), response.text());
        for (String element : elements) {
            assertTrue(response.text().contains(element), element + " in " + response.text());
        }
    }

    @Test
    void anObjectLockFlagThatIsNotABooleanIsInvalidArgumentAndCreatesNoBucket() throws IOException {
        S3WireTest.Response refused = send("PUT", "/lock-flag", null,
                List.of(Map.entry("x-amz-bucket-object-lock-enabled", "maybe")), "");
        assertError(refused, 400, "InvalidArgument",
                "<Message>x-amz-bucket-object-lock-enabled must be true or false</Message>",
                "<ArgumentName>x-amz-bucket-object-lock-enabled</ArgumentName>", "<ArgumentValue>maybe</ArgumentValue>");
        assertEquals(404, send("HEAD", "/lock-flag", null, List.of(), "").status());
        assertEquals(200, send("PUT", "/lock-flag", null,
                List.of(Map.entry("x-amz-bucket-object-lock-enabled", "FALSE")), "").status());
    }

    @Test
    void aCreateBucketConfigurationThatDoesNotMatchItsShapeIsMalformedXml() throws IOException {
        for (String body : List.of("<CreateBucketConfiguration><Tags><Tag><Key>k</Key></Tag></Tags>"
                        + "</CreateBucketConfiguration>",
                "<CreateBucketConfiguration><Tags/><Tags/></CreateBucketConfiguration>",
                "<BucketConfiguration/>", "<CreateBucketConfiguration>")) {
            assertError(send("PUT", "/shaped", null, List.of(), body), 400, "MalformedXML");
            assertEquals(404, send("HEAD", "/shaped", null, List.of(), "").status(), body);
        }
        S3WireTest.Response created = send("PUT", "/shaped", null, List.of(), "<CreateBucketConfiguration>"
                + "<Tags><Tag><Key>team</Key><Value>a&amp;b</Value></Tag></Tags></CreateBucketConfiguration>");
        assertEquals(200, created.status(), created.text());
        S3WireTest.Response tags = send("GET", "/shaped", "tagging", List.of(), "");
        assertEquals(200, tags.status(), tags.text());
        assertEquals("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Tagging " + NAMESPACE + "><TagSet><Tag><Key>team</Key>"
                + "<Value>a&amp;b</Value></Tag></TagSet></Tagging>", tags.text());
    }

    @Test
    void bucketTaggingReadByTheModelRefusesWhatItsShapeDoesNotAllowAndKeepsTheTags() throws IOException {
        assertEquals(200, send("PUT", "/tagged", null, List.of(), "").status());
        assertEquals(204, send("PUT", "/tagged", "tagging", List.of(),
                "<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>").status());
        for (String body : List.of("", "<Tagging/>", "<Tagging><TagSet><Tag><Value>v</Value></Tag></TagSet></Tagging>",
                "<Tagging><TagSet/><TagSet/></Tagging>", "<TagSet/>")) {
            assertError(send("PUT", "/tagged", "tagging", List.of(), body), 400, "MalformedXML");
        }
        S3WireTest.Response tags = send("GET", "/tagged", "tagging", List.of(), "");
        assertTrue(tags.text().contains("<TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet>"), tags.text());
        assertEquals(204, send("DELETE", "/tagged", "tagging", List.of(), "").status());
        assertError(send("GET", "/tagged", "tagging", List.of(), ""), 404, "NoSuchTagSet");
    }

    @Test
    void aPolicyOverTwentyKilobytesIsRefusedAndTheLocationIsS3sDocument() throws IOException {
        assertEquals(200, send("PUT", "/policed", null, List.of(), "").status());
        String large = "{\"Version\":\"2012-10-17\",\"Statement\":[]," + "\"Id\":\"" + "x".repeat(20 * 1024) + "\"}";
        assertError(send("PUT", "/policed", "policy", List.of(), large), 400, "PolicyTooLarge");
        assertError(send("GET", "/policed", "policy", List.of(), ""), 404, "NoSuchBucketPolicy");
        S3WireTest.Response location = send("GET", "/policed", "location", List.of(), "");
        assertEquals("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LocationConstraint " + NAMESPACE
                + "></LocationConstraint>", location.text());
    }

    @Test
    void anExpectedBucketOwnerThatIsNotTheOwnerIsAccessDenied() throws IOException {
        assertEquals(200, send("PUT", "/owned", null, List.of(), "").status());
        assertError(send("GET", "/owned", "location", List.of(Map.entry("x-amz-expected-bucket-owner", "111122223333")),
                ""), 403, "AccessDenied");
        S3WireTest.Response head = send("HEAD", "/owned", null,
                List.of(Map.entry("x-amz-expected-bucket-owner", "555566667777")), "");
        assertEquals(200, head.status());
    }

    @Test
    void aCountInTheQueryThatIsNotANonNegativeIntegerIsInvalidArgumentNamingIt() throws IOException {
        assertEquals(200, send("PUT", "/counted", null, List.of(), "").status());
        for (String[] sent : new String[][] {{"list-type=2&max-keys=x", "max-keys", "x"},
            {"list-type=2&max-keys=-1", "max-keys", "-1"}, {"max-keys=99999999999", "max-keys", "99999999999"},
            {"uploads&max-uploads=ten", "max-uploads", "ten"}}) {
            assertError(send("GET", "/counted", sent[0], List.of(), ""), 400, "InvalidArgument",
                    "<Message>Provided " + sent[1] + " not an integer or within integer range</Message>",
                    "<ArgumentName>" + sent[1] + "</ArgumentName>", "<ArgumentValue>" + sent[2] + "</ArgumentValue>");
        }
        assertEquals(200, send("PUT", "/counted/a/1", null, List.of(), "x").status());
        assertEquals(200, send("PUT", "/counted/b", null, List.of(), "y").status());
        S3WireTest.Response page = send("GET", "/counted", "list-type=2&max-keys=1&delimiter=%2F&fetch-owner=true",
                List.of(), "");
        assertTrue(page.text().contains("<KeyCount>1</KeyCount><MaxKeys>1</MaxKeys><Delimiter>/</Delimiter>"
                + "<IsTruncated>true</IsTruncated>"), page.text());
        assertTrue(page.text().contains("<CommonPrefixes><Prefix>a/</Prefix></CommonPrefixes>"), page.text());
        S3WireTest.Response next = send("GET", "/counted", "list-type=2&start-after=a%2F1&fetch-owner=true", List.of(),
                "");
        assertTrue(next.text().contains("<Key>b</Key>") && !next.text().contains("<Key>a/1</Key>")
                && next.text().contains("<Owner><ID>"), next.text());
        S3WireTest.Response v1 = send("GET", "/counted", "marker=a%2F1", List.of(), "");
        assertTrue(v1.text().contains("<Marker>a/1</Marker>") && v1.text().contains("<Key>b</Key>")
                && !v1.text().contains("<Key>a/1</Key>"), v1.text());
    }

    private static String md5(String body) throws Exception {
        return java.util.Base64.getEncoder().encodeToString(java.security.MessageDigest.getInstance("MD5")
                .digest(body.getBytes(StandardCharsets.UTF_8)));
    }

    private static S3WireTest.Response deleteObjects(String bucket, String body) throws Exception {
        return send("POST", "/" + bucket, "delete", List.of(Map.entry("Content-MD5", md5(body))), body);
    }

    @Test
    void objectTaggingReadByTheModelRefusesWhatItsShapeDoesNotAllowAndKeepsTheTags() throws IOException {
        assertEquals(200, send("PUT", "/object-tags", null, List.of(), "").status());
        assertEquals(200, send("PUT", "/object-tags/k", null, List.of(), "x").status());
        assertEquals(200, send("PUT", "/object-tags/k", "tagging", List.of(),
                "<Tagging><TagSet><Tag><Key>team</Key><Value>a&amp;b</Value></Tag></TagSet></Tagging>").status());
        for (String body : List.of("", "<", "<Tagging/>", "<TagSet/>",
                "<Tagging><TagSet><Tag><Key>k</Key></Tag></TagSet></Tagging>",
                "<Tagging><TagSet><Tag><Value>v</Value></Tag></TagSet></Tagging>",
                "<Tagging><TagSet/><TagSet/></Tagging>",
                "<Tagging><TagSet><Tag><Key>k</Key><Key>j</Key><Value>v</Value></Tag></TagSet></Tagging>")) {
            assertError(send("PUT", "/object-tags/k", "tagging", List.of(), body), 400, "MalformedXML");
        }
        assertError(send("PUT", "/object-tags/k", "tagging", List.of(), "<Tagging><TagSet><Tag><Key>k</Key>"
                + "<Value>v</Value></Tag><Tag><Key>k</Key><Value>w</Value></Tag></TagSet></Tagging>"), 400,
                "InvalidTag", "<Message>Cannot provide multiple Tags with the same key</Message>",
                "<TagKey>k</TagKey>");
        assertError(send("PUT", "/object-tags/k", "tagging", List.of(), "<Tagging><TagSet><Tag><Key>aws:k</Key>"
                + "<Value>v</Value></Tag></TagSet></Tagging>"), 400, "InvalidTag");
        String tagged = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Tagging " + NAMESPACE + "><TagSet><Tag>"
                + "<Key>team</Key><Value>a&amp;b</Value></Tag></TagSet></Tagging>";
        S3WireTest.Response tags = send("GET", "/object-tags/k", "tagging", List.of(), "");
        assertEquals(200, tags.status(), tags.text());
        assertEquals(tagged, tags.text());
        assertError(send("PUT", "/object-tags/missing", "tagging", List.of(),
                "<Tagging><TagSet/></Tagging>"), 404, "NoSuchKey");
        assertEquals(204, send("DELETE", "/object-tags/k", "tagging", List.of(), "").status());
        assertEquals("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Tagging " + NAMESPACE + "><TagSet></TagSet>"
                + "</Tagging>", send("GET", "/object-tags/k", "tagging", List.of(), "").text());
    }

    @Test
    void aDeleteDocumentThatDoesNotMatchItsShapeIsMalformedXmlAndDeletesNothing() throws Exception {
        assertEquals(200, send("PUT", "/deleting", null, List.of(), "").status());
        assertEquals(200, send("PUT", "/deleting/a", null, List.of(), "x").status());
        StringBuilder tooMany = new StringBuilder("<Delete>");
        for (int i = 0; i < 1001; i++) {
            tooMany.append("<Object><Key>a</Key></Object>");
        }
        for (String body : List.of("", "<Delete/>", "<Delete><Quiet>true</Quiet></Delete>",
                "<Delete><Object/></Delete>", "<Objects><Object><Key>a</Key></Object></Objects>",
                "<Delete><Object><Key>a</Key></Object><Quiet>maybe</Quiet></Delete>",
                "<Delete><Object><Key>a</Key><Size>big</Size></Object></Delete>",
                tooMany.append("</Delete>").toString())) {
            assertError(deleteObjects("deleting", body), 400, "MalformedXML");
            assertEquals(200, send("HEAD", "/deleting/a", null, List.of(), "").status(), body);
        }
        String body = "<Delete><Object><Key>a</Key></Object></Delete>";
        assertError(send("POST", "/deleting", "delete", List.of(), body), 400, "InvalidRequest",
                "<Message>Missing required header for this request: Content-MD5</Message>");
        assertEquals(200, send("HEAD", "/deleting/a", null, List.of(), "").status());
    }

    @Test
    void versioningDocumentsAreS3sAndBadOnesChangeNothing() throws Exception {
        assertEquals(200, send("PUT", "/versioned", null, List.of(), "").status());
        S3WireTest.Response never = send("GET", "/versioned", "versioning", List.of(), "");
        assertEquals(200, never.status(), never.text());
        assertEquals("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<VersioningConfiguration " + NAMESPACE + "/>",
                never.text());
        for (String body : List.of("<VersioningConfiguration", "<Tagging/>",
                "<VersioningConfiguration><Status>On</Status></VersioningConfiguration>")) {
            assertError(send("PUT", "/versioned", "versioning", List.of(), body), 400, "MalformedXML");
        }
        assertError(send("PUT", "/versioned", "versioning", List.of(), "<VersioningConfiguration/>"), 400,
                "IllegalVersioningConfigurationException");
        assertEquals("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<VersioningConfiguration " + NAMESPACE + "/>",
                send("GET", "/versioned", "versioning", List.of(), "").text());
        assertEquals(200, send("PUT", "/versioned", "versioning", List.of(), "<VersioningConfiguration " + NAMESPACE
                + "><Status>Enabled</Status></VersioningConfiguration>").status());
        assertTrue(send("GET", "/versioned", "versioning", List.of(), "").text()
                .endsWith("<VersioningConfiguration " + NAMESPACE + "><Status>Enabled</Status></VersioningConfiguration>"));

        S3WireTest.Response put = send("PUT", "/versioned/k", null, List.of(), "v");
        String versionId = put.header("x-amz-version-id");
        assertEquals(32, versionId.length(), put.head());
        S3WireTest.Response marker = send("DELETE", "/versioned/k", null, List.of(), "");
        assertEquals(204, marker.status());
        assertEquals("true", marker.header("x-amz-delete-marker"));
        S3WireTest.Response hidden = send("GET", "/versioned/k", null, List.of(), "");
        assertError(hidden, 404, "NoSuchKey");
        assertEquals(marker.header("x-amz-version-id"), hidden.header("x-amz-version-id"));
        S3WireTest.Response byId = send("GET", "/versioned/k", "versionId=" + marker.header("x-amz-version-id"),
                List.of(), "");
        assertError(byId, 405, "MethodNotAllowed", "<Method>GET</Method>", "<ResourceType>DeleteMarker</ResourceType>");
        assertEquals("true", byId.header("x-amz-delete-marker"));
        assertError(send("GET", "/versioned/k", "versionId=" + versionId.substring(1) + "A", List.of(), ""), 400,
                "InvalidArgument", "<ArgumentName>versionId</ArgumentName>");

        S3WireTest.Response listed = send("GET", "/versioned", "versions", List.of(), "");
        assertEquals(200, listed.status(), listed.text());
        String owner = "<Owner><ID>" + S3Support.canonicalId("555566667777") + "</ID><DisplayName>555566667777"
                + "</DisplayName></Owner>";
        assertTrue(listed.text().startsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListVersionsResult "
                + NAMESPACE + "><Name>versioned</Name><Prefix></Prefix><KeyMarker></KeyMarker><VersionIdMarker>"
                + "</VersionIdMarker><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated><Version><Key>k</Key>"
                + "<VersionId>" + versionId + "</VersionId><IsLatest>false</IsLatest><LastModified>"), listed.text());
        assertTrue(listed.text().contains("<DeleteMarker><Key>k</Key><VersionId>" + marker.header("x-amz-version-id")
                + "</VersionId><IsLatest>true</IsLatest><LastModified>"), listed.text());
        assertTrue(listed.text().contains(owner), listed.text());
        assertError(send("DELETE", "/versioned", null, List.of(), ""), 409, "BucketNotEmpty");
    }

    @Test
    void deleteObjectsAnswersEachKeyInS3sDocument() throws Exception {
        assertEquals(200, send("PUT", "/deleted", null, List.of(), "").status());
        for (String key : List.of("a", "b", "c")) {
            assertEquals(200, send("PUT", "/deleted/" + key, null, List.of(), key).status());
        }
        S3WireTest.Response answer = deleteObjects("deleted", "<Delete><Object><Key>a</Key></Object>"
                + "<Object><Key>b</Key><VersionId>v1</VersionId></Object>"
                + "<Object><Key>c</Key><Size>1</Size></Object><Object><Key>gone&amp;</Key></Object></Delete>");
        assertEquals(200, answer.status(), answer.text());
        assertEquals("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DeleteResult " + NAMESPACE + ">"
                + "<Deleted><Key>a</Key></Deleted><Deleted><Key>gone&amp;</Key></Deleted>"
                + "<Error><Key>b</Key><VersionId>v1</VersionId><Code>InvalidArgument</Code><Message>Invalid version id"
                + " specified</Message></Error>"
                + "<Error><Key>c</Key><Code>NotImplemented</Code><Message>A header you provided implies functionality"
                + " that is not implemented</Message></Error></DeleteResult>", answer.text());
        assertEquals(404, send("HEAD", "/deleted/a", null, List.of(), "").status());
        assertEquals(200, send("HEAD", "/deleted/b", null, List.of(), "").status());
        S3WireTest.Response quiet = deleteObjects("deleted", "<Delete><Quiet>TRUE</Quiet>"
                + "<Object><Key>b</Key></Object></Delete>");
        assertEquals("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DeleteResult " + NAMESPACE + "></DeleteResult>",
                quiet.text());
        assertEquals(404, send("HEAD", "/deleted/b", null, List.of(), "").status());
    }

    @Test
    void deleteObjectRefusesDirectoryBucketConditionsWhateverTheirValue() throws IOException {
        assertEquals(200, send("PUT", "/conditional", null, List.of(), "").status());
        assertEquals(200, send("PUT", "/conditional/k", null, List.of(), "x").status());
        for (Map.Entry<String, String> header : List.of(Map.entry("x-amz-if-match-size", "abc"),
                Map.entry("x-amz-if-match-size", "1"),
                Map.entry("x-amz-if-match-last-modified-time", "yesterday"))) {
            assertError(send("DELETE", "/conditional/k", null, List.of(header), ""), 501, "NotImplemented",
                    "<Header>" + header.getKey() + "</Header>");
        }
        assertEquals(200, send("HEAD", "/conditional/k", null, List.of(), "").status());
        assertError(send("DELETE", "/conditional/k", null, List.of(Map.entry("If-Match", "\"nope\"")), ""), 412,
                "PreconditionFailed");
        S3WireTest.Response deleted = send("DELETE", "/conditional/k", null, List.of(), "");
        assertEquals(204, deleted.status());
        assertEquals("", deleted.text());
        assertEquals(404, send("HEAD", "/conditional/k", null, List.of(), "").status());
    }

    private static byte[] md5Of(byte[] bytes) {
        try {
            return java.security.MessageDigest.getInstance("MD5").digest(bytes);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String uploadId(S3WireTest.Response created) {
        String text = created.text();
        return text.substring(text.indexOf("<UploadId>") + 10, text.indexOf("</UploadId>"));
    }

    @Test
    void multipartInputsAreReadByTheModelAndItsAnswersKeepS3sDocuments() throws IOException {
        assertEquals(200, send("PUT", "/parts", null, List.of(), "").status());
        S3WireTest.Response created = send("POST", "/parts/k", "uploads",
                List.of(Map.entry("x-amz-checksum-algorithm", "CRC32")), "");
        assertEquals(200, created.status(), created.text());
        String uploadId = uploadId(created);
        assertEquals("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<InitiateMultipartUploadResult " + NAMESPACE
                + "><Bucket>parts</Bucket><Key>k</Key><UploadId>" + uploadId + "</UploadId>"
                + "</InitiateMultipartUploadResult>", created.text());
        assertEquals("CRC32", created.header("x-amz-checksum-algorithm"));
        assertEquals("COMPOSITE", created.header("x-amz-checksum-type"));
        for (String number : List.of("abc", "0", "10001", "")) {
            assertError(send("PUT", "/parts/k", "partNumber=" + number + "&uploadId=" + uploadId, List.of(), "x"),
                    400, "InvalidArgument",
                    "<Message>Part number must be an integer between 1 and 10000, inclusive</Message>",
                    "<ArgumentName>partNumber</ArgumentName>", "<ArgumentValue>" + number + "</ArgumentValue>");
        }
        assertError(send("PUT", "/parts/k", "partNumber=1&uploadId=nope", List.of(), "x"), 404, "NoSuchUpload");
        S3WireTest.Response part = send("PUT", "/parts/k", "partNumber=1&uploadId=" + uploadId,
                List.of(Map.entry("x-amz-checksum-crc32", "NhCmhg==")), "hello");
        assertEquals(200, part.status(), part.text());
        assertEquals("AES256", part.header("x-amz-server-side-encryption"));
        assertEquals("NhCmhg==", part.header("x-amz-checksum-crc32"));
        String etag = part.header("ETag");
        for (String body : List.of("", "<CompleteMultipartUpload/>", "<Complete><Part><PartNumber>1</PartNumber>"
                + "</Part></Complete>", "<CompleteMultipartUpload><Part><ETag>x</ETag></Part></CompleteMultipartUpload>",
                "<CompleteMultipartUpload><Part><PartNumber>one</PartNumber></Part></CompleteMultipartUpload>",
                "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><PartNumber>2</PartNumber></Part>"
                        + "</CompleteMultipartUpload>")) {
            assertError(send("POST", "/parts/k", "uploadId=" + uploadId, List.of(), body), 400, "MalformedXML");
        }
        assertEquals(200, send("GET", "/parts/k", "uploadId=" + uploadId, List.of(), "").status());
        S3WireTest.Response completed = send("POST", "/parts/k", "uploadId=" + uploadId, List.of(),
                "<CompleteMultipartUpload><Part><PartNumber> 1 </PartNumber><ETag>" + etag + "</ETag></Part>"
                        + "</CompleteMultipartUpload>");
        assertEquals(200, completed.status(), completed.text());
        assertEquals("AES256", completed.header("x-amz-server-side-encryption"));
        String completedText = completed.text();
        String checksum = completedText.substring(completedText.indexOf("<ChecksumCRC32>") + 15,
                completedText.indexOf("</ChecksumCRC32>"));
        assertTrue(checksum.endsWith("-1"), completedText);
        // One part: the ETag is the MD5 of that part's MD5, then "-1".
        String multipartEtag = "&quot;" + java.util.HexFormat.of().formatHex(md5Of(java.util.HexFormat.of()
                .parseHex(etag.replace("\"", "")))) + "-1&quot;";
        assertEquals("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CompleteMultipartUploadResult " + NAMESPACE
                + "><Location>/parts/k</Location><Bucket>parts</Bucket><Key>k</Key><ETag>" + multipartEtag
                + "</ETag><ChecksumCRC32>" + checksum + "</ChecksumCRC32><ChecksumType>COMPOSITE</ChecksumType>"
                + "</CompleteMultipartUploadResult>", completedText);
        assertEquals("hello", send("GET", "/parts/k", null, List.of(), "").text());
        String aborted = uploadId(send("POST", "/parts/a", "uploads", List.of(), ""));
        S3WireTest.Response abort = send("DELETE", "/parts/a", "uploadId=" + aborted, List.of(), "");
        assertEquals(204, abort.status(), abort.text());
        assertError(send("DELETE", "/parts/a", "uploadId=" + aborted, List.of(), ""), 404, "NoSuchUpload");
    }

    @Test
    void listBucketsAndCopyResultsKeepS3sElementOrder() throws IOException {
        assertEquals(200, send("PUT", "/ordered", null, List.of(), "").status());
        String owner = S3Support.canonicalId("555566667777");
        S3WireTest.Response listed = send("GET", "/", null, List.of(), "");
        assertEquals(200, listed.status(), listed.text());
        assertTrue(listed.text().startsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListAllMyBucketsResult "
                + NAMESPACE + "><Owner><ID>" + owner + "</ID><DisplayName>555566667777</DisplayName></Owner><Buckets>"
                + "<Bucket><Name>"), listed.text());
        assertTrue(listed.text().contains("<Bucket><Name>ordered</Name><CreationDate>"), listed.text());
        assertTrue(listed.text().endsWith("</Buckets></ListAllMyBucketsResult>"), listed.text());

        S3WireTest.Response put = send("PUT", "/ordered/source", null, List.of(), "hello");
        assertEquals(200, put.status(), put.text());
        S3WireTest.Response copied = send("PUT", "/ordered/copy", null,
                List.of(Map.entry("x-amz-copy-source", "/ordered/source"), Map.entry("x-amz-checksum-algorithm", "CRC32")),
                "");
        assertEquals(200, copied.status(), copied.text());
        assertEquals("AES256", copied.header("x-amz-server-side-encryption"));
        String etag = put.header("ETag").replace("\"", "&quot;");
        assertTrue(copied.text().matches("<\\?xml version=\"1.0\" encoding=\"UTF-8\"\\?>\n<CopyObjectResult " + NAMESPACE
                + "><LastModified>\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z</LastModified><ETag>" + etag
                + "</ETag><ChecksumCRC32>NhCmhg==</ChecksumCRC32></CopyObjectResult>"), copied.text());

        String uploadId = uploadId(send("POST", "/ordered/parts", "uploads", List.of(), ""));
        S3WireTest.Response partCopied = send("PUT", "/ordered/parts", "partNumber=1&uploadId=" + uploadId,
                List.of(Map.entry("x-amz-copy-source", "/ordered/source")), "");
        assertEquals(200, partCopied.status(), partCopied.text());
        assertEquals("AES256", partCopied.header("x-amz-server-side-encryption"));
        assertTrue(partCopied.text().matches("<\\?xml version=\"1.0\" encoding=\"UTF-8\"\\?>\n<CopyPartResult "
                + NAMESPACE + "><LastModified>[^<]+</LastModified><ETag>" + etag + "</ETag></CopyPartResult>"),
                partCopied.text());
    }

    /** A listing with its timestamps as {@code T}, which the test cannot know. */
    private static String withoutTimes(S3WireTest.Response response) {
        assertEquals(200, response.status(), response.text());
        return response.text().replaceAll("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z", "T");
    }

    @Test
    void listingDocumentsKeepS3sElementOrder() throws IOException {
        assertEquals(200, send("PUT", "/lists", null, List.of(), "").status());
        String etag = send("PUT", "/lists/a/1", null, List.of(), "hello").header("ETag").replace("\"", "&quot;");
        assertEquals(200, send("PUT", "/lists/b", null, List.of(Map.entry("x-amz-checksum-crc32", "NhCmhg==")),
                "hello").status());
        String owner = "<Owner><ID>" + S3Support.canonicalId("555566667777") + "</ID><DisplayName>555566667777"
                + "</DisplayName></Owner>";
        String prolog = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
        assertEquals(prolog + "<ListBucketResult " + NAMESPACE + "><Name>lists</Name><Prefix></Prefix>"
                + "<KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><Delimiter>/</Delimiter><IsTruncated>false</IsTruncated>"
                + "<Contents><Key>b</Key><LastModified>T</LastModified><ETag>" + etag + "</ETag>"
                + "<ChecksumAlgorithm>CRC32</ChecksumAlgorithm><Size>5</Size>" + owner
                + "<StorageClass>STANDARD</StorageClass></Contents><CommonPrefixes><Prefix>a/</Prefix></CommonPrefixes>"
                + "</ListBucketResult>",
                withoutTimes(send("GET", "/lists", "delimiter=%2F&fetch-owner=true&list-type=2", List.of(), "")));
        assertEquals(prolog + "<ListBucketResult " + NAMESPACE + "><Name>lists</Name><Prefix></Prefix>"
                + "<Marker></Marker><NextMarker>a/</NextMarker><MaxKeys>1</MaxKeys><Delimiter>/</Delimiter>"
                + "<IsTruncated>true</IsTruncated><CommonPrefixes><Prefix>a/</Prefix></CommonPrefixes>"
                + "</ListBucketResult>", withoutTimes(send("GET", "/lists", "delimiter=%2F&max-keys=1", List.of(), "")));

        String uploadId = uploadId(send("POST", "/lists/u", "uploads",
                List.of(Map.entry("x-amz-checksum-algorithm", "CRC32")), ""));
        assertEquals(200, send("PUT", "/lists/u", "partNumber=1&uploadId=" + uploadId,
                List.of(Map.entry("x-amz-checksum-crc32", "NhCmhg==")), "hello").status());
        String uploads = withoutTimes(send("GET", "/lists", "uploads", List.of(), ""));
        String initiator = uploads.substring(uploads.indexOf("<Initiator>"), uploads.indexOf("</Initiator>") + 12);
        assertTrue(initiator.matches("<Initiator><ID>([^<]+)</ID><DisplayName>\\1</DisplayName></Initiator>"),
                initiator);
        assertEquals(prolog + "<ListMultipartUploadsResult " + NAMESPACE + "><Bucket>lists</Bucket><KeyMarker></KeyMarker>"
                + "<UploadIdMarker></UploadIdMarker><Prefix></Prefix><MaxUploads>1000</MaxUploads>"
                + "<IsTruncated>false</IsTruncated><Upload><Key>u</Key><UploadId>" + uploadId + "</UploadId>" + initiator
                + owner + "<StorageClass>STANDARD</StorageClass><Initiated>T</Initiated>"
                + "<ChecksumAlgorithm>CRC32</ChecksumAlgorithm></Upload></ListMultipartUploadsResult>", uploads);
        assertEquals(prolog + "<ListPartsResult " + NAMESPACE + "><Bucket>lists</Bucket><Key>u</Key><UploadId>"
                + uploadId + "</UploadId><PartNumberMarker>0</PartNumberMarker><NextPartNumberMarker>1"
                + "</NextPartNumberMarker><MaxParts>1000</MaxParts><IsTruncated>false</IsTruncated>" + initiator + owner
                + "<StorageClass>STANDARD</StorageClass><ChecksumAlgorithm>CRC32</ChecksumAlgorithm><Part>"
                + "<PartNumber>1</PartNumber><LastModified>T</LastModified><ETag>" + etag + "</ETag><Size>5</Size>"
                + "<ChecksumCRC32>NhCmhg==</ChecksumCRC32></Part></ListPartsResult>",
                withoutTimes(send("GET", "/lists/u", "uploadId=" + uploadId, List.of(), "")));
    }

    @Test
    void readConditionsAndPartNumbersAreReadByTheModel() throws IOException {
        assertEquals(200, send("PUT", "/reads", null, List.of(), "").status());
        S3WireTest.Response put = send("PUT", "/reads/k", null,
                List.of(Map.entry("x-amz-checksum-crc32", "NhCmhg==")), "hello");
        assertEquals(200, put.status(), put.text());
        for (String method : List.of("GET", "HEAD")) {
            // A conditional date that is not a date is ignored, as HTTP has it: the object is answered.
            S3WireTest.Response ignored = send(method, "/reads/k", null,
                    List.of(Map.entry("If-Modified-Since", "yesterday"), Map.entry("If-Unmodified-Since", "not a date")),
                    "");
            assertEquals(200, ignored.status(), method + " " + ignored.text());
            S3WireTest.Response notModified = send(method, "/reads/k", null,
                    List.of(Map.entry("If-Modified-Since", "Tue, 01 Jan 2030 00:00:00 GMT")), "");
            assertEquals(304, notModified.status(), method);
            S3WireTest.Response unmodified = send(method, "/reads/k", null,
                    List.of(Map.entry("If-Unmodified-Since", "Mon, 01 Jan 2001 00:00:00 GMT")), "");
            assertEquals(412, unmodified.status(), method);
            S3WireTest.Response noneMatch = send(method, "/reads/k", null,
                    List.of(Map.entry("If-None-Match", " \"other\", " + put.header("ETag") + " ")), "");
            assertEquals(304, noneMatch.status(), method);
        }
        for (String number : List.of("abc", "99999999999", "", "0")) {
            assertError(send("GET", "/reads/k", "partNumber=" + number, List.of(), ""), 400, "InvalidArgument",
                    "<Message>Part number must be an integer between 1 and 10000, inclusive</Message>",
                    "<ArgumentName>partNumber</ArgumentName>", "<ArgumentValue>" + number + "</ArgumentValue>");
        }
        assertError(send("GET", "/reads/k", "partNumber=1", List.of(Map.entry("Range", "bytes=0-1")), ""), 400,
                "InvalidRequest", "Cannot specify both Range header and partNumber query parameter");
        S3WireTest.Response part = send("GET", "/reads/k", "partNumber=1", List.of(), "");
        assertEquals(206, part.status(), part.text());
        assertEquals("hello", part.text());
        // response-expires is a timestamp in the model, yet passed on as the caller wrote it.
        S3WireTest.Response expires = send("GET", "/reads/k", "response-expires=soon&response-content-language=fr",
                List.of(), "");
        assertEquals(200, expires.status(), expires.text());
        assertEquals("soon", expires.header("Expires"));
        assertEquals("fr", expires.header("Content-Language"));
        S3WireTest.Response checksum = send("GET", "/reads/k", null, List.of(Map.entry("x-amz-checksum-mode", "enabled")),
                "");
        assertEquals(200, checksum.status(), checksum.text());
        assertEquals("NhCmhg==", checksum.header("x-amz-checksum-crc32"));
        assertEquals(null, send("GET", "/reads/k", null, List.of(), "").header("x-amz-checksum-crc32"));
    }

    @Test
    void putObjectHeadersAreReadByTheModelAndARefusedPutChangesNothing() throws IOException {
        assertEquals(200, send("PUT", "/puts", null, List.of(), "").status());
        S3WireTest.Response put = send("PUT", "/puts/k", null, List.of(Map.entry("Content-Type", "text/plain"),
                Map.entry("Content-Encoding", "aws-chunked, gzip"), Map.entry("Cache-Control", "no-cache"),
                Map.entry("Expires", "someday"), Map.entry("x-amz-storage-class", "STANDARD_IA"),
                Map.entry("x-amz-acl", "bucket-owner-full-control"), Map.entry("x-amz-tagging", "team=a"),
                Map.entry("x-amz-server-side-encryption", "AES256")), "first");
        assertEquals(200, put.status(), put.text());
        String[][] refusals = {
            {"If-None-Match", "\"abc\"", "501", "NotImplemented", "<Header>If-None-Match</Header>"},
            {"If-Match", "\"abc\"", "412", "PreconditionFailed", "<Condition>If-Match</Condition>"},
            {"x-amz-server-side-encryption", "aws:kms:dsse", "501", "NotImplemented",
                "<Header>x-amz-server-side-encryption</Header>"},
            {"x-amz-server-side-encryption-customer-algorithm", "AES256", "400", "InvalidArgument",
                "must provide an appropriate secret key."},
            {"x-amz-acl", "public-read", "400", "AccessControlListNotSupported", "The bucket does not allow ACLs"},
            {"x-amz-grant-read-acp", "id=abc", "400", "AccessControlListNotSupported", "The bucket does not allow ACLs"},
            {"x-amz-storage-class", "COLD", "400", "InvalidStorageClass",
                "<StorageClassRequested>COLD</StorageClassRequested>"}};
        for (String[] refused : refusals) {
            assertError(send("PUT", "/puts/k", null, List.of(Map.entry(refused[0], refused[1]),
                    Map.entry("Content-Type", "application/x-other")), "second"), Integer.parseInt(refused[2]),
                    refused[3], refused[4]);
            S3WireTest.Response kept = send("GET", "/puts/k", null, List.of(), "");
            assertEquals("first", kept.text(), refused[0]);
            assertEquals("text/plain", kept.header("Content-Type"), refused[0]);
        }
        S3WireTest.Response got = send("GET", "/puts/k", null, List.of(), "");
        assertEquals("gzip", got.header("Content-Encoding"));
        assertEquals("no-cache", got.header("Cache-Control"));
        assertEquals("someday", got.header("Expires"));
        assertEquals("STANDARD_IA", got.header("x-amz-storage-class"));
        assertEquals("1", got.header("x-amz-tagging-count"));
        S3WireTest.Response replaced = send("PUT", "/puts/k", null, List.of(Map.entry("If-Match", put.header("ETag"))),
                "second");
        assertEquals(200, replaced.status(), replaced.text());
        assertError(send("PUT", "/puts/k", null, List.of(Map.entry("If-None-Match", "*")), "third"), 412,
                "PreconditionFailed", "<Condition>If-None-Match</Condition>");
        assertEquals("second", send("GET", "/puts/k", null, List.of(), "").text());
    }

    @Test
    void copyHeadersAreReadByTheModelAndARefusedCopyChangesNothing() throws IOException {
        assertEquals(200, send("PUT", "/copies", null, List.of(), "").status());
        S3WireTest.Response source = send("PUT", "/copies/src", null, List.of(Map.entry("x-amz-tagging", "a=1")),
                "source");
        assertEquals(200, source.status(), source.text());
        assertEquals(200, send("PUT", "/copies/dst", null, List.of(), "target").status());
        String[][] refusals = {
            {"x-amz-metadata-directive", "MOVE", "400", "InvalidArgument", "<Message>Unknown metadata directive."
                + "</Message><ArgumentName>x-amz-metadata-directive</ArgumentName><ArgumentValue>MOVE</ArgumentValue>"},
            {"x-amz-tagging-directive", "copy", "400", "InvalidArgument", "<ArgumentName>x-amz-tagging-directive"
                + "</ArgumentName><ArgumentValue>copy</ArgumentValue>"},
            {"x-amz-copy-source-if-match", "\"nope\"", "412", "PreconditionFailed",
                "<Condition>x-amz-copy-source-If-Match</Condition>"},
            {"x-amz-copy-source-if-none-match", source.header("ETag"), "412", "PreconditionFailed",
                "<Condition>x-amz-copy-source-If-None-Match</Condition>"},
            {"x-amz-acl", "public-read", "400", "AccessControlListNotSupported", "The bucket does not allow ACLs"}};
        for (String[] refused : refusals) {
            assertError(send("PUT", "/copies/dst", null, List.of(Map.entry("x-amz-copy-source", "/copies/src"),
                    Map.entry(refused[0], refused[1])), ""), Integer.parseInt(refused[2]), refused[3], refused[4]);
            assertEquals("target", send("GET", "/copies/dst", null, List.of(), "").text(), refused[0]);
        }
        assertError(send("PUT", "/copies/dst", null, List.of(Map.entry("x-amz-copy-source", "copies")), ""), 400,
                "InvalidArgument", "<ArgumentName>x-amz-copy-source</ArgumentName>",
                "<ArgumentValue>copies</ArgumentValue>");
        S3WireTest.Response copied = send("PUT", "/copies/dst", null, List.of(Map.entry("x-amz-copy-source",
                "copies/src"), Map.entry("x-amz-tagging-directive", "REPLACE"), Map.entry("x-amz-tagging", "b=2&c=3"),
                Map.entry("x-amz-metadata-directive", "REPLACE"), Map.entry("Content-Type", "text/x-copied")), "");
        assertEquals(200, copied.status(), copied.text());
        S3WireTest.Response got = send("GET", "/copies/dst", null, List.of(), "");
        assertEquals("source", got.text());
        assertEquals("2", got.header("x-amz-tagging-count"));
        assertEquals("text/x-copied", got.header("Content-Type"));
    }

    @Test
    void metadataHeadersAreReadByTheModelAndARepeatedOneIsJoined() throws Exception {
        assertEquals(200, send("PUT", "/metadata", null, List.of(), "").status());
        S3WireTest.Response put = send("PUT", "/metadata/object", null, List.of(Map.entry("x-amz-meta-Colour", "blue"),
                Map.entry("x-amz-meta-colour", "green"), Map.entry("x-amz-meta-size", "large")), "body");
        assertEquals(200, put.status(), put.text());
        S3WireTest.Response got = send("GET", "/metadata/object", null, List.of(), "");
        assertEquals("blue,green", got.header("x-amz-meta-colour"));
        assertEquals("large", got.header("x-amz-meta-size"));
        S3WireTest.Response tooLarge = send("PUT", "/metadata/large", null,
                List.of(Map.entry("x-amz-meta-a", "x".repeat(1500)), Map.entry("x-amz-meta-a", "y".repeat(600))), "b");
        assertError(tooLarge, 400, "MetadataTooLarge", "<MaxSizeAllowed>2048</MaxSizeAllowed>");
        assertEquals(404, send("GET", "/metadata/large", null, List.of(), "").status());
    }
}
