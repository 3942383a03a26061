import * as pulumi from "@pulumi/pulumi";
import { typeToken } from "../core/naming";
import { Validator } from "../core/validation";
import { OBJECT_LOCK_MODES, SecureBucket, SecureBucketArgs } from "./bucket";
import { accountIdOf, AwsCommonArgs } from "./common";

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

    constructor(name: string, args: StorageArgs, opts?: pulumi.ComponentResourceOptions) {
        const v = new Validator(`Storage ${name}`);
        const lock = args.backupsObjectLock ?? (args.environment === "production" ? { mode: "GOVERNANCE" as const, days: 30 } : "none");
        if (lock !== "none") {
            v.oneOf("backupsObjectLock.mode", lock.mode, OBJECT_LOCK_MODES);
            v.int("backupsObjectLock.days", lock.days, 1, 36500);
        }
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
            lifecycle: { toIaDays: args.transitionToIaDays ?? 90, toGlacierDays: args.transitionToGlacierDays ?? 365 },
            noncurrentVersionExpirationDays: args.noncurrentVersionExpirationDays ?? (args.environment === "production" ? 365 : 30),
            accessLogBucket: accessLogs.bucketName,
        };
        const documents = new SecureBucket(`${name}-documents`, { ...data, purpose: "documents" }, { parent: this });
        const backups = new SecureBucket(
            `${name}-backups`,
            { ...data, purpose: "backups", ...(lock !== "none" ? { objectLock: lock } : {}) },
            { parent: this },
        );
        this.documentsBucket = documents.bucketName;
        this.documentsBucketArn = documents.arn;
        this.backupsBucket = backups.bucketName;
        this.backupsBucketArn = backups.arn;
        this.accessLogsBucket = accessLogs.bucketName;
        this.registerOutputs({ documentsBucket: this.documentsBucket, backupsBucket: this.backupsBucket, accessLogsBucket: this.accessLogsBucket });
    }
}
