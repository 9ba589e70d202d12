/** The {@code crossrole} command: offline policy tools now, the server and task commands as they land. */
package dev.crossrole.cli;
