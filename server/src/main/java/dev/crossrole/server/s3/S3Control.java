package dev.crossrole.server.s3;

import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.model.OperationModel;
import dev.crossrole.server.model.ServiceModel;
import dev.crossrole.server.model.ServiceModels;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.service.AccessCheck;
import dev.crossrole.server.service.Authorization;
import dev.crossrole.server.service.Call;
import dev.crossrole.server.service.OperationBindings;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * S3 Control, the account-level S3 API (AWS's {@code s3control} model): a request to {@code /v20180820/...} naming
 * its account in {@code x-amz-account-id}. SDKs send it to {@code <account>.s3-control.<region>.amazonaws.com}, or
 * {@code <account>.<endpoint host>} when given an endpoint, and sign it for {@code s3}, so it reaches S3's side of
 * the pipeline and is told apart by its path and header. crossrole implements the account's Block Public Access
 * configuration, which every bucket of the account combines with its own; the model's other operations answer
 * {@code 501}.
 *
 * <p>Each operation asks for its action on {@code *} in the named account ({@code s3:GetAccountPublicAccessBlock}
 * has no resource type): a caller of another account has no resource policy to let it in, and is refused.
 */
final class S3Control {
    /** The path every S3 Control operation's URI starts with. */
    static final String PATH_PREFIX = "/v20180820/";
    private static final Pattern ACCOUNT_ID = Pattern.compile("\\d{12}");

    /** One S3 Control operation: prepares a call for the account the request names. */
    @FunctionalInterface
    interface ControlOperation {
        S3Call prepare(S3Input input, String account) throws IOException;
    }

    private record Route(OperationModel operation, Pattern path, int literals) {}

    private final S3Repository repository;
    private final OperationBindings<ControlOperation> operations;
    private final List<Route> routes = new ArrayList<>();

    S3Control(S3Repository repository) {
        this.repository = repository;
        ServiceModel model = ServiceModels.all().byId("s3control");
        this.operations = new OperationBindings<ControlOperation>(model)
                .on("GetPublicAccessBlock", this::getPublicAccessBlock,
                        Authorization.of("s3:GetAccountPublicAccessBlock"))
                .on("PutPublicAccessBlock", this::putPublicAccessBlock,
                        Authorization.of("s3:PutAccountPublicAccessBlock"))
                .on("DeletePublicAccessBlock", this::deletePublicAccessBlock,
                        Authorization.of("s3:PutAccountPublicAccessBlock"));
        for (OperationModel operation : model.operations()) {
            routes.add(route(operation));
        }
    }

    OperationBindings<?> operations() {
        return operations;
    }

    /** Whether a request's path and headers make it S3 Control's rather than S3's. */
    static boolean addresses(String rawPath, String accountHeader) {
        return accountHeader != null && rawPath != null && rawPath.startsWith(PATH_PREFIX);
    }

    /**
     * The operation of the model whose method and URI template the request's are; of several templates that match,
     * the one with the most fixed characters ({@code /mrap/instances/{name+}/policy} before
     * {@code /mrap/instances/{name+}}). A path no template matches, or matches for another method only, is refused.
     */
    String operation(String method, String path) {
        Route best = null;
        boolean pathKnown = false;
        for (Route route : routes) {
            if (!route.path().matcher(path).matches()) {
                continue;
            }
            pathKnown = true;
            if (route.operation().httpMethod().equals(method) && (best == null || route.literals() > best.literals())) {
                best = route;
            }
        }
        if (best == null) {
            throw pathKnown ? new S3Exception("MethodNotAllowed", 405,
                    "The specified method is not allowed against this resource.").with("Method", method)
                    .with("ResourceType", "ACCOUNT")
                    : new S3Exception("InvalidRequest", 400, "No S3 Control operation is at " + method + " " + path);
        }
        return best.operation().name();
    }

    private static Route route(OperationModel operation) {
        String template = operation.requestUri();
        int query = template.indexOf('?');
        if (query >= 0) {
            template = template.substring(0, query);
        }
        StringBuilder regex = new StringBuilder();
        int literals = 0;
        int at = 0;
        while (at < template.length()) {
            int open = template.indexOf('{', at);
            if (open < 0) {
                regex.append(Pattern.quote(template.substring(at)));
                literals += template.length() - at;
                break;
            }
            regex.append(Pattern.quote(template.substring(at, open)));
            literals += open - at;
            int close = template.indexOf('}', open);
            regex.append(template.charAt(close - 1) == '+' ? ".+" : "[^/]+");
            at = close + 1;
        }
        return new Route(operation, Pattern.compile(regex.toString()), literals);
    }

    /** Prepares an S3 Control request whose operation {@link #operation} named. */
    S3Call prepare(S3Request request, Call call, String name) throws IOException {
        OperationModel model = operations.model().operation(name);
        ControlOperation operation = operations.operation(model);
        if (operation == null) {
            throw new S3Exception("NotImplemented", 501, "crossrole does not implement s3control:" + name + " yet");
        }
        if (call.caller().account() == null) {
            // S3 Control serves no anonymous caller: an account's settings are its own.
            throw S3Exception.accessDenied();
        }
        S3Input input = S3Input.read(model, request);
        String account = input.string("AccountId");
        if (account == null || !ACCOUNT_ID.matcher(account).matches()) {
            // The SDKs refuse such an id before sending (it is a host label); S3 Control's own message for one that
            // arrives is not documented: this one says what is wrong.
            throw S3Exception.invalidRequest("x-amz-account-id must be an account id of 12 digits");
        }
        return operation.prepare(input, account);
    }

    private static AccessCheck check(String action, String account) {
        return new AccessCheck(action, "*", account, null, RequestContext.empty());
    }

    private S3Call getPublicAccessBlock(S3Input input, String account) {
        return S3Call.of(check("s3:GetAccountPublicAccessBlock", account), findings -> {
            PublicAccessBlock block = repository.accountPublicAccessBlock(account).orElseThrow(() ->
                    new S3Exception("NoSuchPublicAccessBlockConfiguration", 404,
                            "The public access block configuration was not found").with("AccountId", account));
            return input.respond(Shape.of().put("PublicAccessBlockConfiguration", block.toShape()));
        });
    }

    private S3Call putPublicAccessBlock(S3Input input, String account) {
        return S3Call.of(check("s3:PutAccountPublicAccessBlock", account), findings -> {
            Input configuration = input.document();
            if (configuration == null) {
                throw S3Exception.malformedXml();
            }
            // a setting left out is false, as for a bucket's configuration
            repository.putAccountPublicAccessBlock(account, new PublicAccessBlock(
                    configuration.bool("BlockPublicAcls", false), configuration.bool("IgnorePublicAcls", false),
                    configuration.bool("BlockPublicPolicy", false),
                    configuration.bool("RestrictPublicBuckets", false)));
            return input.respond(Shape.of());
        });
    }

    private S3Call deletePublicAccessBlock(S3Input input, String account) {
        return S3Call.of(check("s3:PutAccountPublicAccessBlock", account), findings -> {
            repository.putAccountPublicAccessBlock(account, null);
            return input.respond(Shape.of());
        });
    }
}
