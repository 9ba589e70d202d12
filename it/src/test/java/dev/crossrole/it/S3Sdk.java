package dev.crossrole.it;

import java.net.InetAddress;
import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** S3 clients of the AWS SDK for Java v2 pointed at a crossrole: path style, or virtual-hosted on {@code localhost}. */
final class S3Sdk {
    private S3Sdk() {}

    static S3Client pathStyle(TestCrossrole crossrole, AwsCredentialsProvider credentials) {
        return pathStyle(crossrole, credentials, Region.US_EAST_1);
    }

    static S3Client pathStyle(TestCrossrole crossrole, AwsCredentialsProvider credentials, Region region) {
        return S3Client.builder().endpointOverride(URI.create(crossrole.endpoint())).region(region)
                .credentialsProvider(credentials).forcePathStyle(true).httpClient(ApacheHttpClient.create()).build();
    }

    /**
     * Virtual-hosted style as the SDK picks it for a named endpoint: requests go to
     * {@code <bucket>.localhost:<port>}, which this resolver sends to the loopback address.
     */
    static S3Client virtualHosted(TestCrossrole crossrole, AwsCredentialsProvider credentials) {
        return S3Client.builder().endpointOverride(URI.create("http://localhost:" + crossrole.server.port()))
                .region(Region.US_EAST_1).credentialsProvider(credentials)
                .httpClient(ApacheHttpClient.builder().dnsResolver(host -> new InetAddress[] {
                    InetAddress.getLoopbackAddress()}).build())
                .build();
    }

    /**
     * S3 Control as the SDK addresses it for a named endpoint: {@code <account>.localhost:<port>} (the account is the
     * host's first label), which this resolver sends to the loopback address.
     */
    static software.amazon.awssdk.services.s3control.S3ControlClient control(TestCrossrole crossrole,
                                                                            AwsCredentialsProvider credentials) {
        return software.amazon.awssdk.services.s3control.S3ControlClient.builder()
                .endpointOverride(URI.create("http://localhost:" + crossrole.server.port())).region(Region.US_EAST_1)
                .credentialsProvider(credentials)
                .httpClient(ApacheHttpClient.builder().dnsResolver(host -> new InetAddress[] {
                    InetAddress.getLoopbackAddress()}).build())
                .build();
    }

    static S3Presigner presigner(TestCrossrole crossrole, AwsCredentialsProvider credentials) {
        return S3Presigner.builder().endpointOverride(URI.create(crossrole.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(credentials)
                .serviceConfiguration(software.amazon.awssdk.services.s3.S3Configuration.builder()
                        .pathStyleAccessEnabled(true).build())
                .build();
    }
}
