/**
 * The HTTP listener and the {@link dev.crossrole.server.http.Pipeline} that lists a request's stages. The
 * listener is Jetty 12's core API ({@link dev.crossrole.server.http.HttpFront}): HTTP/1.1 and HTTP/2 (h2c on the
 * plain port, h2 by ALPN over TLS), WebSocket upgrades, bounds on threads, connections, idle clients and slow
 * request heads ({@code HttpLimits}, {@code HeadDeadline}); one adapter turns its requests into
 * {@link dev.crossrole.server.http.HttpRequest}s and writes back {@link dev.crossrole.server.http.HttpResponse}s.
 * Also here: the Host check ({@code HostCheck}), S3's side of HTTP ({@code S3Http}) and ECR's registry endpoint
 * ({@code RegistryHttp}). Nothing outside this package knows the HTTP library.
 */
package dev.crossrole.server.http;
