import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { typeToken } from "../core/naming";
import { Validator } from "../core/validation";
import { K8sCommonArgs, K8sContext, restrictedPodSpec, secretKeysVolume } from "./common";

export interface LogicalBackupArgs extends K8sCommonArgs {
    /** Namespace the objects are created in. */
    namespace: pulumi.Input<string>;
    /** Image with pg_dump (the CloudNativePG operand image), pinned. */
    pgDumpImage: string;
    /** Image with the aws CLI, pinned. */
    uploadImage: string;
    /** PostgreSQL host (the `-r`/`-ro` service is fine: pg_dump is read-only). */
    host: pulumi.Input<string>;
    /** Secret with `username` / `password` (a read-only role: `rag_backup`, member of `pg_read_all_data`). */
    credentialsSecretName: pulumi.Input<string>;
    /**
     * Secret (in `namespace`) whose `ca.crt` verifies the server certificate: only that key is
     * mounted, and pg_dump connects with `sslmode=verify-full`.
     */
    serverCaSecretName: pulumi.Input<string>;
    /** Endpoint URL of the object store. */
    s3Endpoint: pulumi.Input<string>;
    /** Secret with ACCESS_KEY_ID / ACCESS_SECRET_KEY of the object store. */
    s3SecretName: pulumi.Input<string>;
    /** Bucket the dumps are written to. @default "backups" */
    bucket?: string;
    /** Cron schedule. @default "30 3 * * *" */
    schedule?: string;
    /** Days the daily dumps are kept (`logical/daily/`). */
    retentionDays: number;
    /** Months the dump of the first day of each month is kept (`logical/monthly/`); 0: no monthly tier. @default 12 */
    monthlyRetentionMonths?: number;
    /**
     * A second, off-site store every dump is also copied to, with its own credential. The job only
     * writes there (a write-only credential is enough, so a compromised cluster cannot delete the
     * off-site copies); the store's lifecycle rules expire `logical/daily/` and `logical/monthly/`
     * (docs/restore.md). @default none
     */
    offsite?: { endpoint: pulumi.Input<string>; secretName: pulumi.Input<string>; bucket: string };
}

/**
 * The upload container's script: copy the dump to the daily tier (and the monthly tier on the
 * first of the month) in the store and off site, then prune this store's tiers by age.
 */
export function uploadScript(bucket: string, retentionDays: number, monthlyMonths: number, offsiteBucket?: string): string {
    const lines = [
        "set -eu",
        'f=$(ls "$DUMP_DIR"); d=$(echo "$f" | cut -c5-12)',
        'tiers="daily"; if [ "$(echo "$d" | cut -c7-8)" = "01" ] && [ "$MONTHLY_MONTHS" -gt 0 ]; then tiers="daily monthly"; fi',
        'put() { for t in $tiers; do aws --endpoint-url "$1" s3 cp "$DUMP_DIR/$f" "s3://$2/logical/$t/$f"; done; }',
        `put "$S3_ENDPOINT" "${bucket}"`,
        ...(offsiteBucket
            ? [
                  `( export AWS_ACCESS_KEY_ID="$OFFSITE_ACCESS_KEY_ID" AWS_SECRET_ACCESS_KEY="$OFFSITE_SECRET_ACCESS_KEY"; put "$OFFSITE_ENDPOINT" "${offsiteBucket}" )`,
              ]
            : []),
        // Prune by the date in the file name (rag-YYYYMMDDTHHMMSS.dump), per tier.
        String.raw`prune() { aws --endpoint-url "$S3_ENDPOINT" s3 ls "s3://${bucket}/logical/$1/" | awk '{print $4}' | while read -r o; do ` +
            String.raw`od=$(echo "$o" | sed -n 's/^rag-\([0-9]\{8\}\).*/\1/p'); ` +
            String.raw`if [ -n "$od" ] && [ "$od" -lt "$2" ]; then aws --endpoint-url "$S3_ENDPOINT" s3 rm "s3://${bucket}/logical/$1/$o"; fi; done; }`,
        `prune daily "$(date -d "-${retentionDays} days" +%Y%m%d)"`,
        `prune monthly "$(date -d "-${monthlyMonths} months" +%Y%m%d)"`,
    ];
    return lines.join("\n");
}

/**
 * A logical pg_dump CronJob (Forbid concurrency) beside CloudNativePG's physical backups: dump
 * in an init container to an emptyDir; upload to a daily tier (kept `retentionDays`) and, on the
 * first of the month, a monthly tier (kept `monthlyRetentionMonths`); copy both off site when
 * `offsite` is given.
 */
export class LogicalBackup extends pulumi.ComponentResource {
    constructor(name: string, args: LogicalBackupArgs, opts?: pulumi.ComponentResourceOptions) {
        const monthly = validateLogicalBackup(name, args);
        super(typeToken("kubernetes", "LogicalBackup"), name, {}, opts);
        const ctx = new K8sContext(name, args, this);
        const labels = ctx.labels("logical-backup");
        dailyCronJob(ctx, { name: "pg-dump", namespace: args.namespace, labels }, args.schedule ?? "30 3 * * *", 6 * 3600, this.podSpec(ctx, args, monthly));
        this.registerOutputs({});
    }

    /** The pod: pg_dump in an init container to an emptyDir, then the upload (and off-site copy). */
    private podSpec(ctx: K8sContext, args: LogicalBackupArgs, monthly: number): k8s.types.input.core.v1.PodSpec {
        const bucket = args.bucket ?? "backups";
        const resources = (ephemeralLimit: string) => ({
            requests: { cpu: "100m", memory: "256Mi", "ephemeral-storage": "128Mi" },
            limits: { cpu: "1", memory: "1Gi", "ephemeral-storage": ephemeralLimit },
        });
        return restrictedPodSpec({
            restartPolicy: "Never",
            initContainers: [
                {
                    name: "pg-dump",
                    image: ctx.image(args.pgDumpImage),
                    command: [
                        "sh",
                        "-c",
                        'pg_dump --format=custom --no-owner --file="/dump/rag-$(date +%Y%m%dT%H%M%S).dump" "host=$PGHOST dbname=rag sslmode=verify-full sslrootcert=/etc/postgres-tls/ca.crt"',
                    ],
                    env: [
                        { name: "PGHOST", value: args.host },
                        { name: "PGUSER", valueFrom: { secretKeyRef: { name: args.credentialsSecretName, key: "username" } } },
                        { name: "PGPASSWORD", valueFrom: { secretKeyRef: { name: args.credentialsSecretName, key: "password" } } },
                    ],
                    resources: resources("52Gi"),
                    volumeMounts: [
                        { name: "dump", mountPath: "/dump" },
                        { name: "postgres-ca", mountPath: "/etc/postgres-tls", readOnly: true },
                    ],
                },
            ],
            containers: [
                {
                    name: "upload",
                    image: ctx.image(args.uploadImage),
                    command: ["sh", "-c"],
                    args: [uploadScript(bucket, args.retentionDays, monthly, args.offsite?.bucket)],
                    env: uploadEnv(args, monthly),
                    resources: resources("512Mi"),
                    volumeMounts: [
                        { name: "dump", mountPath: "/dump", readOnly: true },
                        { name: "tmp", mountPath: "/tmp" },
                    ],
                },
            ],
            volumes: [
                { name: "dump", emptyDir: { sizeLimit: "50Gi" } },
                { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
                secretKeysVolume("postgres-ca", args.serverCaSecretName, ["ca.crt"]),
            ],
        });
    }
}

/** Refuses bad arguments before anything is registered; the monthly tier's retention in months. */
function validateLogicalBackup(name: string, args: LogicalBackupArgs): number {
    const v = new Validator(`LogicalBackup ${name}`);
    v.image("pgDumpImage", args.pgDumpImage);
    v.image("uploadImage", args.uploadImage);
    v.int("retentionDays", args.retentionDays, 1, 3650);
    const monthly = args.monthlyRetentionMonths ?? 12;
    v.int("monthlyRetentionMonths", monthly, 0, 120);
    if (args.offsite) v.matches("offsite.bucket", args.offsite.bucket, /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "an S3 bucket name");
    v.throwIfAny();
    return monthly;
}

/** The upload container's environment: the backups store, the tiers, and the off-site store when given. */
function uploadEnv(args: LogicalBackupArgs, monthly: number): k8s.types.input.core.v1.EnvVar[] {
    return [
        { name: "S3_ENDPOINT", value: args.s3Endpoint },
        { name: "HOME", value: "/tmp" },
        { name: "AWS_DEFAULT_REGION", value: "us-east-1" },
        { name: "AWS_ACCESS_KEY_ID", valueFrom: { secretKeyRef: { name: args.s3SecretName, key: "ACCESS_KEY_ID" } } },
        { name: "AWS_SECRET_ACCESS_KEY", valueFrom: { secretKeyRef: { name: args.s3SecretName, key: "ACCESS_SECRET_KEY" } } },
        { name: "MONTHLY_MONTHS", value: String(monthly) },
        { name: "DUMP_DIR", value: "/dump" },
        ...(args.offsite
            ? [
                  { name: "OFFSITE_ENDPOINT", value: args.offsite.endpoint },
                  { name: "OFFSITE_ACCESS_KEY_ID", valueFrom: { secretKeyRef: { name: args.offsite.secretName, key: "ACCESS_KEY_ID" } } },
                  { name: "OFFSITE_SECRET_ACCESS_KEY", valueFrom: { secretKeyRef: { name: args.offsite.secretName, key: "ACCESS_SECRET_KEY" } } },
              ]
            : []),
    ];
}

export interface DocumentsOffsiteArgs extends K8sCommonArgs {
    /** Namespace the CronJob runs in (the data zone, where the backup credentials live). */
    namespace: pulumi.Input<string>;
    /** rclone image, pinned. */
    image: string;
    /** Endpoint URL of the stack's object store. */
    sourceEndpoint: pulumi.Input<string>;
    /** Secret (in `namespace`) with ACCESS_KEY_ID / ACCESS_SECRET_KEY of an identity that may read and list the documents bucket. */
    sourceSecretName: pulumi.Input<string>;
    /** The documents bucket. @default "documents" */
    sourceBucket?: string;
    /** The off-site store: endpoint, Secret (in `namespace`) with its keys, bucket; the copy goes under `documents/`. */
    offsite: { endpoint: pulumi.Input<string>; secretName: pulumi.Input<string>; bucket: string };
    /** Cron schedule. @default "0 4 * * *" (after the logical dump's 03:30) */
    schedule?: string;
}

/** The rclone remote `name` from the environment: an S3-compatible store at `endpoint` with a Secret's keys. */
function rcloneRemote(name: string, endpoint: pulumi.Input<string>, secretName: pulumi.Input<string>): k8s.types.input.core.v1.EnvVar[] {
    const p = `RCLONE_CONFIG_${name.toUpperCase()}_`;
    return [
        { name: `${p}TYPE`, value: "s3" },
        { name: `${p}PROVIDER`, value: "Other" },
        { name: `${p}ENDPOINT`, value: endpoint },
        { name: `${p}ACCESS_KEY_ID`, valueFrom: { secretKeyRef: { name: secretName, key: "ACCESS_KEY_ID" } } },
        { name: `${p}SECRET_ACCESS_KEY`, valueFrom: { secretKeyRef: { name: secretName, key: "ACCESS_SECRET_KEY" } } },
    ];
}

/**
 * The documents bucket copied off site every day (Kubernetes), to the same off-site store as the
 * logical dumps: a CronJob (Forbid concurrency) running `rclone copy` from the stack's store
 * (a read-only identity) to `<offsite bucket>/documents/` (an identity that may list and write
 * there; it never deletes). A document deleted or replaced here stays off site in its last
 * copied form until the off-site store's own lifecycle expires it (docs/restore.md).
 */
export class DocumentsOffsite extends pulumi.ComponentResource {
    constructor(name: string, args: DocumentsOffsiteArgs, opts?: pulumi.ComponentResourceOptions) {
        const v = new Validator(`DocumentsOffsite ${name}`);
        v.image("image", args.image);
        const bucket = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
        v.matches("sourceBucket", args.sourceBucket ?? "documents", bucket, "an S3 bucket name");
        v.matches("offsite.bucket", args.offsite?.bucket, bucket, "an S3 bucket name");
        v.throwIfAny();
        super(typeToken("kubernetes", "DocumentsOffsite"), name, {}, opts);
        const ctx = new K8sContext(name, args, this);
        const labels = ctx.labels("documents-offsite");
        const resources = {
            requests: { cpu: "100m", memory: "128Mi", "ephemeral-storage": "64Mi" },
            limits: { cpu: "1", memory: "512Mi", "ephemeral-storage": "256Mi" },
        };
        dailyCronJob(
            ctx,
            { name: "documents-offsite", namespace: args.namespace, labels },
            args.schedule ?? "0 4 * * *",
            12 * 3600,
            restrictedPodSpec({
                restartPolicy: "Never",
                containers: [
                    {
                        name: "rclone",
                        image: ctx.image(args.image),
                        command: ["rclone"],
                        args: [
                            "copy",
                            `source:${args.sourceBucket ?? "documents"}`,
                            `offsite:${args.offsite.bucket}/documents`,
                            "--s3-no-check-bucket",
                            "--checksum",
                            "--transfers=4",
                            "--log-level=INFO",
                        ],
                        env: [
                            { name: "HOME", value: "/tmp" },
                            { name: "RCLONE_CONFIG", value: "/tmp/rclone.conf" },
                            ...rcloneRemote("source", args.sourceEndpoint, args.sourceSecretName),
                            ...rcloneRemote("offsite", args.offsite.endpoint, args.offsite.secretName),
                        ],
                        resources,
                        volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                    },
                ],
                volumes: [{ name: "tmp", emptyDir: { sizeLimit: "128Mi" } }],
            }),
        );
        this.registerOutputs({});
    }
}

/** A backup CronJob: one run at a time, three of each outcome kept, started within the hour, two retries, a deadline. */
function dailyCronJob(
    ctx: K8sContext,
    metadata: { name: string; namespace: pulumi.Input<string>; labels: Record<string, string> },
    schedule: string,
    activeDeadlineSeconds: number,
    podSpec: k8s.types.input.core.v1.PodSpec,
): k8s.batch.v1.CronJob {
    return new k8s.batch.v1.CronJob(
        ctx.childName("cronjob"),
        {
            metadata,
            spec: {
                schedule,
                concurrencyPolicy: "Forbid",
                successfulJobsHistoryLimit: 3,
                failedJobsHistoryLimit: 3,
                startingDeadlineSeconds: 3600,
                jobTemplate: {
                    metadata: { labels: metadata.labels },
                    spec: {
                        backoffLimit: 2,
                        activeDeadlineSeconds,
                        template: { metadata: { labels: metadata.labels }, spec: podSpec },
                    },
                },
            },
        },
        ctx.opts(),
    );
}
