import { ResourceRule, StackFinding, StackRule, list } from "../framework";
import { K8S_WORKLOAD_TYPES, matchesSelector, podLabelsOf } from "./common";

export const networkpolicyRequireWorkloadCoverage: StackRule = {
    kind: "stack",
    name: "kubernetes-networking-networkpolicy-require-workload-coverage",
    description: "Every workload's namespace denies by default, and an allow policy selects the workload's pods.",
    severity: "high",
    category: "least-privilege",
    target: "kubernetes",
    frameworks: { "NIST-800-53": ["SC-7", "AC-4"], "PCI-DSS": ["1.2.1"], CIS: ["Kubernetes 5.3.2"] },
    remediation: "Add a default-deny NetworkPolicy per namespace and an allow policy per workload.",
    check: (resources) => {
        const policies = resources.filter((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy");
        const out: StackFinding[] = [];
        for (const w of resources.filter((r) => K8S_WORKLOAD_TYPES.includes(r.type))) {
            const ns = w.props.metadata?.namespace;
            const labels = podLabelsOf(w.type, w.props);
            const inNs = policies.filter((p) => p.props.metadata?.namespace === ns);
            const deny = inNs.some(
                (p) =>
                    Object.keys(p.props.spec?.podSelector ?? {}).length === 0 &&
                    list(p.props.spec?.ingress).length === 0 &&
                    list(p.props.spec?.policyTypes).includes("Ingress"),
            );
            const allow = inNs.some(
                (p) => Object.keys(p.props.spec?.podSelector?.matchLabels ?? {}).length > 0 && matchesSelector(p.props.spec?.podSelector, labels),
            );
            if (!deny) out.push({ urn: w.urn, name: w.name, message: `namespace ${ns} of ${w.props.metadata?.name} has no default-deny policy` });
            else if (!allow) out.push({ urn: w.urn, name: w.name, message: `no NetworkPolicy selects the pods of ${w.props.metadata?.name}` });
        }
        return out;
    },
};

/** Namespaces shared by many system pods: admitting one of them whole admits all of its pods. */
const SHARED_NAMESPACES = ["kube-system"];

export const networkpolicyDisallowSharedNamespaceIngress: ResourceRule = {
    kind: "resource",
    name: "kubernetes-networking-networkpolicy-disallow-shared-namespace-ingress",
    description: "An ingress rule admitting a shared system namespace (kube-system) must also select the pods it admits.",
    severity: "high",
    category: "least-privilege",
    target: "kubernetes",
    frameworks: { "NIST-800-53": ["SC-7", "AC-4"], "PCI-DSS": ["1.2.1"] },
    remediation: "Add a podSelector (the controller's labels) next to the namespaceSelector of kube-system.",
    params: { sharedNamespaces: { type: "array", default: SHARED_NAMESPACES, description: "Namespaces that may not be admitted whole." } },
    types: ["kubernetes:networking.k8s.io/v1:NetworkPolicy"],
    check: (p, ctx) => {
        const shared: string[] = (ctx.config.sharedNamespaces as string[] | undefined) ?? SHARED_NAMESPACES;
        const whole = list(p.spec?.ingress)
            .flatMap((rule: any) => list(rule.from))
            .filter((peer: any) => shared.includes(peer.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"]) && !peer.podSelector)
            .map((peer: any) => peer.namespaceSelector.matchLabels["kubernetes.io/metadata.name"]);
        return whole.length > 0 ? `${p.metadata?.name} admits every pod of ${[...new Set(whole)].join(", ")}` : undefined;
    },
};

export const networkpolicyRestrictInternetEgress: ResourceRule = {
    kind: "resource",
    name: "kubernetes-networking-networkpolicy-restrict-internet-egress",
    description:
        "Production NetworkPolicies must not allow egress to the whole internet (an ipBlock of /0): each destination outside the cluster is named by its own addresses, so a compromised pod cannot send data anywhere.",
    severity: "high",
    category: "least-privilege",
    target: "kubernetes",
    productionOnly: true,
    frameworks: { "NIST-800-53": ["SC-7(5)", "AC-4"], "PCI-DSS": ["1.3.2"], CIS: ["Kubernetes 5.3.2"] },
    remediation:
        "Name the destinations' CIDRs (k8sObjectStorageCidrs, k8sApiServerCidrs, k8sApiEgressCidrs, k8sModelSourceCidrs; models from k8sModelRegistry), or record an exception next to k8sAllowInternetEgress.",
    types: ["kubernetes:networking.k8s.io/v1:NetworkPolicy"],
    check: (p) => {
        const open = list(p.spec?.egress)
            .flatMap((rule: any) => list(rule.to))
            .map((peer: any) => peer.ipBlock?.cidr)
            .filter((c: unknown): c is string => typeof c === "string" && /\/0$/.test(c));
        return open.length > 0 ? `${p.metadata?.name} allows egress to ${[...new Set(open)].join(", ")}` : undefined;
    },
};

export const ciliumnetworkpolicyRestrictInternetEgress: ResourceRule = {
    kind: "resource",
    name: "kubernetes-cilium-ciliumnetworkpolicy-restrict-internet-egress",
    description:
        "Production CiliumNetworkPolicies (egressDestinations with k8sFqdnPolicy cilium) must not open egress to the whole internet: no toCIDR/toCIDRSet of /0, no toEntities world or all, no toFQDNs pattern matching every name.",
    severity: "high",
    category: "least-privilege",
    target: "kubernetes",
    productionOnly: true,
    frameworks: { "NIST-800-53": ["SC-7(5)", "AC-4"], "PCI-DSS": ["1.3.2"] },
    remediation: "Name each destination by its host (matchName, or *.<domain>) or its own CIDR in egressDestinations.",
    types: ["kubernetes:cilium.io/v2:CiliumNetworkPolicy"],
    check: (p) => {
        const open: string[] = [];
        for (const rule of list<any>(p.spec?.egress)) {
            for (const c of [...list<string>(rule.toCIDR), ...list<any>(rule.toCIDRSet).map((x) => x?.cidr)])
                if (typeof c === "string" && /\/0$/.test(c)) open.push(c);
            for (const e of list<string>(rule.toEntities)) if (e === "world" || e === "all") open.push(`entity ${e}`);
            for (const f of list<any>(rule.toFQDNs))
                if (typeof f?.matchPattern === "string" && /^\*+$/.test(f.matchPattern)) open.push(`toFQDNs ${f.matchPattern}`);
        }
        return open.length > 0 ? `${p.metadata?.name} allows egress to ${[...new Set(open)].join(", ")}` : undefined;
    },
};
