import { ResourceRule } from "../framework";
import { objName } from "./common";

export const namespaceRequirePodSecurityRestricted: ResourceRule = {
    kind: "resource",
    name: "kubernetes-core-namespace-require-pod-security-restricted",
    description: "Namespaces must enforce the restricted Pod Security Standard.",
    severity: "high",
    category: "least-privilege",
    target: "kubernetes",
    frameworks: { CIS: ["Kubernetes 5.2.1"], "NIST-800-53": ["CM-7"] },
    remediation: "Label the namespace pod-security.kubernetes.io/enforce=restricted.",
    types: ["kubernetes:core/v1:Namespace"],
    check: (p) =>
        p.metadata?.labels?.["pod-security.kubernetes.io/enforce"] !== "restricted" ? `namespace ${objName(p)} does not enforce restricted` : undefined,
};
