import { ResourceRule } from "../framework";
import { K8S_WORKLOAD_TYPES, objName } from "./common";

export const resourceRequireLabels: ResourceRule = {
    kind: "resource",
    name: "kubernetes-all-resource-require-labels",
    description: "Namespaced workloads and namespaces carry owner, environment and data-classification labels.",
    severity: "low",
    category: "compliance",
    target: "kubernetes",
    frameworks: { "NIST-800-53": ["CM-8"], "ISO-27001": ["A.5.9"] },
    remediation: "Add the ragstack.io/owner, ragstack.io/environment and ragstack.io/data-classification labels.",
    params: {
        requiredLabels: {
            type: "array",
            default: ["ragstack.io/owner", "ragstack.io/environment", "ragstack.io/data-classification"],
            description: "Labels every namespace and workload needs.",
        },
    },
    types: [...K8S_WORKLOAD_TYPES, "kubernetes:core/v1:Namespace"],
    check: (p, ctx) => {
        const labels = p.metadata?.labels ?? {};
        const missing = (ctx.config.requiredLabels as string[]).filter((l) => !labels[l]);
        return missing.length > 0 ? `${objName(p)} lacks labels ${missing.join(", ")}` : undefined;
    },
};
