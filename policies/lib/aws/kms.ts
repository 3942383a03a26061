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

/** Actions that use a key (encrypt, decrypt, grant), as opposed to administering it. */
const USE_ACTIONS = /^kms:(\*|Encrypt|Decrypt|ReEncrypt|GenerateDataKey|CreateGrant)/;

export const keyRequireScopedPolicy: ResourceRule = {
    kind: "resource",
    name: "aws-kms-key-require-scoped-policy",
    description:
        "KMS keys need an explicit key policy in which no statement lets the whole account use the key without a condition (the default policy does: any principal IAM allows may encrypt and decrypt).",
    severity: "high",
    category: "least-privilege",
    target: "aws",
    frameworks: { "NIST-800-53": ["AC-6", "SC-12"], "ISO-27001": ["A.8.24"] },
    remediation: "Give the key a policy: administrators administer, services use it through kms:ViaService or their service principal, named roles decrypt.",
    types: [T.kms],
    check: (p) => {
        if (!p.policy) return "key has the default key policy (every principal of the account may use it)";
        const broad = statements(p.policy).filter((s) => {
            const principals = [s.Principal?.AWS ?? []].flat().map(String);
            const actions = [s.Action ?? []].flat().map(String);
            return s.Effect === "Allow" && !s.Condition && principals.some((x) => /:root$/.test(x)) && actions.some((a) => USE_ACTIONS.test(a));
        });
        return broad.map((s) => `statement ${s.Sid ?? "(no Sid)"} lets every principal of the account use the key`);
    },
};
