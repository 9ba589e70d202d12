package dev.crossrole.server.ecr;

/** Where clients reach a registry: what GetAuthorizationToken and GetDownloadUrlForLayer name. */
public interface RegistryEndpoints {
    /** Where {@code docker login} goes for an account's registry in a region ({@code proxyEndpoint}). */
    String proxyEndpoint(String account, String region);

    /**
     * The URL the registry API of an account's registry starts at, so that a repository's blob is
     * {@code <root><repository>/blobs/<digest>}: {@code http://127.0.0.1:<port>/v2/<account>/} on crossrole's registry
     * port.
     */
    String repositoriesRoot(String account, String region);

    /** AWS's own endpoints ({@code https://<account>.dkr.ecr.<region>.amazonaws.com}): an ECR without a registry. */
    static RegistryEndpoints aws() {
        return new RegistryEndpoints() {
            @Override
            public String proxyEndpoint(String account, String region) {
                return "https://" + account + ".dkr.ecr." + region + ".amazonaws.com";
            }

            @Override
            public String repositoriesRoot(String account, String region) {
                return proxyEndpoint(account, region) + "/v2/";
            }
        };
    }
}
