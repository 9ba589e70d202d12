/**
 * crossrole's durable state.
 *
 * <p>{@link dev.crossrole.server.store.Store} is the one API every service writes through: records keyed by
 * (namespace, key) holding JSON, each with a version; commits are serialized, numbered by a global revision,
 * and acknowledged only once durable. {@link dev.crossrole.server.store.Stores} opens the configured one; the
 * embedded implementation is a journal plus snapshots in the data directory (records in memory, except the values of
 * the namespaces it leaves in its files, {@code logs.events}, read back on demand); the PostgreSQL one
 * ({@code PostgresStore}, schema by {@code PostgresMigrations}) is a table of records and a head row whose lock
 * serializes the writes of every node sharing the database.
 *
 * <p>The embedded store verifies its files at start ({@code StoreReading}): only a crash's torn tail of the
 * newest journal is cut ({@code JournalScan} states the rule); any other damage refuses the start, and
 * {@link dev.crossrole.server.store.EmbeddedStoreFiles} checks and repairs the files for {@code crossrole state
 * check|repair}. Everything written under the data directory is private to its user
 * ({@link dev.crossrole.server.store.PrivateFiles}).
 *
 * <p>Services keep their in-memory directories as caches for fast authorization reads.
 * {@link dev.crossrole.server.store.StateSync} ties them to the store through
 * {@link dev.crossrole.server.store.Replica}s: an API call that changes state runs inside
 * {@code StateSync.write}, which (under the store's write lock) first applies commits this node has not seen,
 * then runs the call on the caches, then commits exactly the entities the call touched; a failed call puts
 * the touched entities back from the store. Before serving any request a node applies newer commits, so
 * several nodes sharing one store behave as one.
 *
 * <p>Namespaces: {@code iam.accounts|users|roles|groups|policies|accessKeys|oidcProviders|instanceProfiles|roleDeletions|credentialReports} ({@link
 * dev.crossrole.server.store.IamRecords}), {@code ecs.clusters|families|taskDefinitions|tasks}
 * ({@code ecs.EcsPersistence}), {@code s3.buckets|objects|uploads|parts|completed} ({@code s3.StoreS3Repository}; object
 * bytes are blobs kept beside the records, written before the record that names them), {@code bootstrap.identities} (the configured accounts' administrators),
 * {@code secrets} (the session-token key, {@link dev.crossrole.server.store.SessionKey}).
 */
package dev.crossrole.server.store;
