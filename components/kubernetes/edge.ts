import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { typeToken } from "../core/naming";
import { KubernetesEdgeMode } from "../core/types";
import { Validator } from "../core/validation";
import {
    API_PATH_RE,
    checkAlternativeNames,
    checkContentSecurityPolicy,
    checkEdgePaths,
    DEFAULT_FRONTEND_CSP,
    GATEWAY_RATE_LIMITS,
    GatewayRateLimit,
    MAX_REQUEST_BODY_MIB,
} from "../settings";
import { DEFAULT_CONTENT_SECURITY_POLICY, REFERRER_POLICIES } from "../core/facts";
import { K8sCommonArgs, K8sContext } from "./common";

export const HSTS_VALUE = "max-age=63072000; includeSubDomains";

/**
 * Seconds ingress-nginx waits between two reads or writes on a WebSocket path (its
 * proxy-read-timeout / proxy-send-timeout, 60 s by default, would close an idle WebSocket).
 */
export const WEBSOCKET_TIMEOUT_SECONDS = 3600;

/**
 * Rules of an Envoy Gateway local rate limit (`rateLimit.local.rules`, maxItems 16 in the CRD):
 * two per limit (IPv4 and IPv6 clients), so at most 7 login paths beside the global limit.
 */
export const MAX_ENVOY_GATEWAY_LOGIN_PATHS = 7;

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
     * gateway mode: the implementation's rate-limit policy. `envoy-gateway`: a BackendTrafficPolicy
     * (gateway.envoyproxy.io/v1alpha1) per route with local per-client-IP limits, the login paths'
     * stricter limit and the request body cap; `none`: no limit at the gateway. @default "none"
     */
    gatewayRateLimit?: GatewayRateLimit;
    /** gateway mode with a rate-limit policy: requests per minute per client IP. @default rateLimitRps × 60 */
    rateLimitPerMinute?: number;
    /** Path prefixes with a stricter per-IP limit (an Ingress of their own, or a rule of the gateway's policy). @default [] */
    loginPaths?: string[];
    /** Requests per minute per client IP to `loginPaths`. @default 20 */
    loginRateLimitPerMinute?: number;
    /** Largest request body admitted, MiB (ingress-nginx proxy-body-size; Envoy Gateway request buffer). @default 10 */
    maxRequestBodyMiB?: number;
    /**
     * Path prefixes carrying WebSockets: a route (gateway) or Ingress of their own without the
     * request timeout, so that a long-lived connection is not cut. @default []
     */
    webSocketPaths?: string[];
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
 * with HSTS added, a ReferenceGrant letting the route reach the API namespace, with
 * `webSocketPaths` a route without request timeout, and with `gatewayRateLimit` envoy-gateway
 * Envoy Gateway BackendTrafficPolicies (per-IP and login-path limits, body size cap). Ingress
 * fallback: an Ingress with TLS, forced SSL redirect, HSTS, a per-IP rate limit and the body size
 * cap, plus an Ingress for the login paths (per-minute limit) and one for the WebSocket paths
 * (long proxy timeouts). See docs/kubernetes.md, "Rate limits, request body size and WebSocket paths at the edge".
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
        else this.createIngresses(ctx, args, labels, headers);
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
        const parentRefs = hostsOf(args).map((_, i) => ({ name: gateway.metadata.name, sectionName: listenerName("https", i) }));
        const filters = [{ type: "ResponseHeaderModifier", responseHeaderModifier: { set: [...headers.map(([n, value]) => ({ name: n, value }))] } }];
        const backendRefs = [{ name: args.apiServiceName, namespace: args.appNamespace, port: args.apiPort }];
        new k8s.apiextensions.CustomResource(
            ctx.childName("route"),
            {
                apiVersion: "gateway.networking.k8s.io/v1",
                kind: "HTTPRoute",
                metadata: { name: API_ROUTE, namespace: args.edgeNamespace, labels },
                spec: {
                    parentRefs,
                    hostnames: hostsOf(args),
                    rules: [
                        { matches: [{ path: { type: "PathPrefix", value: args.frontend?.apiPath ?? "/" } }], filters, backendRefs },
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
        const webSocketPaths = args.webSocketPaths ?? [];
        if (webSocketPaths.length > 0)
            // A route of its own: the longer prefix wins over "/", and a request timeout of 0s
            // disables it (Gateway API HTTPRouteTimeouts) so that a long-lived WebSocket is not cut.
            new k8s.apiextensions.CustomResource(
                ctx.childName("websocket-route"),
                {
                    apiVersion: "gateway.networking.k8s.io/v1",
                    kind: "HTTPRoute",
                    metadata: { name: WEBSOCKET_ROUTE, namespace: args.edgeNamespace, labels },
                    spec: {
                        parentRefs,
                        hostnames: hostsOf(args),
                        rules: [
                            {
                                matches: webSocketPaths.map((value) => ({ path: { type: "PathPrefix", value } })),
                                filters,
                                backendRefs,
                                timeouts: { request: "0s" },
                            },
                        ],
                    },
                },
                ctx.opts(),
            );
        if ((args.gatewayRateLimit ?? "none") === "envoy-gateway") {
            this.createEnvoyGatewayPolicy(ctx, args, labels, API_ROUTE, true);
            if (webSocketPaths.length > 0) this.createEnvoyGatewayPolicy(ctx, args, labels, WEBSOCKET_ROUTE, false);
        }
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

    /**
     * Envoy Gateway's BackendTrafficPolicy on one route: local rate limits per client IP (each
     * address its own bucket: sourceCIDR Distinct, for IPv4 and IPv6 clients), a stricter one per
     * login path (where several rules match, the strictest applies), and on the API route the
     * request buffer that refuses larger bodies with 413. The WebSocket route gets no buffer:
     * buffering waits for the end of the request, which an upgraded connection does not have.
     */
    private createEnvoyGatewayPolicy(ctx: K8sContext, args: EdgeArgs, labels: Record<string, string>, route: string, buffer: boolean): void {
        const perIp = (requests: number, path?: string) =>
            ["0.0.0.0/0", "::/0"].map((value) => ({
                clientSelectors: [{ sourceCIDR: { type: "Distinct", value }, ...(path ? { path: { type: "PathPrefix", value: path } } : {}) }],
                limit: { requests, unit: "Minute" },
            }));
        const { perMinute, loginPerMinute } = limitsOf(args);
        new k8s.apiextensions.CustomResource(
            ctx.childName(`${route}-traffic-policy`),
            {
                apiVersion: "gateway.envoyproxy.io/v1alpha1",
                kind: "BackendTrafficPolicy",
                metadata: { name: `${route}-limits`, namespace: args.edgeNamespace, labels },
                spec: {
                    targetRefs: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", name: route }],
                    rateLimit: {
                        local: { rules: [...perIp(perMinute), ...(args.loginPaths ?? []).flatMap((p) => perIp(loginPerMinute, p))] },
                    },
                    ...(buffer ? { requestBuffer: { limit: `${args.maxRequestBodyMiB ?? 10}Mi` } } : {}),
                },
            },
            ctx.opts(),
        );
    }

    /**
     * Ingress fallback: TLS, forced SSL redirect, the security headers, a per-IP rate limit and the
     * body size cap on every Ingress; the login paths get an Ingress of their own with a per-minute
     * limit, the WebSocket paths one with long proxy timeouts (ingress-nginx annotations apply to a
     * whole Ingress; the longest matching path wins across Ingresses of one host). Only the main
     * Ingress asks cert-manager for the certificate; the others use its Secret.
     */
    private createIngresses(ctx: K8sContext, args: EdgeArgs, labels: Record<string, string>, headers: [string, string][]): void {
        const rps = args.rateLimitRps ?? 20;
        const snippet = (hs: [string, string][]) => hs.map(([n, value]) => `more_set_headers "${n}: ${value}";`).join("\n");
        const common = {
            "nginx.ingress.kubernetes.io/force-ssl-redirect": "true",
            "nginx.ingress.kubernetes.io/ssl-redirect": "true",
            "nginx.ingress.kubernetes.io/limit-rps": String(rps),
            "nginx.ingress.kubernetes.io/limit-connections": String(rps * 2),
            "nginx.ingress.kubernetes.io/proxy-body-size": `${args.maxRequestBodyMiB ?? 10}m`,
            ...(restrictsClients(args) ? { "nginx.ingress.kubernetes.io/whitelist-source-range": args.allowedCidrs!.join(",") } : {}),
            "nginx.ingress.kubernetes.io/configuration-snippet": snippet(headers),
        };
        const api = { name: args.apiServiceName, port: args.apiPort };
        const ingress = (child: string, name: string, paths: string[], annotations: Record<string, string>, to = api) =>
            new k8s.networking.v1.Ingress(
                ctx.childName(child),
                {
                    metadata: { name, namespace: args.appNamespace, labels, annotations: { ...common, ...annotations } },
                    spec: {
                        ingressClassName: args.ingressClassName,
                        tls: [{ hosts: hostsOf(args), secretName: TLS_SECRET }],
                        rules: hostsOf(args).map((host) => ({
                            host,
                            http: {
                                paths: paths.map((path) => ({
                                    path,
                                    pathType: "Prefix",
                                    backend: { service: { name: to.name, port: { number: to.port } } },
                                })),
                            },
                        })),
                    },
                },
                ctx.opts(),
            );
        ingress("ingress", API_ROUTE, [args.frontend?.apiPath ?? "/"], { "cert-manager.io/cluster-issuer": args.clusterIssuer });
        // The front end: an Ingress of its own, for its own headers (a configuration snippet is per Ingress).
        if (args.frontend)
            ingress(
                "ingress-frontend",
                FRONTEND_INGRESS,
                ["/"],
                { "nginx.ingress.kubernetes.io/configuration-snippet": snippet(frontendHeaders(args)) },
                { name: args.frontend.serviceName, port: args.frontend.port },
            );
        const { loginPerMinute } = limitsOf(args);
        if ((args.loginPaths ?? []).length > 0)
            ingress("login-ingress", LOGIN_INGRESS, args.loginPaths!, { "nginx.ingress.kubernetes.io/limit-rpm": String(loginPerMinute) });
        if ((args.webSocketPaths ?? []).length > 0)
            ingress("websocket-ingress", WEBSOCKET_ROUTE, args.webSocketPaths!, {
                "nginx.ingress.kubernetes.io/proxy-read-timeout": String(WEBSOCKET_TIMEOUT_SECONDS),
                "nginx.ingress.kubernetes.io/proxy-send-timeout": String(WEBSOCKET_TIMEOUT_SECONDS),
            });
    }
}

/** Name of the API's route or Ingress. */
const API_ROUTE = "api";
/** Name of the WebSocket paths' route or Ingress. */
const WEBSOCKET_ROUTE = "api-websocket";
/** Name of the front end's Ingress. */
const FRONTEND_INGRESS = "frontend";
/** Name of the login paths' Ingress. */
const LOGIN_INGRESS = "api-login";

/** The per-minute limits (defaults applied). */
function limitsOf(args: EdgeArgs): { perMinute: number; loginPerMinute: number } {
    return { perMinute: args.rateLimitPerMinute ?? (args.rateLimitRps ?? 20) * 60, loginPerMinute: args.loginRateLimitPerMinute ?? 20 };
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
    checkLimits(v, args);
    v.throwIfAny();
}

/** The rate limits, body size and paths; limits the chosen edge cannot enforce are refused. */
function checkLimits(v: Validator, args: EdgeArgs): void {
    const policy = args.gatewayRateLimit ?? "none";
    v.oneOf("gatewayRateLimit", policy, GATEWAY_RATE_LIMITS);
    if (args.rateLimitRps !== undefined) v.int("rateLimitRps", args.rateLimitRps, 1, 100000);
    if (args.rateLimitPerMinute !== undefined) v.int("rateLimitPerMinute", args.rateLimitPerMinute, 1, 6000000);
    if (args.loginRateLimitPerMinute !== undefined) v.int("loginRateLimitPerMinute", args.loginRateLimitPerMinute, 1, 6000000);
    if (args.maxRequestBodyMiB !== undefined) v.int("maxRequestBodyMiB", args.maxRequestBodyMiB, 1, MAX_REQUEST_BODY_MIB);
    checkEdgePaths(v, "loginPaths", args.loginPaths ?? []);
    checkEdgePaths(v, "webSocketPaths", args.webSocketPaths ?? []);
    if (args.mode === "ingress" && policy !== "none")
        v.fail("gatewayRateLimit", policy, '"none" in ingress mode (the Ingress carries the limits as annotations)');
    if (args.mode !== "gateway") return;
    const enforced = 'gatewayRateLimit "envoy-gateway" (or mode "ingress")';
    if (policy === "none") {
        if ((args.loginPaths ?? []).length > 0) v.fail("loginPaths", args.loginPaths, `[] in gateway mode without a rate-limit policy: set ${enforced}`);
        for (const field of ["rateLimitPerMinute", "loginRateLimitPerMinute", "maxRequestBodyMiB"] as const)
            if (args[field] !== undefined) v.fail(field, args[field], `unset in gateway mode without a rate-limit policy: set ${enforced}`);
    }
    if (policy === "envoy-gateway" && (args.loginPaths ?? []).length > MAX_ENVOY_GATEWAY_LOGIN_PATHS)
        v.fail(
            "loginPaths",
            args.loginPaths,
            `at most ${MAX_ENVOY_GATEWAY_LOGIN_PATHS} paths with envoy-gateway (a local rate limit holds 16 rules: two per limit, for IPv4 and IPv6 clients)`,
        );
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
