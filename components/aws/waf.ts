import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { typeToken } from "../core/naming";
import { Validator } from "../core/validation";
import { checkLogRetention, MAX_REQUEST_BODY_MIB } from "../settings";
import { AwsCommonArgs, AwsContext } from "./common";

/** AWS managed rule groups applied in this order. */
export const MANAGED_RULE_GROUPS = [
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesAnonymousIpList",
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesSQLiRuleSet",
] as const;

export interface WafArgs extends AwsCommonArgs {
    /** ARN of the ALB to protect (REGIONAL scope); a CLOUDFRONT-scope ACL is named by its distribution instead. */
    loadBalancerArn?: pulumi.Input<string>;
    /**
     * REGIONAL (an ALB) or CLOUDFRONT (a distribution's `webAclId`; create it with a us-east-1
     * provider: https://docs.aws.amazon.com/waf/latest/developerguide/how-aws-waf-works-resources.html). @default "REGIONAL"
     */
    scope?: "REGIONAL" | "CLOUDFRONT";
    /** Requests per 5 minutes per client IP before blocking. @default 2000 */
    rateLimitPer5Min?: number;
    /** KMS key for the WAF log group. */
    logsKeyArn: pulumi.Input<string>;
    /** Days WAF logs are kept. @default 90 */
    logRetentionDays?: number;
    /**
     * Rules of the Common rule set to COUNT instead of BLOCK, e.g. `SizeRestrictions_BODY` when
     * documents are uploaded through the API. @default ["SizeRestrictions_BODY"]
     */
    countOnlyCommonRules?: string[];
    /**
     * Countries (ISO 3166-1 alpha-2) requests may come from; others are blocked before any other
     * rule (a service for one country's residents). @default [] (no geographic restriction)
     */
    allowedCountryCodes?: string[];
    /**
     * Paths (prefixes such as `/auth/login`) that get their own, stricter per-IP rate limit
     * (`loginRateLimitPer5Min`): credential stuffing hits them long before the global limit.
     * @default []
     */
    loginPaths?: string[];
    /** Requests per 5 minutes per client IP to `loginPaths` before blocking (10..rateLimitPer5Min). @default 100 */
    loginRateLimitPer5Min?: number;
    /**
     * Largest request body admitted, MiB (1..4096): requests whose Content-Length header says more
     * are blocked. The WAF sees only the first 8 KB of a body behind an ALB, so it cannot measure a
     * body itself; a chunked request without Content-Length is not caught here (the API limits
     * what it reads). `undefined`: no such rule. @default undefined
     */
    maxRequestBodyMiB?: number;
    /**
     * Behind a proxy only it admits (the web front end's CloudFront): the per-IP rules (rate limits,
     * countries) key on the client address in this header, which CloudFront sets (`X-Forwarded-For`),
     * not on the connection's source (CloudFront's edge servers, shared by many clients). WAF reads
     * the header's first address ("Forwarded IP address":
     * https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-forwarded-ip-address.html);
     * the distribution's own web ACL limits the real source addresses. @default none: the source address
     */
    clientIpHeader?: string;
    /**
     * Your own rules, evaluated after the library's (rate limits, geography, managed groups) in the
     * order given; their priorities are assigned here, a missing visibilityConfig is filled in.
     * @default []
     */
    extraRules?: (Omit<aws.types.input.wafv2.WebAclRule, "priority" | "visibilityConfig" | "name"> & { name: string })[];
}

/** Names of the rules the library writes itself (an extra rule may not reuse one). */
export const WAF_RULE_NAMES = ["rate-limit-per-ip", "geo-allow-list", "login-rate-limit-per-ip", "request-body-size-limit", ...MANAGED_RULE_GROUPS] as const;

/**
 * A regular expression matching the decimal numbers greater than `limit` (leading zeros allowed):
 * more digits than `limit` has, or as many digits and greater at the first digit that differs.
 *
 * Why a regex and not a size constraint: a SizeConstraintStatement compares the size in bytes of
 * the component it inspects, not the number it holds ("Size constraint rule statement",
 * https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-size-constraint-match.html),
 * and behind an ALB the WAF inspects only the first 8 KB of a body, so a size constraint on the
 * body cannot see a 10 MiB one ("Oversize web request components",
 * https://docs.aws.amazon.com/waf/latest/developerguide/waf-oversize-request-components.html;
 * Body, OversizeHandling: https://docs.aws.amazon.com/waf/latest/APIReference/API_Body.html).
 * The declared length is what the WAF can read: the Content-Length header, compared as a number.
 * A RegexString holds at most 512 characters
 * (https://docs.aws.amazon.com/waf/latest/APIReference/API_RegexMatchStatement.html); the longest this
 * writes (4096 MiB, 10 digits) is tested against that.
 */
export function greaterThanRegex(limit: number): string {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new Error(`greaterThanRegex: got ${limit}; allowed: a positive integer`);
    const d = String(limit);
    const digits = (n: number) => (n === 0 ? "" : n === 1 ? "\\d" : `\\d{${n}}`);
    const alternatives = [`[1-9]\\d{${d.length},}`];
    for (let i = 0; i < d.length; i++) {
        const x = Number(d[i]);
        if (x === 9) continue;
        const next = x + 1 === 9 ? "9" : `[${x + 1}-9]`;
        alternatives.push(`${d.slice(0, i)}${next}${digits(d.length - i - 1)}`);
    }
    return `^0*(${alternatives.join("|")})$`;
}

/** Requests whose Content-Length header declares more than `bytes`. */
function contentLengthAbove(bytes: number): aws.types.input.wafv2.WebAclRuleStatement {
    return {
        regexMatchStatement: {
            regexString: greaterThanRegex(bytes),
            fieldToMatch: { singleHeader: { name: "content-length" } },
            textTransformations: [{ priority: 0, type: "NONE" }],
        },
    };
}

/** Requests whose URI path starts with one of `paths` (a byte match per path, OR-ed). */
function loginScope(paths: string[]): aws.types.input.wafv2.WebAclRuleStatementRateBasedStatementScopeDownStatement {
    const match = (path: string) => ({
        byteMatchStatement: {
            searchString: path,
            positionalConstraint: "STARTS_WITH",
            fieldToMatch: { uriPath: {} },
            textTransformations: [{ priority: 0, type: "NONE" }],
        },
    });
    return paths.length === 1 ? match(paths[0]) : { orStatement: { statements: paths.map(match) } };
}

/**
 * WAFv2 web ACL on the ALB: AWS managed rule groups (IP reputation, anonymous IP, common,
 * known bad inputs, SQLi), a per-IP rate-based rule, optionally a country allow-list, a stricter
 * rate limit on login paths, a cap on the declared body size (Content-Length) and your own rules after the library's, CloudWatch metrics on every rule, and
 * logging to an `aws-waf-logs-*` log group with the Authorization and Cookie headers redacted.
 */
export class Waf extends pulumi.ComponentResource {
    /** ARN of the web ACL. */
    readonly webAclArn: pulumi.Output<string>;
    /** Name of the WAF web ACL (blocked-request alarm). @default none: no WAF alarm */
    readonly webAclName: pulumi.Output<string>;
    /** The web ACL's CloudWatch metric name: the `WebACL` dimension of its AWS/WAFV2 metrics. */
    readonly webAclMetricName: string;

    constructor(name: string, args: WafArgs, opts?: pulumi.ComponentResourceOptions) {
        const settings = wafSettings(name, args);
        super(typeToken("aws", "Waf"), name, {}, opts);
        const ctx = new AwsContext(name, args, this);
        const metricPrefix = ctx.physical("waf", 100).replace(/-/g, "");
        const visibility = (metric: string) => ({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: `${metricPrefix}${metric}` });

        const acl = new aws.wafv2.WebAcl(
            ctx.childName("acl"),
            {
                name: ctx.physical("acl", 128),
                scope: args.scope ?? "REGIONAL",
                defaultAction: { allow: {} },
                visibilityConfig: visibility("Acl"),
                rules: wafRules(settings, visibility, args.countOnlyCommonRules ?? ["SizeRestrictions_BODY"], args.clientIpHeader),
                tags: ctx.tags("waf"),
            },
            ctx.opts(),
        );
        if (args.loadBalancerArn) new aws.wafv2.WebAclAssociation(ctx.childName("alb"), { resourceArn: args.loadBalancerArn, webAclArn: acl.arn }, ctx.opts());
        this.createLogging(ctx, args, acl);
        this.webAclArn = acl.arn;
        this.webAclName = acl.name;
        this.webAclMetricName = `${metricPrefix}Acl`;
        this.registerOutputs({ webAclArn: this.webAclArn });
    }

    /** Logging to an `aws-waf-logs-*` group with the Authorization and Cookie headers redacted. */
    private createLogging(ctx: AwsContext, args: WafArgs, acl: aws.wafv2.WebAcl): void {
        const logGroup = new aws.cloudwatch.LogGroup(
            ctx.childName("logs"),
            {
                name: `aws-waf-logs-${ctx.prefix}`,
                retentionInDays: args.logRetentionDays ?? 90,
                kmsKeyId: args.logsKeyArn,
                tags: ctx.tags("waf-logs"),
            },
            ctx.opts(),
        );
        new aws.wafv2.WebAclLoggingConfiguration(
            ctx.childName("logging"),
            {
                resourceArn: acl.arn,
                logDestinationConfigs: [logGroup.arn],
                redactedFields: [{ singleHeader: { name: "authorization" } }, { singleHeader: { name: "cookie" } }],
            },
            ctx.opts(),
        );
    }
}

/** The settings the arguments resolve to (defaults applied). */
interface WafSettings {
    limit: number;
    countries: string[];
    loginPaths: string[];
    loginLimit: number;
    /** Largest body admitted, bytes (undefined: no rule). */
    maxBodyBytes?: number;
    extra: NonNullable<WafArgs["extraRules"]>;
}

/** The settings of a Waf, refusing bad arguments before anything is registered. */
function wafSettings(name: string, args: WafArgs): WafSettings {
    const v = new Validator(`Waf ${name}`);
    if (args.clientIpHeader !== undefined)
        v.matches("clientIpHeader", args.clientIpHeader, /^[A-Za-z0-9-]{1,255}$/, "an HTTP header name such as X-Forwarded-For");
    v.oneOf("scope", args.scope ?? "REGIONAL", ["REGIONAL", "CLOUDFRONT"] as const);
    if ((args.scope ?? "REGIONAL") === "REGIONAL" && !args.loadBalancerArn)
        v.fail("loadBalancerArn", args.loadBalancerArn, "the ARN of the ALB a REGIONAL web ACL protects");
    if (args.scope === "CLOUDFRONT" && args.loadBalancerArn)
        v.fail("loadBalancerArn", args.loadBalancerArn, "unset with scope CLOUDFRONT (the distribution names the ACL)");
    const limit = args.rateLimitPer5Min ?? 2000;
    v.int("rateLimitPer5Min", limit, 100, 2000000000);
    checkLogRetention(v, "logRetentionDays", args.logRetentionDays ?? 90);
    const countries = args.allowedCountryCodes ?? [];
    countries.forEach((c, i) => v.matches(`allowedCountryCodes[${i}]`, c, /^[A-Z]{2}$/, "an ISO 3166-1 alpha-2 country code such as DE"));
    const loginPaths = args.loginPaths ?? [];
    loginPaths.forEach((p, i) => v.matches(`loginPaths[${i}]`, p, /^\/[A-Za-z0-9/_.~-]{0,200}$/, "a path prefix starting with '/', such as /auth/login"));
    const loginLimit = args.loginRateLimitPer5Min ?? 100;
    if (loginPaths.length > 0) v.int("loginRateLimitPer5Min", loginLimit, 10, limit);
    if (args.maxRequestBodyMiB !== undefined) v.int("maxRequestBodyMiB", args.maxRequestBodyMiB, 1, MAX_REQUEST_BODY_MIB);
    const extra = args.extraRules ?? [];
    const names = new Set<string>(WAF_RULE_NAMES);
    extra.forEach((r, i) => {
        if (typeof r.name !== "string" || !/^[A-Za-z0-9_-]{1,128}$/.test(r.name))
            v.fail(`extraRules[${i}].name`, r.name, "a rule name (letters, digits, - and _)");
        else if (names.has(r.name)) v.fail(`extraRules[${i}].name`, r.name, `a name not used by another rule (${[...names].join(", ")})`);
        else names.add(r.name);
    });
    v.throwIfAny();
    const maxBodyBytes = args.maxRequestBodyMiB === undefined ? undefined : args.maxRequestBodyMiB * 1024 * 1024;
    return { limit, countries, loginPaths, loginLimit, maxBodyBytes, extra };
}

/**
 * The web ACL's rules in priority order: the per-IP rate limit, the country allow-list, the login
 * rate limit, the body size limit, the AWS managed groups (some common rules counted only), then the caller's rules.
 */
function wafRules(
    settings: WafSettings,
    visibility: (metric: string) => aws.types.input.wafv2.WebAclVisibilityConfig,
    countOnly: string[],
    clientIpHeader?: string,
) {
    const { limit, countries, loginPaths, loginLimit, maxBodyBytes, extra } = settings;
    // Per client: the source address, or the one a trusted proxy forwards (a request without it is limited, fail closed).
    const perClient = clientIpHeader
        ? { aggregateKeyType: "FORWARDED_IP", forwardedIpConfig: { headerName: clientIpHeader, fallbackBehavior: "MATCH" } }
        : { aggregateKeyType: "IP" };
    return [
        {
            name: "rate-limit-per-ip",
            priority: 0,
            action: { block: {} },
            statement: { rateBasedStatement: { limit, ...perClient, evaluationWindowSec: 300 } },
            visibilityConfig: visibility("RateLimit"),
        },
        ...(countries.length > 0
            ? [
                  {
                      name: "geo-allow-list",
                      priority: 1,
                      action: { block: {} },
                      statement: {
                          notStatement: {
                              statement: {
                                  geoMatchStatement: {
                                      countryCodes: countries,
                                      // Without the header: no country matches, so the request is blocked.
                                      ...(clientIpHeader ? { forwardedIpConfig: { headerName: clientIpHeader, fallbackBehavior: "NO_MATCH" } } : {}),
                                  },
                              },
                          },
                      },
                      visibilityConfig: visibility("GeoAllowList"),
                  },
              ]
            : []),
        ...(loginPaths.length > 0
            ? [
                  {
                      name: "login-rate-limit-per-ip",
                      priority: 2,
                      action: { block: {} },
                      statement: {
                          rateBasedStatement: {
                              limit: loginLimit,
                              ...perClient,
                              evaluationWindowSec: 300,
                              scopeDownStatement: loginScope(loginPaths),
                          },
                      },
                      visibilityConfig: visibility("LoginRateLimit"),
                  },
              ]
            : []),
        ...(maxBodyBytes !== undefined
            ? [
                  {
                      name: "request-body-size-limit",
                      priority: 3,
                      action: { block: {} },
                      statement: contentLengthAbove(maxBodyBytes),
                      visibilityConfig: visibility("BodySizeLimit"),
                  },
              ]
            : []),
        ...MANAGED_RULE_GROUPS.map((group, i) => ({
            name: group,
            priority: 10 + i,
            overrideAction: { none: {} },
            statement: {
                managedRuleGroupStatement: {
                    vendorName: "AWS",
                    name: group,
                    ...(group === "AWSManagedRulesCommonRuleSet" && countOnly.length > 0
                        ? { ruleActionOverrides: countOnly.map((r) => ({ name: r, actionToUse: { count: {} } })) }
                        : {}),
                },
            },
            visibilityConfig: visibility(group.replace("AWSManagedRules", "")),
        })),
        ...extra.map((r, i) => ({ ...r, priority: 100 + i, visibilityConfig: visibility(`Extra${r.name.replace(/[^A-Za-z0-9]/g, "")}`) })),
    ];
}
