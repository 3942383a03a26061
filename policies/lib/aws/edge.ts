import { ALLOWED_TLS_POLICIES } from "../../../components/core/facts";
import { ResourceRule, StackResource, StackRule, list } from "../framework";
import { T, finding, referenced, referencing } from "./common";

export const listenerRequireTlsPolicy: ResourceRule = {
    kind: "resource",
    name: "aws-lb-listener-require-tls-policy",
    description: "HTTPS listeners must use an allowlisted TLS 1.2+ policy; other listeners may only redirect to HTTPS.",
    severity: "high",
    category: "encryption",
    target: "aws",
    frameworks: { "NIST-800-53": ["SC-8", "SC-13"], "PCI-DSS": ["4.2.1"], "ISO-27001": ["A.8.24"] },
    remediation: "Use protocol HTTPS with an allowlisted sslPolicy and a certificate.",
    params: { allowedPolicies: { type: "array", default: [...ALLOWED_TLS_POLICIES], description: "Allowed ELB security policies." } },
    types: [T.listener],
    check: (p, ctx) => {
        if (p.protocol === "HTTPS" || p.protocol === "TLS")
            return !(ctx.config.allowedPolicies as string[]).includes(p.sslPolicy) || !p.certificateArn
                ? `listener TLS policy ${p.sslPolicy ?? "(default)"} is not allowed`
                : undefined;
        return undefined;
    },
};

export const listenerRequireHttpsRedirect: ResourceRule = {
    kind: "resource",
    name: "aws-lb-listener-require-https-redirect",
    description: "Plain HTTP listeners must only redirect to HTTPS.",
    severity: "high",
    category: "encryption",
    target: "aws",
    frameworks: { "NIST-800-53": ["SC-8"], "PCI-DSS": ["4.2.1"] },
    remediation: "Make the default action a redirect with protocol HTTPS.",
    types: [T.listener],
    check: (p) => {
        if (p.protocol !== "HTTP") return undefined;
        const actions = list(p.defaultActions);
        return actions.length === 0 || actions.some((a: any) => a.type !== "redirect" || a.redirect?.protocol !== "HTTPS")
            ? "HTTP listener serves traffic instead of redirecting to HTTPS"
            : undefined;
    },
};

export const loadbalancerRequireDropInvalidHeaders: ResourceRule = {
    kind: "resource",
    name: "aws-lb-loadbalancer-require-drop-invalid-headers",
    description: "Application load balancers must drop invalid HTTP headers.",
    severity: "medium",
    category: "least-privilege",
    target: "aws",
    frameworks: { "NIST-800-53": ["SI-10"] },
    remediation: "Set dropInvalidHeaderFields: true.",
    types: [T.alb],
    check: (p) =>
        (p.loadBalancerType ?? "application") === "application" && p.dropInvalidHeaderFields !== true ? "ALB does not drop invalid headers" : undefined,
};

export const loadbalancerRequireDeletionProtection: ResourceRule = {
    kind: "resource",
    name: "aws-lb-loadbalancer-require-deletion-protection",
    description: "Production load balancers must have deletion protection.",
    severity: "medium",
    category: "resilience",
    target: "aws",
    productionOnly: true,
    frameworks: { "NIST-800-53": ["CP-10"] },
    remediation: "Set enableDeletionProtection: true.",
    types: [T.alb],
    check: (p) => (p.enableDeletionProtection !== true ? "deletion protection is off" : undefined),
};

export const loadbalancerRequireAccessLogs: ResourceRule = {
    kind: "resource",
    name: "aws-lb-loadbalancer-require-access-logs",
    description: "Load balancers must write access logs.",
    severity: "medium",
    category: "compliance",
    target: "aws",
    frameworks: { "NIST-800-53": ["AU-2", "AU-12"], "PCI-DSS": ["10.2.1"] },
    remediation: "Enable accessLogs to an S3 bucket.",
    types: [T.alb],
    check: (p) => (p.accessLogs?.enabled !== true || !p.accessLogs?.bucket ? "access logs are off" : undefined),
};

export const loadbalancerRequireWaf: StackRule = {
    kind: "stack",
    name: "aws-lb-loadbalancer-require-waf",
    description: "Every internet-facing ALB must have a WAFv2 web ACL that logs.",
    severity: "high",
    category: "compliance",
    target: "aws",
    frameworks: { "NIST-800-53": ["SC-7", "SI-4"], "PCI-DSS": ["6.4.2"] },
    remediation: "Associate a WebAcl (WebAclAssociation) and add a WebAclLoggingConfiguration.",
    check: (resources) =>
        resources
            .filter((r) => r.type === T.alb && r.props.internal !== true && (r.props.loadBalancerType ?? "application") === "application")
            .flatMap((alb) => {
                const assoc = referencing(resources, [T.wafAssoc], "resourceArn", alb);
                if (assoc.length === 0) return [finding(alb, "no WAF web ACL is associated")];
                const acls = assoc.map((a) => referenced(resources, a, "webAclArn", [T.waf])).filter((x): x is StackResource => !!x);
                const logged = acls.some((acl) => referencing(resources, [T.wafLogging], "resourceArn", acl).length > 0);
                return logged ? [] : [finding(alb, "the associated web ACL does not log")];
            }),
};
