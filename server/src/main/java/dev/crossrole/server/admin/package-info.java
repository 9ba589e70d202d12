/**
 * The {@code /_crossrole/*} API: health, accounts, recent requests with their explanations, tasks and their
 * logs (JSON), and exec into a task's container (a WebSocket).
 */
package dev.crossrole.server.admin;
