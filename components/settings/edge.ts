/** The public edge: TLS headers, WAF rules, rate limits, timeouts. */
import { ISO_COUNTRY_CODES } from "../core/aws-catalog";
import { DEFAULT_CONTENT_SECURITY_POLICY, REFERRER_POLICIES } from "../core/facts";
import { Validator } from "../core/validation";
import { defineTier, StackIdentity } from "./tier";

/** Public edge: TLS, WAF and rate limiting. */
export interface EdgeSettings {
    /** Requests per 5 minutes per client IP before the WAF / gateway blocks it. @default 2000 staging, 5000 production */
    rateLimitPer5Min: number;
    /** Add Strict-Transport-Security. @default true */
    hsts: boolean;
    /** Content-Security-Policy on every response (`none`: no header). @default "default-src 'none'; frame-ancestors 'none'" (an API serves no page) */
    contentSecurityPolicy: string;
    /** Referrer-Policy on every response, Kubernetes edge only (the ALB cannot set it: the API must). @default "no-referrer" */
    referrerPolicy: string;
    /** Seconds an idle client connection stays open at the ALB (AWS only; long LLM answers stream on it). @default 120 */
    idleTimeoutSeconds: number;
    /** Countries (ISO 3166-1 alpha-2) the WAF admits, others blocked (AWS only). @default [] (all) */
    allowedCountries: string[];
    /**
     * Path prefixes with their own, stricter per-IP rate limit, e.g. /auth/login: a WAF rule on AWS,
     * a rule of the gateway's rate-limit policy (`kubernetes.gatewayRateLimit`) or an Ingress of their
     * own on Kubernetes. @default []
     */
    loginPaths: string[];
    /** Requests per 5 minutes per client IP to `loginPaths` before the edge refuses them. @default 100 */
    loginRateLimitPer5Min: number;
    /**
     * Largest request body the edge admits, MiB: a WAF rule on the Content-Length header on AWS,
     * ingress-nginx `proxy-body-size` or Envoy Gateway's request buffer limit on Kubernetes. @default 10
     */
    maxRequestBodyMiB: number;
    /**
     * Path prefixes that carry WebSocket connections (Kubernetes): a route or Ingress of their own
     * without the request timeout that would cut them. The ALB upgrades WebSockets on every path
     * ("Application Load Balancers provide native support for WebSockets",
     * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html);
     * there an idle connection lasts `idleTimeoutSeconds`, closed when no data flows for that long
     * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-load-balancer-attributes.html#connection-idle-timeout),
     * so the setting is refused on AWS. @default []
     */
    webSocketPaths: string[];
    /**
     * More host names the edge serves and its certificate covers besides `domain`, e.g.
     * `www.rag.example.gov` or a wildcard `*.rag.example.gov` (leftmost label only). On AWS each
     * is validated and aliased in `hostedZoneId`'s zone. @default []
     */
    alternativeNames: string[];
}

/**
 * Names per ACM certificate: 10 by default, the domain and 9 more ("Quotas for ACM", Domain names
 * per ACM certificate: https://docs.aws.amazon.com/acm/latest/userguide/acm-limits.html).
 */
export const MAX_ALTERNATIVE_NAMES = 9;

/** A lower-case DNS name, or a wildcard in its leftmost label only (`*.example.gov`). */
export const HOST_NAME_RE = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** Alternative names: host names (wildcards leftmost), unique, not the domain, at most MAX_ALTERNATIVE_NAMES. */
export function checkAlternativeNames(v: Validator, field: string, names: unknown, domain: string): void {
    if (!Array.isArray(names)) return v.fail(field, names, "a list of host names");
    if (names.length > MAX_ALTERNATIVE_NAMES)
        v.fail(field, names, `at most ${MAX_ALTERNATIVE_NAMES} names (an ACM certificate holds 10 names by default, the domain included)`);
    names.forEach((n, i) => {
        if (v.matches(`${field}[${i}]`, n, HOST_NAME_RE, "a lower-case host name, a wildcard only as its leftmost label (*.rag.example.gov)") && n === domain)
            v.fail(`${field}[${i}]`, n, "a name other than domain (the certificate always covers it)");
    });
    v.unique(field, names);
}

/** A Content-Security-Policy header value (or `none`): one line, no double quotes (it goes into controller annotations). */
export function checkContentSecurityPolicy(v: Validator, field: string, value: unknown): void {
    if (value === undefined) return;
    if (typeof value !== "string" || value.trim() === "" || /[\r\n"\\]/.test(value))
        v.fail(field, value, "a Content-Security-Policy on one line without double quotes or backslashes, or none");
}

const NO_WAF = "the Kubernetes edge has no WAF; filter in the WAF or load balancer in front of the cluster";

/** A path prefix of the edge's settings: starts with '/', URL-safe characters only. */
export const EDGE_PATH_RE = /^\/[A-Za-z0-9/_.~-]{0,200}$/;

/** A list of path prefixes (login or WebSocket paths), unique. */
export function checkEdgePaths(v: Validator, field: string, paths: unknown): void {
    if (!Array.isArray(paths)) return v.fail(field, paths, "a list of path prefixes");
    paths.forEach((p, i) => v.matches(`${field}[${i}]`, p, EDGE_PATH_RE, "a path prefix starting with '/', such as /auth/login"));
    v.unique(field, paths);
}

/** Largest request body limit, MiB (a WAF regex on Content-Length stays short below 10 digits). */
export const MAX_REQUEST_BODY_MIB = 4096;

export const edgeTier = defineTier<EdgeSettings, StackIdentity & { edge: EdgeSettings }>({
    path: "edge",
    title: "Edge (TLS, WAF, rate limits)",
    settings: {
        alternativeNames: {
            key: "edgeAlternativeNames",
            type: "array",
            description: "More host names the edge serves and its certificate covers (wildcards as *.name), up to 9.",
            staging: [],
            check: (v, f, x, s) => checkAlternativeNames(v, f, x, s.domain),
        },
        rateLimitPer5Min: {
            key: "wafRateLimitPer5Min",
            type: "integer",
            description: "Requests per 5 min per IP before blocking.",
            staging: 2000,
            production: 5000,
            check: (v, f, x) => v.int(f, x, 100, 2000000000),
        },
        hsts: {
            key: "edgeHsts",
            type: "boolean",
            description: "Strict-Transport-Security on every response.",
            staging: true,
            check: (v, f, x) => v.bool(f, x),
        },
        contentSecurityPolicy: {
            key: "edgeContentSecurityPolicy",
            type: "string",
            description: "Content-Security-Policy on every response (none: the word none).",
            staging: DEFAULT_CONTENT_SECURITY_POLICY,
            check: checkContentSecurityPolicy,
        },
        referrerPolicy: {
            key: "edgeReferrerPolicy",
            type: "string",
            description: "Referrer-Policy on every response (Kubernetes edge).",
            staging: "no-referrer",
            targets: ["kubernetes"],
            unused: "the ALB cannot set Referrer-Policy (only HSTS, CSP, X-Content-Type-Options, X-Frame-Options and CORS headers); send it from the API",
            check: (v, f, x) => v.oneOf(f, x, [...REFERRER_POLICIES]),
        },
        idleTimeoutSeconds: {
            key: "edgeIdleTimeoutSeconds",
            type: "integer",
            description: "Idle timeout of client connections at the ALB (AWS).",
            staging: 120,
            targets: ["aws"],
            unused: "the gateway or ingress controller owns its connection timeouts; set them in its own configuration",
            check: (v, f, x) => v.int(f, x, 1, 4000),
        },
        allowedCountries: {
            key: "wafAllowedCountries",
            type: "array",
            description: "Countries (ISO 3166-1 alpha-2) the WAF admits; others blocked (AWS).",
            staging: [],
            targets: ["aws"],
            unused: NO_WAF,
            check: (v, f, x) => {
                (x ?? []).forEach((c, i) =>
                    v.matches(
                        `${f}[${i}]`,
                        c,
                        new RegExp(`^(${ISO_COUNTRY_CODES.join("|")})$`),
                        'an ISO 3166-1 alpha-2 country code WAF knows, such as DE or GB (not "UK")',
                    ),
                );
                v.unique(f, x);
            },
        },
        loginPaths: {
            key: "edgeLoginPaths",
            type: "array",
            description: "Path prefixes with a stricter per-IP rate limit (AWS WAF; Kubernetes gateway rate-limit policy or ingress).",
            staging: [],
            check: checkEdgePaths,
        },
        loginRateLimitPer5Min: {
            key: "edgeLoginRateLimitPer5Min",
            type: "integer",
            description: "Requests per 5 min per IP to edgeLoginPaths before blocking.",
            staging: 100,
            check: (v, f, x, s) => v.int(f, x, 10, s.edge.rateLimitPer5Min),
        },
        maxRequestBodyMiB: {
            key: "edgeMaxRequestBodyMiB",
            type: "integer",
            description: "Largest request body the edge admits, MiB (AWS WAF on Content-Length; ingress-nginx proxy-body-size; Envoy Gateway request buffer).",
            staging: 10,
            check: (v, f, x) => v.int(f, x, 1, MAX_REQUEST_BODY_MIB),
        },
        webSocketPaths: {
            key: "edgeWebSocketPaths",
            type: "array",
            description: "Path prefixes carrying WebSockets: their own route or Ingress without a request timeout (Kubernetes).",
            staging: [],
            targets: ["kubernetes"],
            unused: "the ALB upgrades WebSocket connections on every path natively; an idle one is closed after edgeIdleTimeoutSeconds (the API pings more often)",
            check: checkEdgePaths,
        },
    },
});
