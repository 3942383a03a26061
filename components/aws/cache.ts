import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { typeToken } from "../core/naming";
import { rotationKeepers } from "../core/rotation";
import { Validator } from "../core/validation";
import { admittingSecurityGroup, AwsCommonArgs, AwsContext } from "./common";
import { checkCacheNodeType, checkCacheReplicas, checkLogRetention, checkRotatedOn, defaultsFor, postureFor } from "../settings";

export interface CacheArgs extends AwsCommonArgs {
    /** VPC the resources are created in. */
    vpcId: pulumi.Input<string>;
    /** Isolated subnets in at least two AZs. */
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Security groups allowed on 6379 (the API). */
    allowedSecurityGroupIds: pulumi.Input<string>[];
    /** KMS key for data at rest and the AUTH token secret. */
    kmsKeyArn: pulumi.Input<string>;
    /** KMS key for the slow-log group. */
    logsKeyArn: pulumi.Input<string>;
    /** ElastiCache node type. @default "cache.t4g.medium" staging, "cache.r7g.large" production */
    nodeType?: string;
    /** Read replicas. @default 0 staging, 1 production */
    replicas?: number;
    /** Automatic failover and Multi-AZ (needs replicas >= 1). @default environment === "production" */
    automaticFailover?: boolean;
    /** Days snapshots are kept (0 disables). @default 1 staging, 7 production */
    snapshotRetentionDays?: number;
    /** Valkey engine version. @default "8.0" */
    engineVersion?: string;
    /** Days the slow log is kept. @default 90 */
    logRetentionDays?: number;
    /**
     * Rotation date (YYYY-MM-DD) of the AUTH token: a new value generates a new token, applied with
     * the ROTATE strategy (the old token stays valid until clients restart). @default "" (generated once)
     */
    secretsRotatedOn?: string;
}

/** The cache's sizing, defaults from the cache tier, every argument checked; throws before anything is registered. */
function cacheSizing(name: string, args: CacheArgs) {
    const d = defaultsFor(args.environment).cache;
    const sizing = {
        replicas: args.replicas ?? d.replicas,
        failover: args.automaticFailover ?? d.automaticFailover,
        nodeType: args.nodeType ?? d.nodeType,
        snapshotRetentionDays: args.snapshotRetentionDays ?? d.snapshotRetentionDays,
    };
    const v = new Validator(`Cache ${name}`);
    checkCacheReplicas(v, "replicas", sizing.replicas, "automaticFailover", sizing.failover);
    v.int("snapshotRetentionDays", sizing.snapshotRetentionDays, 0, 35);
    checkLogRetention(v, "logRetentionDays", args.logRetentionDays ?? 90);
    checkRotatedOn(v, "secretsRotatedOn", args.secretsRotatedOn ?? "");
    checkCacheNodeType(v, "nodeType", sizing.nodeType);
    if (!Array.isArray(args.allowedSecurityGroupIds) || args.allowedSecurityGroupIds.length === 0)
        v.fail("allowedSecurityGroupIds", args.allowedSecurityGroupIds, "at least one security group id (the API's)");
    v.throwIfAny();
    return sizing;
}

/**
 * ElastiCache (Valkey) replication group in isolated subnets: encryption at rest with a CMK and
 * in transit (required), an AUTH token generated here and kept in Secrets Manager, Multi-AZ with
 * automatic failover in production, snapshots, the slow log shipped to CloudWatch, and a security
 * group open on 6379 only to the API.
 */
export class Cache extends pulumi.ComponentResource {
    /** Primary endpoint address. */
    readonly primaryEndpoint: pulumi.Output<string>;
    /** Reader endpoint address. */
    readonly readerEndpoint: pulumi.Output<string>;
    /** Port the service listens on. */
    readonly port: pulumi.Output<number>;
    /** ARN of the secret holding the AUTH token. */
    readonly authSecretArn: pulumi.Output<string>;
    /** Security group of the component (reference it to allow traffic). */
    readonly securityGroupId: pulumi.Output<string>;
    /** Id of the replication group. */
    readonly replicationGroupId: pulumi.Output<string>;

    constructor(name: string, args: CacheArgs, opts?: pulumi.ComponentResourceOptions) {
        const { replicas, failover, nodeType, snapshotRetentionDays } = cacheSizing(name, args);
        super(typeToken("aws", "Cache"), name, {}, opts);
        const ctx = new AwsContext(name, args, this);

        const sg = admittingSecurityGroup(ctx, {
            key: "cache",
            ruleKey: "cache-from-app",
            vpcId: args.vpcId,
            tier: "data",
            port: 6379,
            what: "Valkey",
            from: "the application tier",
            sources: args.allowedSecurityGroupIds,
        });
        const subnets = new aws.elasticache.SubnetGroup(
            ctx.childName("subnets"),
            { subnetIds: args.subnetIds, description: "Isolated subnets", tags: ctx.tags("cache-subnets") },
            ctx.opts(),
        );
        const token = new random.RandomPassword(
            ctx.childName("auth"),
            { length: 64, special: false, ...rotationKeepers(args.secretsRotatedOn) },
            { parent: this },
        );
        const secret = new aws.secretsmanager.Secret(
            ctx.childName("auth"),
            {
                namePrefix: `${ctx.prefix}/cache-auth-`,
                description: "Valkey AUTH token",
                kmsKeyId: args.kmsKeyArn,
                recoveryWindowInDays: postureFor(args.environment).secretRecoveryWindowDays,
                tags: ctx.tags("cache-auth"),
            },
            ctx.opts(),
        );
        new aws.secretsmanager.SecretVersion(ctx.childName("auth"), { secretId: secret.id, secretString: token.result }, ctx.opts());
        const slowLog = new aws.cloudwatch.LogGroup(
            ctx.childName("slow-log"),
            {
                name: `/${ctx.prefix}/elasticache/slow-log`,
                retentionInDays: args.logRetentionDays ?? 90,
                kmsKeyId: args.logsKeyArn,
                tags: ctx.tags("cache-slow-log"),
            },
            ctx.opts(),
        );
        const group = new aws.elasticache.ReplicationGroup(
            ctx.childName("valkey"),
            {
                replicationGroupId: ctx.physical("cache", 40),
                description: `${ctx.prefix} cache, sessions and rate limits`,
                engine: "valkey",
                engineVersion: args.engineVersion ?? "8.0",
                nodeType,
                numCacheClusters: 1 + replicas,
                automaticFailoverEnabled: failover,
                multiAzEnabled: failover,
                port: 6379,
                subnetGroupName: subnets.name,
                securityGroupIds: [sg.id],
                atRestEncryptionEnabled: true,
                kmsKeyId: args.kmsKeyArn,
                transitEncryptionEnabled: true,
                transitEncryptionMode: "required",
                authToken: token.result,
                authTokenUpdateStrategy: "ROTATE",
                snapshotRetentionLimit: snapshotRetentionDays,
                snapshotWindow: "03:00-04:00",
                maintenanceWindow: "sun:04:30-sun:05:30",
                autoMinorVersionUpgrade: true,
                applyImmediately: !postureFor(args.environment).deferCacheChanges,
                logDeliveryConfigurations: [{ destination: slowLog.name, destinationType: "cloudwatch-logs", logFormat: "json", logType: "slow-log" }],
                tags: ctx.tags("cache"),
            },
            ctx.dataOpts(),
        );
        this.primaryEndpoint = group.primaryEndpointAddress;
        this.readerEndpoint = group.readerEndpointAddress;
        this.port = pulumi.output(6379);
        this.authSecretArn = secret.arn;
        this.securityGroupId = sg.id;
        this.replicationGroupId = group.id;
        this.registerOutputs({ primaryEndpoint: this.primaryEndpoint, authSecretArn: this.authSecretArn });
    }
}
