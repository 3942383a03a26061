import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { typeToken } from "../core/naming";
import { Validator } from "../core/validation";
import { checkLogRetention, postureFor } from "../settings";
import { OBJECT_LOCK_MODES, SecureBucket } from "./bucket";
import { accountIdOf, assumeRolePolicy, AwsCommonArgs, AwsContext, partitionOf, policyDocument } from "./common";

export interface AuditArgs extends AwsCommonArgs {
    /** KMS key for the trail, its bucket and its log group. */
    logsKeyArn: pulumi.Input<string>;
    /** Days the trail's CloudWatch log group keeps events. @default 365 */
    logRetentionDays?: number;
    /** Bucket (name) the trail bucket's server access logs go to. @default none */
    accessLogBucket?: pulumi.Input<string>;
    /** Object Lock on the trail bucket. @default GOVERNANCE 365 days in production, "none" in staging */
    objectLock?: { mode: "GOVERNANCE" | "COMPLIANCE"; days: number } | "none";
    /** Buckets (ARNs) whose object reads and writes the trail records as S3 data events. @default none */
    dataEventBucketArns?: pulumi.Input<string>[];
}

/**
 * CloudTrail: multi-region, global service events, log-file validation, KMS, delivered to an
 * encrypted S3 bucket (TLS-only, versioned, lifecycle to Glacier, Object Lock in production, server
 * access logs) and to CloudWatch Logs; S3 data events for the buckets named (who read a document).
 */
export class Audit extends pulumi.ComponentResource {
    /** ARN of the trail. */
    readonly trailArn: pulumi.Output<string>;
    /** Name of the bucket. */
    readonly bucketName: pulumi.Output<string>;

    constructor(name: string, args: AuditArgs, opts?: pulumi.ComponentResourceOptions) {
        validateAudit(name, args);
        super(typeToken("aws", "Audit"), name, {}, opts);
        const ctx = new AwsContext(name, args, this);
        const accountId = accountIdOf(args, this);
        const region = aws.getRegionOutput({}, { parent: this });
        const trailName = ctx.physical("trail", 128);
        const trailArn = pulumi.interpolate`arn:${partitionOf(this)}:cloudtrail:${region.region}:${accountId}:trail/${trailName}`;

        const bucket = this.createBucket(ctx, args, accountId, trailArn);
        const delivery = this.createLogDelivery(ctx, args, accountId);
        const trail = this.createTrail(ctx, args, trailName, bucket, delivery);
        this.trailArn = trail.arn;
        this.bucketName = bucket.bucketName;
        this.registerOutputs({ trailArn: this.trailArn, bucketName: this.bucketName });
    }

    /** The trail's bucket: locked in production, writable by CloudTrail for this trail only. */
    private createBucket(ctx: AwsContext, args: AuditArgs, accountId: pulumi.Output<string>, trailArn: pulumi.Output<string>): SecureBucket {
        const lock = args.objectLock ?? postureFor(args.environment).trailObjectLock;
        return new SecureBucket(
            ctx.childName("trail"),
            {
                environment: args.environment,
                namePrefix: ctx.prefix,
                tags: args.tags,
                protectData: args.protectData,
                purpose: "cloudtrail",
                kmsKeyArn: args.logsKeyArn,
                lifecycle: { toIaDays: 90, toGlacierDays: 180 },
                noncurrentVersionExpirationDays: 365,
                ...(args.accessLogBucket ? { accessLogBucket: args.accessLogBucket } : {}),
                ...(lock !== "none" ? { objectLock: lock } : {}),
                policyStatements: (arn) => [
                    {
                        Sid: "CloudTrailAclCheck",
                        Effect: "Allow",
                        Principal: { Service: "cloudtrail.amazonaws.com" },
                        Action: "s3:GetBucketAcl",
                        Resource: arn,
                        Condition: { StringEquals: { "aws:SourceArn": trailArn } },
                    },
                    {
                        Sid: "CloudTrailWrite",
                        Effect: "Allow",
                        Principal: { Service: "cloudtrail.amazonaws.com" },
                        Action: "s3:PutObject",
                        Resource: pulumi.interpolate`${arn}/AWSLogs/${accountId}/*`,
                        Condition: { StringEquals: { "aws:SourceArn": trailArn, "s3:x-amz-acl": "bucket-owner-full-control" } },
                    },
                ],
            },
            { parent: this },
        );
    }

    /** The CloudWatch log group the trail also delivers to, and the role it delivers with. */
    private createLogDelivery(ctx: AwsContext, args: AuditArgs, accountId: pulumi.Output<string>): { logGroup: aws.cloudwatch.LogGroup; role: aws.iam.Role } {
        const logGroup = new aws.cloudwatch.LogGroup(
            ctx.childName("trail"),
            { name: `/${ctx.prefix}/cloudtrail`, retentionInDays: args.logRetentionDays ?? 365, kmsKeyId: args.logsKeyArn, tags: ctx.tags("trail-logs") },
            ctx.opts(),
        );
        const role = new aws.iam.Role(
            ctx.childName("trail"),
            {
                assumeRolePolicy: assumeRolePolicy("cloudtrail.amazonaws.com", accountId),
                description: "CloudTrail to CloudWatch Logs",
                tags: ctx.tags("trail"),
            },
            ctx.opts(),
        );
        new aws.iam.RolePolicy(
            ctx.childName("trail"),
            {
                role: role.id,
                policy: policyDocument([
                    { Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: pulumi.interpolate`${logGroup.arn}:*` },
                ]),
            },
            ctx.opts(),
        );
        return { logGroup, role };
    }

    /** The multi-region trail with log-file validation (and S3 data events for the buckets named), once its bucket exists. */
    private createTrail(
        ctx: AwsContext,
        args: AuditArgs,
        trailName: string,
        bucket: SecureBucket,
        delivery: { logGroup: aws.cloudwatch.LogGroup; role: aws.iam.Role },
    ): aws.cloudtrail.Trail {
        const dataEventBuckets = args.dataEventBucketArns ?? [];
        return new aws.cloudtrail.Trail(
            ctx.childName("trail"),
            {
                name: trailName,
                s3BucketName: bucket.bucketName,
                isMultiRegionTrail: true,
                includeGlobalServiceEvents: true,
                enableLogFileValidation: true,
                enableLogging: true,
                kmsKeyId: args.logsKeyArn,
                cloudWatchLogsGroupArn: pulumi.interpolate`${delivery.logGroup.arn}:*`,
                cloudWatchLogsRoleArn: delivery.role.arn,
                ...(dataEventBuckets.length > 0
                    ? {
                          advancedEventSelectors: [
                              { name: "Management events", fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }] },
                              {
                                  name: "Object reads and writes in the named buckets",
                                  fieldSelectors: [
                                      { field: "eventCategory", equals: ["Data"] },
                                      { field: "resources.type", equals: ["AWS::S3::Object"] },
                                      { field: "resources.ARN", startsWiths: dataEventBuckets.map((b) => pulumi.interpolate`${b}/`) },
                                  ],
                              },
                          ],
                      }
                    : {}),
                tags: ctx.tags("trail"),
            },
            ctx.opts({ dependsOn: [bucket] }),
        );
    }
}

/** Refuses bad arguments before anything is registered. */
function validateAudit(name: string, args: AuditArgs): void {
    const v = new Validator(`Audit ${name}`);
    checkLogRetention(v, "logRetentionDays", args.logRetentionDays ?? 365);
    if (args.objectLock && args.objectLock !== "none") {
        v.oneOf("objectLock.mode", args.objectLock.mode, OBJECT_LOCK_MODES);
        v.int("objectLock.days", args.objectLock.days, 1, 36500);
    }
    v.throwIfAny();
}
