import { ResourceRule, StackRule, list } from "../framework";
import { T, finding, isReplica, referenced } from "./common";

export const instanceRequireStorageEncryption: ResourceRule = {
    kind: "resource",
    name: "aws-rds-instance-require-storage-encryption",
    description: "RDS storage must be encrypted with a customer-managed KMS key.",
    severity: "critical",
    category: "encryption",
    target: "aws",
    frameworks: { CIS: ["AWS 2.3.1"], "NIST-800-53": ["SC-28"], "PCI-DSS": ["3.5.1"], "ISO-27001": ["A.8.24"] },
    remediation: "Set storageEncrypted: true and kmsKeyId to a customer-managed key.",
    types: [T.rds],
    check: (p) => (p.storageEncrypted !== true || !p.kmsKeyId ? "RDS storage is not encrypted with a customer-managed KMS key" : undefined),
};

export const instanceRequirePerformanceInsightsKms: ResourceRule = {
    kind: "resource",
    name: "aws-rds-instance-require-performance-insights-kms",
    description: "Performance Insights data must be encrypted with a customer-managed KMS key.",
    severity: "high",
    category: "encryption",
    target: "aws",
    frameworks: { "NIST-800-53": ["SC-28"], "ISO-27001": ["A.8.24"] },
    remediation: "Set performanceInsightsKmsKeyId when performanceInsightsEnabled is true.",
    types: [T.rds],
    check: (p) =>
        p.performanceInsightsEnabled === true && !p.performanceInsightsKmsKeyId ? "Performance Insights is on without a customer-managed KMS key" : undefined,
};

export const parametergroupRequireForceSsl: ResourceRule = {
    kind: "resource",
    name: "aws-rds-parametergroup-require-force-ssl",
    description: "PostgreSQL parameter groups must force TLS (rds.force_ssl = 1).",
    severity: "high",
    category: "encryption",
    target: "aws",
    frameworks: { "NIST-800-53": ["SC-8"], "PCI-DSS": ["4.2.1"], "ISO-27001": ["A.8.24"] },
    remediation: "Add the parameter rds.force_ssl = 1.",
    types: [T.rdsParams],
    check: (p) =>
        String(p.family ?? "").startsWith("postgres") && !list(p.parameters).some((x: any) => x.name === "rds.force_ssl" && String(x.value) === "1")
            ? "parameter group does not set rds.force_ssl = 1"
            : undefined,
};

export const instanceRequireTlsParameterGroup: StackRule = {
    kind: "stack",
    name: "aws-rds-instance-require-tls-parameter-group",
    description: "Every PostgreSQL instance must use a parameter group of this stack that forces TLS (not the default group).",
    severity: "high",
    category: "encryption",
    target: "aws",
    frameworks: { "NIST-800-53": ["SC-8"], "PCI-DSS": ["4.2.1"] },
    remediation: "Create a parameter group with rds.force_ssl = 1 and set parameterGroupName.",
    check: (resources) =>
        resources
            .filter((r) => r.type === T.rds && String(r.props.engine ?? "postgres").startsWith("postgres"))
            .flatMap((r) => {
                const pg =
                    referenced(resources, r, "parameterGroupName", [T.rdsParams]) ??
                    resources.find((x) => x.type === T.rdsParams && x.props.name === r.props.parameterGroupName);
                const forced = pg && list(pg.props.parameters).some((x: any) => x.name === "rds.force_ssl" && String(x.value) === "1");
                return forced ? [] : [finding(r, "instance does not use a parameter group that forces TLS")];
            }),
};

export const instanceDisallowPublicAccess: ResourceRule = {
    kind: "resource",
    name: "aws-rds-instance-disallow-public-access",
    description: "RDS instances must not be publicly accessible.",
    severity: "critical",
    category: "least-privilege",
    target: "aws",
    frameworks: { CIS: ["AWS 2.3.3"], "NIST-800-53": ["SC-7"], "PCI-DSS": ["1.4.1"] },
    remediation: "Set publiclyAccessible: false and use isolated subnets.",
    types: [T.rds],
    check: (p) => (p.publiclyAccessible === true ? "instance is publicly accessible" : undefined),
};

export const instanceRequireIamAuth: ResourceRule = {
    kind: "resource",
    name: "aws-rds-instance-require-iam-auth",
    description: "RDS instances should enable IAM database authentication.",
    severity: "medium",
    category: "least-privilege",
    target: "aws",
    frameworks: { "NIST-800-53": ["IA-2"] },
    remediation: "Set iamDatabaseAuthenticationEnabled: true.",
    types: [T.rds],
    check: (p) => (p.iamDatabaseAuthenticationEnabled !== true ? "IAM database authentication is off" : undefined),
};

export const instanceRequireBackupRetention: ResourceRule = {
    kind: "resource",
    name: "aws-rds-instance-require-backup-retention",
    description: "RDS automated backups must be kept at least the configured days.",
    severity: "high",
    category: "resilience",
    target: "aws",
    frameworks: { "NIST-800-53": ["CP-9"], "ISO-27001": ["A.8.13"] },
    remediation: "Raise backupRetentionPeriod.",
    params: { minDays: { type: "integer", default: 7, minimum: 1, maximum: 35, description: "Minimum backup retention days." } },
    types: [T.rds],
    check: (p, ctx) =>
        !isReplica(p) && Number(p.backupRetentionPeriod ?? 0) < ctx.config.minDays
            ? `backup retention ${p.backupRetentionPeriod ?? 0} < ${ctx.config.minDays} days`
            : undefined,
};

export const instanceRequireDeletionProtection: ResourceRule = {
    kind: "resource",
    name: "aws-rds-instance-require-deletion-protection",
    description: "Production databases must have deletion protection.",
    severity: "high",
    category: "resilience",
    target: "aws",
    productionOnly: true,
    frameworks: { "NIST-800-53": ["CP-9", "SI-12"] },
    remediation: "Set deletionProtection: true.",
    types: [T.rds],
    check: (p) => (p.deletionProtection !== true ? "deletion protection is off" : undefined),
};

export const instanceRequireFinalSnapshot: ResourceRule = {
    kind: "resource",
    name: "aws-rds-instance-require-final-snapshot",
    description: "Production primaries must take a final snapshot on deletion.",
    severity: "high",
    category: "resilience",
    target: "aws",
    productionOnly: true,
    frameworks: { "NIST-800-53": ["CP-9"] },
    remediation: "Set skipFinalSnapshot: false and finalSnapshotIdentifier.",
    types: [T.rds],
    check: (p) => (!isReplica(p) && (p.skipFinalSnapshot !== false || !p.finalSnapshotIdentifier) ? "no final snapshot on deletion" : undefined),
};

export const instanceRequireMultiAz: ResourceRule = {
    kind: "resource",
    name: "aws-rds-instance-require-multi-az",
    description: "Production primaries must be Multi-AZ.",
    severity: "high",
    category: "resilience",
    target: "aws",
    productionOnly: true,
    frameworks: { "NIST-800-53": ["CP-10", "SC-36"] },
    remediation: "Set multiAz: true.",
    types: [T.rds],
    check: (p) => (!isReplica(p) && p.multiAz !== true ? "primary is single-AZ" : undefined),
};

export const proxyRequireTlsAndIamAuth: ResourceRule = {
    kind: "resource",
    name: "aws-rds-proxy-require-tls-and-iam-auth",
    description: "RDS Proxies must require TLS and IAM authentication, and must not log SQL text.",
    severity: "high",
    category: "encryption",
    target: "aws",
    frameworks: { "NIST-800-53": ["SC-8", "IA-2"], "PCI-DSS": ["4.2.1"], "ISO-27001": ["A.8.24", "A.8.5"] },
    remediation: "Set requireTls: true, defaultAuthScheme: IAM_AUTH (or every auth with iamAuth REQUIRED) and debugLogging: false.",
    types: [T.rdsProxy],
    check: (p) => {
        const problems: string[] = [];
        if (p.requireTls !== true) problems.push("TLS is not required");
        const iam = p.defaultAuthScheme === "IAM_AUTH" || (list(p.auths).length > 0 && list(p.auths).every((a: any) => a.iamAuth === "REQUIRED"));
        if (!iam) problems.push("IAM authentication is not required");
        if (p.debugLogging === true) problems.push("debug logging writes SQL text to the logs");
        return problems.length > 0 ? `RDS Proxy: ${problems.join("; ")}` : undefined;
    },
};
