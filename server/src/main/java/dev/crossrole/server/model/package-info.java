/**
 * AWS's service models as crossrole reads them: {@link dev.crossrole.server.model.ServiceModels} holds every service's
 * operation table (protocol, signing name, each operation's HTTP binding, input and output shapes, errors, and
 * whether it only reads — from the Service Authorization Reference's access level), and each service's
 * {@link dev.crossrole.server.model.ShapeTable} (types, constraints, wire names) read on first use. Both are prepared
 * at build time by {@link dev.crossrole.server.model.OperationTableGenerator} and
 * {@link dev.crossrole.server.model.ShapeTableGenerator} from {@code src/main/aws}; the models' JSON is never parsed at
 * run time.
 */
package dev.crossrole.server.model;
