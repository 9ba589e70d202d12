/**
 * Small cryptographic checks shared by packages that must not depend on each other (TLS key files, IAM
 * certificates); it depends on the JDK only.
 */
package dev.crossrole.server.crypto;
