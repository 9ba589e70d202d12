/**
 * The record of each request (caller, action, resource, decision, outcome) and the bounded log of the most
 * recent ones: written by the pipeline, read by the admin API and by STS's DecodeAuthorizationMessage.
 */
package dev.crossrole.server.requestlog;
