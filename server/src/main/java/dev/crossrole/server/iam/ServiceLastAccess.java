package dev.crossrole.server.iam;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What IAM's access advisor reports from: for each user and role, when and from which region it last tried each
 * action (every authenticated attempt, allowed or denied, as IAM counts them), and the report jobs
 * {@code GenerateServiceLastAccessedDetails} started.
 *
 * <p>Recording is on the request path, so it only updates memory and marks the entity changed; the store takes the
 * changed entities with whatever it commits next, and a background writer commits them within seconds when nothing
 * else does (see {@code ServiceAccessRecords}). A crash loses at most those seconds of last-access data, which AWS
 * itself reports hours late. Jobs are committed with the call that started them.
 */
public final class ServiceLastAccess {
    /** How long a report job is kept. */
    static final Duration JOB_LIFETIME = Duration.ofDays(30);

    /** One attempt: when, and the region it was signed for. */
    public record Use(Instant when, String region) {}

    /** An entity's attempts by action ({@code s3:GetObject}), with its account. */
    public record Uses(String account, Map<String, Use> actions) {
        public Uses {
            actions = Map.copyOf(actions);
        }
    }

    private record Entry(String account, ConcurrentHashMap<String, Use> actions) {}

    private final ConcurrentHashMap<String, Entry> byEntity = new ConcurrentHashMap<>();
    private final Set<String> changedEntities = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<String, AccessReport> jobs = new ConcurrentHashMap<>();
    private final Set<String> changedJobs = ConcurrentHashMap.newKeySet();

    /** Notes that a user or role (by unique id) tried {@code action}; cheap, never touches the store. */
    public void record(String account, String entityId, String action, String region, Instant when) {
        if (account == null || entityId == null || action == null || action.indexOf(':') <= 0) {
            return;
        }
        Entry entry = byEntity.get(entityId);
        if (entry == null) {
            entry = byEntity.computeIfAbsent(entityId, id -> new Entry(account, new ConcurrentHashMap<>()));
        }
        // IAM's global endpoint is in us-east-1; clients signing for it may name the pseudo-region aws-global.
        String where = region == null || region.isEmpty() || region.equals("aws-global") ? "us-east-1" : region;
        Use known = entry.actions().get(action);
        if (known != null && known.region().equals(where) && known.when().getEpochSecond() == when.getEpochSecond()) {
            // The same action from the same region within the same second: the report cannot tell the difference, so
            // a busy caller neither allocates nor takes the entry's lock on every request.
            return;
        }
        entry.actions().merge(action, new Use(when, where), (old, now) -> now.when().isBefore(old.when()) ? old : now);
        changedEntities.add(entityId);
    }

    /** An entity's attempts, empty when it made none. */
    public Map<String, Use> uses(String entityId) {
        Entry entry = byEntity.get(entityId);
        return entry == null ? Map.of() : Map.copyOf(entry.actions());
    }

    /** An entity's attempts with its account, for the store. */
    public Optional<Uses> stored(String entityId) {
        Entry entry = byEntity.get(entityId);
        return entry == null || entry.actions().isEmpty() ? Optional.empty()
                : Optional.of(new Uses(entry.account(), entry.actions()));
    }

    /** Forgets a deleted user's or role's attempts. */
    public void forget(String entityId) {
        if (byEntity.remove(entityId) != null) {
            changedEntities.add(entityId);
        }
    }

    /**
     * Takes in attempts stored by this or another node: each action keeps the later attempt, so nodes sharing a
     * store converge whatever order their writes land in. Not a change to write back.
     */
    public void merge(String entityId, Uses stored) {
        Entry entry = byEntity.computeIfAbsent(entityId, id -> new Entry(stored.account(), new ConcurrentHashMap<>()));
        stored.actions().forEach((action, use) -> entry.actions().merge(action, use,
                (old, now) -> now.when().isBefore(old.when()) ? old : now));
    }

    /** Drops an entity whose record was deleted in the store (its user or role was deleted). */
    public void drop(String entityId) {
        byEntity.remove(entityId);
    }

    /** The entities whose attempts changed since the last call. */
    public List<String> takeChangedEntities() {
        return take(changedEntities);
    }

    /** Marks entities changed again (their write did not commit). */
    public void changedAgain(Collection<String> entityIds) {
        changedEntities.addAll(entityIds);
    }

    public boolean hasChangedEntities() {
        return !changedEntities.isEmpty();
    }

    // ---- report jobs ------------------------------------------------------------------------

    public Optional<AccessReport> job(String jobId) {
        return Optional.ofNullable(jobs.get(jobId));
    }

    /** Keeps a new job (and forgets those past their lifetime); written with the call that started it. */
    public void putJob(AccessReport job) {
        jobs.put(job.jobId(), job);
        changedJobs.add(job.jobId());
        Instant oldest = job.created().minus(JOB_LIFETIME);
        for (AccessReport old : List.copyOf(jobs.values())) {
            if (old.created().isBefore(oldest)) {
                jobs.remove(old.jobId());
                changedJobs.add(old.jobId());
            }
        }
    }

    /** A job read from the store. */
    public void installJob(AccessReport job) {
        jobs.put(job.jobId(), job);
    }

    public void removeJob(String jobId) {
        jobs.remove(jobId);
    }

    public List<String> takeChangedJobs() {
        return take(changedJobs);
    }

    private static List<String> take(Set<String> changed) {
        List<String> out = new ArrayList<>();
        for (String id : List.copyOf(changed)) {
            if (changed.remove(id)) {
                out.add(id);
            }
        }
        return out;
    }

    /** The entity ids with attempts recorded, for tests and the store's sweep. */
    Map<String, String> entities() {
        Map<String, String> out = new HashMap<>();
        byEntity.forEach((id, entry) -> out.put(id, entry.account()));
        return out;
    }
}
