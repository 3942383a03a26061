import { StackRule, isProduction } from "../framework";
import { matchesSelector } from "./common";

export const deploymentRequireReplicas: StackRule = {
    kind: "stack",
    name: "kubernetes-apps-deployment-require-replicas",
    description: "Production Deployments run at least two replicas (the HPA's minimum when an HPA scales them).",
    severity: "medium",
    category: "resilience",
    target: "kubernetes",
    frameworks: { "NIST-800-53": ["CP-10"] },
    remediation: "Set the HPA's minReplicas (or spec.replicas without an HPA) to 2 or more.",
    params: { minReplicas: { type: "integer", default: 2, description: "Minimum replicas in production." } },
    check: (resources, config) => {
        const hpas = resources.filter((r) => r.type.startsWith("kubernetes:autoscaling/") && r.type.endsWith(":HorizontalPodAutoscaler"));
        return resources
            .filter((r) => r.type === "kubernetes:apps/v1:Deployment" && isProduction(r.props))
            .flatMap((d) => {
                const hpa = hpas.find(
                    (h) =>
                        h.props.metadata?.namespace === d.props.metadata?.namespace &&
                        h.props.spec?.scaleTargetRef?.kind === "Deployment" &&
                        h.props.spec?.scaleTargetRef?.name === d.props.metadata?.name,
                );
                const replicas = Number(hpa ? (hpa.props.spec?.minReplicas ?? 1) : (d.props.spec?.replicas ?? 1));
                return replicas < config.minReplicas
                    ? [
                          {
                              urn: (hpa ?? d).urn,
                              name: (hpa ?? d).name,
                              message: `deployment ${d.props.metadata?.name} runs ${replicas} replica(s)${hpa ? " (HPA minimum)" : ""}`,
                          },
                      ]
                    : [];
            });
    },
};

export const deploymentRequirePdb: StackRule = {
    kind: "stack",
    name: "kubernetes-apps-deployment-require-pdb",
    description: "Production Deployments must be covered by a PodDisruptionBudget.",
    severity: "medium",
    category: "resilience",
    target: "kubernetes",
    frameworks: { "NIST-800-53": ["CP-10"] },
    remediation: "Add a PodDisruptionBudget selecting the pods.",
    check: (resources) => {
        const pdbs = resources.filter((r) => r.type === "kubernetes:policy/v1:PodDisruptionBudget");
        return resources
            .filter((r) => r.type === "kubernetes:apps/v1:Deployment" && isProduction(r.props))
            .filter((d) => {
                const labels = d.props.spec?.template?.metadata?.labels ?? {};
                return !pdbs.some((p) => p.props.metadata?.namespace === d.props.metadata?.namespace && matchesSelector(p.props.spec?.selector, labels));
            })
            .map((d) => ({ urn: d.urn, name: d.name, message: `deployment ${d.props.metadata?.name} has no PodDisruptionBudget` }));
    },
};
