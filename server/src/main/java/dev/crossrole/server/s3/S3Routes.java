package dev.crossrole.server.s3;

import dev.crossrole.server.model.MemberModel;
import dev.crossrole.server.model.OperationModel;
import dev.crossrole.server.model.ServiceModel;
import dev.crossrole.server.model.ServiceModels;
import dev.crossrole.server.model.ShapeModel;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which operation of the S3 model a request names, read from the model's HTTP bindings (botocore
 * {@code s3/2006-03-01/service-2.json}), never by falling through to a default.
 *
 * <p>An operation fits a request when its method and level (service, bucket, object) are the request's, every
 * sub-resource of its request URI ({@code ?tagging}) is in the query with every fixed value
 * ({@code ?list-type=2}), and it takes every <em>selector</em> the request names. Selectors are the names that
 * choose what a request acts on: every sub-resource of the model, the query members that alone tell an operation
 * from its neighbours on the same URI ({@code uploadId} and {@code partNumber}: ListParts from GetObject,
 * UploadPart from PutObject) and {@code versionId}, which only operations that act on a version take. Of the
 * operations that fit, the one whose request is most fully present wins: each sub-resource, fixed value, required
 * query member and required header present counts one, each one absent takes one away (so
 * {@code ?inventory&id=i} is GetBucketInventoryConfiguration and {@code ?inventory} its List neighbour, and
 * {@code x-amz-copy-source} makes PutObject a CopyObject); then the one that takes more of the request's other
 * query parameters ({@code max-directory-buckets}), then the one the model does not mark deprecated. A request's
 * own {@code x-id} (which SDKs built from Smithy models add) settles the choice when it names an operation that fits.
 *
 * <p>The result may be an operation crossrole does not implement; the service answers those {@code 501}. A request
 * no operation fits is refused: {@code 400 InvalidRequest} when it names several selectors, otherwise
 * {@code 405 MethodNotAllowed}. A POST to a bucket without a selector is a browser's form upload, which the model
 * does not describe.
 */
final class S3Routes {
    /** A browser's form upload: POST to a bucket without a sub-resource. */
    static final String POST_OBJECT = "PostObject";

    enum Level { SERVICE, BUCKET, OBJECT }

    /** What the model says picks out one operation from a request. */
    private record Route(String operation, Set<String> subresources, Map<String, String> fixedValues,
                         List<String> requiredQuery, List<String> requiredHeaders, Set<String> queryMembers,
                         boolean deprecated) {
        boolean takes(String parameter) {
            return subresources.contains(parameter) || queryMembers.contains(parameter);
        }
    }

    /** The S3 model's routes by method and level, and the selectors of all of them. */
    private static final class Table {
        static final Table S3 = new Table(ServiceModels.all().byId("s3"));

        final Map<String, EnumMap<Level, List<Route>>> byMethod = new HashMap<>();
        final Set<String> selectors = new HashSet<>();

        Table(ServiceModel model) {
            selectors.add("versionId");
            for (OperationModel operation : model.operations()) {
                String uri = operation.requestUri();
                int question = uri.indexOf('?');
                Level level = switch (question < 0 ? uri : uri.substring(0, question)) {
                    case "/" -> Level.SERVICE;
                    case "/{Bucket}" -> Level.BUCKET;
                    case "/{Bucket}/{Key+}" -> Level.OBJECT;
                    default -> null; // WriteGetObjectResponse: S3 Object Lambda's own endpoint
                };
                if (level == null) {
                    continue;
                }
                Set<String> subresources = new TreeSet<>();
                Map<String, String> fixedValues = new HashMap<>();
                if (question >= 0) {
                    for (String parameter : uri.substring(question + 1).split("&")) {
                        int equals = parameter.indexOf('=');
                        if (equals < 0) {
                            subresources.add(parameter);
                        } else if (!parameter.startsWith("x-id=")) {
                            fixedValues.put(parameter.substring(0, equals), parameter.substring(equals + 1));
                        }
                    }
                }
                List<String> requiredHeaders = new ArrayList<>();
                Set<String> queryMembers = new HashSet<>();
                ShapeModel input = operation.input();
                if (input != null) {
                    for (MemberModel member : input.members().values()) {
                        if ("querystring".equals(member.location())) {
                            queryMembers.add(member.locationName());
                        } else if ("header".equals(member.location()) && member.required()) {
                            requiredHeaders.add(member.locationName());
                        }
                    }
                }
                selectors.addAll(subresources);
                if (subresources.isEmpty()) {
                    selectors.addAll(operation.requiredQuery());
                }
                byMethod.computeIfAbsent(operation.httpMethod(), m -> new EnumMap<>(Level.class))
                        .computeIfAbsent(level, l -> new ArrayList<>())
                        .add(new Route(operation.name(), subresources, fixedValues, operation.requiredQuery(),
                                requiredHeaders, queryMembers, operation.deprecated()));
            }
        }

        List<Route> routes(String method, Level level) {
            EnumMap<Level, List<Route>> byLevel = byMethod.get(method);
            List<Route> routes = byLevel == null ? null : byLevel.get(level);
            return routes == null ? List.of() : routes;
        }
    }

    private S3Routes() {}

    /** The operation, or {@code null} when the request names none of the model's. Never throws. */
    static String operation(S3Request request) {
        try {
            return resolve(request);
        } catch (S3Exception e) {
            return null;
        }
    }

    /**
     * The operation of the S3 model a request names (possibly one crossrole does not implement), or
     * {@link #POST_OBJECT}.
     *
     * @throws S3Exception 400 InvalidRequest when no operation fits a request that names several selectors,
     *     405 MethodNotAllowed when none fits otherwise
     */
    static String resolve(S3Request request) {
        Table table = Table.S3;
        Level level = request.bucket() == null ? Level.SERVICE : request.key() == null ? Level.BUCKET : Level.OBJECT;
        Set<String> parameters = request.query().keySet();
        TreeSet<String> selectors = new TreeSet<>();
        for (String parameter : parameters) {
            if (table.selectors.contains(parameter)) {
                selectors.add(parameter);
            }
        }
        String declared = request.param("x-id");
        Route best = null;
        int bestScore = 0;
        int bestTaken = 0;
        for (Route route : table.routes(request.method(), level)) {
            if (!fits(route, request, selectors)) {
                continue;
            }
            if (route.operation().equals(declared)) {
                return route.operation();
            }
            int score = score(route, request);
            int taken = 0;
            for (String parameter : parameters) {
                if (route.queryMembers().contains(parameter)) {
                    taken++;
                }
            }
            if (best == null || score > bestScore || score == bestScore && (taken > bestTaken
                    || taken == bestTaken && best.deprecated() && !route.deprecated())) {
                best = route;
                bestScore = score;
                bestTaken = taken;
            }
        }
        if (best != null) {
            return best.operation();
        }
        if (selectors.isEmpty() && level == Level.BUCKET && request.method().equals("POST")) {
            return POST_OBJECT;
        }
        throw refused(request, level, selectors);
    }

    private static boolean fits(Route route, S3Request request, Set<String> selectors) {
        for (String subresource : route.subresources()) {
            if (request.param(subresource) == null) {
                return false;
            }
        }
        for (Map.Entry<String, String> fixed : route.fixedValues().entrySet()) {
            if (!fixed.getValue().equals(request.param(fixed.getKey()))) {
                return false;
            }
        }
        for (String selector : selectors) {
            if (!route.takes(selector)) {
                return false;
            }
        }
        if (route.subresources().isEmpty() && !route.requiredQuery().isEmpty()) {
            // An operation told apart only by its query members (ListParts by uploadId) needs one of them.
            for (String member : route.requiredQuery()) {
                if (request.param(member) != null) {
                    return true;
                }
            }
            return false;
        }
        return true;
    }

    private static int score(Route route, S3Request request) {
        int score = route.subresources().size() + route.fixedValues().size();
        for (String member : route.requiredQuery()) {
            score += request.param(member) != null ? 1 : -1;
        }
        for (String header : route.requiredHeaders()) {
            score += request.header(header) != null ? 1 : -1;
        }
        return score;
    }

    static S3Exception notImplemented(String operation) {
        return new S3Exception("NotImplemented", 501, "crossrole does not implement s3:" + operation + " yet");
    }

    private static S3Exception refused(S3Request request, Level level, TreeSet<String> selectors) {
        List<String> choosing = selectors.stream().filter(s -> !s.equals("versionId")).toList();
        if (choosing.size() > 1) {
            return S3Exception.invalidRequest("A request names one sub-resource; this one names ?"
                    + String.join(", ?", selectors) + ".");
        }
        return new S3Exception("MethodNotAllowed", 405, "The specified method is not allowed against this resource.")
                .with("Method", request.method()).with("ResourceType", level.name());
    }
}
