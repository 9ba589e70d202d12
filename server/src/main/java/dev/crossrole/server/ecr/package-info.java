/**
 * Amazon Elastic Container Registry: repositories, their policies and lifecycle policies, layers uploaded through the
 * ECR API, image manifests, and the registry's authorization tokens.
 */
package dev.crossrole.server.ecr;
