import { ResourceRule } from "../framework";
import { T } from "./common";

export const loggroupRequireKms: ResourceRule = {
    kind: "resource",
    name: "aws-cloudwatch-loggroup-require-kms",
    description: "CloudWatch log groups must be encrypted with a customer-managed KMS key.",
    severity: "medium",
    category: "encryption",
    target: "aws",
    frameworks: { "NIST-800-53": ["AU-9", "SC-28"], "PCI-DSS": ["10.3.2"] },
    remediation: "Set kmsKeyId.",
    types: [T.logGroup],
    check: (p) => (!p.kmsKeyId ? "log group is not encrypted with a customer-managed key" : undefined),
};

export const trailRequireKms: ResourceRule = {
    kind: "resource",
    name: "aws-cloudtrail-trail-require-kms",
    description: "CloudTrail logs must be encrypted with a customer-managed KMS key.",
    severity: "high",
    category: "encryption",
    target: "aws",
    frameworks: { CIS: ["AWS 3.5"], "NIST-800-53": ["AU-9"], "PCI-DSS": ["10.3.2"] },
    remediation: "Set kmsKeyId.",
    types: [T.trail],
    check: (p) => (!p.kmsKeyId ? "trail is not encrypted with KMS" : undefined),
};

export const topicRequireKms: ResourceRule = {
    kind: "resource",
    name: "aws-sns-topic-require-kms",
    description: "SNS topics must be encrypted with KMS.",
    severity: "low",
    category: "encryption",
    target: "aws",
    frameworks: { "NIST-800-53": ["SC-28"] },
    remediation: "Set kmsMasterKeyId.",
    types: [T.topic],
    check: (p) => (!p.kmsMasterKeyId ? "topic is not encrypted" : undefined),
};

export const trailRequireMultiRegionValidation: ResourceRule = {
    kind: "resource",
    name: "aws-cloudtrail-trail-require-multi-region-validation",
    description: "Trails must be multi-region with log-file validation.",
    severity: "high",
    category: "compliance",
    target: "aws",
    frameworks: { CIS: ["AWS 3.1", "AWS 3.2"], "NIST-800-53": ["AU-9", "AU-12"], "PCI-DSS": ["10.3.4"] },
    remediation: "Set isMultiRegionTrail and enableLogFileValidation to true.",
    types: [T.trail],
    check: (p) => (p.isMultiRegionTrail !== true || p.enableLogFileValidation !== true ? "trail is not multi-region with log-file validation" : undefined),
};

export const loggroupRequireRetention: ResourceRule = {
    kind: "resource",
    name: "aws-cloudwatch-loggroup-require-retention",
    description: "Log groups must keep logs at least the configured days.",
    severity: "medium",
    category: "compliance",
    target: "aws",
    frameworks: { "NIST-800-53": ["AU-11"], "PCI-DSS": ["10.5.1"] },
    remediation: "Set retentionInDays.",
    params: { minDays: { type: "integer", default: 30, minimum: 1, description: "Minimum retention days." } },
    types: [T.logGroup],
    check: (p, ctx) => {
        const days = Number(p.retentionInDays ?? 0);
        return days !== 0 && days < ctx.config.minDays ? `retention ${days} < ${ctx.config.minDays} days` : days === 0 ? "no retention set" : undefined;
    },
};
