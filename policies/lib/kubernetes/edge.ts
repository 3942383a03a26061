import { isProduction, ResourceRule, StackFinding, StackRule, list } from "../framework";
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

/** An ingress-nginx annotation that limits requests per client IP. */
const NGINX_RATE_LIMITS = ["nginx.ingress.kubernetes.io/limit-rps", "nginx.ingress.kubernetes.io/limit-rpm"];

export const edgeRequireRateLimit: StackRule = {
    kind: "stack",
    name: "kubernetes-edge-route-require-rate-limit",
    description:
        "Production routes to the API are rate-limited per client: every HTTPRoute with backends is the target of an Envoy Gateway BackendTrafficPolicy with a rate limit (itself or its Gateway), every Ingress carries ingress-nginx limit-rps or limit-rpm. (stack policy) *Production only.*",
    severity: "medium",
    category: "resilience",
    target: "kubernetes",
    productionOnly: true,
    frameworks: { "NIST-800-53": ["SC-5"] },
    remediation:
        "Set k8sGatewayRateLimit envoy-gateway when the GatewayClass is Envoy Gateway's (wafRateLimitPer5Min and edgeLoginPaths become its limits), or k8sEdgeMode ingress; with another controller, attach its own policy and record an exception.",
    check: (resources) => {
        const out: StackFinding[] = [];
        const limited = new Set<string>();
        for (const p of resources.filter((r) => r.type === "kubernetes:gateway.envoyproxy.io/v1alpha1:BackendTrafficPolicy")) {
            const rl = p.props.spec?.rateLimit;
            if (list(rl?.local?.rules).length === 0 && list(rl?.global?.rules).length === 0) continue;
            const ns = p.props.metadata?.namespace;
            for (const ref of [...list<any>(p.props.spec?.targetRefs), ...(p.props.spec?.targetRef ? [p.props.spec.targetRef] : [])])
                limited.add(`${ns}/${ref?.kind}/${ref?.name}`);
        }
        for (const route of resources.filter((r) => isCustom(r, "HTTPRoute") && isProduction(r.props))) {
            const backends = list<any>(route.props.spec?.rules).some((rule) => list(rule.backendRefs).length > 0);
            if (!backends) continue;
            const ns = route.props.metadata?.namespace;
            const viaGateway = list<any>(route.props.spec?.parentRefs).some((ref) => limited.has(`${ref?.namespace ?? ns}/Gateway/${ref?.name}`));
            if (!limited.has(`${ns}/HTTPRoute/${route.props.metadata?.name}`) && !viaGateway)
                out.push({
                    urn: route.urn,
                    name: route.name,
                    message: `HTTPRoute ${objName(route.props)} has no rate limit (no BackendTrafficPolicy with rateLimit targets it or its Gateway)`,
                });
        }
        for (const ing of resources.filter((r) => r.type === "kubernetes:networking.k8s.io/v1:Ingress" && isProduction(r.props))) {
            const annotations = ing.props.metadata?.annotations ?? {};
            if (!NGINX_RATE_LIMITS.some((a) => Number(annotations[a]) > 0))
                out.push({ urn: ing.urn, name: ing.name, message: `Ingress ${objName(ing.props)} has no limit-rps or limit-rpm annotation` });
        }
        return out;
    },
};
