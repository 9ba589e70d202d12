package dev.crossrole.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossrole.policy.Decision;
import dev.crossrole.policy.Principal;
import dev.crossrole.server.auth.Authenticator;
import dev.crossrole.server.auth.S3AuthErrors;
import dev.crossrole.server.auth.SigV4;
import dev.crossrole.server.authz.Authorizer;
import dev.crossrole.server.model.OperationModel;
import dev.crossrole.server.model.ServiceModel;
import dev.crossrole.server.model.ServiceModels;
import dev.crossrole.server.model.WireProtocol;
import dev.crossrole.server.protocol.AwsException;
import dev.crossrole.server.protocol.JsonCodec;
import dev.crossrole.server.protocol.QueryCodec;
import dev.crossrole.server.protocol.QueryParams;
import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.requestlog.RecordedRequest;
import dev.crossrole.server.requestlog.RequestLog;
import dev.crossrole.server.s3.AccessGate;
import dev.crossrole.server.s3.S3Exception;
import dev.crossrole.server.s3.S3Request;
import dev.crossrole.server.s3.S3Response;
import dev.crossrole.server.s3.S3Call;
import dev.crossrole.server.s3.PostObject;
import dev.crossrole.server.s3.S3Service;
import dev.crossrole.server.service.AccessCheck;
import dev.crossrole.server.service.Call;
import dev.crossrole.server.service.Caller;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.OperationInput;
import dev.crossrole.server.protocol.JsonOutput;
import dev.crossrole.server.protocol.QueryOutput;
import dev.crossrole.server.service.Operation;
import dev.crossrole.server.service.OperationTable;
import dev.crossrole.server.service.ServiceProvider;
import dev.crossrole.server.service.PreparedCall;
import dev.crossrole.server.service.RequestInfo;
import dev.crossrole.server.store.StateSync;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A request's life, in order:
 * <ol>
 *   <li>check the {@code Host} is one crossrole serves ({@link HostCheck}), on every route;</li>
 *   <li>assign a request id;</li>
 *   <li>identify the protocol (JSON by {@code X-Amz-Target}, else Query by form body or {@code Action=}, else
 *       S3's REST-XML when signed for {@code s3} or not signed at all);</li>
 *   <li>authenticate (SigV4 with the key's real secret; session tokens opened and checked);</li>
 *   <li>resolve the service from the credential scope and the region;</li>
 *   <li>parse: the operation and its parameters, validated by the service into a prepared call;</li>
 *   <li>authorize every access check of the call with the policy engine;</li>
 *   <li>dispatch: run the call;</li>
 *   <li>serialize in the request's protocol;</li>
 * </ol>
 * any {@link AwsException} becomes the protocol's error response; finally the request is recorded
 * with its decision and explanation. ECR's registry (the Docker Registry HTTP API, on its own port or for its
 * {@code <account>.dkr.ecr.<region>.localhost} names) takes the same steps in {@link RegistryHttp}: Basic
 * authentication instead of SigV4, the registry's JSON errors instead of AWS's.
 */
public final class Pipeline {
    private static final Logger LOG = Logger.getLogger(Pipeline.class.getName());
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
    private static final String DEFAULT_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";

    private final Authenticator authenticator;
    private final Authorizer authorizer;
    /** The services on the model-driven layer, by signing name. */
    private final Map<String, OperationTable> providers;
    private final RequestLog requestLog;
    /** crossrole's own API under {@code /_crossrole/}. */
    private final java.util.function.Function<HttpRequest, HttpResponse> admin;
    private final Clock clock;
    /**
     * The time of responses' {@code Date}: the real time when an administrator moved the server's clock forward,
     * as SDKs that correct their clocks by a response's date (the SDK for Java v2 on a 403) would otherwise sign with
     * the moved time, which the signature check (held against the real time) refuses.
     */
    private final Clock dateClock;
    private final String defaultRegion;
    /** Notes who used which key or role (IAM's last-used data); kept out of the services. */
    private final java.util.function.BiConsumer<Authenticator.Authenticated, String> usage;
    /** Endpoints crossrole serves besides AWS APIs (container credentials, task metadata); {@code null} = not one. */
    private final java.util.function.Function<HttpRequest, HttpResponse> localRoutes;
    /** S3 over REST-XML; {@code null} when not served. */
    private final S3Service s3;
    private final HostCheck hosts;

    public Pipeline(Authenticator authenticator, Authorizer authorizer, List<ServiceProvider> providers,
                    RequestLog requestLog,
                    java.util.function.Function<HttpRequest, HttpResponse> admin, Clock clock, Clock dateClock,
                    String defaultRegion, java.util.function.BiConsumer<Authenticator.Authenticated, String> usage,
                    java.util.function.Function<HttpRequest, HttpResponse> localRoutes, StateSync sync, S3Service s3,
                    HostCheck hosts) {
        this.hosts = hosts;
        this.sync = sync;
        this.s3 = s3;
        this.usage = usage;
        this.localRoutes = localRoutes;
        this.authenticator = authenticator;
        this.authorizer = authorizer;
        Map<String, OperationTable> tables = new java.util.HashMap<>();
        for (ServiceProvider provider : providers) {
            OperationTable table = OperationTable.of(provider, ServiceModels.all().byId(provider.modelId()));
            tables.put(table.model().signingName(), table);
        }
        this.providers = tables;
        this.requestLog = requestLog;
        this.admin = admin;
        this.clock = clock;
        this.dateClock = dateClock;
        this.defaultRegion = defaultRegion;
        ServiceModels.all(); // the operation tables, read at start rather than by the first request
    }

    /** ECR's registry endpoint, once {@link #serveRegistry} was called; else {@code null}. */
    private volatile RegistryHttp registry;

    /**
     * Serves ECR's registry (the Docker Registry HTTP API v2) on {@code registryPort} (-1 for none) and for the hosts
     * {@code <account>.dkr.ecr.<region>.localhost}, its requests authenticated with the passwords of {@code tokens}
     * and authorized and recorded as every request is. Called before the listener starts.
     */
    public void serveRegistry(dev.crossrole.server.ecr.RegistryApi api, dev.crossrole.server.ecr.RegistryTokens tokens,
                              java.util.function.IntSupplier registryPort) {
        registry = new RegistryHttp(api, tokens, authenticator, authorizer, requestLog, sync, clock, defaultRegion,
                registryPort);
    }

    /** The operation tables of the services on the model-driven layer. */
    public java.util.Collection<dev.crossrole.server.service.OperationBindings<?>> operationTables() {
        List<dev.crossrole.server.service.OperationBindings<?>> tables = new java.util.ArrayList<>(providers.values());
        if (s3 != null) {
            tables.add(s3.operations());
            tables.add(s3.controlOperations());
        }
        return tables;
    }

    private enum Protocol { QUERY, JSON, REST_XML, OTHER }

    /** What the stages learned, for the response and the record. */
    private static final class Trace {
        final String requestId = requestId();
        /** An S3 Control request: its errors are in an {@code <ErrorResponse>}, not S3's bare {@code <Error>}. */
        boolean s3Control;
        final long started = System.nanoTime();
        final Instant time;
        Protocol protocol = Protocol.OTHER;
        String service;
        String namespace = DEFAULT_NAMESPACE;
        String operation;
        String caller;
        AccessCheck check;
        Decision decision;
        String accessDeniedCode = "AccessDenied";
        /** The operation of a provided service, once named. */
        OperationTable table;
        OperationModel operationModel;
        /** The error answered, as sent (JSON services rename some codes); null for a success. */
        AwsException error;

        Trace(Instant time) {
            this.time = time;
        }
    }

    /** A version-4-shaped UUID; request ids need to be unique, not secret, so no SecureRandom (a shared lock). */
    static String requestId() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }

    private final StateSync sync;

    /**
     * Whether an operation only reads state, as its service's operation table says (the access level of its IAM
     * action; STS keeps no state, its sessions live in the sealed tokens); the others run as one store transaction.
     * An operation in no model does not read only.
     */
    static boolean readOnly(String service, String operation) {
        ServiceModel model = ServiceModels.all().bySigningName(service);
        OperationModel table = model == null ? null : model.operation(operation);
        return table != null && table.readsOnly();
    }

    /**
     * Whether a request can only read state, told from its method, headers and Action before it is routed: such a
     * request never waits for the store to make a change durable, so the listener may answer it on the thread that
     * read it (see {@code PipelineHandler}). Errs towards "no": anything it cannot tell, and the administrator's
     * routes, are answered on a worker. Whatever it says, the request then goes through every stage of
     * {@link #handle}; this decides only the thread.
     */
    public boolean readsOnly(HttpRequest request) {
        return readsOnly(request, s3 != null);
    }

    static boolean readsOnly(HttpRequest request, boolean s3Served) {
        if (request.rawPath().startsWith("/_crossrole/") || request.rawPath().startsWith("/_sns/")) {
            // SNS's links are GETs that confirm or remove subscriptions: durable writes.
            return false;
        }
        boolean get = "GET".equals(request.method()) || "HEAD".equals(request.method());
        Protocol protocol = protocolOf(request, s3Served);
        switch (protocol) {
            case REST_XML, OTHER:
                return get; // S3 and the container endpoints change state only with other methods
            case JSON: {
                String target = request.header("X-Amz-Target");
                ServiceModel model = ServiceModels.all().bySigningName(S3Http.signingService(request));
                int dot = target.lastIndexOf('.');
                return model != null && model.protocol() == WireProtocol.JSON && dot >= 0
                        && target.regionMatches(0, model.targetPrefix(), 0, dot) && model.targetPrefix().length() == dot
                        && readOnly(model.signingName(), target.substring(dot + 1));
            }
            default: {
                String service = S3Http.signingService(request);
                String query = "POST".equals(request.method())
                        ? new String(request.body(), StandardCharsets.ISO_8859_1) : request.rawQuery();
                String action = S3Http.queryParameter(query, "Action");
                // An STS call with an MFA code uses the code up: a durable write, so it waits for the store.
                return service != null && action != null && readOnly(service, action)
                        && S3Http.queryParameter(query, "TokenCode") == null;
            }
        }
    }

    /** Prepares, authorizes and runs a call; a call that changes state does so in one durable store transaction. */
    private Shape execute(OperationModel operation, java.util.function.Supplier<PreparedCall> prepare, Call call,
                          Trace trace) {
        PreparedCall.Permissions permissions = check -> {
            assert trace.table == null || trace.table.declares(trace.operationModel, check.action())
                    : trace.operationModel + " asks for " + check.action() + ", which its authorization table lacks";
            return authorizer.decide(call.caller(), check, call.info()).allowed();
        };
        if (operation.readsOnly()) {
            PreparedCall prepared = prepare.get();
            authorize(call, prepared, trace);
            return prepared.execute(permissions);
        }
        java.util.function.Supplier<Shape> run = () -> sync.write(tx -> {
            PreparedCall prepared = prepare.get();
            authorize(call, prepared, trace);
            return prepared.execute(permissions);
        });
        long deadline = 0;
        while (true) {
            try {
                return run.get();
            } catch (dev.crossrole.server.service.WaitForChange wait) {
                // Nothing to answer yet (SQS long polling): wait outside the transaction, then run the call again.
                long now = System.nanoTime();
                if (deadline == 0) {
                    deadline = now + wait.nanos();
                }
                if (deadline - now <= 0) {
                    return dev.crossrole.server.service.WaitForChange.lastRun(run);
                }
                try {
                    wait.waiter().await(Math.min(deadline - now, java.util.concurrent.TimeUnit.SECONDS.toNanos(1)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return dev.crossrole.server.service.WaitForChange.lastRun(run);
                }
            }
        }
    }

    public HttpResponse handle(HttpRequest request) {
        String host = onlyHost(request);
        boolean hostServed = hosts.accepts(host);
        RegistryHttp registryEndpoint = registry;
        if (registryEndpoint != null && registryEndpoint.routes(request, host)) {
            return hostServed ? registryEndpoint.handle(request, host) : HttpResponse.of(403,
                    "application/json; charset=utf-8", dev.crossrole.server.ecr.RegistryApi.errorBody("DENIED",
                            hosts.refusal(host)));
        }
        if (request.rawPath().startsWith("/_crossrole/")) {
            if (!hostServed) {
                ObjectNode refusal = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
                refusal.put("code", "InvalidHost");
                refusal.put("message", hosts.refusal(host));
                return HttpResponse.json(403, refusal.toString());
            }
            try {
                sync.refresh(); // tasks started or stopped through other nodes
            } catch (RuntimeException e) {
                // The admin API is for looking: with the store unreachable it answers from this node's caches.
                LOG.log(Level.WARNING, "cannot catch up with the store for " + request.rawPath(), e);
            }
            return admin.apply(request);
        }
        HttpResponse local = hostServed ? localRoutes.apply(request) : null;
        if (local != null) {
            return local;
        }
        Trace trace = new Trace(clock.instant());
        HttpResponse response;
        try {
            if (!hostServed) {
                trace.protocol = protocolOf(request);
                throw new AwsException("InvalidHost", 403, hosts.refusal(host));
            }
            response = run(request, trace);
        } catch (AwsException e) {
            response = error(trace, e);
        } catch (RuntimeException | AssertionError e) {
            // An assertion (on in tests) that fails is a defect like any other: answered 500, never a hung connection.
            LOG.log(Level.SEVERE, "request " + trace.requestId + " failed", e);
            response = error(trace, AwsException.internal());
        }
        if (trace.protocol == Protocol.REST_XML && hostServed) {
            withCors(request, response);
        }
        if (trace.protocol == Protocol.REST_XML) {
            response.withHeader("x-amz-request-id", trace.requestId);
            response.withHeader("x-amz-id-2", S3Http.hostId(trace.requestId));
        } else {
            response.withHeader("x-amzn-RequestId", trace.requestId);
        }
        response.withHeader("Date", HTTP_DATE.format(dateClock.instant()));
        record(trace, response);
        return response;
    }

    /**
     * The CORS headers of an S3 request that carries an {@code Origin} (not a preflight, which has its own): those of
     * the bucket's first CORS rule allowing the origin and the method, on success and error answers alike.
     */
    private void withCors(HttpRequest request, HttpResponse response) {
        String origin = request.header("Origin");
        if (origin == null || s3 == null || "OPTIONS".equals(request.method())) {
            return;
        }
        String bucket;
        try {
            bucket = S3Http.address(request).bucket();
        } catch (RuntimeException e) {
            return; // an address that does not parse names no bucket whose rules could apply
        }
        s3.corsHeaders(bucket, origin, request.method()).forEach(response::withHeader);
    }

    /** The {@code Host} header; {@code null} when there is none or more than one (HTTP/1.1 allows exactly one). */
    private static String onlyHost(HttpRequest request) {
        String host = null;
        for (Map.Entry<String, String> header : request.headers()) {
            if (header.getKey().equalsIgnoreCase("Host")) {
                if (host != null) {
                    return null;
                }
                host = header.getValue();
            }
        }
        return host;
    }

    /**
     * The protocol, told from the request line and headers alone (the body is not read). Signed for S3, a
     * request is S3's whatever else it carries: a stray X-Amz-Target or a form content type must not send it
     * to another protocol (where the S3 signature rules would not apply). Neither JSON nor Query, a request is
     * S3's when signed for it or not signed at all (S3 alone serves anonymous requests).
     */
    private Protocol protocolOf(HttpRequest request) {
        return protocolOf(request, s3 != null);
    }

    private static Protocol protocolOf(HttpRequest request, boolean s3Served) {
        if (s3Served && S3Http.signedForS3(request)) {
            return Protocol.REST_XML;
        }
        if (request.header("X-Amz-Target") != null) {
            return Protocol.JSON;
        }
        if ("POST".equals(request.method()) && request.mediaType().equals("application/x-www-form-urlencoded")
                || "GET".equals(request.method()) && request.rawQuery() != null && request.rawQuery().contains("Action=")) {
            return Protocol.QUERY;
        }
        return s3Served && S3Http.isS3(request) ? Protocol.REST_XML : Protocol.OTHER;
    }

    private HttpResponse run(HttpRequest request, Trace trace) {
        // Protocol.
        String target = request.header("X-Amz-Target");
        trace.protocol = protocolOf(request);
        QueryParams params = null;
        if (trace.protocol == Protocol.QUERY) {
            params = QueryParams.parse("POST".equals(request.method())
                    ? new String(request.body(), StandardCharsets.UTF_8) : request.rawQuery());
        }
        if (params != null) {
            trace.operation = params.get("Action");
            if ("2010-05-08".equals(params.get("Version"))) {
                trace.namespace = "https://iam.amazonaws.com/doc/2010-05-08/";
            }
        }

        // Commits made through other nodes sharing the store: caches first, so their keys and policies count.
        sync.refresh();

        if (trace.protocol == Protocol.REST_XML) {
            return s3(request, trace);
        }

        // Authenticate.
        SigV4.HttpRequestParts parts = new SigV4.HttpRequestParts(request.method(), request.rawPath(), request.rawQuery(),
                request.headers(), request.body());
        Authenticator.Authenticated auth = unsigned(request, params);
        if (auth == null) {
            auth = authenticator.authenticate(parts);
        }
        trace.caller = auth.caller().arn();
        trace.service = auth.scope().service();
        String region = auth.scope().region().isEmpty() ? defaultRegion : auth.scope().region();
        RequestInfo info = new RequestInfo(request.remoteAddress(), request.secure(), region, request.header("User-Agent"),
                trace.time, onlyHost(request));
        Call call = new Call(trace.requestId, auth.caller(), info);
        if (auth.caller().accessKeyId() != null) {
            usage.accept(auth, region);
        }

        // Service, operation, input. An operation of the service's model that crossrole lacks is 501 NotImplemented;
        // a name in no model is AWS's unknown operation.
        ServiceModel model = ServiceModels.all().bySigningName(trace.service);
        OperationTable provided = providers.get(trace.service);
        if (provided != null && (trace.protocol == Protocol.QUERY || trace.protocol == Protocol.JSON)) {
            return provided(provided, request, params, target, call, trace);
        }
        if (trace.protocol == Protocol.QUERY || trace.protocol == Protocol.JSON) {
            throw notEmulated(trace.service, trace);
        }
        if (model != null && !providers.containsKey(trace.service) && !trace.service.equals("s3")) {
            // Neither JSON nor Query by its look, but signed for a service of the models: answered as that service.
            if (model.protocol() == WireProtocol.QUERY) {
                trace.protocol = Protocol.QUERY;
                trace.namespace = model.xmlNamespace();
            } else if (model.protocol() == WireProtocol.JSON) {
                trace.protocol = Protocol.JSON;
            }
            throw notEmulated(trace.service, trace);
        }
        throw new AwsException("InvalidAction", 400, "crossrole does not emulate the service '" + trace.service
                + "' or cannot tell its protocol from this request.");
    }

    /**
     * An unsigned Query request for an operation its model lets clients call unsigned (AssumeRoleWithWebIdentity:
     * the token is the credential), told by its {@code Version} and {@code Action}: an anonymous caller of that
     * service. {@code null} for anything else, which must authenticate; a signed request is authenticated as usual.
     */
    private Authenticator.Authenticated unsigned(HttpRequest request, QueryParams params) {
        if (params == null || request.header("Authorization") != null || request.rawQuery() != null
                && (request.rawQuery().contains("X-Amz-Signature=") || request.rawQuery().contains("X-Amz-Credential="))) {
            return null;
        }
        String version = params.get("Version");
        String action = params.get("Action");
        if (version == null || action == null) {
            return null;
        }
        for (OperationTable table : providers.values()) {
            ServiceModel model = table.model();
            OperationModel operation = model.protocol() == WireProtocol.QUERY && model.apiVersion().equals(version)
                    ? model.operation(action) : null;
            if (operation != null && operation.unsigned()) {
                return new Authenticator.Authenticated(new Caller(new Principal.Anonymous(), null,
                        null), new SigV4.Credential(null, "", "", model.signingName()), null);
            }
        }
        return null;
    }

    /**
     * A call to a service on the model-driven layer: the operation named by the protocol, its input read by the
     * protocol's codec from the operation's input shape and checked against the model's constraints, then prepared,
     * authorized and run by the provider, and the output written by the output shape.
     */
    private HttpResponse provided(OperationTable table, HttpRequest request, QueryParams params, String target,
                                  Call call, Trace trace) {
        ServiceModel model = table.model();
        ServiceProvider provider = table.provider();
        trace.table = table;
        trace.accessDeniedCode = provider.accessDeniedCode();
        OperationModel operation;
        ServiceProvider.QueryCompatibility compatible = model.protocol() == WireProtocol.JSON
                ? provider.queryCompatibility() : null;
        if (trace.protocol == Protocol.QUERY) {
            if (model.protocol() != WireProtocol.QUERY && compatible == null) {
                throw new AwsException("InvalidAction", 400, "crossrole serves '" + trace.service
                        + "' over its JSON protocol only.");
            }
            trace.namespace = compatible != null ? compatible.namespace() : model.xmlNamespace();
            String action = params.get("Action");
            if (action == null || action.isEmpty()) {
                throw new AwsException("MissingAction", 400, "Missing Action");
            }
            String version = params.get("Version");
            operation = model.operation(action);
            if (operation == null || !model.apiVersion().equals(version)) {
                throw new AwsException("InvalidAction", 400, "Could not find operation " + action + " for version "
                        + version);
            }
        } else {
            if (model.protocol() != WireProtocol.JSON) {
                trace.operation = target;
                throw new AwsException("UnknownOperationException", 400, null);
            }
            String name = JsonCodec.operation(target, model.targetPrefix());
            trace.operation = name != null ? name : target;
            operation = name == null ? null : model.operation(name);
            if (operation == null) {
                throw new AwsException("UnknownOperationException", 400, null);
            }
        }
        Operation implementation = table.operation(operation);
        if (implementation == null) {
            throw notImplemented(trace.service, operation.name());
        }
        if (call.caller().session() != null && call.caller().session().isFederated()
                && (trace.service.equals("iam") || trace.service.equals("sts")
                && !operation.name().equals("GetCallerIdentity"))) {
            // STS API Reference, GetFederationToken: such a session calls no IAM operation and no STS operation but
            // GetCallerIdentity, whatever its policies allow.
            throw AwsException.accessDenied("User: " + call.caller().arn() + " is not authorized to perform: "
                    + trace.service + ":" + operation.name() + " because a federated user session (GetFederationToken)"
                    + " cannot call " + (trace.service.equals("iam") ? "IAM" : "STS operations other than"
                    + " GetCallerIdentity"));
        }
        Input input = trace.protocol == Protocol.QUERY && compatible != null
                ? OperationInput.fromJson(operation, compatible.input(operation, params),
                        provider.validationErrorCode(), provider.wording(), provider::validationMessage)
                : trace.protocol == Protocol.QUERY
                ? OperationInput.fromQuery(operation, params, provider.validationErrorCode(), provider.wording())
                : OperationInput.fromJson(operation, request.body(), provider.validationErrorCode(),
                        provider.wording(), provider::validationMessage);
        trace.operationModel = operation;
        Shape output = execute(operation, () -> implementation.prepare(call, input), call, trace);
        if (trace.protocol == Protocol.QUERY && compatible != null) {
            return HttpResponse.of(200, "text/xml", compatible.output(operation, output, trace.requestId));
        }
        if (trace.protocol == Protocol.QUERY) {
            return HttpResponse.of(200, QueryCodec.CONTENT_TYPE,
                    QueryOutput.success(model.xmlNamespace(), operation, output, trace.requestId));
        }
        return HttpResponse.of(200, "application/x-amz-json-" + model.jsonVersion(), JsonOutput.success(operation, output));
    }

    /**
     * A service crossrole does not serve, answered as AWS answers a call a service does not know: Query's
     * {@code InvalidAction} or JSON's {@code UnknownOperationException}, both 400, with a message naming the service.
     */
    private static AwsException notEmulated(String service, Trace trace) {
        String message = "crossrole does not emulate the service '" + service + "'";
        return trace.protocol == Protocol.JSON ? new AwsException("UnknownOperationException", 400, message)
                : new AwsException("InvalidAction", 400, message);
    }

    /** An operation of a served service's model that crossrole lacks: the same answer for every one. */
    static AwsException notImplemented(String service, String operation) {
        return new AwsException("NotImplemented", 501, "crossrole does not implement " + service + ":" + operation
                + " yet");
    }

    /**
     * S3: addressing, authentication (anonymous when unsigned), the body decoded and verified as it
     * streams, then the operation with a gate that decides every access check and records it.
     */
    private HttpResponse s3(HttpRequest request, Trace trace) {
        trace.service = "s3";
        boolean control = S3Service.addressesControl(request.rawPath(), request.header("x-amz-account-id"));
        trace.s3Control = control;
        S3Http.Addressed addressed = control ? S3Http.control(request) : S3Http.address(request);
        if ("OPTIONS".equals(request.method())) {
            // A CORS preflight: browsers send it without credentials, and S3 answers it from the bucket's rules alone.
            trace.operation = "PreflightRequest";
            S3Response answer = s3.preflight(addressed.withBody(java.io.InputStream::nullInputStream));
            return new HttpResponse(answer.status(), answer.headers(), answer.body(), answer.stream());
        }
        trace.operation = control ? s3.controlOperation(request.method(), request.rawPath())
                : S3Service.operation(addressed.withBody(java.io.InputStream::nullInputStream));
        dev.crossrole.server.service.OperationBindings<?> table = control ? s3.controlOperations() : s3.operations();
        Authenticator.Authenticated auth = null;
        Caller caller;
        PostObject<Authenticator.Authenticated> form = null;
        if (PostObject.OPERATION.equals(trace.operation) && S3Http.anonymous(request)) {
            // A browser's form: its fields name the signer (or none), and it is the PutObject it stands for.
            form = postForm(request, addressed);
            trace.operation = "PutObject";
            auth = form.signed();
            caller = auth == null ? new Caller(new Principal.Anonymous(), null, null) : auth.caller();
        } else if (S3Http.anonymous(request)) {
            caller = new Caller(new Principal.Anonymous(), null, null);
        } else {
            auth = authenticator.authenticate(new SigV4.HttpRequestParts(request.method(), request.rawPath(),
                    request.rawQuery(), request.headers(), null));
            if (!"s3".equals(auth.scope().service())) {
                throw new AwsException("InvalidAction", 400, "crossrole does not emulate the service '"
                        + auth.scope().service() + "' over REST.");
            }
            caller = auth.caller();
            if (!control) {
                S3Http.checkRegion(trace.operation, auth.scope().region(), s3.bucketRegion(addressed.bucket()),
                        auth.chunkSigning() == null);
            }
        }
        trace.caller = caller.arn();
        String region = auth == null || auth.scope().region().isEmpty() ? defaultRegion : auth.scope().region();
        RequestInfo info = new RequestInfo(request.remoteAddress(), request.secure(), region, request.header("User-Agent"),
                trace.time);
        Call call = new Call(trace.requestId, caller, info);
        if (auth != null) {
            usage.accept(auth, region);
        }
        S3Request s3Request;
        if (form != null) {
            s3Request = form.put();
        } else {
            java.io.InputStream body = S3Http.body(request, auth == null ? null : auth.chunkSigning());
            s3Request = addressed.withBody(() -> body);
        }
        // Prepare (the operation named by the model, its bucket, the checks), authorize, then run: the same stages
        // as every service. What the run finds it must ask (a missing key, DeleteObjects' keys) is decided here too.
        S3Call prepared = control ? s3.prepareControl(s3Request, call, trace.operation)
                : s3.prepare(s3Request, call, trace.operation);
        for (AccessCheck check : prepared.checks()) {
            assert table.declares(table.model().operation(trace.operation), check.action())
                    : "s3:" + trace.operation + " asks for " + check.action() + ", which its authorization table lacks";
            if (!decide(call, check, trace)) {
                throw S3Http.accessDenied(call.caller(), check, trace.decision);
            }
        }
        S3Response response = s3.run(prepared, new AccessGate() {
            @Override
            public void require(AccessCheck check) {
                assert table.declares(table.model().operation(trace.operation), check.action())
                        : "s3:" + trace.operation + " asks for " + check.action() + ", which its table lacks";
                if (!decide(call, check, trace)) {
                    throw S3Http.accessDenied(call.caller(), check, trace.decision);
                }
            }

            @Override
            public boolean allows(AccessCheck check) {
                assert table.declares(table.model().operation(trace.operation), check.action())
                        : "s3:" + trace.operation + " asks for " + check.action() + ", which its table lacks";
                return decide(call, check, trace);
            }
        });
        if (form != null) {
            String host = request.header("Host");
            response = form.answer(response, (request.secure() ? "https" : "http") + "://"
                    + (host == null ? "localhost" : host));
        }
        return new HttpResponse(response.status(), response.headers(), response.body(), response.stream());
    }

    /** Reads a POST form's fields up to its file, its signature checked with the signer's real secret. */
    private PostObject<Authenticator.Authenticated> postForm(HttpRequest request, S3Http.Addressed addressed) {
        java.io.InputStream raw = S3Http.body(request, null);
        try {
            // The policy's expiration was written by the client's clock: held to the real time, as signatures are.
            return PostObject.read(addressed.withBody(() -> raw), raw, dateClock.instant(),
                    authenticator::authenticatePostForm);
        } catch (java.io.IOException e) {
            throw new S3Exception("IncompleteBody", 400, "The request body terminated unexpectedly");
        }
    }

    private boolean decide(Call call, AccessCheck check, Trace trace) {
        Decision decision = authorizer.decide(call.caller(), check, call.info());
        trace.check = check;
        trace.decision = decision;
        return decision.allowed();
    }

    private void authorize(Call call, PreparedCall prepared, Trace trace) {
        for (AccessCheck check : prepared.accessChecks()) {
            assert trace.table == null || trace.table.declares(trace.operationModel, check.action())
                    : trace.operationModel + " asks for " + check.action() + ", which its authorization table lacks";
            Caller asker = call.caller();
            if (check.principal() != null) {
                asker = new Caller(check.principal(), null, null);
                trace.caller = asker.arn();
            }
            Decision decision = authorizer.decide(asker, check, call.info());
            trace.check = check;
            trace.decision = decision;
            if (!decision.allowed()) {
                int status = trace.protocol != Protocol.JSON ? 403
                        : trace.table == null ? 400 : trace.table.provider().jsonAccessDeniedStatus();
                String message = trace.table == null ? decision.accessDeniedMessage()
                        : trace.table.provider().accessDeniedMessage(decision.accessDeniedMessage());
                if (check.deniedMessage() != null) {
                    message = check.deniedMessage();
                } else if (check.shownResource() != null) {
                    String asArn = " on resource: " + check.resource();
                    String performed = "perform: " + check.action();
                    message = message.contains(asArn)
                            ? message.replace(asArn, " on resource: " + check.shownResource())
                            : message.replaceFirst(java.util.regex.Pattern.quote(performed),
                                    java.util.regex.Matcher.quoteReplacement(performed + " on resource: " + check.shownResource()));
                }
                throw new AwsException(trace.accessDeniedCode, status, message);
            }
        }
    }

    private HttpResponse error(Trace trace, AwsException e) {
        if (trace.protocol == Protocol.REST_XML) {
            S3AuthErrors.S3Error rendered = e instanceof S3Exception s3e
                    ? new S3AuthErrors.S3Error(s3e.code(), s3e.httpStatus(), s3e.getMessage(), s3e.extras())
                    : e.code().equals("InternalFailure")
                    ? new S3AuthErrors.S3Error("InternalError", 500, "We encountered an internal error. Please try again.",
                            Map.of())
                    : S3AuthErrors.of(e);
            trace.error = new AwsException(rendered.code(), rendered.status(), rendered.message());
            HttpResponse response = HttpResponse.of(rendered.status(), "application/xml",
                    trace.s3Control ? S3Http.controlErrorXml(rendered, trace.requestId)
                            : S3Http.errorXml(rendered, trace.requestId));
            if (e instanceof S3Exception s3e) {
                for (Map.Entry<String, String> header : s3e.headers().entrySet()) {
                    response = response.withHeader(header.getKey(), header.getValue());
                }
            }
            return response;
        }
        if (trace.protocol == Protocol.JSON) {
            AwsException mapped = JsonErrors.map(e);
            trace.error = mapped;
            String contentType = trace.table != null
                    ? "application/x-amz-json-" + trace.table.model().jsonVersion() : JsonCodec.CONTENT_TYPE;
            HttpResponse response = HttpResponse.of(mapped.httpStatus(), contentType, JsonCodec.error(mapped))
                    .withHeader("X-Amzn-ErrorType", mapped.code());
            String queryCode = trace.table == null ? null : trace.table.provider().queryErrorCode(mapped);
            if (queryCode != null) {
                // awsQueryCompatible (SQS): clients of the JSON protocol take the error's Query code from this header.
                response.withHeader("x-amzn-query-error", queryCode + ";" + (mapped.senderFault() ? "Sender"
                        : "Receiver"));
            }
            return response;
        }
        String queryCode = trace.table == null ? null : trace.table.provider().queryErrorCode(e);
        if (queryCode != null && !queryCode.equals(e.code())) {
            e = new AwsException(queryCode, e.httpStatus(), e.getMessage(), e.senderFault()); // SQS's Query codes
        }
        trace.error = e;
        return HttpResponse.of(e.httpStatus(), QueryCodec.CONTENT_TYPE, QueryCodec.error(trace.namespace, e, trace.requestId));
    }

    private void record(Trace trace, HttpResponse response) {
        String errorCode = trace.error == null ? null : trace.error.code();
        String errorMessage = trace.error == null ? null : trace.error.getMessage();
        requestLog.record(new RecordedRequest(trace.requestId, trace.time, trace.service, trace.operation, trace.caller,
                trace.check == null ? null : trace.check.action(), trace.check == null ? null : trace.check.resource(),
                trace.decision, response.status(), errorCode, errorMessage, (System.nanoTime() - trace.started) / 1000));
    }

    /** Authentication and authorization errors under the names JSON-protocol services use. */
    static final class JsonErrors {
        private JsonErrors() {}

        static AwsException map(AwsException e) {
            String code = switch (e.code()) {
                case "InvalidClientTokenId" -> "UnrecognizedClientException";
                case "SignatureDoesNotMatch" -> "InvalidSignatureException";
                case "ExpiredToken" -> "ExpiredTokenException";
                case "MissingAuthenticationToken" -> "MissingAuthenticationTokenException";
                case "IncompleteSignature" -> "IncompleteSignatureException";
                case "InternalFailure" -> "ServerException";
                default -> e.code();
            };
            return code.equals(e.code()) ? e : new AwsException(code, e.httpStatus(), e.getMessage(), e.senderFault());
        }
    }
}
