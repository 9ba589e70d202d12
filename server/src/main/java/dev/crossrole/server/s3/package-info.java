/**
 * Amazon S3 over REST-XML: buckets (global names), objects streamed to and from the data directory,
 * multipart uploads, tagging and bucket policies enforced with the policy engine. {@link
 * dev.crossrole.server.s3.S3Service} is the surface the pipeline calls; storage sits behind {@link
 * dev.crossrole.server.s3.S3Repository}.
 */
package dev.crossrole.server.s3;
