package dev.crossrole.it;

import static dev.crossrole.it.SdkErrors.assertError;
import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Event;
import software.amazon.awssdk.services.s3.model.FilterRule;
import software.amazon.awssdk.services.s3.model.FilterRuleName;
import software.amazon.awssdk.services.s3.model.GetBucketNotificationConfigurationResponse;
import software.amazon.awssdk.services.s3.model.GetBucketWebsiteResponse;
import software.amazon.awssdk.services.s3.model.ObjectOwnership;
import software.amazon.awssdk.services.s3.model.QueueConfiguration;
import software.amazon.awssdk.services.s3.model.RoutingRule;

/**
 * Bucket logging, website and notification configurations through the SDK for Java v2: put, read back and removed;
 * S3's checks of each (the logging target's owner, region and permissions; the website's index document, exclusive
 * redirect and routing rules; notification destinations that cannot be validated without SNS, SQS or Lambda), with
 * nothing changed by a refused request; and the IAM actions they ask for.
 */
class S3BucketConfigSdkTest {
    static TestCrossrole crossrole;
    static S3Client owner;
    static S3Client other;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        owner = S3Sdk.pathStyle(crossrole, crossrole.adminCredentials(DESTINATION));
        other = S3Sdk.pathStyle(crossrole, crossrole.adminCredentials(SOURCE));
    }

    @AfterAll
    static void stop() throws Exception {
        owner.close();
        other.close();
        crossrole.close();
    }

    private static String loggingPolicy(String bucket) {
        return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":"
                + "\"logging.s3.amazonaws.com\"},\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::" + bucket
                + "/*\"}]}";
    }

    @Test
    void loggingNeedsATargetTheLoggingServiceMayWrite() {
        owner.createBucket(b -> b.bucket("cfg-logged"));
        owner.createBucket(b -> b.bucket("cfg-logs"));
        assertNull(owner.getBucketLogging(b -> b.bucket("cfg-logged")).loggingEnabled());
        assertError(400, "InvalidTargetBucketForLogging", "The target bucket for logging does not exist",
                () -> owner.putBucketLogging(b -> b.bucket("cfg-logged").bucketLoggingStatus(s -> s.loggingEnabled(
                        l -> l.targetBucket("cfg-no-such").targetPrefix("logs/")))));
        // The target does not let the logging service write yet.
        assertError(400, "InvalidTargetBucketForLogging", null, () -> owner.putBucketLogging(b -> b
                .bucket("cfg-logged").bucketLoggingStatus(s -> s.loggingEnabled(l -> l.targetBucket("cfg-logs")
                        .targetPrefix("logs/")))));
        other.createBucket(b -> b.bucket("cfg-theirs"));
        other.putBucketPolicy(b -> b.bucket("cfg-theirs").policy(loggingPolicy("cfg-theirs")));
        assertError(400, "InvalidTargetBucketForLogging", "The owner for the bucket to be logged and the target bucket"
                + " must be the same.", () -> owner.putBucketLogging(b -> b.bucket("cfg-logged").bucketLoggingStatus(
                        s -> s.loggingEnabled(l -> l.targetBucket("cfg-theirs").targetPrefix("logs/")))));
        assertNull(owner.getBucketLogging(b -> b.bucket("cfg-logged")).loggingEnabled());

        owner.putBucketPolicy(b -> b.bucket("cfg-logs").policy(loggingPolicy("cfg-logs")));
        owner.putBucketLogging(b -> b.bucket("cfg-logged").bucketLoggingStatus(s -> s.loggingEnabled(l -> l
                .targetBucket("cfg-logs").targetPrefix("logs/"))));
        assertEquals("cfg-logs", owner.getBucketLogging(b -> b.bucket("cfg-logged")).loggingEnabled().targetBucket());
        assertEquals("logs/", owner.getBucketLogging(b -> b.bucket("cfg-logged")).loggingEnabled().targetPrefix());
        // A target whose ACL grants the LogDelivery group WRITE and READ_ACP will do as well.
        owner.createBucket(b -> b.bucket("cfg-acl-logs").objectOwnership(ObjectOwnership.OBJECT_WRITER)
                .acl("log-delivery-write"));
        owner.putBucketLogging(b -> b.bucket("cfg-logged").bucketLoggingStatus(s -> s.loggingEnabled(l -> l
                .targetBucket("cfg-acl-logs").targetPrefix("acl/"))));
        assertEquals("cfg-acl-logs", owner.getBucketLogging(b -> b.bucket("cfg-logged")).loggingEnabled()
                .targetBucket());
        // Another account may neither read nor change it; an empty status turns logging off.
        assertError(403, "AccessDenied", null, () -> other.getBucketLogging(b -> b.bucket("cfg-logged")));
        assertError(403, "AccessDenied", null, () -> other.putBucketLogging(b -> b.bucket("cfg-logged")
                .bucketLoggingStatus(s -> s.loggingEnabled((software.amazon.awssdk.services.s3.model.LoggingEnabled)
                        null))));
        owner.putBucketLogging(b -> b.bucket("cfg-logged").bucketLoggingStatus(s -> { }));
        assertNull(owner.getBucketLogging(b -> b.bucket("cfg-logged")).loggingEnabled());
    }

    @Test
    void websiteIsValidatedStoredAndDeleted() {
        owner.createBucket(b -> b.bucket("cfg-site"));
        assertError(404, "NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration",
                () -> owner.getBucketWebsite(b -> b.bucket("cfg-site")));
        owner.putBucketWebsite(b -> b.bucket("cfg-site").websiteConfiguration(w -> w
                .indexDocument(i -> i.suffix("index.html")).errorDocument(e -> e.key("error.html"))
                .routingRules(RoutingRule.builder().condition(c -> c.keyPrefixEquals("docs/"))
                        .redirect(r -> r.replaceKeyPrefixWith("documents/").httpRedirectCode("301")).build())));
        GetBucketWebsiteResponse site = owner.getBucketWebsite(b -> b.bucket("cfg-site"));
        assertEquals("index.html", site.indexDocument().suffix());
        assertEquals("error.html", site.errorDocument().key());
        assertEquals("documents/", site.routingRules().get(0).redirect().replaceKeyPrefixWith());
        assertEquals("docs/", site.routingRules().get(0).condition().keyPrefixEquals());

        // Bad input: S3's InvalidArgument, and the configuration stays as it was.
        assertError(400, "InvalidArgument", "The IndexDocument Suffix is not well formed", () -> owner
                .putBucketWebsite(b -> b.bucket("cfg-site").websiteConfiguration(w -> w.indexDocument(i -> i
                        .suffix("a/index.html")))));
        assertError(400, "InvalidArgument", null, () -> owner.putBucketWebsite(b -> b.bucket("cfg-site")
                .websiteConfiguration(w -> w.indexDocument(i -> i.suffix("index.html"))
                        .redirectAllRequestsTo(r -> r.hostName("example.com")))));
        assertError(400, "InvalidArgument", null, () -> owner.putBucketWebsite(b -> b.bucket("cfg-site")
                .websiteConfiguration(w -> w.errorDocument(e -> e.key("error.html")))));
        assertError(400, "InvalidArgument", null, () -> owner.putBucketWebsite(b -> b.bucket("cfg-site")
                .websiteConfiguration(w -> w.indexDocument(i -> i.suffix("index.html")).routingRules(RoutingRule
                        .builder().redirect(r -> r.replaceKeyWith("a").replaceKeyPrefixWith("b")).build()))));
        assertError(400, "InvalidArgument", null, () -> owner.putBucketWebsite(b -> b.bucket("cfg-site")
                .websiteConfiguration(w -> w.indexDocument(i -> i.suffix("index.html")).routingRules(RoutingRule
                        .builder().redirect(r -> r.httpRedirectCode("200")).build()))));
        assertEquals("index.html", owner.getBucketWebsite(b -> b.bucket("cfg-site")).indexDocument().suffix());

        // Redirecting every request, alone.
        owner.putBucketWebsite(b -> b.bucket("cfg-site").websiteConfiguration(w -> w.redirectAllRequestsTo(r -> r
                .hostName("example.com").protocol("https"))));
        site = owner.getBucketWebsite(b -> b.bucket("cfg-site"));
        assertEquals("example.com", site.redirectAllRequestsTo().hostName());
        assertNull(site.indexDocument());
        assertError(403, "AccessDenied", null, () -> other.getBucketWebsite(b -> b.bucket("cfg-site")));
        assertError(403, "AccessDenied", null, () -> other.deleteBucketWebsite(b -> b.bucket("cfg-site")));
        owner.deleteBucketWebsite(b -> b.bucket("cfg-site"));
        assertError(404, "NoSuchWebsiteConfiguration", null, () -> owner.getBucketWebsite(b -> b.bucket("cfg-site")));
    }

    @Test
    void notificationsAreStoredAndUnreachableDestinationsRefused() {
        owner.createBucket(b -> b.bucket("cfg-events"));
        GetBucketNotificationConfigurationResponse none = owner.getBucketNotificationConfiguration(b -> b
                .bucket("cfg-events"));
        assertTrue(none.queueConfigurations().isEmpty() && none.topicConfigurations().isEmpty());
        assertNull(none.eventBridgeConfiguration());
        QueueConfiguration queue = QueueConfiguration.builder().id("q1")
                .queueArn("arn:aws:sqs:us-east-1:" + DESTINATION + ":events").events(Event.S3_OBJECT_CREATED)
                .filter(f -> f.key(k -> k.filterRules(FilterRule.builder().name(FilterRuleName.PREFIX).value("in/")
                        .build()))).build();
        // The queue does not exist, so S3's test event cannot reach it: S3's answer to a destination it cannot validate.
        assertError(400, "InvalidArgument", "Unable to validate the following destination configurations",
                () -> owner.putBucketNotificationConfiguration(b -> b.bucket("cfg-events")
                        .notificationConfiguration(n -> n.queueConfigurations(queue))));
        assertTrue(owner.getBucketNotificationConfiguration(b -> b.bucket("cfg-events")).queueConfigurations()
                .isEmpty());
        // EventBridge needs no destination; skipping validation stores the queue as put.
        owner.putBucketNotificationConfiguration(b -> b.bucket("cfg-events").skipDestinationValidation(true)
                .notificationConfiguration(n -> n.queueConfigurations(queue).eventBridgeConfiguration(e -> { })));
        GetBucketNotificationConfigurationResponse stored = owner.getBucketNotificationConfiguration(b -> b
                .bucket("cfg-events"));
        assertNotNull(stored.eventBridgeConfiguration());
        assertEquals(1, stored.queueConfigurations().size());
        assertEquals("q1", stored.queueConfigurations().get(0).id());
        assertEquals(List.of(Event.S3_OBJECT_CREATED), stored.queueConfigurations().get(0).events());
        assertEquals("in/", stored.queueConfigurations().get(0).filter().key().filterRules().get(0).value());

        // Bad input: S3's errors, and the configuration stays as it was.
        assertError(400, "InvalidArgument", null, () -> owner.putBucketNotificationConfiguration(b -> b
                .bucket("cfg-events").skipDestinationValidation(true).notificationConfiguration(n -> n
                        .queueConfigurations(queue.toBuilder().eventsWithStrings("s3:Nothing:*").build()))));
        assertError(400, "InvalidArgument", null, () -> owner.putBucketNotificationConfiguration(b -> b
                .bucket("cfg-events").skipDestinationValidation(true).notificationConfiguration(n -> n
                        .queueConfigurations(queue.toBuilder().queueArn("arn:aws:sns:us-east-1:" + DESTINATION
                                + ":topic").build()))));
        assertError(400, "InvalidArgument", null, () -> owner.putBucketNotificationConfiguration(b -> b
                .bucket("cfg-events").skipDestinationValidation(true).notificationConfiguration(n -> n
                        .queueConfigurations(queue, queue))));
        assertEquals(1, owner.getBucketNotificationConfiguration(b -> b.bucket("cfg-events")).queueConfigurations()
                .size());
        assertError(403, "AccessDenied", null, () -> other.getBucketNotificationConfiguration(b -> b
                .bucket("cfg-events")));
        // An empty configuration removes it.
        owner.putBucketNotificationConfiguration(b -> b.bucket("cfg-events").notificationConfiguration(n -> { }));
        assertNull(owner.getBucketNotificationConfiguration(b -> b.bucket("cfg-events")).eventBridgeConfiguration());
    }
}
