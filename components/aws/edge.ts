import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { typeToken } from "../core/naming";
import { ALLOWED_TLS_POLICIES, DEFAULT_CONTENT_SECURITY_POLICY } from "../core/facts";
import { Validator } from "../core/validation";
import { checkAlternativeNames, checkContentSecurityPolicy, postureFor } from "../settings";
import { SecureBucket } from "./bucket";
import { ELB_LOG_DELIVERY_ACCOUNTS } from "../core/aws-catalog";
import { accountIdOf, AwsCommonArgs, AwsContext, certificateValidationRecord, partitionOf } from "./common";

/**
 * TLS policies accepted on the HTTPS listener (TLS 1.2+ only): the policy pack's allowlist, so
 * that a listener the pack would reject is refused when the component is built.
 */
export { ALLOWED_TLS_POLICIES };

export interface EdgeArgs extends AwsCommonArgs {
    /** VPC the resources are created in. */
    vpcId: pulumi.Input<string>;
    /** Public subnets for the ALB (at least two AZs). */
    publicSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Public host name served, e.g. `rag.example.gov`. */
    domain: string;
    /** More host names served and on the certificate (wildcards as `*.name`), each validated and aliased in `hostedZoneId`'s zone. @default [] */
    alternativeNames?: string[];
    /** Use this ACM certificate. Excludes `hostedZoneId` certificate issuance. */
    certificateArn?: pulumi.Input<string>;
    /** Route 53 zone: issue a DNS-validated certificate and point `domain` at the ALB. */
    hostedZoneId?: pulumi.Input<string>;
    /** CIDRs allowed on 80/443. @default ["0.0.0.0/0"] */
    allowedCidrs?: string[];
    /** Listener TLS policy, one of ALLOWED_TLS_POLICIES. @default "ELBSecurityPolicy-TLS13-1-2-2021-06" */
    sslPolicy?: string;
    /** Port the API containers listen on. @default 8000 */
    targetPort?: number;
    /** Health check path of the API. @default "/health" */
    healthPath?: string;
    /** Add HSTS (`max-age=63072000; includeSubDomains`) to every HTTPS response. @default true */
    hsts?: boolean;
    /**
     * Content-Security-Policy the ALB sets on every HTTPS response; `none` sends none.
     * @default "default-src 'none'; frame-ancestors 'none'" (an API serves no page)
     */
    contentSecurityPolicy?: string;
    /** Seconds an idle client connection stays open (streamed LLM answers need time). @default 120 */
    idleTimeoutSeconds?: number;
    /** Refuse deletion of the ALB. @default environment === "production" */
    deletionProtection?: boolean;
    /** Days ALB access logs are kept. @default 90 */
    accessLogRetentionDays?: number;
    /**
     * Only CloudFront reaches the ALB (the web front end's distribution routes the API to it): 443
     * from CloudFront's origin-facing prefix list only, requests without the distribution's secret
     * origin header answered 403, and no DNS alias (the names point at the distribution). @default false
     */
    cloudFrontOnly?: boolean;
    /**
     * The resources of ECS's native blue/green deployment (`ApiService.blueGreen`): a second (green)
     * target group, a production listener rule on the HTTPS listener and a test listener
     * (`BLUE_GREEN_TEST_PORT`, HTTPS) open to `testCidrs` only (the VPC's CIDR: a test client or a
     * lifecycle hook inside the VPC). Both rules forward to the two groups by weight, which ECS
     * rewrites at each deployment (the rules' actions are ECS's after creation).
     * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/alb-resources-for-blue-green.html
     * @default none (a rolling deployment: one target group)
     */
    blueGreen?: { testCidrs: pulumi.Input<string>[] };
}

/** Port of the ALB's test listener for blue/green deployments (HTTPS, from the VPC only). */
export const BLUE_GREEN_TEST_PORT = 8443;

/** What ECS's blue/green deployment needs from the edge (`ApiServiceArgs.blueGreen`). */
export interface EdgeBlueGreen {
    /** The second (green) target group. */
    alternateTargetGroupArn: pulumi.Output<string>;
    /** The HTTPS listener's rule that ECS shifts the production traffic with. */
    productionListenerRuleArn: pulumi.Output<string>;
    /** The test listener's rule that ECS sends the test traffic with. */
    testListenerRuleArn: pulumi.Output<string>;
    /** The HTTPS and the test listener (ECS may modify them). */
    listenerArns: pulumi.Output<string>[];
    /** ARN suffix of the green target group (CloudWatch dimensions). */
    alternateTargetGroupArnSuffix: pulumi.Output<string>;
}

/** The header CloudFront adds to every request to the ALB, checked by the listener (cloudFrontOnly). */
export const ORIGIN_VERIFY_HEADER = "X-Origin-Verify";

/**
 * CloudFront's origin-facing managed prefix list: the addresses CloudFront connects to origins from
 * ("Use the CloudFront managed prefix list":
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/LocationsOfEdgeServers.html#managed-prefix-list).
 */
export const CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST = "com.amazonaws.global.cloudfront.origin-facing";

/** Settings resolved from the args. */
interface Sizing {
    cidrs: string[];
    sslPolicy: string;
    port: number;
}

/** What every step of the constructor needs. */
interface StepInput {
    ctx: AwsContext;
    args: EdgeArgs;
    s: Sizing;
}

/**
 * Internet-facing ALB in the public subnets: HTTPS with an ACM certificate and a TLS 1.2+ policy,
 * HTTP only redirecting to HTTPS, invalid headers dropped, strictest desync mitigation, access
 * logs to an encrypted bucket, HSTS, and a security group open only on 80/443 from the allowed
 * CIDRs. Creates the API target group (`/health`).
 */
export class Edge extends pulumi.ComponentResource {
    /** ARN of the ALB. */
    readonly loadBalancerArn: pulumi.Output<string>;
    /** ARN suffix of the ALB (CloudWatch dimensions, request-count scaling). */
    readonly loadBalancerArnSuffix: pulumi.Output<string>;
    /** DNS name of the ALB. */
    readonly dnsName: pulumi.Output<string>;
    /** Security group of the component (reference it to allow traffic). */
    readonly securityGroupId: pulumi.Output<string>;
    /** Target group the ALB forwards to (from Edge). */
    readonly targetGroupArn: pulumi.Output<string>;
    /** ARN suffix of the target group (CloudWatch dimensions, request-count scaling). */
    readonly targetGroupArnSuffix: pulumi.Output<string>;
    /** ARN of the HTTPS listener. */
    readonly httpsListenerArn: pulumi.Output<string>;
    /**
     * The listener or rule through which the HTTPS listener forwards to the API's target group: the
     * listener itself, the CloudFront-only rule (`cloudFrontOnly`), or ECS's production rule
     * (`blueGreen`). An ECS service that registers the group waits for it (`ApiServiceArgs.listenerArn`).
     */
    readonly targetGroupAttachmentArn: pulumi.Output<string>;
    /** ARN of the certificate served. */
    readonly certificateArn: pulumi.Output<string>;
    /** Public HTTPS URL. */
    readonly url: pulumi.Output<string>;
    /** The blue/green resources, when `blueGreen` is set. */
    readonly blueGreen?: EdgeBlueGreen;
    /** FQDNs of the certificate's DNS validation records this component wrote ([] with a given certificate). */
    readonly certificateValidationFqdns: pulumi.Output<string[]>;
    /** The secret value of ORIGIN_VERIFY_HEADER the listener requires (cloudFrontOnly), else undefined. */
    readonly originVerifySecret: pulumi.Output<string> | undefined;

    constructor(name: string, args: EdgeArgs, opts?: pulumi.ComponentResourceOptions) {
        const s = Edge.validate(name, args);
        super(typeToken("aws", "Edge"), name, {}, opts);
        const ctx = new AwsContext(name, args, this);
        const input: StepInput = { ctx, args, s };

        const securityGroup = this.createSecurityGroup(input);
        const alb = this.createLoadBalancer(input, securityGroup);
        const { certificateArn, validationFqdns } = this.createCertificate(input);
        this.originVerifySecret = args.cloudFrontOnly
            ? new random.RandomPassword(ctx.childName("origin-verify"), { length: 48, special: false }, { parent: this }).result
            : undefined;
        const { targetGroup, https, attachment } = this.createListeners(input, alb, certificateArn);
        if (!args.cloudFrontOnly) this.createDnsAlias(input, alb);
        this.certificateValidationFqdns = validationFqdns;
        if (args.blueGreen) this.blueGreen = this.createBlueGreen(input, { alb, securityGroup, certificateArn, targetGroup, https });
        this.targetGroupAttachmentArn = this.blueGreen ? this.blueGreen.productionListenerRuleArn : attachment;

        this.loadBalancerArn = alb.arn;
        this.loadBalancerArnSuffix = alb.arnSuffix;
        this.dnsName = alb.dnsName;
        this.securityGroupId = securityGroup.id;
        this.targetGroupArn = targetGroup.arn;
        this.targetGroupArnSuffix = targetGroup.arnSuffix;
        this.httpsListenerArn = https.arn;
        this.certificateArn = certificateArn;
        this.url = pulumi.output(`https://${args.domain}`);
        this.registerOutputs({ loadBalancerArn: this.loadBalancerArn, dnsName: this.dnsName, url: this.url });
    }

    /** Defaults applied and every argument checked; throws before anything is registered. */
    private static validate(name: string, args: EdgeArgs): Sizing {
        const v = new Validator(`Edge ${name}`);
        v.matches("domain", args.domain, /^([a-z0-9-]+\.)+[a-z]{2,}$/, "a lower-case DNS name");
        if (!args.certificateArn && !args.hostedZoneId) v.fail("certificateArn / hostedZoneId", undefined, "one of them: HTTPS needs a certificate");
        checkAlternativeNames(v, "alternativeNames", args.alternativeNames ?? [], args.domain);
        const cidrs = args.allowedCidrs ?? ["0.0.0.0/0"];
        cidrs.forEach((c, i) => v.cidr(`allowedCidrs[${i}]`, c));
        const sslPolicy = args.sslPolicy ?? "ELBSecurityPolicy-TLS13-1-2-2021-06";
        v.oneOf("sslPolicy", sslPolicy, ALLOWED_TLS_POLICIES);
        v.int("idleTimeoutSeconds", args.idleTimeoutSeconds ?? 120, 1, 4000);
        checkContentSecurityPolicy(v, "contentSecurityPolicy", args.contentSecurityPolicy);
        if (args.blueGreen) {
            const cidrs = args.blueGreen.testCidrs;
            if (!Array.isArray(cidrs) || cidrs.length === 0) v.fail("blueGreen.testCidrs", cidrs, "at least one CIDR allowed on the test listener (the VPC's)");
            else cidrs.forEach((c, i) => typeof c === "string" && v.cidr(`blueGreen.testCidrs[${i}]`, c));
        }
        v.throwIfAny();
        const s: Sizing = { cidrs, sslPolicy, port: args.targetPort ?? 8000 };
        return s;
    }

    /** The ALB's security group: 443 and 80 (redirected) from the allowed CIDRs only. */
    private createSecurityGroup({ ctx, args, s }: StepInput): aws.ec2.SecurityGroup {
        const sg = new aws.ec2.SecurityGroup(
            ctx.childName("alb"),
            {
                vpcId: args.vpcId,
                description: args.cloudFrontOnly ? "Public ALB: HTTPS from CloudFront only" : "Public ALB: HTTPS and HTTP redirect from allowed CIDRs",
                tags: ctx.tags("alb", { "ragstack:role": "public-alb" }),
            },
            ctx.opts(),
        );
        if (args.cloudFrontOnly) {
            // The prefix list counts as its weight (about 55 entries) against the group's rules quota.
            const cloudFront = aws.ec2.getManagedPrefixListOutput({ name: CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST }, { parent: this });
            new aws.vpc.SecurityGroupIngressRule(
                ctx.childName("alb-443-cloudfront"),
                {
                    securityGroupId: sg.id,
                    ipProtocol: "tcp",
                    fromPort: 443,
                    toPort: 443,
                    prefixListId: cloudFront.id,
                    description: "HTTPS from CloudFront only",
                },
                ctx.opts(),
            );
            return sg;
        }
        s.cidrs.forEach((cidr, i) => {
            for (const p of [443, 80]) {
                new aws.vpc.SecurityGroupIngressRule(
                    ctx.childName(`alb-${p}-${i}`),
                    {
                        securityGroupId: sg.id,
                        ipProtocol: "tcp",
                        fromPort: p,
                        toPort: p,
                        cidrIpv4: cidr,
                        description: p === 443 ? "HTTPS from allowed clients" : "HTTP from allowed clients (redirected to HTTPS)",
                    },
                    ctx.opts(),
                );
            }
        });
        return sg;
    }

    /** The ALB (invalid headers dropped, strictest desync mitigation, deletion protection in production) with its access-log bucket. */
    private createLoadBalancer({ ctx, args }: StepInput, sg: aws.ec2.SecurityGroup): aws.lb.LoadBalancer {
        const accountId = accountIdOf(args, this);
        const region = aws.getRegionOutput({}, { parent: this }).region;
        const partition = partitionOf(this);
        const logs = new SecureBucket(
            ctx.childName("access-logs"),
            {
                environment: args.environment,
                namePrefix: ctx.prefix,
                tags: args.tags,
                protectData: false,
                purpose: "alb-logs",
                allowS3ManagedEncryption: true, // ALB access logs support SSE-S3 only
                lifecycle: { toIaDays: 30, toGlacierDays: 90, expireDays: args.accessLogRetentionDays ?? 90 },
                // Only this account's load balancers' logs, only under alb/AWSLogs/<account>/: by the
                // log-delivery service principal in every region, and by the region's Elastic Load
                // Balancing account where AWS still names one (the regions opened before August 2022).
                // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html
                policyStatements: (arn) =>
                    pulumi.all([region, partition]).apply(([r, p]) => [
                        ...(ELB_LOG_DELIVERY_ACCOUNTS[r]
                            ? [
                                  {
                                      Sid: "AlbAccessLogDelivery",
                                      Effect: "Allow",
                                      Principal: { AWS: `arn:${p}:iam::${ELB_LOG_DELIVERY_ACCOUNTS[r]}:root` },
                                      Action: "s3:PutObject",
                                      Resource: pulumi.interpolate`${arn}/alb/AWSLogs/${accountId}/*`,
                                  },
                              ]
                            : []),
                        {
                            Sid: "AlbAccessLogDeliveryService",
                            Effect: "Allow",
                            Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
                            Action: "s3:PutObject",
                            Resource: pulumi.interpolate`${arn}/alb/AWSLogs/${accountId}/*`,
                            Condition: { StringEquals: { "aws:SourceAccount": accountId } },
                        },
                    ]),
            },
            { parent: this },
        );

        return new aws.lb.LoadBalancer(
            ctx.childName("alb"),
            {
                name: ctx.physical("alb", 32),
                loadBalancerType: "application",
                internal: false,
                subnets: args.publicSubnetIds,
                securityGroups: [sg.id],
                dropInvalidHeaderFields: true,
                desyncMitigationMode: "strictest",
                enableDeletionProtection: args.deletionProtection ?? postureFor(args.environment).loadBalancerDeletionProtection,
                idleTimeout: args.idleTimeoutSeconds ?? 120,
                accessLogs: { bucket: logs.bucketName, prefix: "alb", enabled: true },
                tags: ctx.tags("alb"),
            },
            ctx.opts({ dependsOn: [logs] }),
        );
    }

    /** The certificate: the one given, or an ACM certificate validated through DNS in the hosted zone. */
    private createCertificate({ ctx, args }: StepInput): { certificateArn: pulumi.Output<string>; validationFqdns: pulumi.Output<string[]> } {
        if (args.certificateArn) return { certificateArn: pulumi.output(args.certificateArn), validationFqdns: pulumi.output([]) };
        const alternativeNames = args.alternativeNames ?? [];
        const cert = new aws.acm.Certificate(
            ctx.childName("cert"),
            {
                domainName: args.domain,
                ...(alternativeNames.length ? { subjectAlternativeNames: alternativeNames } : {}),
                validationMethod: "DNS",
                keyAlgorithm: "EC_prime256v1",
                tags: ctx.tags("cert"),
            },
            ctx.opts(),
        );
        // One validation record per name less its wildcard: ACM gives `*.x` and `x` the same CNAME
        // ("Setting up DNS validation": https://docs.aws.amazon.com/acm/latest/userguide/dns-validation.html).
        const bases = [...new Set([args.domain, ...alternativeNames].map((n) => n.replace(/^\*\./, "")))];
        const records = bases.map((base, i) =>
            // The domain's record keeps its name (and URN) from before alternative names existed.
            certificateValidationRecord(ctx, i === 0 ? "cert-validation" : `cert-validation-${base.replace(/\./g, "-")}`, cert, base, args.hostedZoneId!),
        );
        const validation = new aws.acm.CertificateValidation(
            ctx.childName("cert"),
            { certificateArn: cert.arn, validationRecordFqdns: records.map((r) => r.fqdn) },
            ctx.opts(),
        );
        return { certificateArn: validation.certificateArn, validationFqdns: pulumi.all(records.map((r) => r.fqdn)) };
    }

    /** The API target group (health on /health), the HTTPS listener (allowlisted TLS policy, security headers) and the HTTP listener that only redirects. */
    private createListeners(
        { ctx, args, s }: StepInput,
        alb: aws.lb.LoadBalancer,
        certificateArn: pulumi.Output<string>,
    ): { targetGroup: aws.lb.TargetGroup; https: aws.lb.Listener; attachment: pulumi.Output<string> } {
        const tg = this.apiTargetGroup({ ctx, args, s }, "api");
        const csp = args.contentSecurityPolicy ?? DEFAULT_CONTENT_SECURITY_POLICY;
        const https = new aws.lb.Listener(
            ctx.childName("https"),
            {
                loadBalancerArn: alb.arn,
                port: 443,
                protocol: "HTTPS",
                sslPolicy: s.sslPolicy,
                certificateArn,
                // cloudFrontOnly: only requests with the distribution's secret header are forwarded (the rule below).
                defaultActions: this.originVerifySecret
                    ? [{ type: "fixed-response", fixedResponse: { contentType: "text/plain", messageBody: "Forbidden", statusCode: "403" } }]
                    : [{ type: "forward", targetGroupArn: tg.arn }],
                ...(args.hsts === false ? {} : { routingHttpResponseStrictTransportSecurityHeaderValue: "max-age=63072000; includeSubDomains; preload" }),
                ...(csp === "none" ? {} : { routingHttpResponseContentSecurityPolicyHeaderValue: csp }),
                routingHttpResponseXContentTypeOptionsHeaderValue: "nosniff",
                routingHttpResponseXFrameOptionsHeaderValue: "DENY",
                tags: ctx.tags("https"),
            },
            ctx.opts(),
        );
        // With blue/green, ECS's production rule carries the same header condition instead (createBlueGreen):
        // a rule of higher precedence forwarding to one group would bypass ECS's traffic shift.
        const fromCloudFront =
            this.originVerifySecret && !args.blueGreen
                ? new aws.lb.ListenerRule(
                      ctx.childName("from-cloudfront"),
                      {
                          listenerArn: https.arn,
                          priority: 1,
                          conditions: [{ httpHeader: { httpHeaderName: ORIGIN_VERIFY_HEADER, values: [this.originVerifySecret] } }],
                          actions: [{ type: "forward", targetGroupArn: tg.arn }],
                          tags: ctx.tags("from-cloudfront"),
                      },
                      ctx.opts(),
                  )
                : undefined;
        new aws.lb.Listener(
            ctx.childName("http"),
            {
                loadBalancerArn: alb.arn,
                port: 80,
                protocol: "HTTP",
                defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
                tags: ctx.tags("http-redirect"),
            },
            ctx.opts(),
        );
        return { targetGroup: tg, https, attachment: fromCloudFront ? fromCloudFront.arn : https.arn };
    }

    /** An API target group (IP targets, health on the API's health path); `green` is blue/green's second one. */
    private apiTargetGroup({ ctx, args, s }: StepInput, key: "api" | "api-green"): aws.lb.TargetGroup {
        return new aws.lb.TargetGroup(
            ctx.childName(key),
            {
                name: ctx.physical(key, 32),
                vpcId: args.vpcId,
                targetType: "ip",
                protocol: "HTTP",
                port: s.port,
                deregistrationDelay: 30,
                healthCheck: {
                    enabled: true,
                    path: args.healthPath ?? "/health",
                    protocol: "HTTP",
                    matcher: "200",
                    interval: 15,
                    timeout: 5,
                    healthyThreshold: 2,
                    unhealthyThreshold: 3,
                },
                tags: ctx.tags(key === "api" ? "api-tg" : "api-green-tg"),
            },
            ctx.opts(),
        );
    }

    /**
     * ECS native blue/green on this ALB: the green target group (same health check), a production
     * rule on the HTTPS listener and a test listener with its rule, each forwarding to both groups by
     * weight (blue 100, green 0 at creation; ECS rewrites the weights at every deployment, so the
     * rules' actions are left to it). Forward actions only: ECS refuses rules that mix forward and
     * other actions. The test listener admits `testCidrs` only (its own security group rule).
     * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/alb-resources-for-blue-green.html
     */
    private createBlueGreen(
        input: StepInput,
        deps: {
            alb: aws.lb.LoadBalancer;
            securityGroup: aws.ec2.SecurityGroup;
            certificateArn: pulumi.Output<string>;
            targetGroup: aws.lb.TargetGroup;
            https: aws.lb.Listener;
        },
    ): EdgeBlueGreen {
        const { ctx, args, s } = input;
        const green = this.apiTargetGroup(input, "api-green");
        const weighted = [
            {
                type: "forward",
                forward: {
                    targetGroups: [
                        { arn: deps.targetGroup.arn, weight: 100 },
                        { arn: green.arn, weight: 0 },
                    ],
                },
            },
        ];
        // ECS owns the weights after creation (it shifts them at each deployment).
        const ecsOwnsActions = ctx.opts({ ignoreChanges: ["actions"] });
        const production = new aws.lb.ListenerRule(
            ctx.childName("https-production"),
            {
                listenerArn: deps.https.arn,
                // The lowest precedence: more specific rules (if any) come first; this one takes every path.
                priority: 50000,
                actions: weighted,
                conditions: [
                    { pathPattern: { values: ["/*"] } },
                    // cloudFrontOnly: only the distribution's requests reach the groups; the listener answers the rest 403.
                    ...(this.originVerifySecret ? [{ httpHeader: { httpHeaderName: ORIGIN_VERIFY_HEADER, values: [this.originVerifySecret] } }] : []),
                ],
                tags: ctx.tags("https-production"),
            },
            ecsOwnsActions,
        );
        const test = new aws.lb.Listener(
            ctx.childName("test"),
            {
                loadBalancerArn: deps.alb.arn,
                port: BLUE_GREEN_TEST_PORT,
                protocol: "HTTPS",
                sslPolicy: s.sslPolicy,
                certificateArn: deps.certificateArn,
                defaultActions: [{ type: "forward", targetGroupArn: deps.targetGroup.arn }],
                tags: ctx.tags("test-listener"),
            },
            // The default action forwards to the group ECS started with; the rule below is what ECS shifts.
            ctx.opts({ ignoreChanges: ["defaultActions"] }),
        );
        const testRule = new aws.lb.ListenerRule(
            ctx.childName("test"),
            {
                listenerArn: test.arn,
                priority: 50000,
                actions: weighted,
                conditions: [{ pathPattern: { values: ["/*"] } }],
                tags: ctx.tags("test-rule"),
            },
            ecsOwnsActions,
        );
        args.blueGreen!.testCidrs.forEach(
            (cidr, i) =>
                new aws.vpc.SecurityGroupIngressRule(
                    ctx.childName(`alb-${BLUE_GREEN_TEST_PORT}-${i}`),
                    {
                        securityGroupId: deps.securityGroup.id,
                        ipProtocol: "tcp",
                        fromPort: BLUE_GREEN_TEST_PORT,
                        toPort: BLUE_GREEN_TEST_PORT,
                        cidrIpv4: cidr,
                        description: "Blue/green test listener from inside the VPC",
                    },
                    ctx.opts(),
                ),
        );
        return {
            alternateTargetGroupArn: green.arn,
            alternateTargetGroupArnSuffix: green.arnSuffix,
            productionListenerRuleArn: production.arn,
            testListenerRuleArn: testRule.arn,
            listenerArns: [deps.https.arn, test.arn],
        };
    }

    /** The DNS aliases of the domain and the alternative names to the ALB, when a hosted zone is given. */
    private createDnsAlias({ ctx, args }: StepInput, alb: aws.lb.LoadBalancer): void {
        if (args.hostedZoneId) {
            new aws.route53.Record(
                ctx.childName("alias"),
                { zoneId: args.hostedZoneId, name: args.domain, type: "A", aliases: [{ name: alb.dnsName, zoneId: alb.zoneId, evaluateTargetHealth: true }] },
                ctx.opts(),
            );
            // Wildcard names are records too ("Using an asterisk (*) in the names of hosted zones and
            // records": https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DomainNameFormat.html).
            for (const alt of args.alternativeNames ?? [])
                new aws.route53.Record(
                    ctx.childName(`alias-${alt.replace(/^\*\./, "wildcard.").replace(/\./g, "-")}`),
                    { zoneId: args.hostedZoneId, name: alt, type: "A", aliases: [{ name: alb.dnsName, zoneId: alb.zoneId, evaluateTargetHealth: true }] },
                    ctx.opts(),
                );
        }
    }
}
