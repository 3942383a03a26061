import { isProduction, StackRule, list, statements } from "../framework";
import { T, finding, referencing } from "./common";

export const bucketRequireKmsEncryption: StackRule = {
    kind: "stack",
    name: "aws-s3-bucket-require-kms-encryption",
    description:
        "Every bucket must default to SSE-KMS; SSE-S3 only for buckets tagged as ALB or S3 server access-log buckets (neither service can write with KMS).",
    severity: "high",
    category: "encryption",
    target: "aws",
    frameworks: { CIS: ["AWS 2.1.1"], "NIST-800-53": ["SC-28"], "PCI-DSS": ["3.5.1"], "ISO-27001": ["A.8.24"] },
    remediation: "Add a BucketServerSideEncryptionConfiguration with sseAlgorithm aws:kms and a customer-managed key.",
    check: (resources) =>
        resources
            .filter((r) => r.type === T.bucket || r.type === T.bucketV2)
            .flatMap((b) => {
                const configs = referencing(resources, [T.sse, T.sseV2], "bucket", b);
                const rules = configs.flatMap((c) => list(c.props.rules));
                const algos = rules.map((x: any) => x.applyServerSideEncryptionByDefault?.sseAlgorithm);
                const kms = rules.some(
                    (x: any) =>
                        String(x.applyServerSideEncryptionByDefault?.sseAlgorithm).startsWith("aws:kms") &&
                        x.applyServerSideEncryptionByDefault?.kmsMasterKeyId,
                );
                const albLogs = ["alb-logs", "access-logs"].includes(b.props.tags?.Purpose) && algos.includes("AES256");
                return kms || albLogs
                    ? []
                    : [finding(b, configs.length === 0 ? "bucket has no server-side encryption configuration" : "bucket is not encrypted with SSE-KMS")];
            }),
};

export const bucketRequireTlsOnlyPolicy: StackRule = {
    kind: "stack",
    name: "aws-s3-bucket-require-tls-only-policy",
    description: "Every bucket policy must deny requests without TLS (aws:SecureTransport false).",
    severity: "high",
    category: "encryption",
    target: "aws",
    frameworks: { CIS: ["AWS 2.1.2"], "NIST-800-53": ["SC-8"], "PCI-DSS": ["4.2.1"] },
    remediation: "Add a Deny statement on s3:* with Condition Bool aws:SecureTransport = false.",
    check: (resources) =>
        resources
            .filter((r) => r.type === T.bucket || r.type === T.bucketV2)
            .flatMap((b) => {
                const policies = referencing(resources, [T.bucketPolicy], "bucket", b);
                const ok = policies.some((p) =>
                    statements(p.props.policy).some((s) => s.Effect === "Deny" && String(s.Condition?.Bool?.["aws:SecureTransport"]) === "false"),
                );
                return ok ? [] : [finding(b, "bucket policy does not deny non-TLS requests")];
            }),
};

export const bucketRequireVersioning: StackRule = {
    kind: "stack",
    name: "aws-s3-bucket-require-versioning",
    description: "Buckets must have versioning enabled.",
    severity: "medium",
    category: "resilience",
    target: "aws",
    frameworks: { "NIST-800-53": ["CP-9"], "ISO-27001": ["A.8.13"] },
    remediation: "Add a BucketVersioning with status Enabled.",
    check: (resources) =>
        resources
            .filter((r) => r.type === T.bucket || r.type === T.bucketV2)
            .flatMap((b) =>
                referencing(resources, [T.versioning, T.versioningV2], "bucket", b).some((v) => v.props.versioningConfiguration?.status === "Enabled")
                    ? []
                    : [finding(b, "versioning is not enabled")],
            ),
};

export const bucketRequirePublicAccessBlock: StackRule = {
    kind: "stack",
    name: "aws-s3-bucket-require-public-access-block",
    description: "Buckets must block every form of public access.",
    severity: "critical",
    category: "least-privilege",
    target: "aws",
    frameworks: { CIS: ["AWS 2.1.4"], "NIST-800-53": ["AC-3", "SC-7"], "PCI-DSS": ["1.4.1"] },
    remediation: "Add a BucketPublicAccessBlock with all four settings true.",
    check: (resources) =>
        resources
            .filter((r) => r.type === T.bucket || r.type === T.bucketV2)
            .flatMap((b) =>
                referencing(resources, [T.pab], "bucket", b).some((p) =>
                    ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].every((k) => p.props[k] === true),
                )
                    ? []
                    : [finding(b, "public access is not fully blocked")],
            ),
};

export const bucketRequireAccessLogging: StackRule = {
    kind: "stack",
    name: "aws-s3-bucket-require-access-logging",
    description: "Production buckets that hold documents, backups or audit logs must write S3 server access logs (who read what).",
    severity: "medium",
    category: "compliance",
    target: "aws",
    frameworks: { CIS: ["AWS 3.6"], "NIST-800-53": ["AU-2", "AU-12"], "PCI-DSS": ["10.2.1"], "ISO-27001": ["A.8.15"] },
    remediation: "Add a BucketLogging to the access-log bucket (SecureBucket accessLogBucket).",
    params: { purposes: { type: "array", default: ["documents", "backups", "cloudtrail"], description: "Purpose tags of the buckets that must log access." } },
    check: (resources, config) =>
        resources
            .filter((r) => (r.type === T.bucket || r.type === T.bucketV2) && isProduction(r.props) && list(config.purposes).includes(r.props.tags?.Purpose))
            .filter((b) => referencing(resources, [T.bucketLogging, T.bucketLoggingV2], "bucket", b).length === 0)
            .map((b) => finding(b, `${b.props.tags?.Purpose} bucket writes no server access logs`)),
};

export const bucketRequireObjectLock: StackRule = {
    kind: "stack",
    name: "aws-s3-bucket-require-object-lock",
    description: "Production backup and audit-log buckets must have S3 Object Lock with a default retention (backups nobody can delete).",
    severity: "high",
    category: "resilience",
    target: "aws",
    frameworks: { "NIST-800-53": ["CP-9", "AU-9"], "PCI-DSS": ["10.3.3"], "ISO-27001": ["A.8.13"] },
    remediation: "Create the bucket with objectLockEnabled and add a BucketObjectLockConfiguration (SecureBucket objectLock).",
    params: { purposes: { type: "array", default: ["backups", "cloudtrail"], description: "Purpose tags of the buckets that must be locked." } },
    check: (resources, config) =>
        resources
            .filter((r) => (r.type === T.bucket || r.type === T.bucketV2) && isProduction(r.props) && list(config.purposes).includes(r.props.tags?.Purpose))
            .flatMap((b) => {
                if (b.props.objectLockEnabled !== true) return [finding(b, `${b.props.tags?.Purpose} bucket is created without Object Lock`)];
                const lock = referencing(resources, [T.objectLock, T.objectLockV2], "bucket", b);
                const ok = lock.some((l) => Number(l.props.rule?.defaultRetention?.days ?? 0) > 0 || Number(l.props.rule?.defaultRetention?.years ?? 0) > 0);
                return ok ? [] : [finding(b, `${b.props.tags?.Purpose} bucket has Object Lock without a default retention`)];
            }),
};
