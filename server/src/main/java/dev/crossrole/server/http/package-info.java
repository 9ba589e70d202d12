/**
 * The HTTP listener adapter and the {@link dev.crossrole.server.http.Pipeline} that lists a request's
 * stages. Nothing outside this package knows the HTTP library.
 */
package dev.crossrole.server.http;
