import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { typeToken } from "../core/naming";
import { Validator } from "../core/validation";
import { OBJECT_LOCK_MODES, SecureBucket, SecureBucketArgs } from "./bucket";
import { accountIdOf, assumeRolePolicy, AwsCommonArgs, AwsContext, partitionOf, policyDocument, serviceKeyPolicy } from "./common";
import { defaultsFor } from "../settings";

export interface StorageArgs extends AwsCommonArgs {
    /** KMS key for SSE-KMS. */
    kmsKeyArn: pulumi.Input<string>;
    /** Days before current objects move to infrequent access. @default 90 */
    transitionToIaDays?: number;
    /** Days before current objects move to Glacier. @default 365 */
    transitionToGlacierDays?: number;
    /** Days noncurrent object versions are kept. @default 30 staging, 365 production */
    noncurrentVersionExpirationDays?: number;
    /**
     * Object Lock on the backups bucket: nobody (GOVERNANCE: nobody without
     * s3:BypassGovernanceRetention) deletes or overwrites a backup for `days`.
     * @default { mode: "GOVERNANCE", days: 30 } in production, none in staging
     */
    backupsObjectLock?: { mode: "GOVERNANCE" | "COMPLIANCE"; days: number } | "none";
    /** Days server access logs are kept. @default 365 */
    accessLogRetentionDays?: number;
    /**
     * S3 Cross-Region Replication of the documents and backups buckets to replica buckets in
     * another region, re-encrypted there with a key of that region (every version, delete markers,
     * replication metrics), Object Lock on the backups replica as on the source. Pass `provider`
     * to use your own provider for that region (credentials, assumed role); otherwise one is built
     * from `region`. @default none
     */
    replication?: { region: string; provider?: aws.Provider };
    /**
     * A bucket for the LLM's staged models (an OLLAMA_MODELS tree under `ollama/models/`, uploaded by
     * tools/stage-models.sh), for GPU hosts without internet egress. @default false
     */
    modelsBucket?: boolean;
}

/**
 * S3 buckets for source documents and for backups, each a SecureBucket, and the bucket their
 * server access logs go to (who read which document: S3 delivers these logs with SSE-S3 only).
 */
export class Storage extends pulumi.ComponentResource {
    /** Name of the documents bucket. */
    readonly documentsBucket: pulumi.Output<string>;
    /** ARN of the documents bucket. */
    readonly documentsBucketArn: pulumi.Output<string>;
    /** Name of the backups bucket. */
    readonly backupsBucket: pulumi.Output<string>;
    /** ARN of the backups bucket. */
    readonly backupsBucketArn: pulumi.Output<string>;
    /** Name of the bucket server access logs go to (other components' buckets may log there too). */
    readonly accessLogsBucket: pulumi.Output<string>;
    /** Name of the models bucket (`modelsBucket`). */
    readonly modelsBucket?: pulumi.Output<string>;
    /** ARN of the models bucket (`modelsBucket`). */
    readonly modelsBucketArn?: pulumi.Output<string>;
    /** Replica buckets in the replication region, by purpose (`documents`, `backups`); empty without replication. */
    readonly replicaBuckets: Record<string, pulumi.Output<string>> = {};

    constructor(name: string, args: StorageArgs, opts?: pulumi.ComponentResourceOptions) {
        const v = new Validator(`Storage ${name}`);
        const defaults = defaultsFor(args.environment).storage;
        const lock = args.backupsObjectLock ?? defaults.objectLock;
        if (lock !== "none") {
            v.oneOf("backupsObjectLock.mode", lock.mode, OBJECT_LOCK_MODES);
            v.int("backupsObjectLock.days", lock.days, 1, 36500);
        }
        if (args.replication) v.awsRegion("replication.region", args.replication.region);
        v.throwIfAny();
        super(typeToken("aws", "Storage"), name, {}, opts);
        const accountId = accountIdOf(args, this);
        const common = {
            environment: args.environment,
            namePrefix: args.namePrefix ?? name,
            tags: args.tags,
            protectData: args.protectData,
        };
        const accessLogs = new SecureBucket(
            `${name}-access-logs`,
            {
                ...common,
                purpose: "access-logs",
                allowS3ManagedEncryption: true, // S3 server access logging delivers to SSE-S3 buckets only
                lifecycle: { toIaDays: 30, toGlacierDays: 90, expireDays: args.accessLogRetentionDays ?? 365 },
                policyStatements: (arn) => [
                    {
                        Sid: "S3ServerAccessLogs",
                        Effect: "Allow",
                        Principal: { Service: "logging.s3.amazonaws.com" },
                        Action: "s3:PutObject",
                        Resource: pulumi.interpolate`${arn}/*`,
                        Condition: { StringEquals: { "aws:SourceAccount": accountId } },
                    },
                ],
            },
            { parent: this },
        );
        const data: Omit<SecureBucketArgs, "purpose"> = {
            ...common,
            kmsKeyArn: args.kmsKeyArn,
            // GLACIER_IR: AWS Backup protects this bucket and skips objects in the other Glacier classes.
            lifecycle: {
                toIaDays: args.transitionToIaDays ?? defaults.transitionToIaDays,
                toGlacierDays: args.transitionToGlacierDays ?? defaults.transitionToGlacierDays,
                glacierClass: "GLACIER_IR",
            },
            noncurrentVersionExpirationDays: args.noncurrentVersionExpirationDays ?? defaults.noncurrentVersionExpirationDays,
            accessLogBucket: accessLogs.bucketName,
        };
        const documents = new SecureBucket(`${name}-documents`, { ...data, purpose: "documents" }, { parent: this });
        const backups = new SecureBucket(
            `${name}-backups`,
            { ...data, purpose: "backups", ...(lock !== "none" ? { objectLock: lock } : {}) },
            { parent: this },
        );
        if (args.modelsBucket) {
            const models = new SecureBucket(`${name}-models`, { ...data, purpose: "models" }, { parent: this });
            this.modelsBucket = models.bucketName;
            this.modelsBucketArn = models.arn;
        }
        if (args.replication) {
            this.replicate(name, args, args.replication, accountId, [
                { purpose: "documents", source: documents },
                { purpose: "backups", source: backups, objectLock: lock !== "none" ? lock : undefined },
            ]);
        }
        this.documentsBucket = documents.bucketName;
        this.documentsBucketArn = documents.arn;
        this.backupsBucket = backups.bucketName;
        this.backupsBucketArn = backups.arn;
        this.accessLogsBucket = accessLogs.bucketName;
        this.registerOutputs({
            documentsBucket: this.documentsBucket,
            backupsBucket: this.backupsBucket,
            accessLogsBucket: this.accessLogsBucket,
            replicaBuckets: this.replicaBuckets,
        });
    }

    /**
     * Cross-Region Replication: a key and a replica SecureBucket per source in the other region,
     * one role S3 assumes (read the sources' versions, decrypt with the source key through S3,
     * write and encrypt in the replicas only), and a replication configuration per source.
     */
    private replicate(
        name: string,
        args: StorageArgs,
        replication: NonNullable<StorageArgs["replication"]>,
        accountId: pulumi.Output<string>,
        pairs: { purpose: string; source: SecureBucket; objectLock?: { mode: "GOVERNANCE" | "COMPLIANCE"; days: number } }[],
    ): void {
        const ctx = new AwsContext(name, args, this);
        const provider = replication.provider ?? new aws.Provider(ctx.childName("replica-region"), { region: replication.region }, { parent: this });
        const replicaKey = new aws.kms.Key(
            ctx.childName("replica-key"),
            {
                description: `${ctx.prefix} replicated documents and backups (${replication.region})`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                // The account administers the key; principals of the account use it only through S3 there.
                policy: serviceKeyPolicy(accountId, [`s3.${replication.region}.amazonaws.com`], partitionOf(this)),
                tags: ctx.tags("replica-key"),
            },
            ctx.dataOpts({ provider }),
        );
        const replicas = pairs.map(
            (p) =>
                new SecureBucket(
                    `${name}-${p.purpose}-replica`,
                    {
                        environment: args.environment,
                        namePrefix: args.namePrefix ?? name,
                        tags: args.tags,
                        protectData: args.protectData,
                        purpose: `${p.purpose}-replica`,
                        kmsKeyArn: replicaKey.arn,
                        // GLACIER_IR: AWS Backup protects this bucket and skips objects in the other Glacier classes.
                        lifecycle: {
                            toIaDays: args.transitionToIaDays ?? defaultsFor(args.environment).storage.transitionToIaDays,
                            toGlacierDays: args.transitionToGlacierDays ?? defaultsFor(args.environment).storage.transitionToGlacierDays,
                            glacierClass: "GLACIER_IR",
                        },
                        noncurrentVersionExpirationDays:
                            args.noncurrentVersionExpirationDays ?? defaultsFor(args.environment).storage.noncurrentVersionExpirationDays,
                        ...(p.objectLock ? { objectLock: p.objectLock } : {}),
                    },
                    { parent: this, provider },
                ),
        );
        const role = new aws.iam.Role(
            ctx.childName("replication"),
            { assumeRolePolicy: assumeRolePolicy("s3.amazonaws.com", accountId), tags: ctx.tags("replication") },
            ctx.opts(),
        );
        new aws.iam.RolePolicy(
            ctx.childName("replication"),
            {
                role: role.id,
                policy: policyDocument([
                    {
                        Sid: "ReadReplicationConfiguration",
                        Effect: "Allow",
                        Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"],
                        Resource: pairs.map((p) => p.source.arn),
                    },
                    {
                        Sid: "ReadSourceVersions",
                        Effect: "Allow",
                        Action: [
                            "s3:GetObjectVersionForReplication",
                            "s3:GetObjectVersionAcl",
                            "s3:GetObjectVersionTagging",
                            "s3:GetObjectRetention",
                            "s3:GetObjectLegalHold",
                        ],
                        Resource: pairs.map((p) => pulumi.interpolate`${p.source.arn}/*`),
                    },
                    {
                        Sid: "WriteReplicas",
                        Effect: "Allow",
                        Action: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
                        Resource: replicas.map((r) => pulumi.interpolate`${r.arn}/*`),
                    },
                    {
                        Sid: "DecryptSourcesThroughS3",
                        Effect: "Allow",
                        Action: ["kms:Decrypt"],
                        Resource: [args.kmsKeyArn],
                        Condition: { StringLike: { "kms:ViaService": pulumi.interpolate`s3.*.amazonaws.com` } },
                    },
                    {
                        Sid: "EncryptReplicasThroughS3",
                        Effect: "Allow",
                        Action: ["kms:Encrypt", "kms:GenerateDataKey"],
                        Resource: [replicaKey.arn],
                        Condition: { StringEquals: { "kms:ViaService": `s3.${replication.region}.amazonaws.com` } },
                    },
                ]),
            },
            ctx.opts(),
        );
        pairs.forEach((p, i) => {
            new aws.s3.BucketReplicationConfig(
                ctx.childName(`${p.purpose}-replication`),
                {
                    bucket: p.source.bucketName,
                    role: role.arn,
                    rules: [
                        {
                            id: "cross-region",
                            status: "Enabled",
                            priority: 1,
                            filter: {},
                            deleteMarkerReplication: { status: "Enabled" },
                            sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
                            destination: {
                                bucket: replicas[i].arn,
                                storageClass: "STANDARD_IA",
                                encryptionConfiguration: { replicaKmsKeyId: replicaKey.arn },
                                // Replication metrics (bytes and operations pending, latency, failures) without
                                // an event threshold: S3 accepts a threshold only with Replication Time
                                // Control, which this stack does not buy.
                                // https://docs.aws.amazon.com/AmazonS3/latest/API/API_Metrics.html
                                metrics: { status: "Enabled" },
                            },
                        },
                    ],
                },
                // Replication needs versioning on both sides: after both buckets are complete.
                ctx.opts({ dependsOn: [p.source, replicas[i]] }),
            );
            this.replicaBuckets[p.purpose] = replicas[i].bucketName;
        });
    }
}
