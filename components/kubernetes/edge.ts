import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { typeToken } from "../core/naming";
import { KubernetesEdgeMode } from "../core/types";
import { Validator } from "../core/validation";
import { API_PATH_RE, checkAlternativeNames, checkContentSecurityPolicy, DEFAULT_FRONTEND_CSP } from "../settings";
import { DEFAULT_CONTENT_SECURITY_POLICY, REFERRER_POLICIES } from "../core/facts";
import { K8sCommonArgs, K8sContext } from "./common";

export const HSTS_VALUE = "max-age=63072000; includeSubDomains";

export interface EdgeArgs extends K8sCommonArgs {
    /** `gateway` (Gateway API) or `ingress`. */
    mode: KubernetesEdgeMode;
    /** Public host name served. */
    domain: string;
    /** More host names served and on the certificate (wildcards as `*.name`: the issuer must be able to sign them). @default [] */
    alternativeNames?: string[];
    /** Namespace of the Gateway and its certificate (gateway mode). */
    edgeNamespace: pulumi.Input<string>;
    /** Namespace of the API Service. */
    appNamespace: pulumi.Input<string>;
    /** Name of the API's Kubernetes Service (in `appNamespace`). */
    apiServiceName: pulumi.Input<string>;
    /** Port of the API Service. */
    apiPort: number;
    /** cert-manager ClusterIssuer. */
    clusterIssuer: string;
    /** gateway mode. */
    gatewayClassName?: string;
    /** ingress mode. */
    ingressClassName?: string;
    /** Add HSTS. @default true */
    hsts?: boolean;
    /** Content-Security-Policy on every response; `none` sends none. @default "default-src 'none'; frame-ancestors 'none'" */
    contentSecurityPolicy?: string;
    /** Referrer-Policy on every response, one of REFERRER_POLICIES. @default "no-referrer" */
    referrerPolicy?: string;
    /** ingress mode (ingress-nginx compatible annotations): requests per second per client IP. @default 20 */
    rateLimitRps?: number;
    /**
     * ingress mode: client CIDRs allowed (ingress-nginx `whitelist-source-range`). Gateway API has no
     * standard for it: anything but everyone is refused in gateway mode. @default ["0.0.0.0/0"]
     */
    allowedCidrs?: string[];
    /**
     * The web front end: `/` goes to its Service (in `appNamespace`) with its own
     * Content-Security-Policy, `apiPath` to the API, unchanged. @default none: `/` goes to the API
     */
    frontend?: { serviceName: pulumi.Input<string>; port: number; apiPath: string; contentSecurityPolicy?: string };
}

/**
 * TLS at the edge with a cert-manager certificate. Gateway API (default): a Gateway with an HTTPS
 * listener and an HTTP listener whose only route redirects to HTTPS, an HTTPRoute to the API
 * with HSTS added, and a ReferenceGrant letting the route reach the API namespace. Ingress
 * fallback: an Ingress with TLS, forced SSL redirect, HSTS and a per-IP rate limit. Rate
 * limiting and WAF on Gateway API are controller-specific (see docs/kubernetes.md, "Rate limiting and WAF on Gateway API").
 */
export class Edge extends pulumi.ComponentResource {
    /** Public HTTPS URL. */
    readonly url: pulumi.Output<string>;

    constructor(name: string, args: EdgeArgs, opts?: pulumi.ComponentResourceOptions) {
        validateEdge(name, args);
        super(typeToken("kubernetes", "Edge"), name, {}, opts);
        const ctx = new K8sContext(name, args, this);
        const labels = ctx.labels("edge");
        const headers = securityHeaders(args);
        if (args.mode === "gateway") this.createGateway(ctx, args, labels, headers);
        else this.createIngress(ctx, args, labels, headers);
        this.url = pulumi.output(`https://${args.domain}`);
        this.registerOutputs({ url: this.url });
    }

    /** Gateway API: the certificate, the Gateway, the HTTP-to-HTTPS redirect, the route to the API and its ReferenceGrant. */
    private createGateway(ctx: K8sContext, args: EdgeArgs, labels: Record<string, string>, headers: [string, string][]): void {
        new k8s.apiextensions.CustomResource(
            ctx.childName("certificate"),
            {
                apiVersion: "cert-manager.io/v1",
                kind: "Certificate",
                metadata: { name: "api", namespace: args.edgeNamespace, labels },
                spec: {
                    secretName: TLS_SECRET,
                    dnsNames: hostsOf(args),
                    issuerRef: { name: args.clusterIssuer, kind: "ClusterIssuer", group: "cert-manager.io" },
                    privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
                    duration: "2160h",
                    renewBefore: "720h",
                },
            },
            ctx.opts(),
        );
        const gateway = new k8s.apiextensions.CustomResource(
            ctx.childName("gateway"),
            {
                apiVersion: "gateway.networking.k8s.io/v1",
                kind: "Gateway",
                metadata: { name: "public", namespace: args.edgeNamespace, labels },
                spec: {
                    gatewayClassName: args.gatewayClassName,
                    // A listener serves one host name: one HTTPS and one HTTP listener per name.
                    listeners: hostsOf(args).flatMap((hostname, i) => [
                        {
                            name: listenerName("https", i),
                            hostname,
                            port: 443,
                            protocol: "HTTPS",
                            tls: { mode: "Terminate", certificateRefs: [{ kind: "Secret", group: "", name: TLS_SECRET }] },
                            allowedRoutes: { namespaces: { from: "Same" } },
                        },
                        { name: listenerName("http", i), hostname, port: 80, protocol: "HTTP", allowedRoutes: { namespaces: { from: "Same" } } },
                    ]),
                },
            },
            ctx.opts(),
        );
        new k8s.apiextensions.CustomResource(
            ctx.childName("redirect"),
            {
                apiVersion: "gateway.networking.k8s.io/v1",
                kind: "HTTPRoute",
                metadata: { name: "http-to-https", namespace: args.edgeNamespace, labels },
                spec: {
                    parentRefs: hostsOf(args).map((_, i) => ({ name: gateway.metadata.name, sectionName: listenerName("http", i) })),
                    hostnames: hostsOf(args),
                    rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }],
                },
            },
            ctx.opts(),
        );
        new k8s.apiextensions.CustomResource(
            ctx.childName("route"),
            {
                apiVersion: "gateway.networking.k8s.io/v1",
                kind: "HTTPRoute",
                metadata: { name: "api", namespace: args.edgeNamespace, labels },
                spec: {
                    parentRefs: hostsOf(args).map((_, i) => ({ name: gateway.metadata.name, sectionName: listenerName("https", i) })),
                    hostnames: hostsOf(args),
                    rules: [
                        {
                            matches: [{ path: { type: "PathPrefix", value: args.frontend?.apiPath ?? "/" } }],
                            filters: [
                                {
                                    type: "ResponseHeaderModifier",
                                    responseHeaderModifier: {
                                        set: [...headers.map(([n, value]) => ({ name: n, value }))],
                                    },
                                },
                            ],
                            backendRefs: [{ name: args.apiServiceName, namespace: args.appNamespace, port: args.apiPort }],
                        },
                        // The front end takes the rest (the longest path prefix wins: the API keeps its own).
                        ...(args.frontend
                            ? [
                                  {
                                      matches: [{ path: { type: "PathPrefix", value: "/" } }],
                                      filters: [
                                          {
                                              type: "ResponseHeaderModifier",
                                              responseHeaderModifier: { set: frontendHeaders(args).map(([n, value]) => ({ name: n, value })) },
                                          },
                                      ],
                                      backendRefs: [{ name: args.frontend.serviceName, namespace: args.appNamespace, port: args.frontend.port }],
                                  },
                              ]
                            : []),
                    ],
                },
            },
            ctx.opts(),
        );
        new k8s.apiextensions.CustomResource(
            ctx.childName("reference-grant"),
            {
                apiVersion: "gateway.networking.k8s.io/v1beta1",
                kind: "ReferenceGrant",
                metadata: { name: "edge-routes-to-api", namespace: args.appNamespace, labels },
                spec: {
                    from: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: args.edgeNamespace }],
                    to: [
                        { group: "", kind: "Service", name: args.apiServiceName },
                        ...(args.frontend ? [{ group: "", kind: "Service", name: args.frontend.serviceName }] : []),
                    ],
                },
            },
            ctx.opts(),
        );
    }

    /** Ingress fallback: TLS, forced SSL redirect, the security headers and a per-IP rate limit. */
    private createIngress(ctx: K8sContext, args: EdgeArgs, labels: Record<string, string>, headers: [string, string][]): void {
        this.ingressTo(ctx, args, labels, headers, {
            key: "ingress",
            name: "api",
            path: args.frontend?.apiPath ?? "/",
            service: args.apiServiceName,
            port: args.apiPort,
        });
        // The front end: its own Ingress, for its own headers (a configuration snippet is per Ingress).
        if (args.frontend)
            this.ingressTo(ctx, args, labels, frontendHeaders(args), {
                key: "ingress-frontend",
                name: "frontend",
                path: "/",
                service: args.frontend.serviceName,
                port: args.frontend.port,
            });
    }

    /** One Ingress: TLS, forced SSL redirect, the security headers and a per-IP rate limit, `path` to a Service. */
    private ingressTo(
        ctx: K8sContext,
        args: EdgeArgs,
        labels: Record<string, string>,
        headers: [string, string][],
        to: { key: string; name: string; path: string; service: pulumi.Input<string>; port: number },
    ): void {
        const rps = args.rateLimitRps ?? 20;
        new k8s.networking.v1.Ingress(
            ctx.childName(to.key),
            {
                metadata: {
                    name: to.name,
                    namespace: args.appNamespace,
                    labels,
                    annotations: {
                        "cert-manager.io/cluster-issuer": args.clusterIssuer,
                        "nginx.ingress.kubernetes.io/force-ssl-redirect": "true",
                        "nginx.ingress.kubernetes.io/ssl-redirect": "true",
                        "nginx.ingress.kubernetes.io/limit-rps": String(rps),
                        "nginx.ingress.kubernetes.io/limit-connections": String(rps * 2),
                        ...(restrictsClients(args) ? { "nginx.ingress.kubernetes.io/whitelist-source-range": args.allowedCidrs!.join(",") } : {}),
                        "nginx.ingress.kubernetes.io/configuration-snippet": headers.map(([n, value]) => `more_set_headers "${n}: ${value}";`).join("\n"),
                    },
                },
                spec: {
                    ingressClassName: args.ingressClassName,
                    tls: [{ hosts: hostsOf(args), secretName: TLS_SECRET }],
                    rules: hostsOf(args).map((host) => ({
                        host,
                        http: {
                            paths: [{ path: to.path, pathType: "Prefix", backend: { service: { name: to.service, port: { number: to.port } } } }],
                        },
                    })),
                },
            },
            ctx.opts(),
        );
    }
}

/** Secret of the edge certificate. */
const TLS_SECRET = "api-tls";

/** Whether `allowedCidrs` restricts clients (anything but everyone). */
function restrictsClients(args: EdgeArgs): boolean {
    return (args.allowedCidrs ?? ["0.0.0.0/0"]).filter((c) => c !== "0.0.0.0/0").length > 0;
}

/** Refuses bad arguments before anything is registered. */
/** Every host name served: the domain, then the alternative names. */
function hostsOf(args: EdgeArgs): string[] {
    return [args.domain, ...(args.alternativeNames ?? [])];
}

/** The listener of the i-th host name: the domain's keep their names (`https`, `http`). */
function listenerName(protocol: "https" | "http", i: number): string {
    return i === 0 ? protocol : `${protocol}-${i}`;
}

function validateEdge(name: string, args: EdgeArgs): void {
    const v = new Validator(`Edge ${name}`);
    v.oneOf("mode", args.mode, ["gateway", "ingress"] as const);
    v.matches("domain", args.domain, /^([a-z0-9-]+\.)+[a-z]{2,}$/, "a lower-case DNS name");
    v.nonEmpty("clusterIssuer", args.clusterIssuer);
    checkContentSecurityPolicy(v, "contentSecurityPolicy", args.contentSecurityPolicy);
    checkAlternativeNames(v, "alternativeNames", args.alternativeNames ?? [], args.domain);
    v.oneOf("referrerPolicy", args.referrerPolicy ?? "no-referrer", [...REFERRER_POLICIES]);
    if (restrictsClients(args) && args.mode === "gateway")
        v.fail(
            "allowedCidrs",
            args.allowedCidrs,
            '["0.0.0.0/0"] in gateway mode (Gateway API has no standard client-address filter: use mode "ingress", or your gateway controller\'s policy)',
        );
    if (args.frontend) {
        v.matches("frontend.apiPath", args.frontend.apiPath, API_PATH_RE, "a path prefix such as /api (leading /, no trailing / or wildcard)");
        checkContentSecurityPolicy(v, "frontend.contentSecurityPolicy", args.frontend.contentSecurityPolicy);
    }
    if (args.mode === "gateway") v.nonEmpty("gatewayClassName", args.gatewayClassName);
    if (args.mode === "ingress") v.nonEmpty("ingressClassName", args.ingressClassName);
    v.throwIfAny();
}

/** The front end's headers: the edge's, with the front end's own Content-Security-Policy. */
function frontendHeaders(args: EdgeArgs): [string, string][] {
    return securityHeaders({ ...args, contentSecurityPolicy: args.frontend?.contentSecurityPolicy ?? DEFAULT_FRONTEND_CSP });
}

/** The security headers of every response, at the edge (gateway filter or ingress snippet). */
function securityHeaders(args: EdgeArgs): [string, string][] {
    const hsts = args.hsts ?? true;
    const csp = args.contentSecurityPolicy ?? DEFAULT_CONTENT_SECURITY_POLICY;
    return [
        ...(hsts ? [["Strict-Transport-Security", HSTS_VALUE] as [string, string]] : []),
        ...(csp === "none" ? [] : [["Content-Security-Policy", csp] as [string, string]]),
        ["Referrer-Policy", args.referrerPolicy ?? "no-referrer"],
        ["X-Content-Type-Options", "nosniff"],
        ["X-Frame-Options", "DENY"],
    ];
}
