/**
 * AWS KMS: symmetric keys, their key policies and aliases, and the ciphertexts only this crossrole can open.
 */
package dev.crossrole.server.kms;
