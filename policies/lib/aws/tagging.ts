import { ResourceRule } from "../framework";
import { T } from "./common";

export const resourceRequireTags: ResourceRule = {
    kind: "resource",
    name: "aws-all-resource-require-tags",
    description: "Taggable resources must carry the ownership, environment and classification tags.",
    severity: "low",
    category: "compliance",
    target: "aws",
    frameworks: { "NIST-800-53": ["CM-8"], "ISO-27001": ["A.5.9"] },
    remediation: "Tag with Owner, Environment and DataClassification (the library does this for you).",
    params: {
        requiredTags: { type: "array", default: ["Owner", "Environment", "DataClassification"], description: "Tags every taggable resource needs." },
    },
    types: [T.rds, T.redis, T.bucket, T.kms, T.secret, T.logGroup, T.alb, T.lt, T.ecsService, T.taskDef, T.vpc, T.sg, T.trail, T.topic, T.role, T.waf],
    check: (p, ctx) => {
        const tags = p.tags ?? {};
        const missing = (ctx.config.requiredTags as string[]).filter((t) => !tags[t]);
        return missing.length > 0 ? `missing tags: ${missing.join(", ")}` : undefined;
    },
};
