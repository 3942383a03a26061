import { ResourceRule, StackFinding, StackRule, list } from "../framework";
import { isCustom, objName } from "./common";

export const ingressRequireTls: ResourceRule = {
    kind: "resource",
    name: "kubernetes-networking-ingress-require-tls",
    description: "Every Ingress host must be covered by TLS.",
    severity: "high",
    category: "encryption",
    target: "kubernetes",
    frameworks: { "NIST-800-53": ["SC-8"], "PCI-DSS": ["4.2.1"] },
    remediation: "Add spec.tls with every host and a cert-manager certificate.",
    types: ["kubernetes:networking.k8s.io/v1:Ingress"],
    check: (p) => {
        const tlsHosts = list<any>(p.spec?.tls).flatMap((t) => list<string>(t.hosts));
        const missing = list<any>(p.spec?.rules)
            .map((r) => r.host)
            .filter((h) => !tlsHosts.includes(h));
        return missing.length > 0 || tlsHosts.length === 0 ? `Ingress ${objName(p)} serves ${missing.join(", ") || "hosts"} without TLS` : undefined;
    },
};

export const listenerRequireTls: StackRule = {
    kind: "stack",
    name: "kubernetes-gateway-listener-require-tls",
    description: "Gateway HTTPS listeners must terminate TLS with a certificate; plain HTTP listeners may only carry redirect routes.",
    severity: "high",
    category: "encryption",
    target: "kubernetes",
    frameworks: { "NIST-800-53": ["SC-8"], "PCI-DSS": ["4.2.1"] },
    remediation: "Give HTTPS listeners tls.certificateRefs; attach only RequestRedirect (scheme https) routes to HTTP listeners.",
    check: (resources) => {
        const out: StackFinding[] = [];
        const routes = resources.filter((r) => isCustom(r, "HTTPRoute"));
        for (const gw of resources.filter((r) => isCustom(r, "Gateway"))) {
            for (const l of list<any>(gw.props.spec?.listeners)) {
                if (l.protocol === "HTTPS" && list(l.tls?.certificateRefs).length === 0)
                    out.push({ urn: gw.urn, name: gw.name, message: `listener ${l.name} has no certificate` });
                if (l.protocol === "HTTP") {
                    for (const route of routes) {
                        const attached = list<any>(route.props.spec?.parentRefs).some(
                            (ref) => ref.name === gw.props.metadata?.name && (ref.sectionName === l.name || ref.sectionName === undefined),
                        );
                        if (!attached) continue;
                        const redirectOnly = list<any>(route.props.spec?.rules).every(
                            (rule) =>
                                list(rule.backendRefs).length === 0 &&
                                list<any>(rule.filters).some((f) => f.type === "RequestRedirect" && f.requestRedirect?.scheme === "https"),
                        );
                        if (!redirectOnly)
                            out.push({
                                urn: route.urn,
                                name: route.name,
                                message: `route ${route.props.metadata?.name} serves plain HTTP on listener ${l.name}`,
                            });
                    }
                }
            }
        }
        return out;
    },
};
