package dev.crossrole.server.http;

import dev.crossrole.policy.Decision;
import dev.crossrole.server.auth.Authenticator;
import dev.crossrole.server.authz.Authorizer;
import dev.crossrole.server.ecr.RegistryApi;
import dev.crossrole.server.ecr.RegistryTokens;
import dev.crossrole.server.requestlog.RecordedRequest;
import dev.crossrole.server.requestlog.RequestLog;
import dev.crossrole.server.service.AccessCheck;
import dev.crossrole.server.service.Caller;
import dev.crossrole.server.service.RequestInfo;
import dev.crossrole.server.store.StateSync;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ECR's registry endpoint on the listener: which requests are the registry's, its Basic authentication, and the
 * decision of every permission a request stands for, recorded like any AWS call so that {@code crossrole why}
 * explains a denial.
 *
 * <p>Routing. AWS names a registry by its host, {@code <account>.dkr.ecr.<region>.amazonaws.com}; crossrole answers
 * {@code <account>.dkr.ecr.<region>.localhost} on any of its ports the same way. Such names reach loopback only where
 * the resolver maps {@code *.localhost} there (systemd-resolved does; glibc's files-and-DNS setup, and the Go
 * programs Docker and Podman are, do not), so the registry also has a port of its own ({@code serve --registry-port}),
 * where a plain {@code 127.0.0.1:<port>} names the registry and the path names the account:
 * {@code 127.0.0.1:<port>/<account>/<repository>:<tag>}, the region being the one the password was obtained in. On
 * the main port a path such as {@code /v2/…} stays S3's (a bucket may be called {@code v2}) and the container
 * credentials endpoint's.
 *
 * <p>Authentication is ECR's: {@code Authorization: Basic base64(AWS:<password>)}, the password from
 * GetAuthorizationToken, taken back for who obtained it ({@link RegistryTokens}); anything else is {@code 401} with
 * {@code WWW-Authenticate: Basic}, which is how a client learns to send it.
 */
final class RegistryHttp {
    private static final Logger LOG = Logger.getLogger(RegistryHttp.class.getName());
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
    /** A registry's host name: {@code <account>.dkr.ecr.<region>.localhost}, with a port or not. */
    static final Pattern REGISTRY_HOST = Pattern.compile("([0-9]{12})\\.dkr\\.ecr\\.([a-z0-9-]{1,32})\\.localhost"
            + "(?::[0-9]{1,5})?");
    private static final Pattern ACCOUNT = Pattern.compile("[0-9]{12}");

    private final RegistryApi api;
    private final RegistryTokens tokens;
    private final Authenticator authenticator;
    private final Authorizer authorizer;
    private final RequestLog requestLog;
    private final StateSync sync;
    private final Clock clock;
    private final String defaultRegion;
    private final IntSupplier registryPort;

    RegistryHttp(RegistryApi api, RegistryTokens tokens, Authenticator authenticator, Authorizer authorizer,
                 RequestLog requestLog, StateSync sync, Clock clock, String defaultRegion, IntSupplier registryPort) {
        this.api = api;
        this.tokens = tokens;
        this.authenticator = authenticator;
        this.authorizer = authorizer;
        this.requestLog = requestLog;
        this.sync = sync;
        this.clock = clock;
        this.defaultRegion = defaultRegion;
        this.registryPort = registryPort;
    }

    /** Whether a request is the registry's: it came on the registry's port, or its host names a registry. */
    boolean routes(HttpRequest request, String host) {
        int own = registryPort.getAsInt();
        return own > 0 && request.localPort() == own
                || host != null && REGISTRY_HOST.matcher(host.toLowerCase(Locale.ROOT)).matches();
    }

    /** What one request left for its record. */
    private static final class Trace {
        final String requestId = Pipeline.requestId();
        final long started = System.nanoTime();
        String operation;
        String caller;
        AccessCheck check;
        Decision decision;
    }

    HttpResponse handle(HttpRequest request, String host) {
        Trace trace = new Trace();
        Instant time = clock.instant();
        HttpResponse response;
        String errorCode = null;
        String errorMessage = null;
        try {
            response = run(request, host, trace, time);
        } catch (RegistryApi.RegistryException e) {
            errorCode = e.code();
            errorMessage = e.getMessage();
            response = error(e.status(), e.code(), e.getMessage());
            e.headers().forEach(response::withHeader);
            if (e.status() == 401) {
                response.withHeader("WWW-Authenticate", "Basic realm=\"" + (request.secure() ? "https" : "http")
                        + "://" + (host == null ? "localhost" : host) + "/\",service=\"ecr.amazonaws.com\"");
            }
        } catch (RuntimeException | AssertionError e) {
            LOG.log(Level.SEVERE, "registry request " + trace.requestId + " failed", e);
            errorCode = "UNKNOWN";
            errorMessage = "unknown error";
            response = error(500, errorCode, "crossrole could not answer this request (request id "
                    + trace.requestId + "; its log says why)");
        }
        response.withHeader("Docker-Distribution-API-Version", "registry/2.0");
        response.withHeader("x-amzn-RequestId", trace.requestId);
        response.withHeader("Date", HTTP_DATE.format(time));
        requestLog.record(new RecordedRequest(trace.requestId, time, "ecr", trace.operation, trace.caller,
                trace.check == null ? null : trace.check.action(), trace.check == null ? null : trace.check.resource(),
                trace.decision, response.status(), errorCode, errorMessage,
                (System.nanoTime() - trace.started) / 1000));
        return response;
    }

    private HttpResponse run(HttpRequest request, String host, Trace trace, Instant time) {
        String path = S3Http.percentDecode(request.rawPath());
        if (!path.equals("/v2") && !path.startsWith("/v2/")) {
            throw new RegistryApi.RegistryException(404, "NAME_UNKNOWN", "The registry answers under /v2/ only");
        }
        String rest = path.length() <= 4 ? "" : path.substring(4);
        Map<String, String> query = S3Http.queryParameters(request.rawQuery());
        String downloadToken = query.get(RegistryApi.DOWNLOAD_PARAMETER);
        if (downloadToken != null && request.header("Authorization") == null) {
            return download(request, host, rest, query, downloadToken, trace);
        }
        Authenticated authenticated = authenticate(request);
        Caller caller = authenticated.caller();
        trace.caller = caller.arn();

        // The registry: by its host name, or on the registry's port by the path's first segment.
        Matcher named = host == null ? null : REGISTRY_HOST.matcher(host.toLowerCase(Locale.ROOT));
        String account;
        String region;
        String prefix = "";
        if (named != null && named.matches()) {
            account = named.group(1);
            region = named.group(2);
        } else {
            region = authenticated.region();
            int slash = rest.indexOf('/');
            String first = slash < 0 ? rest : rest.substring(0, slash);
            if (rest.isEmpty() || rest.equals("_catalog")) {
                account = caller.account();
            } else if (!ACCOUNT.matcher(first).matches()) {
                throw new RegistryApi.RegistryException(404, "NAME_UNKNOWN", "On crossrole's registry port a"
                        + " repository is named <account>/<repository> (" + caller.account() + "/" + rest
                        + "?): '" + first + "' is not an account id");
            } else {
                account = first;
                prefix = first + "/";
                rest = slash < 0 ? "" : rest.substring(slash + 1);
                if (rest.isEmpty()) {
                    throw new RegistryApi.RegistryException(404, "NAME_UNKNOWN", "No repository named in /v2/"
                            + first);
                }
            }
        }
        RegistryApi.Request registryRequest = new RegistryApi.Request(request.method(), account, region, rest, prefix,
                query, request::header, () -> request.content().stream(),
                request.content().declaredLength());
        sync.refresh(); // commits made through other nodes
        RegistryApi.Prepared prepared = api.prepare(registryRequest);
        trace.operation = prepared.operation();
        RequestInfo info = new RequestInfo(request.remoteAddress(), request.secure(), region,
                request.header("User-Agent"), time);
        for (AccessCheck check : prepared.checks()) {
            Decision decision = authorizer.decide(caller, check, info);
            trace.check = check;
            trace.decision = decision;
            if (!decision.allowed()) {
                // ECR's words; a registry client shows nothing but the message, so it also says where to look.
                throw new RegistryApi.RegistryException(403, "DENIED", decision.accessDeniedMessage()
                        + " (RequestID: " + trace.requestId + "; crossrole why " + trace.requestId + " explains it)");
            }
        }
        RegistryApi.Answer answer = prepared.run();
        Map<String, String> headers = new LinkedHashMap<>(answer.headers());
        return new HttpResponse(answer.status(), headers, answer.stream() != null ? null
                : answer.body() == null ? new byte[0] : answer.body(), answer.stream());
    }

    /** A GetDownloadUrlForLayer URL: its token, not a password, says who may have which layer. */
    private HttpResponse download(HttpRequest request, String host, String rest, Map<String, String> query,
                                  String token, Trace trace) {
        trace.operation = "GetDownloadUrlForLayer";
        RegistryTokens.Download download = tokens.openDownload(token, clock.instant()).orElseThrow(() ->
                new RegistryApi.RegistryException(403, "DENIED", "The download URL is not valid or has expired: ask"
                        + " GetDownloadUrlForLayer for another"));
        trace.caller = download.principalArn();
        Matcher named = host == null ? null : REGISTRY_HOST.matcher(host.toLowerCase(Locale.ROOT));
        String account;
        String prefix = "";
        if (named != null && named.matches()) {
            account = named.group(1);
        } else {
            int slash = rest.indexOf('/');
            account = slash < 0 ? rest : rest.substring(0, slash);
            prefix = account + "/";
            rest = slash < 0 ? "" : rest.substring(slash + 1);
        }
        sync.refresh();
        RegistryApi.Answer answer = api.download(new RegistryApi.Request(request.method(), account, null, rest, prefix,
                query, request::header, () -> request.content().stream(), request.content().declaredLength()),
                download).run();
        return new HttpResponse(answer.status(), new LinkedHashMap<>(answer.headers()), answer.stream() != null ? null
                : answer.body() == null ? new byte[0] : answer.body(), answer.stream());
    }

    /** Who a password stands for, and the region it was obtained in (the registry port's names carry none). */
    private record Authenticated(Caller caller, String region) {}

    /** The caller behind {@code Authorization: Basic}; a {@code 401} for anyone else. */
    private Authenticated authenticate(HttpRequest request) {
        String authorization = request.header("Authorization");
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            throw new RegistryApi.RegistryException(401, "UNAUTHORIZED", "Not Authorized: log in with the"
                    + " password of ecr:GetAuthorizationToken (aws ecr get-login-password | docker login --username"
                    + " AWS --password-stdin <proxyEndpoint>)");
        }
        RegistryTokens.Opened opened = tokens.readAuthorization(authorization.substring(6), clock.instant());
        if (opened.expired()) {
            throw new RegistryApi.RegistryException(401, "UNAUTHORIZED", "Your authorization token has expired."
                    + " Reauthenticate and try again.");
        }
        RegistryTokens.Grant grant = opened.grant();
        Caller caller = grant == null ? null : authenticator.callerOf(grant.accessKeyId(), grant.session())
                .orElse(null);
        if (caller == null) {
            throw new RegistryApi.RegistryException(401, "UNAUTHORIZED", grant == null
                    ? "Not Authorized: the password is not one of this crossrole's ecr:GetAuthorizationToken"
                    : "Not Authorized: the credentials that obtained the password are no longer valid");
        }
        return new Authenticated(caller, grant.region() == null ? defaultRegion : grant.region());
    }

    private static HttpResponse error(int status, String code, String message) {
        return HttpResponse.of(status, "application/json; charset=utf-8", RegistryApi.errorBody(code, message));
    }
}
