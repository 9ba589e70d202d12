/**
 * AWS KMS: symmetric, asymmetric and HMAC keys, their key policies, grants and aliases, and the ciphertexts only this
 * crossrole can open.
 */
package dev.crossrole.server.kms;
