import { isProduction, list, StackRule } from "../framework";
import { T, finding } from "./common";

export const statefulRequireProtect: StackRule = {
    kind: "stack",
    name: "aws-all-stateful-require-protect",
    description:
        "Production data (database instances, cache clusters, KMS keys, buckets other than access-log buckets) must carry Pulumi's protect option, so that no `pulumi destroy` or replacement deletes it.",
    severity: "high",
    category: "resilience",
    target: "aws",
    frameworks: { "NIST-800-53": ["CP-9", "SI-12"], "ISO-27001": ["A.8.13"] },
    remediation: "Keep protectData on for production (the preset's default), or set protect: true and retainOnDelete: true on the resource.",
    params: { exemptPurposes: { type: "array", default: ["alb-logs"], description: "Purpose tags of buckets that may go with the stack (regenerable logs)." } },
    check: (resources, config) =>
        resources
            .filter((r) => [T.rds, T.cache, T.kms, T.bucket, T.bucketV2].includes(r.type) && isProduction(r.props))
            .filter((r) => !((r.type === T.bucket || r.type === T.bucketV2) && list(config.exemptPurposes).includes(r.props.tags?.Purpose)))
            .filter((r) => r.opts?.protect !== true)
            .map((r) => finding(r, "production data without protect (a destroy or a replacement would delete it)")),
};
