package dev.crossrole.server;

import dev.crossrole.policy.PolicyEngine;
import dev.crossrole.server.admin.AdminApi;
import dev.crossrole.server.admin.AdminToken;
import dev.crossrole.server.auth.Authenticator;
import dev.crossrole.server.authz.Authorizer;
import dev.crossrole.server.ecs.ContainerEndpoints;
import dev.crossrole.server.ecs.EcsDirectory;
import dev.crossrole.server.ecs.EcsPersistence;
import dev.crossrole.server.ecs.EcsService;
import dev.crossrole.server.ecs.EcsTasks;
import dev.crossrole.server.http.HostCheck;
import dev.crossrole.server.http.HttpFront;
import dev.crossrole.server.http.HttpLimits;
import dev.crossrole.server.http.HttpRequest;
import dev.crossrole.server.http.HttpResponse;
import dev.crossrole.server.http.Https;
import dev.crossrole.server.http.Pipeline;
import dev.crossrole.server.iam.Account;
import dev.crossrole.server.iam.IamDirectory;
import dev.crossrole.server.iam.IamService;
import dev.crossrole.server.iam.IdGenerator;
import dev.crossrole.server.requestlog.RequestLog;
import dev.crossrole.server.s3.S3Service;
import dev.crossrole.server.store.DataDirectory;
import dev.crossrole.server.store.IamRecords;
import dev.crossrole.server.store.LegacyImport;
import dev.crossrole.server.store.Secrets;
import dev.crossrole.server.store.SessionKey;
import dev.crossrole.server.store.StateSync;
import dev.crossrole.server.store.Store;
import dev.crossrole.server.store.Stores;
import dev.crossrole.server.sts.ServiceRoleCredentials;
import dev.crossrole.server.sts.OidcIssuer;
import dev.crossrole.server.sts.SamlIdentityProvider;
import dev.crossrole.server.sts.SessionTokens;
import dev.crossrole.server.sts.StsService;
import dev.crossrole.server.tasks.ProcessRuntime;
import dev.crossrole.server.tasks.SandboxRuntime;
import dev.crossrole.server.tasks.DockerRuntime;
import dev.crossrole.server.tasks.TaskIsolation;
import dev.crossrole.server.tasks.TaskRuntime;
import dev.crossrole.server.tasks.TaskUser;
import dev.crossrole.server.tls.ServerNames;
import dev.crossrole.server.tls.TlsException;
import dev.crossrole.server.tls.TlsMaterial;
import dev.crossrole.server.tls.TlsSettings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;

/** A running crossrole: the wiring of directory, services, pipeline and listener. */
public final class CrossroleServer implements AutoCloseable {
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(CrossroleServer.class.getName());
    public static final int DEFAULT_PORT = 4566;
    /** How often a node applies other nodes' commits while it gets no requests (a stop asked through another node). */
    static final java.time.Duration CATCH_UP_INTERVAL = java.time.Duration.ofMillis(250);
    /**
     * How often S3's lifecycle rules are applied. S3 applies them about once a day; a minute keeps a rule's effect
     * prompt after its day (by the injected clock) has come, at the cost of one pass over the rules' buckets.
     */
    static final java.time.Duration LIFECYCLE_INTERVAL = java.time.Duration.ofMinutes(1);
    public static final String DEFAULT_REGION = "us-east-1";

    /**
     * How to run.
     *
     * @param bind the address to listen on; loopback unless chosen otherwise
     * @param port 0 for any free port
     * @param accountsConfig the accounts file, or {@code null} for the walkthrough's two accounts
     * @param http the listener's worker pool, connection limit and deadlines
     * @param s3Blobs where S3 object bytes live, or {@code null} for {@code <dataDir>/s3/blobs}; nodes sharing a
     *     PostgreSQL store point it at one shared folder
     * @param allowedHosts host names besides loopback and the bound address that requests may name
     * @param taskIsolation how task containers run: in a sandbox (the default) or as plain processes
     * @param taskUser who sandboxed tasks run as ({@code USER}, {@code UID} or {@code UID:GID}), or {@code null}
     *     for the default ({@code nobody} when crossrole is root, else crossrole's own user)
     * @param tls how to serve HTTPS, or {@code null} for plain HTTP only
     * @param dockerHost the container engine for {@link TaskIsolation#DOCKER} and {@link TaskIsolation#AUTO}
     *     ({@code unix://…} or {@code tcp://…}), or {@code null} for {@code DOCKER_HOST} or Docker's default socket
     * @param registryPort the container registry's own port (0: any free port; -1: none, the registry then answering
     *     only its {@code <account>.dkr.ecr.<region>.localhost} names)
     * @param trailRetention how long CloudTrail's event history keeps events (zero: none are kept)
     */
    public record Options(String bind, int port, Path dataDir, Path accountsConfig, Clock clock, HttpLimits http,
                          String store, Path s3Blobs, List<String> allowedHosts, TaskIsolation taskIsolation,
                          String taskUser, TlsSettings tls, String dockerHost, int registryPort,
                          java.time.Duration trailRetention) {
        public Options {
            allowedHosts = List.copyOf(allowedHosts);
            if (trailRetention == null || trailRetention.isNegative()) {
                throw new IllegalArgumentException("the event history's retention must be zero or more");
            }
        }

        public static Options defaults(Path dataDir) {
            return new Options("127.0.0.1", DEFAULT_PORT, dataDir, null, Clock.systemUTC(), HttpLimits.defaults(), null,
                    null, List.of(), TaskIsolation.SANDBOXED, null, null, null, 0,
                    dev.crossrole.server.cloudtrail.EventHistory.DEFAULT_RETENTION);
        }

        /** Host names besides loopback and the bound address that requests may name ({@code serve --allow-host}). */
        public Options withAllowedHosts(List<String> names) {
            return new Options(bind, port, dataDir, accountsConfig, clock, http,
                    store, s3Blobs, names, taskIsolation, taskUser, tls, dockerHost, registryPort, trailRetention);
        }

        public Options withS3Blobs(Path folder) {
            return new Options(bind, port, dataDir, accountsConfig, clock, http,
                    store, folder, allowedHosts, taskIsolation, taskUser, tls, dockerHost, registryPort, trailRetention);
        }

        public Options withPort(int newPort) {
            return new Options(bind, newPort, dataDir, accountsConfig, clock, http,
                    store, s3Blobs, allowedHosts, taskIsolation, taskUser, tls, dockerHost, registryPort, trailRetention);
        }

        public Options withClock(Clock newClock) {
            return new Options(bind, port, dataDir, accountsConfig, newClock, http,
                    store, s3Blobs, allowedHosts, taskIsolation, taskUser, tls, dockerHost, registryPort, trailRetention);
        }

        public Options withAccountsConfig(Path file) {
            return new Options(bind, port, dataDir, file, clock, http,
                    store, s3Blobs, allowedHosts, taskIsolation, taskUser, tls, dockerHost, registryPort, trailRetention);
        }

        /** The listener's worker pool, connection limit and deadlines ({@code serve --max-connections}). */
        public Options withHttpLimits(HttpLimits limits) {
            return new Options(bind, port, dataDir, accountsConfig, clock, limits,
                    store, s3Blobs, allowedHosts, taskIsolation, taskUser, tls, dockerHost, registryPort, trailRetention);
        }

        public Options withBind(String address) {
            return new Options(address, port, dataDir, accountsConfig, clock, http,
                    store, s3Blobs, allowedHosts, taskIsolation, taskUser, tls, dockerHost, registryPort, trailRetention);
        }

        /** The store to use ({@code null}: the embedded store in the data directory); see {@link Stores#open}. */
        public Options withStore(String location) {
            return new Options(bind, port, dataDir, accountsConfig, clock, http,
                    location, s3Blobs, allowedHosts, taskIsolation, taskUser, tls, dockerHost, registryPort, trailRetention);
        }

        public Options withTaskIsolation(TaskIsolation isolation) {
            return new Options(bind, port, dataDir, accountsConfig, clock, http,
                    store, s3Blobs, allowedHosts, isolation, taskUser, tls, dockerHost, registryPort, trailRetention);
        }

        /** Serve HTTPS as {@code settings} say ({@code serve --tls}), or not at all ({@code null}). */
        public Options withTls(TlsSettings settings) {
            return new Options(bind, port, dataDir, accountsConfig, clock, http,
                    store, s3Blobs, allowedHosts, taskIsolation, taskUser, settings, dockerHost, registryPort, trailRetention);
        }

        /** The container engine's address ({@code unix:///run/podman/podman.sock}, {@code tcp://127.0.0.1:2375}). */
        public Options withDockerHost(String host) {
            return new Options(bind, port, dataDir, accountsConfig, clock, http,
                    store, s3Blobs, allowedHosts, taskIsolation, taskUser, tls, host, registryPort, trailRetention);
        }

        public Options withTaskUser(String spec) {
            return new Options(bind, port, dataDir, accountsConfig, clock, http,
                    store, s3Blobs, allowedHosts, taskIsolation, spec, tls, dockerHost, registryPort, trailRetention);
        }

        /**
         * How long CloudTrail's event history keeps events ({@code serve --trail-retention}; AWS keeps 90 days;
         * {@link java.time.Duration#ZERO} keeps none).
         */
        public Options withTrailRetention(java.time.Duration retention) {
            return new Options(bind, port, dataDir, accountsConfig, clock, http,
                    store, s3Blobs, allowedHosts, taskIsolation, taskUser, tls, dockerHost, registryPort, retention);
        }

        /** The container registry's own port ({@code serve --registry-port}; 0: any free port, -1: none). */
        public Options withRegistryPort(int newPort) {
            return new Options(bind, port, dataDir, accountsConfig, clock, http,
                    store, s3Blobs, allowedHosts, taskIsolation, taskUser, tls, dockerHost, newPort, trailRetention);
        }
    }

    private final HttpFront front;
    private final IamDirectory iam;
    private final StsService sts;
    private final RequestLog requestLog;
    private final List<Bootstrap.Profile> profiles;
    private final DataDirectory data;
    private final String bind;

    private final TlsMaterial tls;
    private final EcsTasks tasks;
    private final TaskRuntime runtime;
    private final EcsPersistence ecsState;
    private final Store store;
    private final StateSync sync;
    private final java.util.Collection<dev.crossrole.server.service.OperationBindings<?>> operationTables;
    /** IAM's last-access data, committed in the background; set once started. */
    private dev.crossrole.server.store.ServiceAccessRecords accessRecords;
    /** CloudTrail's event history, written in the background; set once started. */
    private dev.crossrole.server.cloudtrail.EventHistory trailHistory;
    /** The passwords ECR's GetAuthorizationToken hands out, for whatever takes them back (a registry endpoint). */
    private dev.crossrole.server.ecr.RegistryTokens ecrTokens;
    private S3Service s3;
    private dev.crossrole.server.dynamodb.DynamoDbService dynamo;
    /** How services (SNS, S3 notifications) deliver to SQS queues. */
    private dev.crossrole.server.sqs.QueueDelivery queueDelivery;
    /** Moves the messages of SQS's message move tasks. */
    private AutoCloseable sqsMover;
    /** SNS, whose HTTP deliveries stop with the server. */
    private dev.crossrole.server.sns.SnsService sns;
    private java.util.concurrent.ScheduledExecutorService lifecycle;

    private CrossroleServer(HttpFront front, IamDirectory iam, StsService sts, RequestLog requestLog,
                            List<Bootstrap.Profile> profiles, DataDirectory data, String bind, EcsTasks tasks,
                            EcsPersistence ecsState, Store store, StateSync sync, TaskRuntime runtime, TlsMaterial tls,
                            java.util.Collection<dev.crossrole.server.service.OperationBindings<?>> operationTables) {
        this.operationTables = operationTables;
        this.tls = tls;
        this.runtime = runtime;
        this.store = store;
        this.sync = sync;
        this.tasks = tasks;
        this.ecsState = ecsState;
        this.front = front;
        this.iam = iam;
        this.sts = sts;
        this.requestLog = requestLog;
        this.profiles = profiles;
        this.data = data;
        this.bind = bind;
    }

    public static CrossroleServer start(Options options) throws IOException, ConfigException {
        List<Account> accounts = options.accountsConfig() == null ? AccountsConfig.WALKTHROUGH
                : AccountsConfig.load(options.accountsConfig());
        DataDirectory data = new DataDirectory(options.dataDir());
        TaskRuntime runtime = taskRuntime(options, data);
        // Before the store opens: a certificate that cannot be served stops the start having changed nothing.
        TlsMaterial tls = tls(options, data);
        Store store;
        try {
            store = Stores.open(options.store(), data.root());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        try {
            return start(options, accounts, data, store, runtime, tls);
        } catch (IOException | RuntimeException | Error e) {
            store.close();
            throw e;
        }
    }

    private static CrossroleServer start(Options configured, List<Account> accounts, DataDirectory data, Store store,
                                         TaskRuntime runtime, TlsMaterial tls) throws IOException {
        AdjustableClock clock = new AdjustableClock(configured.clock());
        Options options = configured.withClock(clock);
        // After the store opened: a start refused for a damaged store changes nothing.
        ModeTightening.start(data.root(), options.s3Blobs());
        LegacyImport.importOnce(data.root(), store);
        SecureRandom random = new SecureRandom();
        IamDirectory iam = new IamDirectory(options.clock(), new IdGenerator(random));
        StateSync sync = new StateSync(store);
        sync.register(new IamRecords(iam));
        dev.crossrole.server.store.ServiceAccessRecords accessRecords = dev.crossrole.server.store.ServiceAccessRecords
                .attach(iam, sync, dev.crossrole.server.store.ServiceAccessRecords.WRITE_INTERVAL);
        SessionTokens tokens = new SessionTokens(SessionKey.loadOrCreate(store, random), random);
        RequestLog log = new RequestLog(10_000);
        // The built-in identity providers' keys are made the first time they sign or publish (an RSA key takes a
        // while): never at start.
        OidcIssuer oidcIssuer = new OidcIssuer(new OidcIssuer.KeySource() {
            @Override
            public java.util.Optional<byte[]> existing() {
                return Secrets.load(store, "oidc-issuer-key");
            }

            @Override
            public byte[] existingOrNew() {
                return Secrets.loadOrCreate(store, "oidc-issuer-key", OidcIssuer::newKey);
            }
        }, options.clock());
        // An MFA code STS accepts is used up durably before the session it authenticates is issued.
        StsService sts = new StsService(iam, tokens, options.clock(), log::find, oidcIssuer,
                work -> sync.write(tx -> work.get()));
        // Used only by the admin API's routes (metadata, assertions), never under the store's write lock.
        SamlIdentityProvider samlIdentityProvider = new SamlIdentityProvider(
                () -> Secrets.loadOrCreate(store, "saml-idp-key", SamlIdentityProvider::newKey), options.clock());
        Authorizer authorizer = new Authorizer(iam, new PolicyEngine(options.clock()));
        Authenticator authenticator = new Authenticator(iam, tokens, options.clock(), clock.base());
        IamService iamService = new IamService(iam);
        java.util.concurrent.atomic.AtomicReference<String> endpoint = new java.util.concurrent.atomic.AtomicReference<>();
        // Where ECS's agent pulls ECR images from (the registry's own port), known once the listener is bound.
        java.util.concurrent.atomic.AtomicReference<String> registryEndpoint =
                new java.util.concurrent.atomic.AtomicReference<>();
        EcsTasks tasks = new EcsTasks(runtime, iam, new ServiceRoleCredentials(sts,
                new PolicyEngine(options.clock())), options.clock(), data.resolve("tasks"), endpoint::get, NodeId.loadOrCreate(data),
                new dev.crossrole.server.loopback.LoopbackAgent(endpoint::get, registryEndpoint::get, options.clock()));
        EcsDirectory ecsDirectory = new EcsDirectory(options.clock());
        EcsService ecs = new EcsService(ecsDirectory, tasks);
        EcsPersistence ecsState = EcsPersistence.attach(ecsDirectory, tasks, sync);
        dev.crossrole.server.kms.KmsDirectory kmsKeys = new dev.crossrole.server.kms.KmsDirectory(options.clock());
        sync.register(kmsKeys);
        dev.crossrole.server.secretsmanager.SecretsDirectory secretsDirectory =
                new dev.crossrole.server.secretsmanager.SecretsDirectory(options.clock());
        sync.register(secretsDirectory);
        dev.crossrole.server.ssm.ParameterDirectory parameterDirectory =
                new dev.crossrole.server.ssm.ParameterDirectory(options.clock());
        sync.register(parameterDirectory);
        dev.crossrole.server.logs.LogDirectory logDirectory =
                new dev.crossrole.server.logs.LogDirectory(options.clock(), store::read);
        sync.register(logDirectory);
        dev.crossrole.server.organizations.OrganizationDirectory organizationDirectory =
                new dev.crossrole.server.organizations.OrganizationDirectory(options.clock());
        sync.register(organizationDirectory);
        dev.crossrole.server.sqs.QueueDirectory queueDirectory = new dev.crossrole.server.sqs.QueueDirectory(
                options.clock());
        sync.register(queueDirectory);
        dev.crossrole.server.dynamodb.DynamoDirectory dynamoDirectory =
                dev.crossrole.server.dynamodb.DynamoDbService.directory(options.clock());
        sync.register(dynamoDirectory);
        dev.crossrole.server.dynamodb.DynamoDbService dynamo =
                new dev.crossrole.server.dynamodb.DynamoDbService(dynamoDirectory);
        dev.crossrole.server.sqs.SqsService sqs = new dev.crossrole.server.sqs.SqsService(queueDirectory,
                new dev.crossrole.server.kms.KmsKeys(kmsKeys));
        dev.crossrole.server.sqs.QueueDelivery queueDelivery = sqs.delivery(authorizer, sync);
        dev.crossrole.server.sns.TopicDirectory topicDirectory = new dev.crossrole.server.sns.TopicDirectory(
                options.clock());
        sync.register(topicDirectory);
        dev.crossrole.server.sns.SnsService sns = new dev.crossrole.server.sns.SnsService(topicDirectory,
                new dev.crossrole.server.kms.KmsKeys(kmsKeys), sync, () -> queueDelivery,
                (principal, queueArn, denial, code, message) -> {
                    // Kept as the SendMessage the service was refused, so `crossrole why <id>` explains it.
                    String id = java.util.UUID.randomUUID().toString();
                    log.record(new dev.crossrole.server.requestlog.RecordedRequest(id, options.clock().instant(),
                            "sqs", "SendMessage", principal, "sqs:SendMessage", queueArn, denial, 403, code, message,
                            0));
                    return id;
                });
        // CloudTrail's event history: every finished request the log records becomes the events of its accounts.
        dev.crossrole.server.cloudtrail.EventHistory trailHistory = dev.crossrole.server.cloudtrail.EventHistory
                .attach(sync, options.clock(), options.trailRetention(),
                        dev.crossrole.server.cloudtrail.EventHistory.DEFAULT_MAX_EVENTS);
        dev.crossrole.server.cloudtrail.CloudTrailService cloudTrail = new dev.crossrole.server.cloudtrail
                .CloudTrailService(trailHistory, key -> {
                    String account = dev.crossrole.server.iam.AccessKeys.account(key);
                    return account != null && iam.account(account).isPresent() ? account : null;
                }, account -> iam.account(account).isPresent());
        log.listen(cloudTrail::record);
        // ECR's layers have a folder of their own whatever the store: S3's sweep would take them for its own orphans.
        dev.crossrole.server.ecr.EcrDirectory ecrDirectory = new dev.crossrole.server.ecr.EcrDirectory(options.clock(),
                dev.crossrole.server.s3.BlobStore.folder(data.resolve("ecr").resolve("blobs")));
        sync.register(ecrDirectory);
        dev.crossrole.server.ecr.RegistryTokens ecrTokens = new dev.crossrole.server.ecr.RegistryTokens(
                Secrets.loadOrCreate(store, "ecr-token-key",
                        () -> dev.crossrole.server.ecr.RegistryTokens.newKey(random)), random);
        S3Service s3 = new S3Service(sync, dev.crossrole.server.s3.BlobStore.of(store,
                data.resolve("s3").resolve("blobs"), options.s3Blobs()), options.clock(), iam::principalExists,
                new dev.crossrole.server.kms.KmsKeys(kmsKeys));
        sync.load();
        // Only this node writes blobs into an embedded store's data directory; with a shared store, a recent
        // unreferenced blob may be another node's write about to commit.
        // File times are the machine's, not the injected clock's.
        boolean exclusive = options.store() == null || options.store().isBlank() || options.store().equals("embedded");
        s3.start(exclusive ? java.time.Instant.MAX : java.time.Instant.now().minus(java.time.Duration.ofHours(1)));
        ecrDirectory.sweep(exclusive ? java.time.Instant.MAX
                : java.time.Instant.now().minus(java.time.Duration.ofHours(1)));
        ecsState.restoreTasks(options.clock());
        // The accounts CreateAccount made are served like the configured ones, with their administrators' profiles.
        List<Account> served = new java.util.ArrayList<>(accounts);
        for (String created : organizationDirectory.createdAccounts()) {
            if (served.stream().noneMatch(a -> a.id().equals(created))) {
                served.add(new Account(created, null));
            }
        }
        List<Bootstrap.Profile> profiles = new java.util.concurrent.CopyOnWriteArrayList<>(Bootstrap.run(served, iam,
                sync, data));
        // After the configured accounts are in IAM: the organizations made through the API put their members' control
        // policies over what Bootstrap put, and from now on after every change.
        organizationDirectory.enforceOn(iam, accounts.stream().filter(a -> a.organizationId() != null)
                .map(Account::id).collect(java.util.stream.Collectors.toSet()));
        ContainerEndpoints containerEndpoints = new ContainerEndpoints(tasks);
        java.util.concurrent.atomic.AtomicReference<CrossroleServer> started = new java.util.concurrent.atomic.AtomicReference<>();
        AdminApi admin = new AdminApi(log, iam, BuildInfo.current().development() ? "development" : BuildInfo.current().version(), tasks, oidcIssuer,
                samlIdentityProvider,
                AdminToken.loadOrCreate(store, data, random), new AdminApi.ClockControl(clock, () -> {
                    // What is due at the new time happens before the answer: the lifecycle pass runs now.
                    CrossroleServer server = started.get();
                    if (server != null) {
                        server.sweepS3LifecycleQuietly();
                        server.sweepExpiredItemsQuietly();
                    }
                }));
        java.util.concurrent.atomic.AtomicInteger listening = new java.util.concurrent.atomic.AtomicInteger(options.port());
        java.util.concurrent.atomic.AtomicInteger httpsListening = new java.util.concurrent.atomic.AtomicInteger(-1);
        java.util.concurrent.atomic.AtomicInteger registryListening = new java.util.concurrent.atomic.AtomicInteger(-1);
        // docker login goes where the registry is answered: its own port, else its .localhost name on the main port.
        dev.crossrole.server.ecr.EcrService ecr = new dev.crossrole.server.ecr.EcrService(ecrDirectory, ecrTokens,
                iam::principalExists, new dev.crossrole.server.ecr.RegistryEndpoints() {
                    @Override
                    public String proxyEndpoint(String account, String region) {
                        return registryListening.get() > 0
                                ? "http://" + loopbackName(options.bind()) + ":" + registryListening.get()
                                : "http://" + account + ".dkr.ecr." + region + ".localhost:" + listening.get();
                    }

                    @Override
                    public String repositoriesRoot(String account, String region) {
                        return proxyEndpoint(account, region) + "/v2/" + (registryListening.get() > 0
                                ? account + "/" : "");
                    }
                });
        Pipeline pipeline = new Pipeline(authenticator, authorizer, List.of(sts, iamService, ecs,
                new dev.crossrole.server.kms.KmsService(kmsKeys),
                new dev.crossrole.server.secretsmanager.SecretsService(secretsDirectory,
                        new dev.crossrole.server.kms.KmsKeys(kmsKeys)),
                new dev.crossrole.server.ssm.SsmService(parameterDirectory, new dev.crossrole.server.kms.KmsKeys(kmsKeys)),
                new dev.crossrole.server.logs.LogsService(logDirectory, new dev.crossrole.server.kms.KmsKeys(kmsKeys)),
                new dev.crossrole.server.organizations.OrganizationsService(organizationDirectory,
                        (id, roleName, management) -> profiles.add(Bootstrap.provision(id, roleName, management, iam,
                                profiles, data))),
                sqs,
                dynamo,
                sns,
                ecr,
                cloudTrail),
                log, admin::handle,
                options.clock(), clock.base(), DEFAULT_REGION, (auth, region) -> {
                    if (auth.caller().session() == null) {
                        iam.recordKeyUse(auth.caller().accessKeyId(), auth.scope().service(), region);
                    } else if (auth.caller().session().isRoleSession()) {
                        iam.recordRoleUse(auth.caller().session().roleId(), region);
                    }
                }, request -> {
                    HttpResponse link = snsLink(sns, request);
                    return link != null ? link : containerAnswer(containerEndpoints, request);
                }, sync, s3, HostCheck.of(options.bind(), options.allowedHosts(), listening::get,
                        httpsListening::get, registryListening::get));
        pipeline.serveRegistry(new dev.crossrole.server.ecr.RegistryApi(ecr, sync), ecrTokens, registryListening::get);
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(options.bind()), options.port());
        // A request that only reads is answered on the thread that read it, unless reading means asking a database.
        java.util.function.Predicate<dev.crossrole.server.http.HttpRequest> answeredWhereRead =
                store.revisionInMemory() ? pipeline::readsOnly : request -> false;
        HttpFront front = HttpFront.start(address, options.http(), https(tls), pipeline::handle, answeredWhereRead,
                options.registryPort());
        listening.set(front.port());
        registryListening.set(front.registryPort());
        if (front.httpsPort() != front.port()) {
            httpsListening.set(front.httpsPort());
        }
        CrossroleServer server = new CrossroleServer(front, iam, sts, log, profiles, data, options.bind(), tasks, ecsState,
                store, sync, runtime, tls, pipeline.operationTables());
        server.accessRecords = accessRecords;
        server.trailHistory = trailHistory;
        server.s3 = s3;
        server.dynamo = dynamo;
        server.queueDelivery = queueDelivery;
        server.sns = sns;
        server.sqsMover = sqs.startMoving(sync);
        dev.crossrole.server.sqs.QueueDelivery queues = server.queueDelivery;
        dev.crossrole.server.sns.SnsService.ServicePublisher topics = sns.publisher(authorizer,
                () -> java.net.URI.create(server.endpoint()).getRawAuthority());
        s3.connectNotifications((arn, bucketArn, owner, message) -> {
            if (arn.startsWith("arn:aws:sns:")) {
                return topics.publish(arn, dev.crossrole.server.s3.BucketNotifications.S3_PRINCIPAL, bucketArn, owner,
                        "Amazon S3 Notification", message);
            }
            if (!arn.startsWith("arn:aws:sqs:")) {
                return "crossrole has no " + arn.split(":")[2] + " to deliver to";
            }
            dev.crossrole.server.sqs.QueueDelivery.DeliveryResult sent = queues.deliver(arn,
                    dev.crossrole.server.s3.BucketNotifications.S3_PRINCIPAL, bucketArn, owner, message, java.util.Map.of(),
                    null, null);
            return sent.delivered() ? null : sent.errorCode() + ": " + sent.errorMessage();
        });
        server.lifecycle = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "s3-lifecycle");
            thread.setDaemon(true);
            return thread;
        });
        server.lifecycle.scheduleWithFixedDelay(server::sweepS3LifecycleQuietly, LIFECYCLE_INTERVAL.toMillis(),
                LIFECYCLE_INTERVAL.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        server.lifecycle.scheduleWithFixedDelay(server::sweepExpiredItemsQuietly, LIFECYCLE_INTERVAL.toMillis(),
                LIFECYCLE_INTERVAL.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        server.ecrTokens = ecrTokens;
        started.set(server);
        endpoint.set(server.endpoint());
        registryEndpoint.set(server.registryEndpoint().orElse(null));
        ecsState.followOtherNodes(CATCH_UP_INTERVAL);
        return server;
    }

    /** What the listener needs to serve HTTPS where the settings say, or {@code null} without TLS. */
    /** What SNS answers one of the links its notifications carry, or {@code null} when the path is not one. */
    private static HttpResponse snsLink(dev.crossrole.server.sns.SnsService sns, HttpRequest request) {
        if (!request.rawPath().startsWith("/_sns/")) {
            return null;
        }
        java.util.Map<String, String> query = new java.util.LinkedHashMap<>();
        String raw = request.rawQuery() == null ? "" : request.rawQuery();
        for (String pair : raw.split("&")) {
            if (!pair.isEmpty()) {
                int equals = pair.indexOf('=');
                String name = java.net.URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals),
                        java.nio.charset.StandardCharsets.UTF_8);
                String value = equals < 0 ? "" : java.net.URLDecoder.decode(pair.substring(equals + 1),
                        java.nio.charset.StandardCharsets.UTF_8);
                query.putIfAbsent(name, value);
            }
        }
        dev.crossrole.server.sns.SnsService.LinkAnswer answer = sns.answerLink(request.method(), request.rawPath(),
                query);
        return answer == null ? null : HttpResponse.of(answer.status(), answer.contentType(),
                answer.body().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** What the ECS container endpoints answer {@code request}, or {@code null} when its path is not theirs. */
    private static HttpResponse containerAnswer(ContainerEndpoints endpoints, HttpRequest request) {
        ContainerEndpoints.Answer answer = endpoints.answer(request.method(), request.rawPath(),
                request.header("Authorization"));
        return answer == null ? null : HttpResponse.json(answer.status(), answer.json());
    }

    private static Https https(TlsMaterial tls) {
        if (tls == null) {
            return null;
        }
        return new Https(tls.sslContext(), tls.settings().listener() instanceof TlsSettings.OwnPort own ? own.port()
                : Https.MAIN_PORT);
    }

    /** The HTTPS material {@code options} ask for, or {@code null} without TLS. */
    private static TlsMaterial tls(Options options, DataDirectory data) throws IOException, ConfigException {
        if (options.tls() == null) {
            return null;
        }
        try {
            ServerNames names = ServerNames.of(options.bind(), options.allowedHosts());
            // The real clock, not options.clock(): clients judge a certificate's dates by their own.
            return TlsMaterial.prepare(options.tls(), data.root(), names, Clock.systemUTC());
        } catch (TlsException | IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    /**
     * The runtime tasks run in. A sandbox hides crossrole's data directory (store, credentials, other tasks), the
     * S3 blob folder and crossrole's user's home from every task.
     */
    private static TaskRuntime taskRuntime(Options options, DataDirectory data) throws ConfigException {
        if (options.taskIsolation() == TaskIsolation.DOCKER || options.taskIsolation() == TaskIsolation.AUTO) {
            String host = options.dockerHost() != null ? options.dockerHost() : DockerRuntime.defaultHost(System.getenv());
            DockerRuntime.Connection engine = DockerRuntime.connect(host, data.root(), hiddenFromTasks(options));
            if (engine.runtime() != null) {
                if (options.taskUser() != null) {
                    throw new ConfigException("--task-user applies to sandboxed tasks; in containers a task runs as its"
                            + " definition's user, or its image's");
                }
                int removed = engine.runtime().removeLeftovers();
                if (removed > 0) {
                    LOG.info("removed " + removed + " containers an earlier run of crossrole left");
                }
                return engine.runtime();
            }
            if (options.taskIsolation() == TaskIsolation.DOCKER) {
                throw new ConfigException("--task-runtime docker: " + engine.unavailable());
            }
        }
        if (options.taskIsolation() == TaskIsolation.UNSANDBOXED) {
            if (options.taskUser() != null) {
                throw new ConfigException("--task-user applies to sandboxed tasks; with --task-runtime unsandboxed"
                        + " tasks run as crossrole's own user");
            }
            return new ProcessRuntime();
        }
        TaskUser.Self self = TaskUser.Self.ofThisProcess();
        TaskUser user;
        try {
            user = TaskUser.choose(options.taskUser(), self, TaskUser.system());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        List<Path> hidden = new java.util.ArrayList<>(List.of(data.root()));
        if (options.s3Blobs() != null) {
            hidden.add(options.s3Blobs().toAbsolutePath().normalize());
        }
        return new SandboxRuntime(new SandboxRuntime.Settings(user, self.uid() == 0, homes(), hidden));
    }

    /** Both homes: the JVM's is the passwd entry's, the AWS CLI's ~/.aws is $HOME's (sudo may keep another). */
    private static List<Path> homes() {
        java.util.Set<Path> homes = new java.util.LinkedHashSet<>();
        for (String home : new String[] {System.getProperty("user.home"), System.getenv("HOME")}) {
            if (home != null && !home.isBlank() && Path.of(home).isAbsolute()) {
                homes.add(Path.of(home).normalize());
            }
        }
        return List.copyOf(homes);
    }

    /** What no container may see besides the data directory: the S3 blob folder and crossrole's user's homes. */
    private static List<Path> hiddenFromTasks(Options options) {
        List<Path> hidden = new java.util.ArrayList<>(homes());
        if (options.s3Blobs() != null) {
            hidden.add(options.s3Blobs().toAbsolutePath().normalize());
        }
        return hidden;
    }

    public int port() {
        return front.port();
    }

    /** The HTTPS material, when crossrole was started with TLS. */
    public java.util.Optional<TlsMaterial> tls() {
        return java.util.Optional.ofNullable(tls);
    }

    /** Why RunTask cannot run tasks on this node (no sandbox can be made here), or empty when it can. */
    /** The runtime tasks run in, as {@code serve} reports it. */
    public String taskRuntimeName() {
        return runtime.name();
    }

    public java.util.Optional<String> tasksUnavailable() {
        return runtime.unavailable();
    }

    public String endpoint() {
        return "http://" + loopbackName(bind) + ":" + port();
    }

    /** The host clients on this machine name crossrole by: the bound address, or 127.0.0.1 for a wildcard. */
    private static String loopbackName(String bind) {
        if (bind.equals("0.0.0.0") || bind.equals("::")) {
            return "127.0.0.1";
        }
        return bind.contains(":") ? "[" + bind + "]" : bind;
    }

    /**
     * The container registry's own endpoint ({@code http://127.0.0.1:<registry port>}, where a repository is
     * {@code <account>/<name>}), when it has a port of its own.
     */
    public java.util.Optional<String> registryEndpoint() {
        int port = front.registryPort();
        return port < 0 ? java.util.Optional.empty()
                : java.util.Optional.of("http://" + loopbackName(bind) + ":" + port);
    }

    /** The HTTPS endpoint ({@code serve --tls} or {@code --tls-port}), when crossrole serves one. */
    public java.util.Optional<String> httpsEndpoint() {
        if (front.httpsPort() < 0) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(endpoint().replaceFirst("^http:", "https:").replaceFirst(":\\d+$", ":" + front.httpsPort()));
    }

    public IamDirectory iam() {
        return iam;
    }

    /** Takes back the passwords of ECR's GetAuthorizationToken. */
    public dev.crossrole.server.ecr.RegistryTokens ecrTokens() {
        return ecrTokens;
    }

    /** The operations of every service on the model-driven layer, with their authorization tables. */
    public java.util.Collection<dev.crossrole.server.service.OperationBindings<?>> operationTables() {
        return operationTables;
    }

    public StsService sts() {
        return sts;
    }

    /** The delivery of messages to SQS queues by other services, authorized by the queues' policies. */
    public dev.crossrole.server.sqs.QueueDelivery queueDelivery() {
        return queueDelivery;
    }

    public RequestLog requestLog() {
        return requestLog;
    }

    public List<Bootstrap.Profile> profiles() {
        return profiles;
    }

    /** Where the administrator's token is written, for the admin API's callers. */
    public Path adminTokenFile() {
        return data.resolve(AdminToken.FILE);
    }

    public Path credentialsFile() {
        return data.resolve(Bootstrap.CREDENTIALS_FILE);
    }

    public Path dataDir() {
        return data.root();
    }

    public EcsTasks tasks() {
        return tasks;
    }

    public Store store() {
        return store;
    }

    public StateSync sync() {
        return sync;
    }

    /**
     * Applies S3's lifecycle rules now, at the injected clock's time, as the periodic pass does (a test that moved
     * its clock need not wait for it). Returns how many objects, versions and uploads it removed.
     */
    public int sweepS3Lifecycle() {
        sync.refresh();
        return s3.sweepLifecycle();
    }

    /**
     * Deletes DynamoDB items whose TTL has passed on the injected clock, as the periodic pass does. Returns how many.
     */
    public int sweepExpiredItems() {
        return dynamo.sweepExpired(sync);
    }

    private void sweepExpiredItemsQuietly() {
        try {
            sweepExpiredItems();
        } catch (RuntimeException e) {
            LOG.log(java.util.logging.Level.WARNING, "DynamoDB TTL pass failed; the next one tries again", e);
        }
    }

    private void sweepS3LifecycleQuietly() {
        try {
            sweepS3Lifecycle();
        } catch (RuntimeException e) {
            LOG.log(java.util.logging.Level.WARNING, "S3 lifecycle pass failed; the next one tries again", e);
        }
    }

    /**
     * Stops every task (processes never outlive crossrole), then the listener, commits the tasks' last state and closes
     * the store. The listener serves while tasks stop: a container may still call AWS as it shuts down, and the awslogs
     * driver sends its last output.
     */
    @Override
    public void close() {
        if (lifecycle != null) {
            lifecycle.shutdownNow();
        }
        if (sqsMover != null) {
            try {
                sqsMover.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        if (sns != null) {
            sns.close();
        }
        tasks.close();
        front.close();
        ecsState.close();
        if (accessRecords != null) {
            accessRecords.close();
        }
        if (trailHistory != null) {
            trailHistory.close();
        }
        store.close();
    }
}
