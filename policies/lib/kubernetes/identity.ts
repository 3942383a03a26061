import { ResourceRule, list } from "../framework";
import { objName } from "./common";

export const serviceaccountDisallowTokenAutomount: ResourceRule = {
    kind: "resource",
    name: "kubernetes-core-serviceaccount-disallow-token-automount",
    description: "Service accounts must not automount tokens by default.",
    severity: "low",
    category: "least-privilege",
    target: "kubernetes",
    frameworks: { CIS: ["Kubernetes 5.1.6"] },
    remediation: "Set automountServiceAccountToken: false on the ServiceAccount.",
    types: ["kubernetes:core/v1:ServiceAccount"],
    check: (p) => (p.automountServiceAccountToken !== false ? "service account automounts its token" : undefined),
};

export const roleDisallowWildcards: ResourceRule = {
    kind: "resource",
    name: "kubernetes-rbac-role-disallow-wildcards",
    description: "Roles must not use `*` in verbs, resources or API groups.",
    severity: "high",
    category: "least-privilege",
    target: "kubernetes",
    frameworks: { CIS: ["Kubernetes 5.1.3"], "NIST-800-53": ["AC-6"] },
    remediation: "List the verbs and resources explicitly.",
    types: ["kubernetes:rbac.authorization.k8s.io/v1:Role", "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole"],
    check: (p) =>
        list<any>(p.rules).some((r) => [...list(r.verbs), ...list(r.resources), ...list(r.apiGroups)].includes("*"))
            ? `role ${objName(p)} uses a wildcard`
            : undefined,
};

export const bindingDisallowClusterAdmin: ResourceRule = {
    kind: "resource",
    name: "kubernetes-rbac-binding-disallow-cluster-admin",
    description: "Nothing may be bound to cluster-admin.",
    severity: "critical",
    category: "least-privilege",
    target: "kubernetes",
    frameworks: { CIS: ["Kubernetes 5.1.1"], "NIST-800-53": ["AC-6(5)"] },
    remediation: "Bind a narrow Role instead.",
    types: ["kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding"],
    check: (p) => (p.roleRef?.name === "cluster-admin" ? `${objName(p)} binds cluster-admin` : undefined),
};
