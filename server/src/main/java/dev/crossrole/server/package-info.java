/** The crossrole server: configuration, bootstrap of accounts and credentials, and the wiring of the pipeline. */
package dev.crossrole.server;
