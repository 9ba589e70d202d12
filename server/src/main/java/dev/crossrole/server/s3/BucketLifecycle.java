package dev.crossrole.server.s3;

import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A bucket's lifecycle configuration (PutBucketLifecycleConfiguration, GetBucketLifecycleConfiguration,
 * DeleteBucketLifecycle): the rules {@link LifecycleSweep} applies and the {@code x-amz-expiration} header of the
 * objects a rule will expire.
 *
 * <p>Authorization follows the Service Authorization Reference: {@code s3:PutLifecycleConfiguration} for Put and
 * Delete (DeleteBucketLifecycle's API reference asks for it), {@code s3:GetLifecycleConfiguration} for Get.
 *
 * <p>S3's refusals: a document that does not fit the schema, a rule with both or neither of {@code Prefix} and
 * {@code Filter}, a filter naming more than one condition outside {@code And}, an expiration naming more or fewer
 * than one of Days, Date and ExpiredObjectDeleteMarker, or a Status other than Enabled/Disabled is MalformedXML
 * (minio/minio#10853, aws/aws-sdk-ruby#2350, noobaa/noobaa-core#8914 record S3's answers); a rule without an action
 * is InvalidRequest "At least one action needs to be specified in a rule" (crossplane-contrib/provider-aws#1337);
 * day counts that are not positive are InvalidArgument "'Days' for Expiration action must be a positive integer" and
 * its NoncurrentVersionExpiration and AbortIncompleteMultipartUpload forms (reproduced against S3 in
 * scality/Arsenal#2648). The messages for a repeated ID, an over-long ID, a Date not at midnight and
 * AbortIncompleteMultipartUpload with tags are the ones S3-compatible servers quote from S3; S3's documentation does
 * not word them. Transitions are validated and stored, not applied: crossrole keeps every object in one class.
 *
 * @param rules the rules in the order they were put
 */
public record BucketLifecycle(List<Rule> rules) {
    /** A lifecycle configuration holds at most 1,000 rules (user guide, "Lifecycle configuration elements"). */
    static final int MAX_RULES = 1000;
    static final String ENABLED = "Enabled";
    /** HTTP's date form (RFC 7231), the day always in two digits. */
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'",
            java.util.Locale.US).withZone(ZoneOffset.UTC);

    public BucketLifecycle {
        rules = List.copyOf(rules);
    }

    /**
     * Which objects a rule applies to: those under {@code prefix} carrying every tag of {@code tags} and of a size
     * strictly between the bounds. {@code and} and {@code legacyPrefix} only keep the form it was put in.
     *
     * @param legacyPrefix whether the rule named its prefix outside a {@code Filter} (the deprecated form)
     */
    public record Filter(String prefix, Map<String, String> tags, Long sizeGreaterThan, Long sizeLessThan,
                         boolean and, boolean legacyPrefix) {
        public Filter {
            tags = tags == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tags));
        }

        boolean matches(StoredObject object) {
            if (prefix != null && !object.key().startsWith(prefix)) {
                return false;
            }
            for (Map.Entry<String, String> tag : tags.entrySet()) {
                if (!tag.getValue().equals(object.tags().get(tag.getKey()))) {
                    return false;
                }
            }
            return (sizeGreaterThan == null || object.size() > sizeGreaterThan)
                    && (sizeLessThan == null || object.size() < sizeLessThan);
        }

        boolean matchesKey(String key) {
            return prefix == null || key.startsWith(prefix);
        }
    }

    /** A transition, kept as put: Days or Date, and the storage class. */
    public record Transition(Integer days, Instant date, String storageClass, Integer newerNoncurrentVersions) {}

    /**
     * One rule as put.
     *
     * @param expirationDays days after creation the current version expires, or {@code null}
     * @param expirationDate the date from which current versions expire, or {@code null}
     * @param expiredObjectDeleteMarker whether a delete marker left with no other versions is removed; {@code null}
     *     when not put
     * @param noncurrentDays days after becoming noncurrent a version expires, or {@code null}
     * @param newerNoncurrentVersions how many newer noncurrent versions are kept whatever their age, or {@code null}
     * @param abortDays days after initiation an incomplete multipart upload is aborted, or {@code null}
     */
    public record Rule(String id, String status, Filter filter, Integer expirationDays, Instant expirationDate,
                       Boolean expiredObjectDeleteMarker, Integer noncurrentDays, Integer newerNoncurrentVersions,
                       Integer abortDays, List<Transition> transitions, List<Transition> noncurrentTransitions) {
        public Rule {
            transitions = transitions == null ? List.of() : List.copyOf(transitions);
            noncurrentTransitions = noncurrentTransitions == null ? List.of() : List.copyOf(noncurrentTransitions);
        }

        boolean enabled() {
            return ENABLED.equals(status);
        }

        /** When the current version {@code object} expires by this rule, or {@code null} if it never does. */
        Instant expiry(StoredObject object) {
            if (!enabled() || object.deleteMarker() || !filter.matches(object)) {
                return null;
            }
            if (expirationDays != null) {
                return afterDays(object.lastModified(), expirationDays);
            }
            return expirationDate;
        }
    }

    /**
     * S3's count of days: the time plus the days, rounded up to the next midnight UTC (user guide, "Lifecycle
     * rules: based on an object's age").
     */
    static Instant afterDays(Instant from, int days) {
        Instant plus = from.plus(Duration.ofDays(days));
        Instant midnight = plus.truncatedTo(ChronoUnit.DAYS);
        return midnight.equals(plus) ? plus : midnight.plus(Duration.ofDays(1));
    }

    /**
     * The {@code x-amz-expiration} value of a current version, or {@code null}: the earliest expiry any enabled rule
     * gives it and that rule's ID, as S3 words it ({@code expiry-date="..." , rule-id="..."}).
     */
    String expirationHeader(StoredObject object) {
        Instant earliest = null;
        String ruleId = null;
        for (Rule rule : rules) {
            Instant expiry = rule.expiry(object);
            if (expiry != null && (earliest == null || expiry.isBefore(earliest))) {
                earliest = expiry;
                ruleId = rule.id() == null ? "" : rule.id();
            }
        }
        return earliest == null ? null : "expiry-date=\"" + HTTP_DATE.format(earliest) + "\", rule-id=\""
                + ruleId.replace("\"", "%22") + "\"";
    }

    static S3Call put(S3Input input, Bucket bucket, S3Repository repository) {
        return S3Call.of(S3Support.bucketCheck("s3:PutLifecycleConfiguration", bucket, RequestContext.empty()),
                findings -> {
                    S3Support.requireIntegrity(input.request());
                    if (input.string("TransitionDefaultMinimumObjectSize") != null) {
                        throw S3Service.notImplemented().with("Header",
                                input.wireName("TransitionDefaultMinimumObjectSize"));
                    }
                    BucketLifecycle configuration = read(input.document());
                    repository.updateBucket(bucket.name(), current -> current.withLifecycle(configuration));
                    return input.respond(Shape.of());
                });
    }

    static S3Call get(S3Input input, Bucket bucket) {
        return S3Call.of(S3Support.bucketCheck("s3:GetLifecycleConfiguration", bucket, RequestContext.empty()),
                findings -> {
                    BucketLifecycle lifecycle = bucket.lifecycle();
                    if (lifecycle == null) {
                        throw new S3Exception("NoSuchLifecycleConfiguration", 404,
                                "The lifecycle configuration does not exist").with("BucketName", bucket.name());
                    }
                    List<Shape> rules = new ArrayList<>();
                    for (Rule rule : lifecycle.rules()) {
                        rules.add(shape(rule));
                    }
                    return input.respond(Shape.of().put("Rules", rules));
                });
    }

    static S3Call delete(S3Input input, Bucket bucket, S3Repository repository) {
        return S3Call.of(S3Support.bucketCheck("s3:PutLifecycleConfiguration", bucket, RequestContext.empty()),
                findings -> {
                    repository.updateBucket(bucket.name(), current -> current.withLifecycle(null));
                    return input.respond(Shape.of());
                });
    }

    private static Shape shape(Rule rule) {
        Shape out = Shape.of().put("ID", rule.id());
        Filter filter = rule.filter();
        if (filter.legacyPrefix()) {
            out.put("Prefix", filter.prefix());
        } else if (filter.and()) {
            out.put("Filter", Shape.of().put("And", Shape.of().put("Prefix", filter.prefix())
                    .put("Tags", filter.tags().isEmpty() ? null : BucketTagging.tagSet(filter.tags()))
                    .put("ObjectSizeGreaterThan", filter.sizeGreaterThan())
                    .put("ObjectSizeLessThan", filter.sizeLessThan())));
        } else {
            Shape single = Shape.of().put("Prefix", filter.prefix())
                    .put("ObjectSizeGreaterThan", filter.sizeGreaterThan())
                    .put("ObjectSizeLessThan", filter.sizeLessThan());
            filter.tags().forEach((key, value) -> single.put("Tag", Shape.of().put("Key", key).put("Value", value)));
            out.put("Filter", single);
        }
        out.put("Status", rule.status());
        if (rule.expirationDays() != null || rule.expirationDate() != null
                || rule.expiredObjectDeleteMarker() != null) {
            out.put("Expiration", Shape.of().put("Days", rule.expirationDays()).put("Date", rule.expirationDate())
                    .put("ExpiredObjectDeleteMarker", rule.expiredObjectDeleteMarker()));
        }
        if (!rule.transitions().isEmpty()) {
            List<Shape> transitions = new ArrayList<>();
            for (Transition t : rule.transitions()) {
                transitions.add(Shape.of().put("Days", t.days()).put("Date", t.date())
                        .put("StorageClass", t.storageClass()));
            }
            out.put("Transitions", transitions);
        }
        if (!rule.noncurrentTransitions().isEmpty()) {
            List<Shape> transitions = new ArrayList<>();
            for (Transition t : rule.noncurrentTransitions()) {
                transitions.add(Shape.of().put("NoncurrentDays", t.days()).put("StorageClass", t.storageClass())
                        .put("NewerNoncurrentVersions", t.newerNoncurrentVersions()));
            }
            out.put("NoncurrentVersionTransitions", transitions);
        }
        if (rule.noncurrentDays() != null) {
            out.put("NoncurrentVersionExpiration", Shape.of().put("NoncurrentDays", rule.noncurrentDays())
                    .put("NewerNoncurrentVersions", rule.newerNoncurrentVersions()));
        }
        if (rule.abortDays() != null) {
            out.put("AbortIncompleteMultipartUpload", Shape.of().put("DaysAfterInitiation", rule.abortDays()));
        }
        return out;
    }

    /** The storage classes a transition may name (the model's TransitionStorageClass). */
    private static final Set<String> TRANSITION_CLASSES = Set.of("GLACIER", "STANDARD_IA", "ONEZONE_IA",
            "INTELLIGENT_TIERING", "DEEP_ARCHIVE", "GLACIER_IR");

    /** The configuration a PutBucketLifecycleConfiguration document sets, checked as S3 checks it. */
    static BucketLifecycle read(Input document) {
        List<Input> rules = document.listOrEmpty("Rules");
        if (rules.isEmpty() || rules.size() > MAX_RULES) {
            // S3's answer past 1,000 rules is not on record; the schema's bound is taken as MalformedXML.
            throw S3Exception.malformedXml();
        }
        Set<String> ids = new HashSet<>();
        List<Rule> read = new ArrayList<>();
        for (Input rule : rules) {
            read.add(rule(rule, ids));
        }
        return new BucketLifecycle(read);
    }

    private static Rule rule(Input rule, Set<String> ids) {
        String status = rule.string("Status");
        if (!ENABLED.equals(status) && !"Disabled".equals(status)) {
            throw S3Exception.malformedXml();
        }
        String id = rule.string("ID");
        if (id != null && id.length() > 255) {
            throw S3Exception.invalidArgument("ID length should not exceed allowed limit of 255", "ID", id);
        }
        if (id != null && !id.isEmpty() && !ids.add(id)) {
            throw S3Exception.invalidArgument("Rule ID must be unique. Found same ID for more than one rule", "ID",
                    id);
        }
        Filter filter = filter(rule);
        Input expiration = rule.struct("Expiration");
        Integer days = null;
        Instant date = null;
        Boolean marker = null;
        if (expiration != null) {
            days = expiration.integer("Days");
            date = expiration.timestamp("Date");
            marker = expiration.bool("ExpiredObjectDeleteMarker");
            int named = (days != null ? 1 : 0) + (date != null ? 1 : 0) + (marker != null ? 1 : 0);
            if (named != 1) {
                throw S3Exception.malformedXml();
            }
            if (days != null && days <= 0) {
                throw S3Exception.invalidArgument("'Days' for Expiration action must be a positive integer", "Days",
                        days.toString());
            }
            if (date != null && !date.equals(date.truncatedTo(ChronoUnit.DAYS))) {
                throw S3Exception.invalidArgument("'Date' must be at midnight GMT", "Date", date.toString());
            }
            if (marker != null && !filter.tags().isEmpty()) {
                throw S3Exception.invalidRequest("ExpiredObjectDeleteMarker cannot be specified with object tagging"
                        + " predicate");
            }
        }
        Input noncurrent = rule.struct("NoncurrentVersionExpiration");
        Integer noncurrentDays = null;
        Integer newer = null;
        if (noncurrent != null) {
            noncurrentDays = noncurrent.integer("NoncurrentDays");
            newer = noncurrent.integer("NewerNoncurrentVersions");
            if (noncurrentDays == null || noncurrentDays <= 0) {
                throw S3Exception.invalidArgument("'NoncurrentDays' for NoncurrentVersionExpiration action must be a"
                        + " positive integer", "NoncurrentDays", String.valueOf(noncurrentDays));
            }
            if (newer != null && newer <= 0) {
                throw S3Exception.invalidArgument("'NewerNoncurrentVersions' for NoncurrentVersionExpiration action"
                        + " must be a positive integer", "NewerNoncurrentVersions", newer.toString());
            }
        }
        Input abort = rule.struct("AbortIncompleteMultipartUpload");
        Integer abortDays = null;
        if (abort != null) {
            abortDays = abort.integer("DaysAfterInitiation");
            if (abortDays == null || abortDays <= 0) {
                throw S3Exception.invalidArgument("'DaysAfterInitiation' for AbortIncompleteMultipartUpload action"
                        + " must be a positive integer", "DaysAfterInitiation", String.valueOf(abortDays));
            }
            if (!filter.tags().isEmpty()) {
                throw S3Exception.invalidRequest("AbortIncompleteMultipartUpload cannot be specified with Tags.");
            }
        }
        List<Transition> transitions = new ArrayList<>();
        for (Input transition : rule.<Input>listOrEmpty("Transitions")) {
            Integer tDays = transition.integer("Days");
            Instant tDate = transition.timestamp("Date");
            String storageClass = transition.string("StorageClass");
            if ((tDays == null) == (tDate == null) || storageClass == null
                    || !TRANSITION_CLASSES.contains(storageClass)) {
                throw S3Exception.malformedXml();
            }
            if (tDays != null && tDays < 0) {
                throw S3Exception.invalidArgument("'Days' in Transition action must be nonnegative", "Days",
                        tDays.toString());
            }
            transitions.add(new Transition(tDays, tDate, storageClass, null));
        }
        List<Transition> noncurrentTransitions = new ArrayList<>();
        for (Input transition : rule.<Input>listOrEmpty("NoncurrentVersionTransitions")) {
            Integer tDays = transition.integer("NoncurrentDays");
            String storageClass = transition.string("StorageClass");
            if (tDays == null || storageClass == null || !TRANSITION_CLASSES.contains(storageClass)) {
                throw S3Exception.malformedXml();
            }
            if (tDays < 0) {
                throw S3Exception.invalidArgument("'NoncurrentDays' in NoncurrentVersionTransition action must be"
                        + " nonnegative", "NoncurrentDays", tDays.toString());
            }
            noncurrentTransitions.add(new Transition(tDays, null, storageClass,
                    transition.integer("NewerNoncurrentVersions")));
        }
        if (expiration == null && noncurrent == null && abort == null && transitions.isEmpty()
                && noncurrentTransitions.isEmpty()) {
            throw S3Exception.invalidRequest("At least one action needs to be specified in a rule");
        }
        return new Rule(id, status, filter, days, date, marker, noncurrentDays, newer, abortDays, transitions,
                noncurrentTransitions);
    }

    /** A rule's filter: the deprecated rule-level Prefix, or a Filter with at most one condition outside And. */
    private static Filter filter(Input rule) {
        Input filter = rule.struct("Filter");
        boolean legacy = rule.has("Prefix");
        if (legacy == (filter != null)) {
            throw S3Exception.malformedXml();
        }
        if (legacy) {
            return new Filter(rule.string("Prefix"), Map.of(), null, null, false, true);
        }
        int conditions = 0;
        for (String member : List.of("Prefix", "Tag", "ObjectSizeGreaterThan", "ObjectSizeLessThan", "And")) {
            conditions += filter.has(member) ? 1 : 0;
        }
        if (conditions > 1) {
            throw S3Exception.malformedXml();
        }
        Input and = filter.struct("And");
        if (and != null) {
            Map<String, String> tags = BucketTagging.distinct(and.listOrEmpty("Tags"));
            Filter read = new Filter(and.string("Prefix"), tags, and.longValue("ObjectSizeGreaterThan"),
                    and.longValue("ObjectSizeLessThan"), true, false);
            return checkSizes(read);
        }
        Input tag = filter.struct("Tag");
        Map<String, String> tags = tag == null ? Map.of() : Map.of(tag.string("Key"), tag.string("Value"));
        return checkSizes(new Filter(filter.string("Prefix"), tags, filter.longValue("ObjectSizeGreaterThan"),
                filter.longValue("ObjectSizeLessThan"), false, false));
    }

    /**
     * Size bounds that leave no object between them refused. S3's exact message is not on record; this one is the
     * one S3-compatible servers quote.
     */
    private static Filter checkSizes(Filter filter) {
        if (filter.sizeGreaterThan() != null && filter.sizeGreaterThan() < 0
                || filter.sizeLessThan() != null && filter.sizeLessThan() <= 0) {
            throw S3Exception.invalidArgument("ObjectSize must be a positive integer", "ObjectSize",
                    String.valueOf(filter.sizeLessThan() != null && filter.sizeLessThan() <= 0
                            ? filter.sizeLessThan() : filter.sizeGreaterThan()));
        }
        if (filter.sizeGreaterThan() != null && filter.sizeLessThan() != null
                && filter.sizeGreaterThan() >= filter.sizeLessThan()) {
            throw S3Exception.invalidArgument("ObjectSizeGreaterThan must be less than ObjectSizeLessThan",
                    "ObjectSizeGreaterThan", filter.sizeGreaterThan().toString());
        }
        return filter;
    }
}
