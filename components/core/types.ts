/**
 * The vocabulary every layer shares: targets, environments and the enumerations settings use.
 * The settings themselves are defined tier by tier in `components/settings/`.
 */

/** Where the stack is deployed. */
export const TARGETS = ["aws", "kubernetes"] as const;
export type Target = (typeof TARGETS)[number];

/**
 * The environments this library ships presets for, cheapest first: `development` (one developer
 * team's stack: the smallest sizes, still encrypted and private), `staging` and `production`.
 */
export const ENVIRONMENTS = ["development", "staging", "production"] as const;
export type EnvironmentName = (typeof ENVIRONMENTS)[number];

/** Data classification labels written to the `DataClassification` tag / label. */
export const DATA_CLASSIFICATIONS = ["public", "internal", "confidential", "restricted"] as const;
export type DataClassification = (typeof DATA_CLASSIFICATIONS)[number];

/** NAT gateway strategy of the AWS network: one, one per AZ, or none (no route to the internet from the private subnets). */
export const NAT_STRATEGIES = ["single", "perAz", "none"] as const;
export type NatStrategy = (typeof NAT_STRATEGIES)[number];

/** Edge implementation on Kubernetes. */
export const K8S_EDGE_MODES = ["gateway", "ingress"] as const;
export type KubernetesEdgeMode = (typeof K8S_EDGE_MODES)[number];

/** Where the Kubernetes target's generated credentials live: Secrets it creates, or External Secrets Operator. */
export const K8S_SECRET_MODES = ["native", "external"] as const;
export type KubernetesSecretMode = (typeof K8S_SECRET_MODES)[number];

/** Object storage on Kubernetes: an external S3-compatible endpoint, or one deployed in the cluster. */
export const OBJECT_STORAGE_MODES = ["external", "in-cluster"] as const;
export type ObjectStorageMode = (typeof OBJECT_STORAGE_MODES)[number];

/** Deep partial used for overrides. Arrays and records are replaced, not merged. */
export type DeepPartial<T> = {
    [K in keyof T]?: T[K] extends (infer U)[] ? U[] : T[K] extends Record<string, string> ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K];
};
