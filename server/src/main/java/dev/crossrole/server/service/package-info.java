/**
 * The contract between the pipeline and the services: a {@link dev.crossrole.server.service.Call} carries the
 * authenticated {@link dev.crossrole.server.service.Caller} (with its session's claims) and the request's facts;
 * an operation prepares a call from its parameters, names the {@link dev.crossrole.server.service.AccessCheck}s it
 * needs, and executes once they pass. Services never see HTTP, nor how a request was signed.
 */
package dev.crossrole.server.service;
