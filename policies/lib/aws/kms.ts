import { ResourceRule, statements } from "../framework";
import { T } from "./common";

export const keyEnableRotation: ResourceRule = {
    kind: "resource",
    name: "aws-kms-key-enable-rotation",
    description: "Customer-managed symmetric KMS keys must rotate automatically.",
    severity: "medium",
    category: "encryption",
    target: "aws",
    frameworks: { CIS: ["AWS 3.6"], "NIST-800-53": ["SC-12"], "PCI-DSS": ["3.7.4"] },
    remediation: "Set enableKeyRotation: true.",
    types: [T.kms],
    check: (p) =>
        (p.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT") === "SYMMETRIC_DEFAULT" && p.enableKeyRotation !== true ? "KMS key rotation is off" : undefined,
};

export const keyDisallowPublicPrincipal: ResourceRule = {
    kind: "resource",
    name: "aws-kms-key-disallow-public-principal",
    description: "KMS key policies must not allow any principal (`*`) without conditions.",
    severity: "critical",
    category: "least-privilege",
    target: "aws",
    frameworks: { "NIST-800-53": ["AC-3"], "ISO-27001": ["A.5.15"] },
    remediation: "Name the account or service principals in the key policy.",
    types: [T.kms],
    check: (p) =>
        statements(p.policy).some((s) => s.Effect === "Allow" && (s.Principal === "*" || s.Principal?.AWS === "*") && !s.Condition)
            ? "key policy allows any principal"
            : undefined,
};
