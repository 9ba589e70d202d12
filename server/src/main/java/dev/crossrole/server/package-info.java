/**
 * The crossrole server: its options and accounts, the start ({@code CrossroleServer}: store, services, pipeline
 * and listener wired together), the bootstrap of the accounts' administrators and credentials, the node's
 * identity, and tightening the data directory's file modes.
 */
package dev.crossrole.server;
