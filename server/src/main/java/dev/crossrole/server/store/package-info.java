/**
 * State kept across restarts. For now: the data directory with the server key, the bootstrap
 * identities (accounts, administrator users, their access keys) and the AWS CLI credentials file.
 */
package dev.crossrole.server.store;
