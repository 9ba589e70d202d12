/**
 * Calls crossrole makes to itself on a principal's behalf, as an AWS service's agent would: signed with the
 * principal's credentials and sent to crossrole's own endpoint, so the request pipeline authenticates, authorizes and
 * records them like any client's.
 */
package dev.crossrole.server.loopback;
