/**
 * The contract between the pipeline and the services: an operation prepares a typed call from its
 * parameters, names the access checks it needs, and executes once they pass. Services never see
 * HTTP, XML or JSON.
 */
package dev.crossrole.server.service;
