/**
 * Amazon Elastic Container Registry: repositories, their policies and lifecycle policies, layers uploaded through the
 * ECR API, image manifests, the registry's authorization tokens and layer download URLs, and the registry's own API
 * (the Docker Registry HTTP API v2, {@code RegistryApi}) over the same repositories, each request authorized as the
 * ECR action it stands for.
 */
package dev.crossrole.server.ecr;
