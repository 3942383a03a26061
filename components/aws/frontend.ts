import * as fs from "fs";
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { typeToken } from "../core/naming";
import { Validator } from "../core/validation";
import { API_PATH_RE, checkAlternativeNames, checkContentSecurityPolicy, CLOUDFRONT_PRICE_CLASSES, DEFAULT_FRONTEND_CSP } from "../settings";
import { SecureBucket } from "./bucket";
import { accountIdOf, AwsCommonArgs, AwsContext, certificateValidationRecord, KEY_ADMIN_ACTIONS, partitionOf, policyDocument } from "./common";
import { ORIGIN_VERIFY_HEADER } from "./edge";
import { Waf } from "./waf";

/**
 * AWS managed CloudFront policies by id ("Use managed cache policies":
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html;
 * "Use managed origin request policies":
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-origin-request-policies.html).
 */
export const MANAGED_CLOUDFRONT_POLICIES = {
    cachingOptimized: "658327ea-f89d-4fab-a63d-7e88639e58f6",
    cachingDisabled: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
    /** Every viewer header (Host included), cookie and query string to the origin. */
    allViewer: "216adef6-5c7f-47e4-b989-5492eafa07d3",
} as const;

/**
 * Viewer TLS policy of the distribution: TLS 1.2 and later with strong ciphers only ("Supported
 * protocols and ciphers between viewers and CloudFront":
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/secure-connections-supported-viewer-protocols-ciphers.html).
 */
export const CLOUDFRONT_MIN_TLS = "TLSv1.2_2021";

/** Content types of the files a built single-page app holds, by extension. */
export const CONTENT_TYPES: Record<string, string> = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".txt": "text/plain; charset=utf-8",
    ".xml": "application/xml",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".wasm": "application/wasm",
    ".pdf": "application/pdf",
};

export interface FrontendArgs extends AwsCommonArgs {
    /** Host name served (the stack's domain): `/` from the bucket, `apiPath/*` from the ALB. */
    domain: string;
    /** More host names served (the edge's alternative names). @default [] */
    alternativeNames?: string[];
    /** Local folder of the built app, with `index.html`: every file is uploaded on `pulumi up`. */
    source: string;
    /** Path prefix routed to the API, unchanged. @default "/api" */
    apiPath?: string;
    /** DNS name of the ALB (the API origin); it must admit CloudFront only (Edge `cloudFrontOnly`). */
    albDnsName: pulumi.Input<string>;
    /** The secret value of ORIGIN_VERIFY_HEADER the ALB requires. */
    originVerifySecret: pulumi.Input<string>;
    /** Content-Security-Policy of the app's responses (`none`: no header); the API's own header is kept. @default DEFAULT_FRONTEND_CSP */
    contentSecurityPolicy?: string;
    /** Add Strict-Transport-Security. @default true */
    hsts?: boolean;
    /** CloudFront price class. @default "PriceClass_100" */
    priceClass?: string;
    /** ACM certificate in us-east-1. Excludes issuing one in `hostedZoneId`. */
    certificateArn?: pulumi.Input<string>;
    /** Route 53 zone: issue the us-east-1 certificate with DNS validation and alias the names to the distribution. */
    hostedZoneId?: pulumi.Input<string>;
    /**
     * FQDNs of DNS validation records of the same names already in the zone (the ALB certificate's):
     * ACM's validation record works for any region, so the us-east-1 certificate waits on them
     * instead of writing the same records twice. @default none: the records are written here
     */
    existingValidationFqdns?: pulumi.Input<pulumi.Input<string>[]>;
    /** Provider in us-east-1 (certificate, WAF, logs). @default one created here from the stack's credentials */
    usEast1Provider?: aws.Provider;
    /** Requests per 5 minutes per client IP at the distribution's WAF. @default 2000 */
    rateLimitPer5Min?: number;
    /** Countries the distribution's WAF admits. @default [] (all) */
    allowedCountryCodes?: string[];
    /** Login paths with the WAF's stricter rate limit. @default [] */
    loginPaths?: string[];
    /** Requests per 5 minutes per client IP to `loginPaths`. @default 100 */
    loginRateLimitPer5Min?: number;
    /** Days access and WAF logs are kept. @default 90 */
    logRetentionDays?: number;
}

/** A file of the app to upload: its key and local path. */
interface AppFile {
    key: string;
    file: string;
    contentType: string;
}

/** Both of the front end's keys: symmetric, rotated yearly, 30 days before deletion. */
const FRONTEND_KEY = { enableKeyRotation: true, deletionWindowInDays: 30, keyUsage: "ENCRYPT_DECRYPT", customerMasterKeySpec: "SYMMETRIC_DEFAULT" };

/**
 * The web front end on AWS: the built single-page app in a private, KMS-encrypted bucket that only
 * the distribution reads (Origin Access Control, SigV4 always; the key lets CloudFront decrypt only
 * for this distribution), a CloudFront distribution with the stack's names (TLS 1.2+ with
 * TLSv1.2_2021, certificate in us-east-1), a CLOUDFRONT-scope WAF web ACL, a response-headers
 * policy (HSTS, CSP, frame options, nosniff, referrer policy), compression, an SPA fallback (a
 * CloudFront Function rewrites paths without a file extension to /index.html, on the app's
 * behaviour only: API errors stay errors), `apiPath/*` to the ALB over HTTPS with a secret origin
 * header, and standard logging (v2) to an encrypted CloudWatch Logs group in us-east-1.
 */
export class Frontend extends pulumi.ComponentResource {
    /** Id of the distribution. */
    readonly distributionId: pulumi.Output<string>;
    /** ARN of the distribution. */
    readonly distributionArn: pulumi.Output<string>;
    /** DNS name of the distribution (`dxxxx.cloudfront.net`). */
    readonly distributionDomainName: pulumi.Output<string>;
    /** Name of the app's bucket. */
    readonly bucketName: pulumi.Output<string>;
    /** Public HTTPS URL. */
    readonly url: pulumi.Output<string>;

    constructor(name: string, args: FrontendArgs, opts?: pulumi.ComponentResourceOptions) {
        const files = validateFrontend(name, args);
        super(typeToken("aws", "Frontend"), name, {}, opts);
        const ctx = new AwsContext(name, args, this);
        const usEast1 = args.usEast1Provider ?? new aws.Provider(ctx.childName("us-east-1"), { region: "us-east-1" }, { parent: this });
        const east = (extra: pulumi.CustomResourceOptions = {}) => ctx.opts({ provider: usEast1, ...extra });
        const accountId = accountIdOf(args, this);
        const partition = partitionOf(this);
        const region = aws.getRegionOutput({}, { parent: this }).region;
        const hosts = [args.domain, ...(args.alternativeNames ?? [])];
        const apiPath = args.apiPath ?? "/api";

        // The distribution's ARN is only known once it exists: the bucket (not its key or policy)
        // comes first, then the distribution, then the key and the policies that name it.
        const distributionArn = new Deferred<string>();
        const key = this.createBucketKey(ctx, accountId, partition, region, distributionArn.value);
        const bucket = new SecureBucket(
            ctx.childName("app"),
            {
                environment: args.environment,
                namePrefix: ctx.prefix,
                tags: args.tags,
                protectData: args.protectData,
                purpose: "frontend",
                kmsKeyArn: key.arn,
                // Old builds' files go with their noncurrent versions; the live ones are never transitioned.
                lifecycle: { toIaDays: 3000, toGlacierDays: 3650 },
                noncurrentVersionExpirationDays: 30,
                // Reads by this distribution only ("Restricting access to an Amazon S3 origin":
                // https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html).
                policyStatements: (arn) => [
                    {
                        Sid: "CloudFrontReadsThroughThisDistributionOnly",
                        Effect: "Allow",
                        Principal: { Service: "cloudfront.amazonaws.com" },
                        Action: "s3:GetObject",
                        Resource: pulumi.interpolate`${arn}/*`,
                        Condition: { StringEquals: { "AWS:SourceArn": distributionArn.value } },
                    },
                ],
            },
            { parent: this },
        );
        const logsKey = this.createLogsKey(ctx, accountId, partition, usEast1);
        const waf = new Waf(
            ctx.childName("waf"),
            {
                environment: args.environment,
                namePrefix: `${ctx.prefix}-cdn`,
                tags: args.tags,
                scope: "CLOUDFRONT",
                rateLimitPer5Min: args.rateLimitPer5Min,
                allowedCountryCodes: args.allowedCountryCodes,
                loginPaths: args.loginPaths,
                loginRateLimitPer5Min: args.loginRateLimitPer5Min,
                logsKeyArn: logsKey.arn,
                logRetentionDays: args.logRetentionDays,
                // Static files and API bodies: documents are uploaded through the API.
                countOnlyCommonRules: ["SizeRestrictions_BODY"],
            },
            { parent: this, provider: usEast1 },
        );
        const certificateArn = this.createCertificate(ctx, args, hosts, east);
        const distribution = this.createDistribution(ctx, args, { bucket, certificateArn, webAclArn: waf.webAclArn, hosts, apiPath });
        distributionArn.resolve(distribution.arn);
        this.createLogging(ctx, args, distribution, logsKey, east);
        this.upload(ctx, bucket, files);
        this.createAliases(ctx, args, hosts, distribution);

        this.distributionId = distribution.id;
        this.distributionArn = distribution.arn;
        this.distributionDomainName = distribution.domainName;
        this.bucketName = bucket.bucketName;
        this.url = pulumi.output(`https://${args.domain}`);
        this.registerOutputs({ distributionId: this.distributionId, bucketName: this.bucketName, url: this.url });
    }

    /**
     * The app bucket's key: the account administers it and uses it through S3 (uploads); CloudFront
     * decrypts only for this distribution ("Restrict access to an Amazon S3 origin", SSE-KMS:
     * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html#create-oac-overview-s3).
     */
    private createBucketKey(
        ctx: AwsContext,
        accountId: pulumi.Output<string>,
        partition: pulumi.Output<string>,
        region: pulumi.Output<string>,
        distributionArn: pulumi.Output<string>,
    ): aws.kms.Key {
        const root = pulumi.interpolate`arn:${partition}:iam::${accountId}:root`;
        return new aws.kms.Key(
            ctx.childName("app"),
            {
                description: `${ctx.prefix} web front end files`,
                ...FRONTEND_KEY,
                policy: policyDocument([
                    { Sid: "KeyAdministration", Effect: "Allow", Principal: { AWS: root }, Action: KEY_ADMIN_ACTIONS, Resource: "*" },
                    {
                        Sid: "UseThroughS3OfThisAccount",
                        Effect: "Allow",
                        Principal: { AWS: root },
                        Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
                        Resource: "*",
                        Condition: { StringEquals: { "kms:CallerAccount": accountId, "kms:ViaService": pulumi.interpolate`s3.${region}.amazonaws.com` } },
                    },
                    {
                        Sid: "CloudFrontDecryptsForThisDistributionOnly",
                        Effect: "Allow",
                        Principal: { Service: "cloudfront.amazonaws.com" },
                        Action: "kms:Decrypt",
                        Resource: "*",
                        Condition: { StringEquals: { "AWS:SourceArn": distributionArn } },
                    },
                ]),
                tags: ctx.tags("frontend-key"),
            },
            ctx.dataOpts(),
        );
    }

    /** The us-east-1 key of the distribution's WAF and access logs (a log group takes a key of its own region). */
    private createLogsKey(ctx: AwsContext, accountId: pulumi.Output<string>, partition: pulumi.Output<string>, usEast1: aws.Provider): aws.kms.Key {
        const root = pulumi.interpolate`arn:${partition}:iam::${accountId}:root`;
        return new aws.kms.Key(
            ctx.childName("cdn-logs"),
            {
                description: `${ctx.prefix} CloudFront and WAF logs (us-east-1)`,
                ...FRONTEND_KEY,
                policy: policyDocument([
                    { Sid: "KeyAdministration", Effect: "Allow", Principal: { AWS: root }, Action: KEY_ADMIN_ACTIONS, Resource: "*" },
                    {
                        // "Encrypt log data in CloudWatch Logs using AWS KMS":
                        // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
                        Sid: "CloudWatchLogsOfThisAccount",
                        Effect: "Allow",
                        Principal: { Service: "logs.us-east-1.amazonaws.com" },
                        Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*"],
                        Resource: "*",
                        Condition: {
                            ArnLike: { "kms:EncryptionContext:aws:logs:arn": pulumi.interpolate`arn:${partition}:logs:us-east-1:${accountId}:log-group:*` },
                        },
                    },
                ]),
                tags: ctx.tags("cdn-logs-key"),
            },
            ctx.dataOpts({ provider: usEast1 }),
        );
    }

    /**
     * The viewer certificate: given, or issued in us-east-1 with DNS validation ("Requirements for
     * using SSL/TLS certificates with CloudFront": the certificate must be in us-east-1,
     * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cnames-and-https-requirements.html).
     */
    private createCertificate(
        ctx: AwsContext,
        args: FrontendArgs,
        hosts: string[],
        east: (extra?: pulumi.CustomResourceOptions) => pulumi.CustomResourceOptions,
    ): pulumi.Output<string> {
        if (args.certificateArn) return pulumi.output(args.certificateArn);
        const cert = new aws.acm.Certificate(
            ctx.childName("cert"),
            {
                domainName: args.domain,
                ...(hosts.length > 1 ? { subjectAlternativeNames: hosts.slice(1) } : {}),
                validationMethod: "DNS",
                keyAlgorithm: "EC_prime256v1",
                tags: ctx.tags("cdn-cert"),
            },
            east(),
        );
        // "Since the CNAME validation token works for any AWS Region, you can re-create the same
        // certificate in multiple Regions" (https://docs.aws.amazon.com/acm/latest/userguide/dns-validation.html):
        // the ALB certificate's records validate this one too.
        const fqdns =
            args.existingValidationFqdns ??
            [...new Set(hosts.map((n) => n.replace(/^\*\./, "")))].map(
                (base) => certificateValidationRecord(ctx, `cert-validation-${base.replace(/\./g, "-")}`, cert, base, args.hostedZoneId!).fqdn,
            );
        return new aws.acm.CertificateValidation(ctx.childName("cert"), { certificateArn: cert.arn, validationRecordFqdns: fqdns }, east()).certificateArn;
    }

    /** The distribution with its origin access control, response-headers policy and SPA function. */
    private createDistribution(
        ctx: AwsContext,
        args: FrontendArgs,
        parts: { bucket: SecureBucket; certificateArn: pulumi.Output<string>; webAclArn: pulumi.Output<string>; hosts: string[]; apiPath: string },
    ): aws.cloudfront.Distribution {
        // "Restrict access to an Amazon S3 origin" (OAC, SigV4 on every request).
        const oac = new aws.cloudfront.OriginAccessControl(
            ctx.childName("oac"),
            {
                name: ctx.physical("frontend-oac", 64),
                description: `${ctx.prefix} web front end bucket`,
                originAccessControlOriginType: "s3",
                signingBehavior: "always",
                signingProtocol: "sigv4",
            },
            ctx.opts(),
        );
        const csp = args.contentSecurityPolicy ?? DEFAULT_FRONTEND_CSP;
        // "Use response headers policies" (security headers):
        // https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/understanding-response-headers-policies.html
        // The API's own Content-Security-Policy (from the ALB) is kept: override false.
        const headers = new aws.cloudfront.ResponseHeadersPolicy(
            ctx.childName("headers"),
            {
                name: ctx.physical("frontend-headers", 128),
                comment: `${ctx.prefix} security headers`,
                securityHeadersConfig: {
                    ...(args.hsts === false
                        ? {}
                        : { strictTransportSecurity: { accessControlMaxAgeSec: 63072000, includeSubdomains: true, preload: true, override: true } }),
                    ...(csp === "none" ? {} : { contentSecurityPolicy: { contentSecurityPolicy: csp, override: false } }),
                    frameOptions: { frameOption: "DENY", override: true },
                    contentTypeOptions: { override: true },
                    referrerPolicy: { referrerPolicy: "no-referrer", override: true },
                },
            },
            ctx.opts(),
        );
        // The SPA fallback on the app's behaviour only: a distribution's custom error responses would
        // also turn the API's 403 and 404 into index.html (they apply to every behaviour).
        const spa = new aws.cloudfront.Function(
            ctx.childName("spa"),
            {
                name: ctx.physical("frontend-spa", 64),
                runtime: "cloudfront-js-2.0",
                comment: "SPA fallback: paths without a file extension serve /index.html",
                publish: true,
                code: SPA_FUNCTION_CODE,
            },
            ctx.opts(),
        );
        return new aws.cloudfront.Distribution(
            ctx.childName("cdn"),
            {
                enabled: true,
                comment: `${ctx.prefix} web front end and API`,
                aliases: parts.hosts,
                defaultRootObject: "index.html",
                httpVersion: "http2and3",
                isIpv6Enabled: true,
                priceClass: args.priceClass ?? "PriceClass_100",
                webAclId: parts.webAclArn,
                origins: [
                    { originId: "app", domainName: parts.bucket.regionalDomainName, originAccessControlId: oac.id },
                    {
                        originId: "api",
                        domainName: args.albDnsName,
                        customOriginConfig: {
                            httpPort: 80,
                            httpsPort: 443,
                            originProtocolPolicy: "https-only",
                            originSslProtocols: ["TLSv1.2"],
                            originReadTimeout: 60,
                            originKeepaliveTimeout: 5,
                        },
                        customHeaders: [{ name: ORIGIN_VERIFY_HEADER, value: args.originVerifySecret }],
                    },
                ],
                defaultCacheBehavior: {
                    targetOriginId: "app",
                    viewerProtocolPolicy: "redirect-to-https",
                    allowedMethods: ["GET", "HEAD", "OPTIONS"],
                    cachedMethods: ["GET", "HEAD"],
                    compress: true,
                    cachePolicyId: MANAGED_CLOUDFRONT_POLICIES.cachingOptimized,
                    responseHeadersPolicyId: headers.id,
                    functionAssociations: [{ eventType: "viewer-request", functionArn: spa.arn }],
                },
                // The API: nothing cached, every viewer header (Host included: CloudFront checks the
                // ALB's certificate against it) to the ALB over TLS 1.2
                // (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-https-cloudfront-to-custom-origin.html).
                orderedCacheBehaviors: [
                    {
                        pathPattern: `${parts.apiPath}/*`,
                        targetOriginId: "api",
                        viewerProtocolPolicy: "https-only",
                        allowedMethods: ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
                        cachedMethods: ["GET", "HEAD"],
                        compress: true,
                        cachePolicyId: MANAGED_CLOUDFRONT_POLICIES.cachingDisabled,
                        originRequestPolicyId: MANAGED_CLOUDFRONT_POLICIES.allViewer,
                        responseHeadersPolicyId: headers.id,
                    },
                ],
                restrictions: { geoRestriction: { restrictionType: "none" } },
                viewerCertificate: { acmCertificateArn: parts.certificateArn, sslSupportMethod: "sni-only", minimumProtocolVersion: CLOUDFRONT_MIN_TLS },
                tags: ctx.tags("cdn"),
            },
            ctx.opts(),
        );
    }

    /**
     * Standard logging (v2) to an encrypted log group in us-east-1: a delivery source (the
     * distribution's access logs), a destination and the delivery ("Configure standard logging
     * (v2)": https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging.html).
     * Legacy logging would need a bucket with ACLs enabled, which every bucket here refuses.
     */
    private createLogging(
        ctx: AwsContext,
        args: FrontendArgs,
        distribution: aws.cloudfront.Distribution,
        logsKey: aws.kms.Key,
        east: (extra?: pulumi.CustomResourceOptions) => pulumi.CustomResourceOptions,
    ): void {
        const group = new aws.cloudwatch.LogGroup(
            ctx.childName("access-logs"),
            { name: `/aws/cloudfront/${ctx.prefix}`, retentionInDays: args.logRetentionDays ?? 90, kmsKeyId: logsKey.arn, tags: ctx.tags("cdn-access-logs") },
            east(),
        );
        const source = new aws.cloudwatch.LogDeliverySource(
            ctx.childName("access-logs"),
            { name: ctx.physical("cdn-access", 60), logType: "ACCESS_LOGS", resourceArn: distribution.arn, tags: ctx.tags("cdn-access-logs") },
            east(),
        );
        const destination = new aws.cloudwatch.LogDeliveryDestination(
            ctx.childName("access-logs"),
            {
                name: ctx.physical("cdn-access", 60),
                outputFormat: "json",
                deliveryDestinationConfiguration: { destinationResourceArn: group.arn },
                tags: ctx.tags("cdn-access-logs"),
            },
            east(),
        );
        new aws.cloudwatch.LogDelivery(
            ctx.childName("access-logs"),
            { deliverySourceName: source.name, deliveryDestinationArn: destination.arn, tags: ctx.tags("cdn-access-logs") },
            east(),
        );
    }

    /** Every file of the built app, with its content type; index.html is never cached by browsers. */
    private upload(ctx: AwsContext, bucket: SecureBucket, files: AppFile[]): void {
        for (const f of files)
            new aws.s3.BucketObjectv2(
                ctx.childName(`file-${f.key}`),
                {
                    bucket: bucket.bucketName,
                    key: f.key,
                    source: new pulumi.asset.FileAsset(f.file),
                    contentType: f.contentType,
                    ...(f.key.endsWith(".html") ? { cacheControl: "no-cache" } : {}),
                },
                ctx.opts(),
            );
    }

    /** The names point at the distribution (A and AAAA aliases), when the zone is ours. */
    private createAliases(ctx: AwsContext, args: FrontendArgs, hosts: string[], distribution: aws.cloudfront.Distribution): void {
        if (!args.hostedZoneId) return;
        for (const host of hosts)
            for (const type of ["A", "AAAA"])
                new aws.route53.Record(
                    ctx.childName(`alias-${type.toLowerCase()}-${host.replace(/^\*\./, "wildcard.").replace(/\./g, "-")}`),
                    {
                        zoneId: args.hostedZoneId,
                        name: host,
                        type,
                        aliases: [{ name: distribution.domainName, zoneId: distribution.hostedZoneId, evaluateTargetHealth: false }],
                    },
                    ctx.opts(),
                );
    }
}

/** The SPA fallback (cloudfront-js-2.0): a path without a file extension is an app route. */
export const SPA_FUNCTION_CODE = `function handler(event) {
    var request = event.request;
    var last = request.uri.split("/").pop();
    if (last.indexOf(".") === -1) request.uri = "/index.html";
    return request;
}
`;

/** A value known later (the distribution's ARN in the policies created before it). */
class Deferred<T> {
    readonly value: pulumi.Output<T>;
    resolve!: (v: pulumi.Input<T>) => void;
    constructor() {
        this.value = pulumi.output(new Promise<pulumi.Input<T>>((r) => (this.resolve = r))).apply((x) => x) as pulumi.Output<T>;
    }
}

/** Every file under `dir`, keys with forward slashes. */
function listFiles(dir: string, prefix = ""): { key: string; file: string }[] {
    return fs
        .readdirSync(dir, { withFileTypes: true })
        .sort((a, b) => a.name.localeCompare(b.name))
        .flatMap((e) => {
            const file = path.join(dir, e.name);
            const key = prefix ? `${prefix}/${e.name}` : e.name;
            return e.isDirectory() ? listFiles(file, key) : e.isFile() ? [{ key, file }] : [];
        });
}

/** Refuses bad arguments before anything is registered; the files to upload. */
function validateFrontend(name: string, args: FrontendArgs): AppFile[] {
    const v = new Validator(`Frontend ${name}`);
    v.matches("domain", args.domain, /^([a-z0-9-]+\.)+[a-z]{2,}$/, "a lower-case DNS name");
    checkAlternativeNames(v, "alternativeNames", args.alternativeNames ?? [], args.domain);
    v.matches("apiPath", args.apiPath ?? "/api", API_PATH_RE, "a path prefix such as /api (leading /, no trailing / or wildcard)");
    checkContentSecurityPolicy(v, "contentSecurityPolicy", args.contentSecurityPolicy);
    v.oneOf("priceClass", args.priceClass ?? "PriceClass_100", CLOUDFRONT_PRICE_CLASSES);
    if (!args.certificateArn && !args.hostedZoneId)
        v.fail("certificateArn / hostedZoneId", undefined, "one of them: CloudFront needs a certificate in us-east-1");
    v.exclusive("certificateArn", args.certificateArn, "existingValidationFqdns", args.existingValidationFqdns);
    let files: AppFile[] = [];
    const dir = args.source;
    if (typeof dir !== "string" || !fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) v.fail("source", dir, "an existing folder with the built app");
    else {
        files = listFiles(dir).map((f) => ({ ...f, contentType: CONTENT_TYPES[path.extname(f.key).toLowerCase()] ?? "application/octet-stream" }));
        if (!files.some((f) => f.key === "index.html")) v.fail("source", dir, "a folder with index.html at its top (the SPA's entry)");
        const bad = files.find((f) => !/^[A-Za-z0-9/_.~@+-]+$/.test(f.key));
        if (bad) v.fail("source", bad.key, "file names of letters, digits and /_.~@+- only (each is a resource name and an S3 key)");
    }
    v.throwIfAny();
    return files;
}
