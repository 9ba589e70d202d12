/**
 * What the checks of a request body and the services that store it share: the flexible checksum algorithms
 * ({@link dev.crossrole.server.payload.ChecksumAlgorithm}), the view of a body that digests itself as it is read
 * ({@link dev.crossrole.server.payload.DigestedBody}), and the rejection of a body that must not be stored
 * ({@link dev.crossrole.server.payload.PayloadRejectedException}).
 */
package dev.crossrole.server.payload;
