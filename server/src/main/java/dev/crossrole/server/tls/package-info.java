/**
 * TLS material for crossrole's HTTPS listener: a local certificate authority kept in the data directory and
 * the server certificate it issues for the names crossrole answers, or the operator's own PEM certificate and
 * key; either becomes a key store and an {@link javax.net.ssl.SSLContext} for the listener.
 */
package dev.crossrole.server.tls;
