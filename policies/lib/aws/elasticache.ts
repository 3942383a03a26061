import { ResourceRule, list } from "../framework";
import { T } from "./common";

export const replicationgroupRequireAtRestEncryption: ResourceRule = {
    kind: "resource",
    name: "aws-elasticache-replicationgroup-require-at-rest-encryption",
    description: "ElastiCache data at rest must be encrypted with a customer-managed KMS key.",
    severity: "high",
    category: "encryption",
    target: "aws",
    frameworks: { "NIST-800-53": ["SC-28"], "PCI-DSS": ["3.5.1"], "ISO-27001": ["A.8.24"] },
    remediation: "Set atRestEncryptionEnabled: true and kmsKeyId.",
    types: [T.redis],
    check: (p) => (p.atRestEncryptionEnabled !== true || !p.kmsKeyId ? "ElastiCache is not encrypted at rest with a customer-managed key" : undefined),
};

export const replicationgroupRequireTransitEncryption: ResourceRule = {
    kind: "resource",
    name: "aws-elasticache-replicationgroup-require-transit-encryption",
    description: "ElastiCache must require TLS in transit.",
    severity: "high",
    category: "encryption",
    target: "aws",
    frameworks: { "NIST-800-53": ["SC-8"], "PCI-DSS": ["4.2.1"], "ISO-27001": ["A.8.24"] },
    remediation: "Set transitEncryptionEnabled: true (transitEncryptionMode: required).",
    types: [T.redis],
    check: (p) =>
        p.transitEncryptionEnabled !== true || (p.transitEncryptionMode !== undefined && p.transitEncryptionMode !== "required")
            ? "ElastiCache does not require encryption in transit"
            : undefined,
};

export const replicationgroupRequireAuthToken: ResourceRule = {
    kind: "resource",
    name: "aws-elasticache-replicationgroup-require-auth-token",
    description: "ElastiCache must require an AUTH token.",
    severity: "high",
    category: "least-privilege",
    target: "aws",
    frameworks: { "NIST-800-53": ["IA-2"], "PCI-DSS": ["8.3.1"] },
    remediation: "Set authToken (kept in Secrets Manager) or use RBAC user groups.",
    types: [T.redis],
    check: (p) => (!p.authToken && list(p.userGroupIds).length === 0 ? "ElastiCache accepts unauthenticated clients" : undefined),
};

export const replicationgroupRequireAutomaticFailover: ResourceRule = {
    kind: "resource",
    name: "aws-elasticache-replicationgroup-require-automatic-failover",
    description: "Production caches must have replicas with automatic failover across AZs.",
    severity: "medium",
    category: "resilience",
    target: "aws",
    productionOnly: true,
    frameworks: { "NIST-800-53": ["CP-10"] },
    remediation: "Set automaticFailoverEnabled, multiAzEnabled and numCacheClusters >= 2.",
    types: [T.redis],
    check: (p) =>
        p.automaticFailoverEnabled !== true || p.multiAzEnabled !== true || Number(p.numCacheClusters ?? 1) < 2
            ? "cache has no automatic failover to a replica in another AZ"
            : undefined,
};
