import { ResourceRule } from "../framework";
import { T } from "./common";

export const secretRequireCmk: ResourceRule = {
    kind: "resource",
    name: "aws-secretsmanager-secret-require-cmk",
    description: "Secrets Manager secrets must be encrypted with a customer-managed KMS key.",
    severity: "medium",
    category: "encryption",
    target: "aws",
    frameworks: { "NIST-800-53": ["SC-28", "SC-12"], "PCI-DSS": ["3.5.1"] },
    remediation: "Set kmsKeyId to a customer-managed key.",
    types: [T.secret],
    check: (p) => (!p.kmsKeyId ? "secret uses the AWS-managed key" : undefined),
};
