package dev.crossrole.server.s3;

import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A bucket's CORS configuration (PutBucketCors, GetBucketCors, DeleteBucketCors), the preflight ({@code OPTIONS})
 * answered from it, and the CORS headers of an actual request that carries an {@code Origin}.
 *
 * <p>Authorization follows the Service Authorization Reference: {@code s3:PutBucketCORS} for Put and Delete (Delete
 * has no action of its own; its API reference asks for {@code s3:PutBucketCORS}), {@code s3:GetBucketCORS} for Get.
 * A preflight is not authenticated: browsers send it without credentials, and S3 answers it from the rules alone.
 *
 * <p>The first rule whose origin, method and every requested header match wins, as the user guide describes the
 * evaluation. The preflight's refusals are S3's 403 {@code AccessForbidden} with the messages observed of it
 * ({@code CORSResponse: ...}, quoted in aws/aws-sdk-js#1939 and many browser reports; S3's own typo
 * "evalution" kept).
 *
 * @param rules the rules in the order they were put (1 to 100)
 */
public record BucketCors(List<Rule> rules) {
    /** A CORS configuration holds at most 100 rules (user guide, "CORS configuration"). */
    static final int MAX_RULES = 100;
    /** The methods a rule may allow (the API reference's AllowedMethods). */
    private static final Set<String> METHODS = Set.of("GET", "PUT", "POST", "DELETE", "HEAD");
    private static final String NOT_ALLOWED = "CORSResponse: This CORS request is not allowed. This is usually"
            + " because the evalution of Origin, request method / Access-Control-Request-Method or"
            + " Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.";

    public BucketCors {
        rules = List.copyOf(rules);
    }

    /**
     * One CORS rule as put.
     *
     * @param id the rule's ID, or {@code null}
     * @param maxAgeSeconds how long a browser may cache the preflight's answer, or {@code null}
     */
    public record Rule(String id, List<String> allowedOrigins, List<String> allowedMethods,
                       List<String> allowedHeaders, List<String> exposeHeaders, Integer maxAgeSeconds) {
        public Rule {
            allowedOrigins = List.copyOf(allowedOrigins);
            allowedMethods = List.copyOf(allowedMethods);
            allowedHeaders = List.copyOf(allowedHeaders);
            exposeHeaders = List.copyOf(exposeHeaders);
        }

        boolean allowsOrigin(String origin) {
            return allowedOrigins.stream().anyMatch(pattern -> wildcard(pattern, origin, false));
        }

        /** Every header of the preflight's {@code Access-Control-Request-Headers}, case-insensitively. */
        boolean allowsHeaders(List<String> headers) {
            return headers.stream().allMatch(header -> allowedHeaders.stream()
                    .anyMatch(pattern -> wildcard(pattern, header, true)));
        }
    }

    static S3Call put(S3Input input, Bucket bucket, S3Repository repository) {
        return S3Call.of(S3Support.bucketCheck("s3:PutBucketCORS", bucket, RequestContext.empty()), findings -> {
            S3Support.requireIntegrity(input.request());
            BucketCors configuration = read(input.document());
            repository.updateBucket(bucket.name(), current -> current.withCors(configuration));
            return input.respond(Shape.of());
        });
    }

    static S3Call get(S3Input input, Bucket bucket) {
        return S3Call.of(S3Support.bucketCheck("s3:GetBucketCORS", bucket, RequestContext.empty()), findings -> {
            BucketCors cors = bucket.cors();
            if (cors == null) {
                throw new S3Exception("NoSuchCORSConfiguration", 404, "The CORS configuration does not exist")
                        .with("BucketName", bucket.name());
            }
            List<Shape> rules = new ArrayList<>();
            for (Rule rule : cors.rules()) {
                rules.add(Shape.of().put("ID", rule.id())
                        .put("AllowedHeaders", rule.allowedHeaders().isEmpty() ? null : rule.allowedHeaders())
                        .put("AllowedMethods", rule.allowedMethods()).put("AllowedOrigins", rule.allowedOrigins())
                        .put("ExposeHeaders", rule.exposeHeaders().isEmpty() ? null : rule.exposeHeaders())
                        .put("MaxAgeSeconds", rule.maxAgeSeconds()));
            }
            return input.respond(Shape.of().put("CORSRules", rules));
        });
    }

    static S3Call delete(S3Input input, Bucket bucket, S3Repository repository) {
        return S3Call.of(S3Support.bucketCheck("s3:PutBucketCORS", bucket, RequestContext.empty()), findings -> {
            repository.updateBucket(bucket.name(), current -> current.withCors(null));
            return input.respond(Shape.of());
        });
    }

    /**
     * The configuration a PutBucketCors document sets, checked as S3 checks it: 1 to 100 rules (else MalformedXML),
     * each with at least one origin and method (the model's required members), methods of S3's five only, and at
     * most one {@code *} in an origin or header. The InvalidRequest messages are the ones S3 is reported to give
     * (as recorded by S3-compatible servers' AWS-validated tests); S3's own documentation does not word them.
     */
    static BucketCors read(Input document) {
        List<Input> rules = document.listOrEmpty("CORSRules");
        if (rules.isEmpty() || rules.size() > MAX_RULES) {
            throw S3Exception.malformedXml();
        }
        List<Rule> read = new ArrayList<>();
        for (Input rule : rules) {
            List<String> origins = rule.listOrEmpty("AllowedOrigins");
            List<String> methods = rule.listOrEmpty("AllowedMethods");
            if (origins.isEmpty() || methods.isEmpty()) {
                throw S3Exception.malformedXml();
            }
            for (String method : methods) {
                if (!METHODS.contains(method)) {
                    throw S3Exception.invalidRequest("Found unsupported HTTP method in CORS config. Unsupported"
                            + " method is " + method);
                }
            }
            for (String origin : origins) {
                if (origin.indexOf('*') != origin.lastIndexOf('*')) {
                    throw S3Exception.invalidRequest("AllowedOrigin \"" + origin
                            + "\" can not have more than one wildcard.");
                }
            }
            List<String> headers = rule.listOrEmpty("AllowedHeaders");
            for (String header : headers) {
                if (header.indexOf('*') != header.lastIndexOf('*')) {
                    throw S3Exception.invalidRequest("AllowedHeader \"" + header
                            + "\" can not have more than one wildcard.");
                }
            }
            read.add(new Rule(rule.string("ID"), origins, methods, headers, rule.listOrEmpty("ExposeHeaders"),
                    rule.integer("MaxAgeSeconds")));
        }
        return new BucketCors(read);
    }

    /**
     * The answer to a preflight on {@code bucket} (which may be {@code null}: no such bucket): 200 with the
     * {@code Access-Control-*} headers of the first rule that allows the origin, the requested method and every
     * requested header; S3's 400 when the request lacks what a preflight needs; 403 when CORS is off or no rule
     * allows it.
     */
    static S3Response preflight(S3Request request, Bucket bucket) {
        String origin = request.header("Origin");
        if (origin == null) {
            throw new S3Exception("BadRequest", 400, "Insufficient information. Origin request header needed.");
        }
        String method = request.header("Access-Control-Request-Method");
        if (method == null || !METHODS.contains(method)) {
            // S3's message for an absent header is not on record; for an unknown method it names the value.
            throw new S3Exception("BadRequest", 400, "Invalid Access-Control-Request-Method: " + method);
        }
        if (request.bucket() != null && bucket == null) {
            // S3's answer for a bucket that does not exist is not on record; crossrole names the bucket missing.
            throw S3Exception.noSuchBucket(request.bucket());
        }
        if (bucket == null || bucket.cors() == null) {
            // The service endpoint has no CORS rules: S3 answers its preflights 403 (aws/aws-sdk-js#1939).
            throw new S3Exception("AccessForbidden", 403, "CORSResponse: CORS is not enabled for this bucket.")
                    .with("Method", method).with("ResourceType", request.key() == null ? "BUCKET" : "OBJECT");
        }
        List<String> requested = headerList(request.header("Access-Control-Request-Headers"));
        for (Rule rule : bucket.cors().rules()) {
            if (rule.allowsOrigin(origin) && rule.allowedMethods().contains(method) && rule.allowsHeaders(requested)) {
                S3Response response = S3Response.empty(200);
                allow(response, rule, origin);
                if (!requested.isEmpty()) {
                    response.header("Access-Control-Allow-Headers", String.join(", ", requested));
                }
                response.header("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method");
                return response;
            }
        }
        throw new S3Exception("AccessForbidden", 403, NOT_ALLOWED).with("Method", method)
                .with("ResourceType", request.key() == null ? "BUCKET" : "OBJECT");
    }

    /**
     * The CORS headers of an actual request from {@code origin} with {@code method}: those of the first rule that
     * allows both, else none (the browser then withholds the answer from the page).
     */
    Map<String, String> actualHeaders(String origin, String method) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (Rule rule : rules) {
            if (rule.allowsOrigin(origin) && rule.allowedMethods().contains(method)) {
                S3Response response = new S3Response(200, headers, new byte[0], null);
                allow(response, rule, origin);
                response.header("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method");
                break;
            }
        }
        return headers;
    }

    /**
     * The headers a matching rule grants: the origin ({@code *} itself when the rule allows every origin, which also
     * grants no credentials), its methods, exposed headers and max age.
     */
    private static void allow(S3Response response, Rule rule, String origin) {
        boolean any = rule.allowedOrigins().contains("*");
        response.header("Access-Control-Allow-Origin", any ? "*" : origin);
        response.header("Access-Control-Allow-Methods", String.join(", ", rule.allowedMethods()));
        if (!rule.exposeHeaders().isEmpty()) {
            response.header("Access-Control-Expose-Headers", String.join(", ", rule.exposeHeaders()));
        }
        if (rule.maxAgeSeconds() != null) {
            response.header("Access-Control-Max-Age", rule.maxAgeSeconds().toString());
        }
        if (!any) {
            response.header("Access-Control-Allow-Credentials", "true");
        }
    }

    /** The comma-separated header names of {@code Access-Control-Request-Headers}, lower-cased as S3 echoes them. */
    private static List<String> headerList(String value) {
        List<String> headers = new ArrayList<>();
        if (value != null) {
            for (String header : value.split(",")) {
                String name = header.trim();
                if (!name.isEmpty()) {
                    headers.add(name.toLowerCase(Locale.ROOT));
                }
            }
        }
        return headers;
    }

    /** Whether {@code value} matches {@code pattern}, which may hold one {@code *} standing for any characters. */
    static boolean wildcard(String pattern, String value, boolean ignoreCase) {
        String p = ignoreCase ? pattern.toLowerCase(Locale.ROOT) : pattern;
        String v = ignoreCase ? value.toLowerCase(Locale.ROOT) : value;
        int star = p.indexOf('*');
        if (star < 0) {
            return p.equals(v);
        }
        String head = p.substring(0, star);
        String tail = p.substring(star + 1);
        return v.length() >= head.length() + tail.length() && v.startsWith(head) && v.endsWith(tail);
    }
}
