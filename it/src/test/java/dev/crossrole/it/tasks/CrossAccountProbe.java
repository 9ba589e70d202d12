package dev.crossrole.it.tasks;

import java.nio.file.Files;
import java.nio.file.Path;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;

/**
 * The program a walkthrough task runs (WalkthroughSdkTaskTest): the AWS SDK for Java v2 inside an ECS
 * task, configured only by the task's environment. It writes the walkthrough's {@code cross-account}
 * profile into {@code ~/.aws/config} (HOME is the task's directory), then prints one line per call:
 *
 * <pre>
 * default UserId=... Account=... Arn=...        (default chain: the container credentials endpoint)
 * cross-account UserId=... Account=... Arn=...  (ProfileCredentialsProvider.create("cross-account"))
 * cross-account clusterArns=[...]               (ECS ListClusters in the destination account)
 * </pre>
 *
 * Any failure ends it with a stack trace and exit status 1.
 */
public final class CrossAccountProbe {
    private CrossAccountProbe() {}

    public static void main(String[] args) throws Exception {
        // The test class path carries several HTTP clients; a program normally ships one.
        System.setProperty("software.amazon.awssdk.http.service.impl",
                "software.amazon.awssdk.http.urlconnection.UrlConnectionSdkHttpService");
        String roleArn = args.length > 0 ? args[0] : "arn:aws:iam::555566667777:role/destination-account-role";
        Path config = Path.of(System.getenv("HOME"), ".aws", "config");
        Files.createDirectories(config.getParent());
        Files.writeString(config, String.join("\n",
                "[profile cross-account]",
                "role_arn = " + roleArn,
                "credential_source = EcsContainer",
                ""));
        System.out.println("config " + config);
        try {
            try (StsClient sts = StsClient.create()) {
                print("default", sts.getCallerIdentity());
            }
            ProfileCredentialsProvider crossAccount = ProfileCredentialsProvider.create("cross-account");
            try (StsClient sts = StsClient.builder().credentialsProvider(crossAccount).build()) {
                print("cross-account", sts.getCallerIdentity());
            }
            try (EcsClient ecs = EcsClient.builder().credentialsProvider(crossAccount).build()) {
                System.out.println("cross-account clusterArns=" + ecs.listClusters().clusterArns());
            }
        } catch (RuntimeException e) {
            e.printStackTrace(System.out);
            System.out.flush();
            System.exit(1);
        }
        System.out.flush();
    }

    private static void print(String label, GetCallerIdentityResponse id) {
        System.out.println(label + " UserId=" + id.userId() + " Account=" + id.account() + " Arn=" + id.arn());
    }
}
