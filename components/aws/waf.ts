import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { typeToken } from "../core/naming";
import { checkLogRetention, Validator } from "../core/validation";
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
    /** ARN of the ALB to protect. */
    loadBalancerArn: pulumi.Input<string>;
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
}

/**
 * WAFv2 web ACL on the ALB: AWS managed rule groups (IP reputation, anonymous IP, common,
 * known bad inputs, SQLi), a per-IP rate-based rule, CloudWatch metrics on every rule, and
 * logging to an `aws-waf-logs-*` log group with the Authorization and Cookie headers redacted.
 */
export class Waf extends pulumi.ComponentResource {
    /** ARN of the web ACL. */
    readonly webAclArn: pulumi.Output<string>;
    /** Name of the WAF web ACL (blocked-request alarm). @default none: no WAF alarm */
    readonly webAclName: pulumi.Output<string>;

    constructor(name: string, args: WafArgs, opts?: pulumi.ComponentResourceOptions) {
        const v = new Validator(`Waf ${name}`);
        const limit = args.rateLimitPer5Min ?? 2000;
        v.int("rateLimitPer5Min", limit, 100, 2000000000);
        checkLogRetention(v, "logRetentionDays", args.logRetentionDays ?? 90);
        v.throwIfAny();
        super(typeToken("aws", "Waf"), name, {}, opts);
        const ctx = new AwsContext(name, args, this);
        const metricPrefix = ctx.physical("waf", 100).replace(/-/g, "");
        const visibility = (metric: string) => ({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: `${metricPrefix}${metric}` });
        const countOnly = args.countOnlyCommonRules ?? ["SizeRestrictions_BODY"];

        const acl = new aws.wafv2.WebAcl(
            ctx.childName("acl"),
            {
                name: ctx.physical("acl", 128),
                scope: "REGIONAL",
                defaultAction: { allow: {} },
                visibilityConfig: visibility("Acl"),
                rules: [
                    {
                        name: "rate-limit-per-ip",
                        priority: 0,
                        action: { block: {} },
                        statement: { rateBasedStatement: { limit, aggregateKeyType: "IP", evaluationWindowSec: 300 } },
                        visibilityConfig: visibility("RateLimit"),
                    },
                    ...MANAGED_RULE_GROUPS.map((group, i) => ({
                        name: group,
                        priority: i + 1,
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
                ],
                tags: ctx.tags("waf"),
            },
            ctx.opts(),
        );
        new aws.wafv2.WebAclAssociation(ctx.childName("alb"), { resourceArn: args.loadBalancerArn, webAclArn: acl.arn }, ctx.opts());
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
        this.webAclArn = acl.arn;
        this.webAclName = acl.name;
        this.registerOutputs({ webAclArn: this.webAclArn });
    }
}
