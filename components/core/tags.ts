import { ENVIRONMENT_LABEL, ENVIRONMENT_TAG } from "./facts";
import { DataClassification, EnvironmentName } from "./types";

/** What tags and labels are made of: the stack's name, environment and tag settings. */
export interface Tagged {
    name: string;
    environment: EnvironmentName;
    tags: { owner: string; costCenter: string; dataClassification: DataClassification; extra: Record<string, string> };
}

/** AWS tags written on everything taggable. */
export function awsTags(s: Tagged): Record<string, string> {
    return {
        Project: s.name,
        [ENVIRONMENT_TAG]: s.environment,
        ManagedBy: "pulumi",
        Owner: s.tags.owner,
        CostCenter: s.tags.costCenter,
        DataClassification: s.tags.dataClassification,
        ...s.tags.extra,
    };
}

/** Kubernetes labels (recommended `app.kubernetes.io/*` plus ownership labels). */
export function k8sLabels(s: Tagged, component: string): Record<string, string> {
    const clean = (v: string) =>
        v
            .toLowerCase()
            .replace(/[^a-z0-9._-]/g, "-")
            .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, "")
            .slice(0, 63);
    return {
        "app.kubernetes.io/name": component,
        "app.kubernetes.io/instance": `${s.name}-${s.environment}`,
        "app.kubernetes.io/part-of": s.name,
        "app.kubernetes.io/managed-by": "pulumi",
        [ENVIRONMENT_LABEL]: s.environment,
        "ragstack.io/owner": clean(s.tags.owner),
        "ragstack.io/cost-center": clean(s.tags.costCenter),
        "ragstack.io/data-classification": s.tags.dataClassification,
    };
}
