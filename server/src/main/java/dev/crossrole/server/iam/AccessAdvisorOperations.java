package dev.crossrole.server.iam;

import static dev.crossrole.server.iam.IamSupport.account;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crossrole.policy.Policy;
import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.service.Call;
import dev.crossrole.server.service.PreparedCall;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * IAM's access advisor: a report, for a user, group, role or managed policy, of every service its permissions
 * policies allow and when the entities it covers last tried each (from {@link ServiceLastAccess}). The report is
 * computed when {@code GenerateServiceLastAccessedDetails} is called, so its job is {@code COMPLETED} at once; the
 * job is kept (and stored) for the principal that started it, who alone may read it.
 *
 * <p>Which entities a report covers: a user or role itself; a group's members; a policy's users and roles, and the
 * members of its groups. The services are those the Allow statements' {@code Action}/{@code NotAction} elements name
 * (denies, boundaries and organization policies are not considered, as IAM says of this report). An entity's attempt
 * of a service counts whichever of its policies it came under.
 */
final class AccessAdvisorOperations {
    /** Services whose actions IAM tracks one by one (IAM User Guide, "action last accessed information"). */
    static final Set<String> TRACKED_SERVICES = Set.of("s3", "iam", "ec2", "lambda");
    private static final Pattern ARN = Pattern.compile("arn:aws:iam::(\\d{12}|aws):(user|group|role|policy)(/.*)");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final IamDirectory iam;

    AccessAdvisorOperations(IamSupport support) {
        this.iam = support.iam;
    }

    /** A user or role a report covers. */
    private record Covered(String arn, String name, String type, String id, String path) {}

    /** What a report is about: the entities it covers and the permissions policies it reads. */
    private record Subject(List<Covered> entities, List<Policy> policies) {}

    // ---- GenerateServiceLastAccessedDetails ---------------------------------------------------

    PreparedCall generateServiceLastAccessedDetails(Call call, Input input) {
        String arn = input.string("Arn");
        String granularity = input.string("Granularity") == null ? "SERVICE_LEVEL" : input.string("Granularity");
        if (!arn.startsWith("arn:") || arn.split(":", 6).length < 6) {
            throw IamSupport.invalidInput("ARN " + arn + " is not valid.");
        }
        var match = ARN.matcher(arn);
        if (!match.matches() || match.group(3).length() < 2) {
            throw IamSupport.invalidInput("ARN " + arn + " is not valid: the report is made for an IAM user, group,"
                    + " role or managed policy.");
        }
        return PreparedCall.of(List.of(IamSupport.check("iam:GenerateServiceLastAccessedDetails", arn,
                RequestContext.empty())), () -> {
            Subject subject = subject(call, arn, match.group(2));
            Instant now = iam.clock().instant();
            AccessReport report = new AccessReport(UUID.randomUUID().toString(), account(call), call.caller().arn(), arn,
                    granularity, now, now, services(subject, granularity.equals("ACTION_LEVEL")));
            synchronized (iam) {
                iam.serviceLastAccess().putJob(report);
            }
            return Shape.of().put("JobId", report.jobId());
        });
    }

    /** The entity an ARN names in the caller's account (a policy may be AWS's), with what the report covers. */
    private Subject subject(Call call, String arn, String kind) {
        String account = account(call);
        String name = arn.substring(arn.lastIndexOf('/') + 1);
        switch (kind) {
            case "user" -> {
                IamUser user = iam.user(account, name).filter(u -> u.arn().equals(arn))
                        .orElseThrow(() -> IamSupport.noSuchUser(name));
                return new Subject(List.of(covered(user)), iam.identityPolicies(user));
            }
            case "role" -> {
                Role role = iam.role(account, name).filter(r -> r.arn().equals(arn))
                        .orElseThrow(() -> IamSupport.noSuchRole(name));
                return new Subject(List.of(covered(role)), iam.identityPolicies(role));
            }
            case "group" -> {
                Group group = iam.group(account, name).filter(g -> g.arn().equals(arn))
                        .orElseThrow(() -> IamSupport.noSuchEntity("The group with name " + name + " cannot be found."));
                List<Covered> members = new ArrayList<>();
                for (String member : group.members()) {
                    iam.user(account, member).ifPresent(u -> members.add(covered(u)));
                }
                List<Policy> policies = new ArrayList<>(group.inlinePolicies().values());
                group.attachedPolicyArns().forEach(a -> iam.policy(a).ifPresent(p -> policies.add(p.document())));
                return new Subject(members, policies);
            }
            default -> {
                ManagedPolicy policy = iam.policy(arn).filter(p -> p.awsManaged() || p.account().equals(account))
                        .orElseThrow(() -> IamSupport.noSuchEntity("Policy " + arn + " does not exist or is not"
                                + " attachable."));
                Map<String, Covered> entities = new LinkedHashMap<>();
                for (IamUser user : iam.users(account)) {
                    if (user.attachedPolicyArns().contains(arn)) {
                        entities.putIfAbsent(user.userId(), covered(user));
                    }
                }
                for (Role role : iam.roles(account)) {
                    if (role.attachedPolicyArns().contains(arn)) {
                        entities.putIfAbsent(role.roleId(), covered(role));
                    }
                }
                for (Group group : iam.groups(account)) {
                    if (group.attachedPolicyArns().contains(arn)) {
                        for (String member : group.members()) {
                            iam.user(account, member).ifPresent(u -> entities.putIfAbsent(u.userId(), covered(u)));
                        }
                    }
                }
                return new Subject(List.copyOf(entities.values()), List.of(policy.document()));
            }
        }
    }

    private static Covered covered(IamUser user) {
        return new Covered(user.arn(), user.name(), "USER", user.userId(), user.path());
    }

    private static Covered covered(Role role) {
        return new Covered(role.arn(), role.name(), "ROLE", role.roleId(), role.path());
    }

    /** Every service the policies allow, by namespace, with the covered entities' latest attempts. */
    private List<AccessReport.Service> services(Subject subject, boolean actionLevel) {
        Map<String, Map<String, ServiceLastAccess.Use>> usesById = new LinkedHashMap<>();
        for (Covered entity : subject.entities()) {
            usesById.put(entity.id(), iam.serviceLastAccess().uses(entity.id()));
        }
        List<AccessReport.Service> out = new ArrayList<>();
        for (String namespace : grantedServices(subject.policies().stream().map(Policy::text).toList())) {
            String prefix = namespace + ":";
            List<AccessReport.Entity> entities = new ArrayList<>();
            Map<String, AccessReport.TrackedAction> tracked = new TreeMap<>();
            AccessReport.Entity latest = null;
            String latestRegion = null;
            for (Covered entity : subject.entities()) {
                ServiceLastAccess.Use last = null;
                for (Map.Entry<String, ServiceLastAccess.Use> use : usesById.get(entity.id()).entrySet()) {
                    if (!use.getKey().toLowerCase(Locale.ROOT).startsWith(prefix)) {
                        continue;
                    }
                    if (last == null || use.getValue().when().isAfter(last.when())) {
                        last = use.getValue();
                    }
                    String action = use.getKey().substring(prefix.length());
                    if (actionLevel && TRACKED_SERVICES.contains(namespace) && tracks(namespace, action)) {
                        AccessReport.TrackedAction known = tracked.get(action);
                        if (known == null || use.getValue().when().isAfter(known.when())) {
                            tracked.put(action, new AccessReport.TrackedAction(action, entity.arn(),
                                    use.getValue().when(), use.getValue().region()));
                        }
                    }
                }
                AccessReport.Entity detail = new AccessReport.Entity(entity.arn(), entity.name(), entity.type(),
                        entity.id(), entity.path(), last == null ? null : last.when());
                entities.add(detail);
                if (last != null && (latest == null || last.when().isAfter(latest.lastAuthenticated()))) {
                    latest = detail;
                    latestRegion = last.region();
                }
            }
            // Most recent first, as IAM sorts GetServiceLastAccessedDetailsWithEntities; never-used last, by name.
            entities.sort(Comparator.comparing(AccessReport.Entity::lastAuthenticated,
                    Comparator.nullsLast(Comparator.reverseOrder())).thenComparing(AccessReport.Entity::name));
            int total = (int) entities.stream().filter(e -> e.lastAuthenticated() != null).count();
            out.add(new AccessReport.Service(namespace, ServiceNamespaces.name(namespace),
                    latest == null ? null : latest.lastAuthenticated(), latest == null ? null : latest.arn(),
                    latestRegion, total, actionLevel && !tracked.isEmpty() ? List.copyOf(tracked.values()) : null,
                    entities));
        }
        return out;
    }

    /** Whether IAM tracks an action one by one: for S3, its management actions, not object (data) actions. */
    static boolean tracks(String namespace, String action) {
        if (!namespace.equals("s3")) {
            return true;
        }
        return !action.contains("Object") && !action.contains("MultipartUpload")
                && !action.equals("ListBucket") && !action.equals("ListBucketVersions");
    }

    /**
     * The service namespaces the Allow statements of these policy documents name: an {@code Action}'s service part
     * (a glob, matched against every namespace of the Service Authorization Reference; an exact one even when the
     * reference lacks it), or for a {@code NotAction} every namespace but those it excludes whole ({@code svc:*}).
     */
    static SortedSet<String> grantedServices(List<String> documents) {
        SortedSet<String> out = new TreeSet<>();
        Set<String> known = ServiceNamespaces.all().keySet();
        for (String document : documents) {
            JsonNode root;
            try {
                root = JSON.readTree(document);
            } catch (IOException e) {
                continue;
            }
            JsonNode statements = root.path("Statement");
            for (JsonNode statement : statements.isArray() ? statements : JSON.createArrayNode().add(statements)) {
                if (!"Allow".equals(statement.path("Effect").asText())) {
                    continue;
                }
                if (statement.has("Action")) {
                    for (String action : strings(statement.get("Action"))) {
                        String service = action.equals("*") ? "*" : action.substring(0, Math.max(0, action.indexOf(':')));
                        if (service.isEmpty()) {
                            continue;
                        }
                        if (service.contains("*") || service.contains("?")) {
                            Pattern glob = glob(service);
                            known.stream().filter(s -> glob.matcher(s).matches()).forEach(out::add);
                        } else {
                            out.add(service.toLowerCase(Locale.ROOT));
                        }
                    }
                } else if (statement.has("NotAction")) {
                    List<Pattern> excluded = new ArrayList<>();
                    for (String action : strings(statement.get("NotAction"))) {
                        int colon = action.indexOf(':');
                        if (action.equals("*")) {
                            excluded.add(glob("*"));
                        } else if (colon > 0 && action.substring(colon + 1).equals("*")) {
                            excluded.add(glob(action.substring(0, colon)));
                        }
                    }
                    known.stream().filter(s -> excluded.stream().noneMatch(p -> p.matcher(s).matches()))
                            .forEach(out::add);
                }
            }
        }
        return out;
    }

    private static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isTextual()) {
            out.add(node.asText());
        } else {
            node.forEach(n -> out.add(n.asText()));
        }
        return out;
    }

    private static Pattern glob(String text) {
        StringBuilder regex = new StringBuilder();
        for (char c : text.toCharArray()) {
            regex.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE);
    }

    // ---- ListPoliciesGrantingServiceAccess -------------------------------------------------------

    /** One policy of an identity, as ListPoliciesGrantingServiceAccess names it, with its document. */
    private record Granting(Shape shape, String document) {}

    /**
     * The policies of a user (its own and its groups'), group or role that allow some action of each service namespace
     * asked for: by the service parts of their Allow statements' actions, as {@link #grantedServices} reads them.
     */
    PreparedCall listPoliciesGrantingServiceAccess(Call call, Input input) {
        String arn = input.string("Arn");
        List<String> namespaces = input.listOrEmpty("ServiceNamespaces");
        java.util.regex.Matcher m = ARN.matcher(arn);
        if (!m.matches() || m.group(2).equals("policy") || m.group(1).equals("aws")) {
            throw IamSupport.invalidInput("ARN " + arn + " is not valid.");
        }
        String kind = m.group(2);
        String name = arn.substring(arn.lastIndexOf('/') + 1);
        return PreparedCall.of(List.of(IamSupport.check("iam:ListPoliciesGrantingServiceAccess", arn,
                RequestContext.empty())), () -> {
            String account = account(call);
            List<Granting> policies = new ArrayList<>();
            switch (kind) {
                case "user" -> {
                    IamUser user = iam.user(account, name).filter(u -> u.arn().equals(arn))
                            .orElseThrow(() -> IamSupport.noSuchUser(name));
                    addAll(policies, user.inlinePolicies(), user.attachedPolicyArns(), "USER", user.name());
                    for (Group group : iam.groupsOf(account, user.name())) {
                        addAll(policies, group.inlinePolicies(), group.attachedPolicyArns(), "GROUP", group.name());
                    }
                }
                case "group" -> {
                    Group group = iam.group(account, name).filter(g -> g.arn().equals(arn)).orElseThrow(() ->
                            IamSupport.noSuchEntity("The group with name " + name + " cannot be found."));
                    addAll(policies, group.inlinePolicies(), group.attachedPolicyArns(), "GROUP", group.name());
                }
                default -> {
                    Role role = iam.role(account, name).filter(r -> r.arn().equals(arn))
                            .orElseThrow(() -> IamSupport.noSuchRole(name));
                    addAll(policies, role.inlinePolicies(), role.attachedPolicyArns(), "ROLE", role.name());
                }
            }
            List<Shape> entries = new ArrayList<>();
            for (String namespace : namespaces) {
                List<Shape> granting = new ArrayList<>();
                for (Granting policy : policies) {
                    if (grantedServices(List.of(policy.document())).contains(namespace.toLowerCase(Locale.ROOT))) {
                        granting.add(policy.shape());
                    }
                }
                entries.add(Shape.of().put("ServiceNamespace", namespace).put("Policies", granting));
            }
            return Shape.of().put("PoliciesGrantingServiceAccess", entries).put("IsTruncated", false);
        });
    }

    private void addAll(List<Granting> out, Map<String, Policy> inline, List<String> attached, String entityType,
                        String entityName) {
        inline.forEach((policyName, policy) -> out.add(new Granting(Shape.of().put("PolicyName", policyName)
                .put("PolicyType", "INLINE").put("EntityType", entityType).put("EntityName", entityName), policy.text())));
        for (String policyArn : attached) {
            iam.policy(policyArn).ifPresent(p -> out.add(new Granting(Shape.of().put("PolicyName", p.name())
                    .put("PolicyType", "MANAGED").put("PolicyArn", p.arn()), p.document().text())));
        }
    }

    // ---- GetServiceLastAccessedDetails(WithEntities) -------------------------------------------

    /** The caller's job: another principal's, or another account's, is not found. */
    private AccessReport job(Call call, String jobId) {
        return iam.serviceLastAccess().job(jobId)
                .filter(j -> j.account().equals(account(call)) && j.creator().equals(call.caller().arn()))
                .orElseThrow(() -> IamSupport.noSuchEntity("No report found for job id " + jobId + "."));
    }

    PreparedCall getServiceLastAccessedDetails(Call call, Input input) {
        String jobId = input.string("JobId");
        IamSupport.PageRequest page = IamSupport.pageRequest(input);
        return PreparedCall.of(List.of(IamSupport.check("iam:GetServiceLastAccessedDetails", "*", RequestContext.empty())),
                () -> {
                    AccessReport job = job(call, jobId);
                    IamSupport.Page<AccessReport.Service> p = IamSupport.page(job.services(), page);
                    Shape out = Shape.of().put("JobStatus", "COMPLETED").put("JobType", job.granularity())
                            .put("JobCreationDate", job.created())
                            .put("ServicesLastAccessed", IamSupport.shapes(p.items(), AccessAdvisorOperations::service))
                            .put("JobCompletionDate", job.completed());
                    return p.into(out);
                });
    }

    private static Shape service(AccessReport.Service s) {
        Shape shape = Shape.of().put("ServiceName", s.name());
        if (s.lastAuthenticated() != null) {
            shape.put("LastAuthenticated", s.lastAuthenticated());
        }
        shape.put("ServiceNamespace", s.namespace());
        if (s.lastAuthenticated() != null) {
            shape.put("LastAuthenticatedEntity", s.lastEntity()).put("LastAuthenticatedRegion", s.lastRegion());
        }
        shape.put("TotalAuthenticatedEntities", s.totalEntities());
        if (s.tracked() != null) {
            shape.put("TrackedActionsLastAccessed", IamSupport.shapes(s.tracked(), a -> Shape.of()
                    .put("ActionName", a.action()).put("LastAccessedEntity", a.entity())
                    .put("LastAccessedTime", a.when()).put("LastAccessedRegion", a.region())));
        }
        return shape;
    }

    PreparedCall getServiceLastAccessedDetailsWithEntities(Call call, Input input) {
        String jobId = input.string("JobId");
        String namespace = input.string("ServiceNamespace");
        IamSupport.PageRequest page = IamSupport.pageRequest(input);
        return PreparedCall.of(List.of(IamSupport.check("iam:GetServiceLastAccessedDetailsWithEntities", "*",
                RequestContext.empty())), () -> {
            AccessReport job = job(call, jobId);
            List<AccessReport.Entity> entities = job.services().stream()
                    .filter(s -> s.namespace().equalsIgnoreCase(namespace)).findFirst()
                    .map(AccessReport.Service::entities).orElse(List.of());
            IamSupport.Page<AccessReport.Entity> p = IamSupport.page(entities, page);
            Shape out = Shape.of().put("JobStatus", "COMPLETED").put("JobCreationDate", job.created())
                    .put("JobCompletionDate", job.completed())
                    .put("EntityDetailsList", IamSupport.shapes(p.items(), e -> {
                        Shape detail = Shape.of().put("EntityInfo", Shape.of().put("Arn", e.arn()).put("Name", e.name())
                                .put("Type", e.type()).put("Id", e.id()).put("Path", e.path()));
                        if (e.lastAuthenticated() != null) {
                            detail.put("LastAuthenticated", e.lastAuthenticated());
                        }
                        return detail;
                    }));
            return p.into(out);
        });
    }
}
