/**
 * The HTTP listener and the {@link dev.crossrole.server.http.Pipeline} that lists a request's stages. The
 * listener is Jetty 12's core API ({@link dev.crossrole.server.http.HttpFront}): Jetty parses and frames HTTP/1.1
 * and HTTP/2, bounds threads and connections, speaks WebSocket; one adapter turns its requests into
 * {@link dev.crossrole.server.http.HttpRequest}s and writes back {@link dev.crossrole.server.http.HttpResponse}s.
 * Nothing outside this package knows the HTTP library (a test checks the imports).
 */
package dev.crossrole.server.http;
