/**
 * The contract between the pipeline and the services. A {@link dev.crossrole.server.service.ServiceProvider} binds its
 * operations by their model names in an {@link dev.crossrole.server.service.OperationTable}, each with the
 * {@link dev.crossrole.server.service.Authorization}s it asks for (a table held against the Service Authorization
 * Reference by a test); an {@link dev.crossrole.server.service.Operation} gets its input already read and checked by the
 * model, names the {@link dev.crossrole.server.service.AccessCheck}s it needs in a
 * {@link dev.crossrole.server.service.PreparedCall}, and executes once they pass. A
 * {@link dev.crossrole.server.service.Call} carries the authenticated {@link dev.crossrole.server.service.Caller}
 * (with its session's claims) and the request's facts. Services never see HTTP, nor how a request was signed.
 */
package dev.crossrole.server.service;
