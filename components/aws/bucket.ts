import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { typeToken } from "../core/naming";
import { Validator } from "../core/validation";
import { AwsCommonArgs, AwsContext } from "./common";

export interface SecureBucketArgs extends AwsCommonArgs {
    /** What the bucket holds (tag `Purpose`), e.g. `documents`. */
    purpose: string;
    /** KMS key for SSE-KMS. Required unless `allowS3ManagedEncryption` is set. */
    kmsKeyArn?: pulumi.Input<string>;
    /**
     * Named opt-out: encrypt with SSE-S3 (AES256) instead of SSE-KMS. Only for buckets an AWS
     * service writes to without KMS support (ALB access logs). @default false
     */
    allowS3ManagedEncryption?: boolean;
    /** Lifecycle of current objects. @default { toIaDays: 90, toGlacierDays: 365 } */
    lifecycle?: {
        toIaDays?: number;
        toGlacierDays?: number;
        expireDays?: number;
        /**
         * The archive class: `GLACIER` (Flexible Retrieval) or `GLACIER_IR` (Instant Retrieval),
         * which a bucket that AWS Backup protects must use (Backup skips Flexible Retrieval and
         * Deep Archive objects). @default "GLACIER"
         */
        glacierClass?: "GLACIER" | "GLACIER_IR";
    };
    /** Days noncurrent versions are kept. @default 90 */
    noncurrentVersionExpirationDays?: number;
    /**
     * Extra bucket policy statements (service grants), built from the bucket ARN. The TLS-only
     * denies are always added.
     */
    policyStatements?: (bucketArn: pulumi.Output<string>) => pulumi.Input<pulumi.Input<Record<string, unknown>>[]>;
    /** Server access logs to this bucket (name), under `<purpose>/`. @default none */
    accessLogBucket?: pulumi.Input<string>;
    /**
     * S3 Object Lock with a default retention: objects cannot be deleted or overwritten for `days`
     * (GOVERNANCE: unless a principal holds s3:BypassGovernanceRetention; COMPLIANCE: by nobody,
     * the root user included). Only at creation: turning it on replaces the bucket. @default none
     */
    objectLock?: { mode: "GOVERNANCE" | "COMPLIANCE"; days: number };
}

/** Object Lock modes. */
export const OBJECT_LOCK_MODES = ["GOVERNANCE", "COMPLIANCE"] as const;

/**
 * An S3 bucket with every guard on: owner-enforced object ownership, all public access blocked,
 * versioning, SSE-KMS with a bucket key, a policy that denies non-TLS requests, and lifecycle
 * (transitions, noncurrent version expiry, incomplete upload abort).
 */
export class SecureBucket extends pulumi.ComponentResource {
    /** Name of the bucket. */
    readonly bucketName: pulumi.Output<string>;
    /** ARN of the bucket. */
    readonly arn: pulumi.Output<string>;
    /** Regional domain name of the bucket (`<name>.s3.<region>.amazonaws.com`, a CloudFront origin). */
    readonly regionalDomainName: pulumi.Output<string>;

    constructor(name: string, args: SecureBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        const lc = validateSecureBucket(name, args);
        super(typeToken("aws", "SecureBucket"), name, {}, opts);
        const ctx = new AwsContext(name, args, this);

        const bucket = new aws.s3.Bucket(
            ctx.childName("bucket"),
            {
                bucketPrefix: ctx.physical(`${args.purpose}-`, 37),
                forceDestroy: false,
                ...(args.objectLock ? { objectLockEnabled: true } : {}),
                tags: ctx.tags(args.purpose, { Purpose: args.purpose }),
            },
            ctx.dataOpts(),
        );
        const publicAccess = this.blockPublicAccess(ctx, bucket);
        this.encrypt(ctx, args, bucket);
        const versioning = new aws.s3.BucketVersioning(
            ctx.childName("versioning"),
            { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
            ctx.opts(),
        );
        this.createLifecycle(ctx, args, lc, bucket, versioning);
        this.createPolicy(ctx, args, bucket, publicAccess);
        if (args.objectLock) {
            new aws.s3.BucketObjectLockConfiguration(
                ctx.childName("object-lock"),
                { bucket: bucket.id, rule: { defaultRetention: { mode: args.objectLock.mode, days: args.objectLock.days } } },
                ctx.opts({ dependsOn: [versioning] }),
            );
        }
        if (args.accessLogBucket) {
            new aws.s3.BucketLogging(
                ctx.childName("logging"),
                { bucket: bucket.id, targetBucket: args.accessLogBucket, targetPrefix: `${args.purpose}/` },
                ctx.opts(),
            );
        }
        this.bucketName = bucket.bucket;
        this.arn = bucket.arn;
        this.regionalDomainName = bucket.bucketRegionalDomainName;
        this.registerOutputs({ bucketName: this.bucketName, arn: this.arn });
    }

    /** Bucket-owner-enforced ownership and all public access blocked: returns what the bucket policy waits for. */
    private blockPublicAccess(ctx: AwsContext, bucket: aws.s3.Bucket): pulumi.Resource[] {
        const ownership = new aws.s3.BucketOwnershipControls(
            ctx.childName("ownership"),
            { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
            ctx.opts(),
        );
        const pab = new aws.s3.BucketPublicAccessBlock(
            ctx.childName("public-access"),
            { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
            ctx.opts(),
        );
        return [pab, ownership];
    }

    /** SSE-KMS with a bucket key (or SSE-S3 where an AWS service needs it). */
    private encrypt(ctx: AwsContext, args: SecureBucketArgs, bucket: aws.s3.Bucket): void {
        new aws.s3.BucketServerSideEncryptionConfiguration(
            ctx.childName("encryption"),
            {
                bucket: bucket.id,
                rules: [
                    args.allowS3ManagedEncryption
                        ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }
                        : { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn }, bucketKeyEnabled: true },
                ],
            },
            ctx.opts(),
        );
    }

    /** Tiering of current objects, expiry of noncurrent versions, abort of incomplete uploads. */
    private createLifecycle(ctx: AwsContext, args: SecureBucketArgs, lc: BucketLifecycle, bucket: aws.s3.Bucket, versioning: aws.s3.BucketVersioning): void {
        new aws.s3.BucketLifecycleConfiguration(
            ctx.childName("lifecycle"),
            {
                bucket: bucket.id,
                rules: [
                    {
                        id: "tiering",
                        status: "Enabled",
                        filter: {},
                        // Only the transitions before the expiry: S3 refuses an expiry not after every transition.
                        transitions: [
                            { days: lc.toIaDays, storageClass: "STANDARD_IA" },
                            { days: lc.toGlacierDays, storageClass: lc.glacierClass ?? "GLACIER" },
                        ].filter((t) => !lc.expireDays || t.days < lc.expireDays),
                        ...(lc.expireDays ? { expiration: { days: lc.expireDays } } : {}),
                        noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionExpirationDays ?? 90 },
                        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
                    },
                ],
            },
            ctx.opts({ dependsOn: [versioning] }),
        );
    }

    /** The bucket policy: TLS only (1.2 and later), then the caller's statements. */
    private createPolicy(ctx: AwsContext, args: SecureBucketArgs, bucket: aws.s3.Bucket, publicAccess: pulumi.Resource[]): void {
        new aws.s3.BucketPolicy(
            ctx.childName("policy"),
            {
                bucket: bucket.id,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: pulumi.output(args.policyStatements ? args.policyStatements(bucket.arn) : []).apply((extra) => [
                        {
                            Sid: "DenyInsecureTransport",
                            Effect: "Deny",
                            Principal: "*",
                            Action: "s3:*",
                            Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
                            Condition: { Bool: { "aws:SecureTransport": "false" } },
                        },
                        {
                            Sid: "DenyOutdatedTls",
                            Effect: "Deny",
                            Principal: "*",
                            Action: "s3:*",
                            Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
                            Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } },
                        },
                        ...extra,
                    ]),
                }),
            },
            ctx.opts({ dependsOn: publicAccess }),
        );
    }
}

/** The lifecycle with its defaults. */
type BucketLifecycle = NonNullable<SecureBucketArgs["lifecycle"]> & { toIaDays: number; toGlacierDays: number };

/** Refuses bad arguments before anything is registered; the lifecycle with its defaults. */
function validateSecureBucket(name: string, args: SecureBucketArgs): BucketLifecycle {
    const v = new Validator(`SecureBucket ${name}`);
    v.matches("purpose", args.purpose, /^[a-z][a-z0-9-]{1,30}$/, "a short lower-case word such as documents");
    if (!args.allowS3ManagedEncryption && !args.kmsKeyArn)
        v.fail("kmsKeyArn", args.kmsKeyArn, "a KMS key ARN (or allowS3ManagedEncryption: true for ALB logs)");
    v.exclusive("kmsKeyArn", args.kmsKeyArn, "allowS3ManagedEncryption", args.allowS3ManagedEncryption);
    const lc = { toIaDays: 90, toGlacierDays: 365, ...(args.lifecycle ?? {}) };
    v.int("lifecycle.toIaDays", lc.toIaDays, 30, 3650);
    v.int("lifecycle.toGlacierDays", lc.toGlacierDays, lc.toIaDays + 1, 3650);
    if (args.objectLock) {
        v.oneOf("objectLock.mode", args.objectLock.mode, OBJECT_LOCK_MODES);
        v.int("objectLock.days", args.objectLock.days, 1, 36500);
    }
    v.throwIfAny();
    return lc;
}
