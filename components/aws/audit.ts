import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { typeToken } from "../core/naming";
import { checkLogRetention, Validator } from "../core/validation";
import { SecureBucket } from "./bucket";
import { accountIdOf, assumeRolePolicy, AwsCommonArgs, AwsContext, policyDocument } from "./common";

export interface AuditArgs extends AwsCommonArgs {
    /** KMS key for the trail, its bucket and its log group. */
    logsKeyArn: pulumi.Input<string>;
    /** Days the trail's CloudWatch log group keeps events. @default 365 */
    logRetentionDays?: number;
}

/**
 * CloudTrail: multi-region, global service events, log-file validation, KMS, delivered to an
 * encrypted S3 bucket (TLS-only, versioned, lifecycle to Glacier) and to CloudWatch Logs.
 */
export class Audit extends pulumi.ComponentResource {
    /** ARN of the trail. */
    readonly trailArn: pulumi.Output<string>;
    /** Name of the bucket. */
    readonly bucketName: pulumi.Output<string>;

    constructor(name: string, args: AuditArgs, opts?: pulumi.ComponentResourceOptions) {
        const v = new Validator(`Audit ${name}`);
        checkLogRetention(v, "logRetentionDays", args.logRetentionDays ?? 365);
        v.throwIfAny();
        super(typeToken("aws", "Audit"), name, {}, opts);
        const ctx = new AwsContext(name, args, this);
        const accountId = accountIdOf(args, this);
        const region = aws.getRegionOutput({}, { parent: this });
        const trailName = ctx.physical("trail", 128);
        const trailArn = pulumi.interpolate`arn:aws:cloudtrail:${region.region}:${accountId}:trail/${trailName}`;

        const bucket = new SecureBucket(
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
        const trail = new aws.cloudtrail.Trail(
            ctx.childName("trail"),
            {
                name: trailName,
                s3BucketName: bucket.bucketName,
                isMultiRegionTrail: true,
                includeGlobalServiceEvents: true,
                enableLogFileValidation: true,
                enableLogging: true,
                kmsKeyId: args.logsKeyArn,
                cloudWatchLogsGroupArn: pulumi.interpolate`${logGroup.arn}:*`,
                cloudWatchLogsRoleArn: role.arn,
                tags: ctx.tags("trail"),
            },
            ctx.opts({ dependsOn: [bucket] }),
        );
        this.trailArn = trail.arn;
        this.bucketName = bucket.bucketName;
        this.registerOutputs({ trailArn: this.trailArn, bucketName: this.bucketName });
    }
}
