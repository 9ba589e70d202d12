/**
 * crossrole's own API under {@code /_crossrole/}: health, accounts, recent requests with their explanations,
 * tasks and their logs (JSON), and exec into a task's container over a WebSocket ({@code ExecEndpoint},
 * {@code ExecRelay}). Every route but the health check asks for the administrator's bearer token
 * ({@link dev.crossrole.server.admin.AdminToken}). The listener reaches it as a function from request to response.
 */
package dev.crossrole.server.admin;
