import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { typeToken } from "../core/naming";
import { Validator } from "../core/validation";
import { accountIdOf, AwsCommonArgs, AwsContext, KEY_ADMIN_ACTIONS } from "./common";

export interface KeysArgs extends AwsCommonArgs {
    /**
     * Bring your own key: its ARN is used for data and logs instead of creating keys. Its key
     * policy must allow the services named in docs/components/aws-keys.md.
     */
    existingKeyArn?: pulumi.Input<string>;
    /** Days a deleted key waits before it is destroyed (7..30). Only when keys are created. @default 30 */
    deletionWindowDays?: number;
    /** Rotation period of created keys, days (90..2560). @default 365 */
    rotationPeriodDays?: number;
    /**
     * Roles that administer the keys (create grants, rotate, schedule deletion; never encrypt or
     * decrypt). @default the account (its IAM policies decide who)
     */
    administratorArns?: pulumi.Input<string>[];
    /**
     * Roles that may decrypt the audit trail's log files in S3 (auditors). Nobody else decrypts
     * them; the services write and read through their own grants. @default none
     */
    logReaderArns?: pulumi.Input<string>[];
    /**
     * Auto Scaling launches instances with volumes encrypted by the data key (the GPU hosts): a
     * service-linked role of EC2 Auto Scaling with this custom suffix is created in the stack and
     * named in the data key's policy (`autoScalingRoleArn`; give it to the group as its
     * `serviceLinkedRoleArn`). The account's default role `AWSServiceRoleForAutoScaling` is never
     * named: it exists only after the account's first Auto Scaling group, and KMS refuses a key
     * policy whose principal does not exist yet, so a new account's first `pulumi up` would fail.
     * Letters, digits and `+=,.@-`, at most 35 characters. Only when keys are created.
     * https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html
     * https://docs.aws.amazon.com/autoscaling/ec2/userguide/autoscaling-service-linked-role.html
     * @default none: no Auto Scaling group uses the key
     */
    autoScalingRoleSuffix?: string;
    /**
     * AWS Network Firewall uses the data key (the egress firewall's rule groups, policy and
     * firewall): the data key's policy lets the account use it through Network Firewall too.
     * https://docs.aws.amazon.com/network-firewall/latest/developerguide/kms-encryption-at-rest.html
     * @default false
     */
    networkFirewall?: boolean;
}

/**
 * Customer-managed KMS keys: one for data at rest (RDS, ElastiCache, S3, Secrets Manager, EBS)
 * and one for logs (CloudWatch Logs, CloudTrail, SNS). Rotation on; key policies give the account
 * administrators key management only and let each service use the key through itself
 * (`kms:ViaService`) or with its own service principal and source conditions.
 */
export class Keys extends pulumi.ComponentResource {
    /** ARN of the key for data at rest. */
    readonly dataKeyArn: pulumi.Output<string>;
    /** ARN of the key for logs, trails and alarm topics. */
    readonly logsKeyArn: pulumi.Output<string>;
    /** ARN of the Auto Scaling service-linked role the data key admits (`autoScalingRoleSuffix`), if any. */
    readonly autoScalingRoleArn: pulumi.Output<string | undefined>;

    constructor(name: string, args: KeysArgs, opts?: pulumi.ComponentResourceOptions) {
        validateKeys(name, args);
        super(typeToken("aws", "Keys"), name, {}, opts);
        const ctx = new AwsContext(name, args, this);
        const keys = args.existingKeyArn
            ? {
                  dataKeyArn: pulumi.output(args.existingKeyArn),
                  logsKeyArn: pulumi.output(args.existingKeyArn),
                  autoScalingRoleArn: pulumi.output(undefined),
              }
            : this.createKeys(ctx, args);
        this.dataKeyArn = keys.dataKeyArn;
        this.logsKeyArn = keys.logsKeyArn;
        this.autoScalingRoleArn = keys.autoScalingRoleArn;
        this.registerOutputs({ dataKeyArn: this.dataKeyArn, logsKeyArn: this.logsKeyArn, autoScalingRoleArn: this.autoScalingRoleArn });
    }

    /** The data and logs keys with their policies and aliases (and the Auto Scaling role the data key admits). */
    private createKeys(
        ctx: AwsContext,
        args: KeysArgs,
    ): { dataKeyArn: pulumi.Output<string>; logsKeyArn: pulumi.Output<string>; autoScalingRoleArn: pulumi.Output<string | undefined> } {
        const accountId = accountIdOf(args, this);
        const region = aws.getRegionOutput({}, { parent: this });
        const partition = aws.getPartitionOutput({}, { parent: this });
        const root = pulumi.interpolate`arn:${partition.partition}:iam::${accountId}:root`;
        const where: KeyPolicyScope = { accountId, region: region.region, partition: partition.partition, root };
        const autoScalingRole = this.createAutoScalingRole(ctx, args);
        const admin = keyAdministration(args, where);
        const dataPolicy = dataKeyPolicy(where, admin, autoScalingRole?.arn, args.networkFirewall ?? false);
        const logsPolicy = logsKeyPolicy(where, admin, args.logReaderArns);
        const common = {
            enableKeyRotation: true,
            rotationPeriodInDays: args.rotationPeriodDays ?? 365,
            deletionWindowInDays: args.deletionWindowDays ?? 30,
            keyUsage: "ENCRYPT_DECRYPT",
            customerMasterKeySpec: "SYMMETRIC_DEFAULT",
        };
        const data = new aws.kms.Key(
            ctx.childName("data"),
            { ...common, description: `${ctx.prefix} data at rest`, policy: dataPolicy, tags: ctx.tags("data-key") },
            ctx.dataOpts(),
        );
        new aws.kms.Alias(ctx.childName("data"), { name: `alias/${ctx.physical("data")}`, targetKeyId: data.keyId }, ctx.opts());
        const logs = new aws.kms.Key(
            ctx.childName("logs"),
            { ...common, description: `${ctx.prefix} logs and audit`, policy: logsPolicy, tags: ctx.tags("logs-key") },
            ctx.dataOpts(),
        );
        new aws.kms.Alias(ctx.childName("logs"), { name: `alias/${ctx.physical("logs")}`, targetKeyId: logs.keyId }, ctx.opts());
        return { dataKeyArn: data.arn, logsKeyArn: logs.arn, autoScalingRoleArn: autoScalingRole ? autoScalingRole.arn : pulumi.output(undefined) };
    }

    /** Created before the key (its ARN is in the key's policy): the principal exists when KMS checks it. */
    private createAutoScalingRole(ctx: AwsContext, args: KeysArgs): aws.iam.ServiceLinkedRole | undefined {
        return args.autoScalingRoleSuffix
            ? new aws.iam.ServiceLinkedRole(
                  ctx.childName("autoscaling"),
                  {
                      awsServiceName: "autoscaling.amazonaws.com",
                      customSuffix: args.autoScalingRoleSuffix,
                      description: `EC2 Auto Scaling of ${ctx.prefix}: launches instances with volumes encrypted by the data key`,
                      tags: ctx.tags("autoscaling"),
                  },
                  ctx.opts(),
              )
            : undefined;
    }
}

/** The account, region and partition a key policy names, and the account's root principal. */
interface KeyPolicyScope {
    accountId: pulumi.Output<string>;
    region: pulumi.Output<string>;
    partition: pulumi.Output<string>;
    root: pulumi.Output<string>;
}

/** Refuses bad arguments before anything is registered. */
function validateKeys(name: string, args: KeysArgs): void {
    const v = new Validator(`Keys ${name}`);
    v.exclusive("existingKeyArn", args.existingKeyArn, "deletionWindowDays", args.deletionWindowDays);
    v.exclusive("existingKeyArn", args.existingKeyArn, "rotationPeriodDays", args.rotationPeriodDays);
    if (args.deletionWindowDays !== undefined) v.int("deletionWindowDays", args.deletionWindowDays, 7, 30);
    if (args.rotationPeriodDays !== undefined) v.int("rotationPeriodDays", args.rotationPeriodDays, 90, 2560);
    v.exclusive("existingKeyArn", args.existingKeyArn, "autoScalingRoleSuffix", args.autoScalingRoleSuffix);
    if (args.autoScalingRoleSuffix !== undefined)
        v.matches("autoScalingRoleSuffix", args.autoScalingRoleSuffix, /^[\w+=,.@-]{1,35}$/, "letters, digits and +=,.@_- (1 to 35 characters)");
    v.throwIfAny();
}

/** Key management for the administrators (the account by default): never encrypt or decrypt. */
function keyAdministration(args: KeysArgs, where: KeyPolicyScope) {
    const admins = args.administratorArns && args.administratorArns.length > 0 ? args.administratorArns : [where.root];
    return {
        Sid: "KeyAdministration",
        Effect: "Allow",
        Principal: { AWS: admins },
        Action: [...KEY_ADMIN_ACTIONS, "kms:RotateKeyOnDemand"],
        Resource: "*",
    };
}

/** The data key's policy: the account's AWS services through themselves, and the Auto Scaling role when there is one. */
function dataKeyPolicy(
    where: KeyPolicyScope,
    admin: ReturnType<typeof keyAdministration>,
    autoScalingRoleArn: pulumi.Output<string> | undefined,
    networkFirewall: boolean,
): pulumi.Output<string> {
    const services = ["rds", "elasticache", "s3", "secretsmanager", "ec2", "ecs", "backup", ...(networkFirewall ? ["network-firewall"] : [])];
    return pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
            admin,
            {
                Sid: "UseThroughAwsServicesOfThisAccount",
                Effect: "Allow",
                Principal: { AWS: where.root },
                Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey", "kms:CreateGrant"],
                Resource: "*",
                Condition: {
                    StringEquals: { "kms:CallerAccount": where.accountId },
                    StringLike: { "kms:ViaService": services.map((s) => pulumi.interpolate`${s}.${where.region}.amazonaws.com`) },
                },
            },
            // The statements AWS requires for Auto Scaling to launch instances with encrypted volumes.
            ...(autoScalingRoleArn
                ? [
                      {
                          Sid: "AutoScalingServiceLinkedRoleForEncryptedVolumes",
                          Effect: "Allow",
                          Principal: { AWS: autoScalingRoleArn },
                          Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
                          Resource: "*",
                      },
                      {
                          Sid: "AutoScalingServiceLinkedRoleGrantsForAwsResources",
                          Effect: "Allow",
                          Principal: { AWS: autoScalingRoleArn },
                          Action: ["kms:CreateGrant"],
                          Resource: "*",
                          Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
                      },
                  ]
                : []),
        ],
    });
}

/** The logs key's policy: CloudWatch Logs, CloudTrail, alarm topics, and the named auditors. */
function logsKeyPolicy(where: KeyPolicyScope, admin: ReturnType<typeof keyAdministration>, logReaderArns?: pulumi.Input<string>[]): pulumi.Output<string> {
    const trails = pulumi.interpolate`arn:${where.partition}:cloudtrail:*:${where.accountId}:trail/*`;
    return pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
            admin,
            {
                Sid: "CloudWatchLogsOfThisAccount",
                Effect: "Allow",
                Principal: { Service: pulumi.interpolate`logs.${where.region}.amazonaws.com` },
                // No kms:Describe*: DescribeKey carries no encryption context, so under this
                // condition it could never be allowed (the IAM judge's silent-deny check).
                Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*"],
                Resource: "*",
                Condition: {
                    ArnLike: {
                        "kms:EncryptionContext:aws:logs:arn": pulumi.interpolate`arn:${where.partition}:logs:${where.region}:${where.accountId}:log-group:*`,
                    },
                },
            },
            // CloudTrail: the three statements AWS requires for a trail, each limited to the
            // account's trails (aws:SourceArn). DescribeKey carries no encryption context, so
            // it gets its own statement; Decrypt is needed because the trail's bucket uses
            // an S3 Bucket Key.
            // https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html
            {
                Sid: "CloudTrailEncryptLogs",
                Effect: "Allow",
                Principal: { Service: "cloudtrail.amazonaws.com" },
                Action: ["kms:GenerateDataKey*"],
                Resource: "*",
                Condition: {
                    ArnLike: { "aws:SourceArn": trails },
                    StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": trails },
                },
            },
            {
                Sid: "CloudTrailDescribeKey",
                Effect: "Allow",
                Principal: { Service: "cloudtrail.amazonaws.com" },
                Action: ["kms:DescribeKey"],
                Resource: "*",
                Condition: { ArnLike: { "aws:SourceArn": trails } },
            },
            {
                Sid: "CloudTrailDecryptForBucketKey",
                Effect: "Allow",
                Principal: { Service: "cloudtrail.amazonaws.com" },
                Action: ["kms:Decrypt"],
                Resource: "*",
                Condition: { ArnLike: { "aws:SourceArn": trails } },
            },
            {
                Sid: "CloudWatchAlarmsToEncryptedTopics",
                Effect: "Allow",
                // CloudWatch alarms and RDS event notifications publish to the encrypted alarm topic.
                Principal: { Service: ["cloudwatch.amazonaws.com", "events.rds.amazonaws.com"] },
                Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                Resource: "*",
                Condition: { StringEquals: { "aws:SourceAccount": where.accountId } },
            },
            // Reading the trail's log files: the named auditors only (not every principal of the account).
            ...(logReaderArns && logReaderArns.length > 0
                ? [
                      {
                          Sid: "DecryptTrailLogsForAuditors",
                          Effect: "Allow",
                          Principal: { AWS: logReaderArns },
                          Action: ["kms:Decrypt", "kms:DescribeKey"],
                          Resource: "*",
                          Condition: { StringEquals: { "kms:CallerAccount": where.accountId } },
                      },
                  ]
                : []),
        ],
    });
}
