import * as pulumi from "@pulumi/pulumi";
import { typeToken } from "../core/naming";
import { SecureBucket } from "./bucket";
import { AwsCommonArgs } from "./common";

export interface StorageArgs extends AwsCommonArgs {
    /** KMS key for SSE-KMS. */
    kmsKeyArn: pulumi.Input<string>;
    /** Days before current objects move to infrequent access. @default 90 */
    transitionToIaDays?: number;
    /** Days before current objects move to Glacier. @default 365 */
    transitionToGlacierDays?: number;
    /** Days noncurrent object versions are kept. @default 30 staging, 365 production */
    noncurrentVersionExpirationDays?: number;
}

/** S3 buckets for source documents and for backups, each a SecureBucket. */
export class Storage extends pulumi.ComponentResource {
    /** Name of the documents bucket. */
    readonly documentsBucket: pulumi.Output<string>;
    /** ARN of the documents bucket. */
    readonly documentsBucketArn: pulumi.Output<string>;
    /** Name of the backups bucket. */
    readonly backupsBucket: pulumi.Output<string>;
    /** ARN of the backups bucket. */
    readonly backupsBucketArn: pulumi.Output<string>;

    constructor(name: string, args: StorageArgs, opts?: pulumi.ComponentResourceOptions) {
        super(typeToken("aws", "Storage"), name, {}, opts);
        const common = {
            environment: args.environment,
            namePrefix: args.namePrefix ?? name,
            tags: args.tags,
            protectData: args.protectData,
            kmsKeyArn: args.kmsKeyArn,
            lifecycle: { toIaDays: args.transitionToIaDays ?? 90, toGlacierDays: args.transitionToGlacierDays ?? 365 },
            noncurrentVersionExpirationDays: args.noncurrentVersionExpirationDays ?? (args.environment === "production" ? 365 : 30),
        };
        const documents = new SecureBucket(`${name}-documents`, { ...common, purpose: "documents" }, { parent: this });
        const backups = new SecureBucket(`${name}-backups`, { ...common, purpose: "backups" }, { parent: this });
        this.documentsBucket = documents.bucketName;
        this.documentsBucketArn = documents.arn;
        this.backupsBucket = backups.bucketName;
        this.backupsBucketArn = backups.arn;
        this.registerOutputs({ documentsBucket: this.documentsBucket, backupsBucket: this.backupsBucket });
    }
}
