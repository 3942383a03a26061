import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { typeToken } from "../core/naming";
import { Validator } from "../core/validation";
import { K8sCommonArgs, K8sContext, restrictedContainerSecurity, restrictedPodSecurity } from "./common";

export interface LogicalBackupArgs extends K8sCommonArgs {
    /** Namespace the objects are created in. */
    namespace: pulumi.Input<string>;
    /** Image with pg_dump (the CloudNativePG operand image), pinned. */
    pgDumpImage: string;
    /** Image with the aws CLI, pinned. */
    uploadImage: string;
    /** PostgreSQL host (the `-r`/`-ro` service is fine: pg_dump is read-only). */
    host: pulumi.Input<string>;
    /** Secret with `username` / `password`. */
    credentialsSecretName: pulumi.Input<string>;
    /** Endpoint URL of the object store. */
    s3Endpoint: pulumi.Input<string>;
    /** Secret with ACCESS_KEY_ID / ACCESS_SECRET_KEY of the object store. */
    s3SecretName: pulumi.Input<string>;
    /** Bucket the dumps are written to. @default "backups" */
    bucket?: string;
    /** Cron schedule. @default "30 3 * * *" */
    schedule?: string;
    /** Days dumps are kept. */
    retentionDays: number;
}

/**
 * A logical pg_dump CronJob (Forbid concurrency) beside CloudNativePG's physical backups: dump
 * in an init container to an emptyDir, upload and prune dumps older than the retention.
 */
export class LogicalBackup extends pulumi.ComponentResource {
    constructor(name: string, args: LogicalBackupArgs, opts?: pulumi.ComponentResourceOptions) {
        const v = new Validator(`LogicalBackup ${name}`);
        v.image("pgDumpImage", args.pgDumpImage);
        v.image("uploadImage", args.uploadImage);
        v.int("retentionDays", args.retentionDays, 1, 3650);
        v.throwIfAny();
        super(typeToken("kubernetes", "LogicalBackup"), name, {}, opts);
        const ctx = new K8sContext(name, args, this);
        const labels = ctx.labels("logical-backup");
        const bucket = args.bucket ?? "backups";
        const s3Env = [
            { name: "S3_ENDPOINT", value: args.s3Endpoint },
            { name: "HOME", value: "/tmp" },
            { name: "AWS_DEFAULT_REGION", value: "us-east-1" },
            { name: "AWS_ACCESS_KEY_ID", valueFrom: { secretKeyRef: { name: args.s3SecretName, key: "ACCESS_KEY_ID" } } },
            { name: "AWS_SECRET_ACCESS_KEY", valueFrom: { secretKeyRef: { name: args.s3SecretName, key: "ACCESS_SECRET_KEY" } } },
        ];
        const resources = (ephemeralLimit: string) => ({
            requests: { cpu: "100m", memory: "256Mi", "ephemeral-storage": "128Mi" },
            limits: { cpu: "1", memory: "1Gi", "ephemeral-storage": ephemeralLimit },
        });
        new k8s.batch.v1.CronJob(
            ctx.childName("cronjob"),
            {
                metadata: { name: "pg-dump", namespace: args.namespace, labels },
                spec: {
                    schedule: args.schedule ?? "30 3 * * *",
                    concurrencyPolicy: "Forbid",
                    successfulJobsHistoryLimit: 3,
                    failedJobsHistoryLimit: 3,
                    startingDeadlineSeconds: 3600,
                    jobTemplate: {
                        metadata: { labels },
                        spec: {
                            backoffLimit: 2,
                            activeDeadlineSeconds: 6 * 3600,
                            template: {
                                metadata: { labels },
                                spec: {
                                    restartPolicy: "Never",
                                    automountServiceAccountToken: false,
                                    securityContext: restrictedPodSecurity(),
                                    initContainers: [
                                        {
                                            name: "pg-dump",
                                            image: ctx.image(args.pgDumpImage),
                                            command: [
                                                "sh",
                                                "-c",
                                                'pg_dump --format=custom --no-owner --file="/dump/rag-$(date +%Y%m%dT%H%M%S).dump" "host=$PGHOST dbname=rag sslmode=require"',
                                            ],
                                            env: [
                                                { name: "PGHOST", value: args.host },
                                                { name: "PGUSER", valueFrom: { secretKeyRef: { name: args.credentialsSecretName, key: "username" } } },
                                                { name: "PGPASSWORD", valueFrom: { secretKeyRef: { name: args.credentialsSecretName, key: "password" } } },
                                            ],
                                            resources: resources("52Gi"),
                                            securityContext: restrictedContainerSecurity(true),
                                            volumeMounts: [{ name: "dump", mountPath: "/dump" }],
                                        },
                                    ],
                                    containers: [
                                        {
                                            name: "upload",
                                            image: ctx.image(args.uploadImage),
                                            command: ["sh", "-c"],
                                            args: [
                                                `set -e; aws --endpoint-url "$S3_ENDPOINT" s3 cp /dump/ s3://${bucket}/logical/ --recursive; ` +
                                                    `cutoff=$(date -d "-${args.retentionDays} days" +%Y%m%d); ` +
                                                    `aws --endpoint-url "$S3_ENDPOINT" s3 ls s3://${bucket}/logical/ | awk '{print $4}' | while read f; do d=$(echo "$f" | sed -n 's/^rag-\\([0-9]\\{8\\}\\).*/\\1/p'); [ -n "$d" ] && [ "$d" -lt "$cutoff" ] && aws --endpoint-url "$S3_ENDPOINT" s3 rm "s3://${bucket}/logical/$f"; done; true`,
                                            ],
                                            env: s3Env,
                                            resources: resources("512Mi"),
                                            securityContext: restrictedContainerSecurity(true),
                                            volumeMounts: [
                                                { name: "dump", mountPath: "/dump", readOnly: true },
                                                { name: "tmp", mountPath: "/tmp" },
                                            ],
                                        },
                                    ],
                                    volumes: [
                                        { name: "dump", emptyDir: { sizeLimit: "50Gi" } },
                                        { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
                                    ],
                                },
                            },
                        },
                    },
                },
            },
            ctx.opts(),
        );
        this.registerOutputs({});
    }
}
