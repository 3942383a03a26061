/** The web front end: a static single-page app served at `/` beside the API at `frontendApiPath`. */
import { Validator } from "../core/validation";
import { checkContentSecurityPolicy } from "./edge";
import { defineTier, StackIdentity } from "./tier";

/** The web front end (off by default). */
export interface FrontendSettings {
    /** Serve a static web front end at `/` and the API under `apiPath`. @default false */
    enabled: boolean;
    /**
     * AWS: the local folder of the built static files (with `index.html`), uploaded to the front
     * end's private bucket on every `pulumi up`. @default unset (required when enabled on AWS)
     */
    source?: string;
    /**
     * Kubernetes: the image of an unprivileged static server with the built files (e.g. built
     * FROM nginxinc/nginx-unprivileged, files in /usr/share/nginx/html), pinned. @default unset (required when enabled on Kubernetes)
     */
    image?: string;
    /** Path prefix the edge sends to the API, unchanged (the API serves its routes under it); the rest goes to the front end. @default "/api" */
    apiPath: string;
    /** Content-Security-Policy of the front end's responses (the API's keep edgeContentSecurityPolicy). @default "default-src 'self'; …; frame-ancestors 'none'" */
    contentSecurityPolicy: string;
    /** CloudFront price class (AWS): which edge locations serve the front end. @default "PriceClass_100" (North America, Europe, Israel) */
    priceClass: string;
    /** ACM certificate in us-east-1 for CloudFront (AWS). @default unset: issued in us-east-1 with DNS validation in aws.hostedZoneId */
    certificateArn?: string;
}

/** The front end's default CSP: its own origin only (Angular's inline styles allowed), framed by nobody. */
export const DEFAULT_FRONTEND_CSP =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/** CloudFront price classes ("Choosing the price class for a CloudFront distribution"). */
export const CLOUDFRONT_PRICE_CLASSES = ["PriceClass_100", "PriceClass_200", "PriceClass_All"] as const;

/** A path prefix such as /api: a leading slash, no trailing slash, no wildcard. */
export const API_PATH_RE = /^\/[A-Za-z0-9_.~-]+(\/[A-Za-z0-9_.~-]+)*$/;

export const frontendTier = defineTier<FrontendSettings, StackIdentity & { frontend: FrontendSettings; aws: { hostedZoneId?: string } }>({
    path: "frontend",
    title: "Web front end",
    settings: {
        enabled: {
            key: "frontendEnabled",
            type: "boolean",
            description: "Serve a static web front end at / and the API under frontendApiPath.",
            staging: false,
            check: (v, f, x) => v.bool(f, x),
        },
        source: {
            key: "frontendSource",
            type: "string",
            description: "Local folder of the built front end (with index.html), uploaded to its bucket (AWS).",
            staging: undefined,
            targets: ["aws"],
            unused: "on Kubernetes the front end is an image: set frontendImage",
            check: (v, f, x) => {
                if (x !== undefined) v.matches(f, x, /^[^\0\r\n]{1,1024}$/, "a folder path on one line");
            },
        },
        image: {
            key: "frontendImage",
            type: "string",
            description:
                "Image of the unprivileged static server with the built front end, pinned (Kubernetes); production: by digest (image:tag@sha256:<digest>), or the pack refuses it.",
            staging: undefined,
            targets: ["kubernetes"],
            unused: "on AWS the front end is static files in S3 behind CloudFront: set frontendSource",
            check: (v, f, x) => {
                if (x !== undefined) v.image(f, x);
            },
        },
        apiPath: {
            key: "frontendApiPath",
            type: "string",
            description: "Path prefix the edge sends to the API unchanged when the front end is on.",
            staging: "/api",
            check: (v, f, x) => v.matches(f, x, API_PATH_RE, "a path prefix such as /api (leading /, no trailing / or wildcard)"),
        },
        contentSecurityPolicy: {
            key: "frontendContentSecurityPolicy",
            type: "string",
            description: "Content-Security-Policy of the front end's responses (none: the word none).",
            staging: DEFAULT_FRONTEND_CSP,
            check: checkContentSecurityPolicy,
        },
        priceClass: {
            key: "frontendPriceClass",
            type: "string",
            description: "CloudFront price class of the front end (AWS).",
            staging: "PriceClass_100",
            targets: ["aws"],
            unused: "CloudFront is the AWS front end's CDN; put your own CDN in front of the cluster's edge",
            check: (v, f, x) => v.oneOf(f, x, CLOUDFRONT_PRICE_CLASSES),
        },
        certificateArn: {
            key: "frontendCertificateArn",
            type: "string",
            description: "ACM certificate in us-east-1 for CloudFront (AWS; default: issued in hostedZoneId).",
            staging: undefined,
            targets: ["aws"],
            unused: "the Kubernetes front end shares the edge's cert-manager certificate",
            check: (v, f, x) => {
                if (x !== undefined)
                    v.matches(
                        f,
                        x,
                        /^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[A-Za-z0-9-]+$/,
                        "an ACM certificate ARN in us-east-1 (CloudFront uses only those)",
                    );
            },
        },
    },
    validate: (v: Validator, s) => {
        if (!s.frontend.enabled) return;
        if (s.target === "aws") {
            if (s.frontend.source === undefined)
                v.fail("frontend.source", undefined, "the folder of the built front end (frontendSource) when frontendEnabled is true on AWS");
            if (s.frontend.certificateArn === undefined && s.aws.hostedZoneId === undefined)
                v.fail(
                    "frontend.certificateArn / aws.hostedZoneId",
                    undefined,
                    "one of them when frontendEnabled is true on AWS: CloudFront needs a certificate in us-east-1 (given, or issued in the zone)",
                );
        }
        if (s.target === "kubernetes" && s.frontend.image === undefined)
            v.fail("frontend.image", undefined, "the pinned image of the static server (frontendImage) when frontendEnabled is true on Kubernetes");
    },
});
