import { ResourceRule, list } from "../framework";
import { objName } from "./common";

export const serviceDisallowExposedDataServices: ResourceRule = {
    kind: "resource",
    name: "kubernetes-core-service-disallow-exposed-data-services",
    description: "Data services (database, cache, storage) must not be NodePort or LoadBalancer; no Service may set externalIPs.",
    severity: "high",
    category: "least-privilege",
    target: "kubernetes",
    frameworks: { "NIST-800-53": ["SC-7"], "PCI-DSS": ["1.3.1"] },
    remediation: "Use type ClusterIP and reach data services from inside the cluster.",
    params: {
        dataComponents: { type: "array", default: ["database", "cache", "storage"], description: "app.kubernetes.io/component values of data services." },
    },
    types: ["kubernetes:core/v1:Service"],
    check: (p, ctx) => {
        if (list(p.spec?.externalIPs).length > 0) return "service sets externalIPs";
        const component = p.metadata?.labels?.["app.kubernetes.io/component"];
        const data = (ctx.config.dataComponents as string[]).includes(component) || String(p.metadata?.namespace ?? "").endsWith("-data");
        return data && ["NodePort", "LoadBalancer"].includes(p.spec?.type) ? `data service ${objName(p)} is exposed as ${p.spec.type}` : undefined;
    },
};
