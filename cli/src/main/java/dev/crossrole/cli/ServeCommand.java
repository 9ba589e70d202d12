package dev.crossrole.cli;

import dev.crossrole.server.Bootstrap;
import dev.crossrole.server.ConfigException;
import dev.crossrole.server.CrossroleServer;
import dev.crossrole.server.tasks.TaskIsolation;
import dev.crossrole.server.tls.TlsMaterial;
import dev.crossrole.server.tls.TlsSettings;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code crossrole serve}: run the emulator until stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run crossrole: AWS endpoints for every configured account on one port.",
                "Without --accounts, the walkthrough's accounts 111122223333 (source) and 555566667777 (destination)",
                "are created, each with an administrator whose keys are written to DATA_DIR/credentials."},
        footer = {"", "Every option can be set in the environment too: CROSSROLE_ and the option's",
                "name in upper snake case (CROSSROLE_PORT=4566, CROSSROLE_DATA_DIR=/data,",
                "CROSSROLE_TLS=true, CROSSROLE_ALLOW_HOST=a,b). The command line wins over the",
                "environment, which wins over the defaults; an empty variable is unset."})
final class ServeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--port", defaultValue = "4566", description = "port to listen on (default: ${DEFAULT-VALUE}; 0 = any free port)")
    int port;

    @Option(names = "--bind", defaultValue = "127.0.0.1",
            description = "address to listen on (default: ${DEFAULT-VALUE}); anything else exposes crossrole beyond this machine")
    String bind;

    @Option(names = "--data-dir", defaultValue = ".crossrole",
            description = "where the embedded store and the credentials file live (default: ./.crossrole)")
    Path dataDir;

    @Option(names = "--store", paramLabel = "LOCATION",
            description = {"where state is kept: 'embedded' (default: a journal in the data directory), or a PostgreSQL",
                    "database postgresql://user:password@host:port/database (also postgres://, jdbc:postgresql://)",
                    "that several crossrole nodes can share"})
    String store;

    @Option(names = "--s3-blobs", paramLabel = "DIR",
            description = {"a folder for S3 object bytes (default: in the PostgreSQL store's database when --store is one,",
                    "else <data-dir>/s3/blobs); nodes sharing a store that name one here must all name one shared folder"})
    Path s3Blobs;

    @Option(names = "--task-runtime", paramLabel = "RUNTIME", defaultValue = "auto",
            converter = TaskRuntimeConverter.class,
            description = {"how RunTask runs task containers: 'auto' (default: 'docker' when a container engine answers,",
                    "else 'sandboxed'), 'docker' (each from its image, by the Docker Engine API at DOCKER_HOST or",
                    "/var/run/docker.sock: Docker, or Podman's service), 'sandboxed' (each as a process in a bubblewrap",
                    "sandbox that hides crossrole's data, keys and other tasks) or 'unsandboxed' (plain processes of",
                    "this machine that can read everything crossrole's user can, its administrator keys included)"})
    TaskIsolation taskRuntime;

    @Option(names = "--task-user", paramLabel = "USER|UID[:GID]",
            description = {"who sandboxed tasks run as (default: nobody when crossrole runs as root, else crossrole's",
                    "own user, the only one a crossrole that is not root can use)"})
    String taskUser;

    @Option(names = "--allow-host", paramLabel = "NAME", split = ",",
            description = {"a further host name (or address) requests may name in their Host header; repeatable.",
                    "Always answered: 127.0.0.1, localhost, [::1] and the --bind address, with the port, and S3's",
                    "virtual-hosted names on them. Other names are refused (a defence against DNS rebinding)."})
    java.util.List<String> allowedHosts = new java.util.ArrayList<>();

    @Option(names = "--tls",
            description = {"serve HTTPS on --port instead of HTTP, with a certificate from crossrole's local CA (made once",
                    "in DATA_DIR/tls; serve prints how to trust it) or from --tls-cert and --tls-key"})
    boolean tls;

    @Option(names = "--tls-port", paramLabel = "PORT",
            description = "serve HTTPS on PORT, HTTP staying on --port (0 = any free port)")
    Integer tlsPort;

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = {"with --tls or --tls-port: a PEM file holding the server certificate, then its intermediates,",
                    "instead of one from the local CA; needs --tls-key"})
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE",
            description = "the --tls-cert certificate's private key: a PEM file, PKCS#8, PKCS#1 (RSA) or SEC1 (EC), unencrypted")
    Path tlsKey;

    @Option(names = "--registry-port", paramLabel = "PORT",
            description = {"the port of ECR's registry for docker and podman (default: the port after --port, 4567;",
                    "any free port when --port is 0; -1 = none): login with 'aws ecr get-login-password | podman",
                    "login --username AWS --password-stdin 127.0.0.1:PORT', images named",
                    "127.0.0.1:PORT/<account>/<repository>"})
    Integer registryPort;

    @Option(names = "--max-connections", paramLabel = "N",
            defaultValue = "" + dev.crossrole.server.http.HttpLimits.DEFAULT_MAX_CONNECTIONS,
            description = {"connections served at once (default: ${DEFAULT-VALUE}); more wait to be accepted until one",
                    "closes, while the open ones keep working"})
    int maxConnections;

    @Option(names = "--accounts", paramLabel = "FILE",
            description = "JSON file declaring the accounts: {\"accounts\": [{\"id\": \"111122223333\", \"alias\": \"source\"}]}")
    Path accounts;

    /** The option as the user gave it: on the command line, or by its environment variable. */
    private String named(String option) {
        return EnvironmentDefaults.source(spec, option);
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (port < 0 || port > 65535) {
            err.println("crossrole: " + named("--port") + " must be between 0 and 65535");
            return ExitCodes.UNUSABLE;
        }
        if (maxConnections < 1) {
            err.println("crossrole: " + named("--max-connections") + " must be at least 1");
            return ExitCodes.UNUSABLE;
        }
        int registry = registryPort != null ? registryPort : port == 0 || port == 65535 ? 0 : port + 1;
        if (registry < -1 || registry > 65535 || registry != 0 && registry == port) {
            err.println("crossrole: " + named("--registry-port") + " must be between 0 and 65535 and not --port, or -1 for none");
            return ExitCodes.UNUSABLE;
        }
        for (String name : allowedHosts) {
            String invalid = dev.crossrole.server.http.HostCheck.invalidName(name);
            if (invalid != null) {
                err.println("crossrole: " + named("--allow-host") + " " + invalid);
                return ExitCodes.UNUSABLE;
            }
        }
        TlsSettings tlsSettings;
        try {
            tlsSettings = tlsSettings(tls, tlsPort, tlsCert, tlsKey, port);
        } catch (IllegalArgumentException e) {
            err.println("crossrole: " + e.getMessage());
            return ExitCodes.UNUSABLE;
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(bind);
        } catch (UnknownHostException e) {
            err.println("crossrole: " + named("--bind") + " " + bind + " is not an address of this machine");
            return ExitCodes.UNUSABLE;
        }
        if (!address.isLoopbackAddress()) {
            err.println("crossrole: WARNING: listening on " + bind + ", beyond loopback: anyone who can reach this"
                    + " machine can use crossrole's endpoints; its administrators' keys and admin token are the only protection"
                    + " (requests must still name this host: see --allow-host).");
        }
        if (taskRuntime == TaskIsolation.UNSANDBOXED) {
            err.println("crossrole: WARNING: --task-runtime unsandboxed: RunTask runs task commands as plain processes"
                    + " of this machine, as crossrole's user; anyone allowed ecs:RunTask can read and change what that"
                    + " user can, crossrole's data directory and every account's administrator keys included.");
        }
        CrossroleServer server;
        try {
            server = CrossroleServer.start(CrossroleServer.Options.defaults(dataDir).withPort(port).withBind(bind)
                    .withAccountsConfig(accounts).withStore(store).withS3Blobs(s3Blobs).withAllowedHosts(allowedHosts)
                    .withTaskIsolation(taskRuntime).withTaskUser(taskUser).withTls(tlsSettings)
                    .withRegistryPort(registry)
                    .withHttpLimits(dev.crossrole.server.http.HttpLimits.defaults().withMaxConnections(maxConnections)));
        } catch (ConfigException e) {
            err.println("crossrole: " + e.getMessage());
            return ExitCodes.UNUSABLE;
        } catch (dev.crossrole.server.store.StoreException e) {
            err.println("crossrole: " + e.getMessage());
            return ExitCodes.UNUSABLE;
        } catch (java.net.BindException e) {
            err.println("crossrole: cannot listen on " + bind + ":" + port + (registry > 0 ? " (registry: " + registry
                    + ")" : "") + ": " + e.getMessage());
            return ExitCodes.UNUSABLE;
        }
        server.tasksUnavailable().ifPresent(reason -> err.println("crossrole: WARNING: tasks cannot run: " + reason));
        printWelcome(out, server);
        out.flush();
        err.println("crossrole: task runtime: " + server.taskRuntimeName()); // after the welcome, whose first line is the endpoint
        HeapLimit.hint().ifPresent(err::println); // last, where it is seen
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "crossrole-shutdown"));
        stopped.await();
        return ExitCodes.OK;
    }

    /**
     * The TLS settings the options ask for, or {@code null} for plain HTTP.
     *
     * @throws IllegalArgumentException for options that do not go together, saying why
     */
    static TlsSettings tlsSettings(boolean tls, Integer tlsPort, Path certificate, Path key, int port) {
        if (tls && tlsPort != null) {
            throw new IllegalArgumentException("--tls serves HTTPS on --port, --tls-port on a port of its own beside"
                    + " HTTP: give one of them");
        }
        if (certificate == null && key != null) {
            throw new IllegalArgumentException("--tls-key needs --tls-cert, the certificate it is the key of");
        }
        if (certificate != null && key == null) {
            throw new IllegalArgumentException("--tls-cert needs --tls-key, the certificate's private key");
        }
        if (!tls && tlsPort == null) {
            if (certificate != null) {
                throw new IllegalArgumentException("--tls-cert and --tls-key are served with --tls or --tls-port; add one");
            }
            return null;
        }
        TlsSettings.Source source = certificate == null ? new TlsSettings.LocalCa()
                : new TlsSettings.PemFiles(certificate, key);
        if (tlsPort == null) {
            return new TlsSettings(new TlsSettings.MainPort(), source);
        }
        if (tlsPort < 0 || tlsPort > 65535) {
            throw new IllegalArgumentException("--tls-port must be between 0 and 65535");
        }
        if (tlsPort != 0 && tlsPort == port) {
            throw new IllegalArgumentException("--tls-port " + tlsPort + " is --port too; use --tls to serve HTTPS on --port");
        }
        return new TlsSettings(new TlsSettings.OwnPort(tlsPort), source);
    }

    /** {@code sandboxed} / {@code unsandboxed}, the words of the option, for the enum. */
    static final class TaskRuntimeConverter implements CommandLine.ITypeConverter<TaskIsolation> {
        @Override
        public TaskIsolation convert(String value) {
            return switch (value) {
                case "auto" -> TaskIsolation.AUTO;
                case "docker" -> TaskIsolation.DOCKER;
                case "sandboxed" -> TaskIsolation.SANDBOXED;
                case "unsandboxed" -> TaskIsolation.UNSANDBOXED;
                default -> throw new CommandLine.TypeConversionException(
                        "expected 'auto', 'docker', 'sandboxed' or 'unsandboxed', not '" + value + "'");
            };
        }
    }

    /** What the HTTPS certificate names and, for the local CA's, how each client comes to trust it. */
    static void printTls(PrintWriter out, TlsMaterial material, String httpsEndpoint) {
        java.security.cert.X509Certificate served = material.chain().get(0);
        out.println();
        out.println("HTTPS on " + httpsEndpoint + (material.settings().listener() instanceof TlsSettings.MainPort
                ? " (beside HTTP, on the same port)" : "")
                + "; to use it: export AWS_ENDPOINT_URL=" + httpsEndpoint);
        out.println("HTTPS certificate for " + String.join(", ", material.names()) + ", valid until "
                + served.getNotAfter().toInstant());
        material.localCa().ifPresentOrElse(ca -> {
            out.println("issued by crossrole's local CA " + ca.certificate() + "; trust it once per client:");
            out.println("  export AWS_CA_BUNDLE=" + ca.certificate() + "          # AWS CLI, boto3");
            out.println("  export NODE_EXTRA_CA_CERTS=" + ca.certificate() + "    # SDK for JavaScript v3 (Node.js)");
            out.println("  java -Djavax.net.ssl.trustStore=" + ca.trustStore() + " -Djavax.net.ssl.trustStorePassword="
                    + ca.trustStorePassword() + " ...   # SDK for Java v2");
        }, () -> out.println("from " + ((TlsSettings.PemFiles) material.settings().certificate()).certificateChain()
                + " (" + served.getSubjectX500Principal().getName() + ")"));
    }

    static void printWelcome(PrintWriter out, CrossroleServer server) {
        out.println("crossrole listening on " + server.endpoint());
        out.println("accounts:");
        for (Bootstrap.Profile p : server.profiles()) {
            out.println("  " + p.account().id() + "  profile " + p.name() + "  (user admin, AdministratorAccess)");
        }
        server.tls().ifPresent(material -> printTls(out, material, server.httpsEndpoint().orElseThrow()));
        out.println();
        out.println("Use them with any AWS client:");
        out.println("  export AWS_SHARED_CREDENTIALS_FILE=" + server.credentialsFile());
        out.println("  export AWS_ENDPOINT_URL=" + server.endpoint());
        out.println("  export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1");
        out.println("  aws sts get-caller-identity --profile " + server.profiles().get(0).name());
        out.println();
        server.registryEndpoint().ifPresent(registry -> {
            String hostPort = registry.substring(registry.indexOf("://") + 3);
            out.println("ECR's registry: aws ecr get-login-password | podman login --username AWS --password-stdin "
                    + hostPort);
            out.println("  images: " + hostPort + "/<account>/<repository>:<tag>  (podman: --tls-verify=false)");
            out.println();
        });
        out.println("Explain any request: crossrole why <request-id>   (health: " + server.endpoint() + "/_crossrole/health)");
        out.println("Admin API token (for /_crossrole/*; the crossrole CLI reads it): " + server.adminTokenFile());
        out.flush();
    }
}
