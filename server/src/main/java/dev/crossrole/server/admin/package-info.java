/** The {@code /_crossrole/*} JSON API: health, accounts, recent requests with their explanations. */
package dev.crossrole.server.admin;
