/**
 * crossrole's durable state. {@link dev.crossrole.server.store.Store} is the one API every service writes
 * through: records keyed by (namespace, key), versioned, committed one transaction at a time with a global
 * revision, acknowledged only once durable. The embedded implementation is a journal plus snapshots in the
 * data directory; {@link dev.crossrole.server.store.Stores} opens the configured one.
 */
package dev.crossrole.server.store;
