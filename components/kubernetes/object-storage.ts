import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { typeToken } from "../core/naming";
import { ObjectStorageMode } from "../core/types";
import { Validator } from "../core/validation";
import { immutable, K8sCommonArgs, K8sContext, restrictedPodSpec, secretIn } from "./common";

/** Secret (data namespace) of the generated read-only documents identity. */
const DOCUMENTS_READER_SECRET = "object-storage-documents-reader";

/** Buckets every stack uses. */
export const BUCKETS = ["documents", "backups"] as const;

export interface ObjectStorageArgs extends K8sCommonArgs {
    /** `external`: an existing S3-compatible endpoint; `in-cluster`: SeaweedFS deployed here. */
    mode: ObjectStorageMode;
    /** Namespace of the documents' consumer (the API): its credential Secret goes there. */
    documentsNamespace: pulumi.Input<string>;
    /** Namespace of the in-cluster server and of the backups' consumers (CloudNativePG, the pg_dump job). */
    dataNamespace: pulumi.Input<string>;
    /** external: https:// endpoint. */
    endpoint?: string;
    /**
     * external: an existing Secret in the documents' namespace with ACCESS_KEY_ID /
     * ACCESS_SECRET_KEY of an identity limited to the `documents` bucket.
     */
    existingSecretName?: string;
    /**
     * external: an existing Secret in the data namespace with the keys of an identity limited to
     * the `backups` bucket (the store should keep versions or lock objects so that it cannot
     * destroy history). Never the documents' identity: a compromised API must not reach backups.
     */
    existingBackupsSecretName?: string;
    /**
     * An identity that may only read and list `documents`, its Secret in the data namespace (the
     * documents' off-site copy). in-cluster: generated; external: `existingDocumentsReaderSecretName`.
     * @default false
     */
    documentsReader?: boolean;
    /** external with `documentsReader`: an existing Secret in the data namespace with that identity's keys. */
    existingDocumentsReaderSecretName?: string;
    /** in-cluster: server image, pinned. */
    image?: string;
    /** in-cluster: aws-cli image for the bucket setup Job, pinned. */
    setupImage?: string;
    /** in-cluster: volume GiB. @default 200 */
    storageGiB?: number;
    /** StorageClass of the volumes. @default the cluster's default */
    storageClass?: string;
}

/**
 * S3-compatible object storage as a generic interface: an external endpoint with existing
 * credential Secrets, or SeaweedFS in the cluster with generated credentials (Secrets, never
 * literals) and a Job that creates the `documents` and `backups` buckets. One identity per
 * consumer: the API's reaches `documents` only, the backups' `backups` only, and the bucket
 * setup's admin identity stays with the setup Job.
 */
export class ObjectStorage extends pulumi.ComponentResource {
    /** Internal endpoint URL. */
    readonly endpoint: pulumi.Output<string>;
    /** Secret (documents' namespace) with ACCESS_KEY_ID / ACCESS_SECRET_KEY of the documents-only identity. */
    readonly documentsSecretName: string;
    /** Secret (data namespace) with the keys of the backups-only identity. */
    readonly backupsSecretName: string;
    /** Secret (data namespace) of the read-only documents identity (with `documentsReader`). */
    readonly documentsReaderSecretName: string | undefined;
    /** Secrets generated here (in-cluster mode; none for an external store), for the secret-age alert. */
    readonly generatedSecretNames: string[] = [];

    constructor(name: string, args: ObjectStorageArgs, opts?: pulumi.ComponentResourceOptions) {
        validateObjectStorage(name, args);
        super(typeToken("kubernetes", "ObjectStorage"), name, {}, opts);
        const ctx = new K8sContext(name, args, this);

        if (args.mode === "external") {
            this.endpoint = pulumi.output(args.endpoint!);
            this.documentsSecretName = args.existingSecretName!;
            this.backupsSecretName = args.existingBackupsSecretName!;
            this.documentsReaderSecretName = args.documentsReader ? args.existingDocumentsReaderSecretName : undefined;
            this.registerOutputs({ endpoint: this.endpoint });
            return;
        }
        const configSecret = this.createIdentities(ctx, args);
        const service = this.createServer(ctx, args, configSecret);
        const endpoint = pulumi.interpolate`http://${service.metadata.name}.${args.dataNamespace}.svc.cluster.local:8333`;
        this.createBucketsJob(ctx, args, service, endpoint);
        this.endpoint = endpoint;
        this.documentsSecretName = "object-storage-documents";
        this.backupsSecretName = "object-storage-backups";
        this.documentsReaderSecretName = args.documentsReader ? DOCUMENTS_READER_SECRET : undefined;
        this.generatedSecretNames = [
            "object-storage-documents",
            "object-storage-backups",
            ...(args.documentsReader ? [DOCUMENTS_READER_SECRET] : []),
            "object-storage-admin",
            "object-storage-s3-config",
        ];
        this.registerOutputs({ endpoint: this.endpoint });
    }

    /** One generated identity per consumer (documents, backups, the setup's admin), and the SeaweedFS S3 config Secret naming them. */
    private createIdentities(ctx: K8sContext, args: ObjectStorageArgs): k8s.core.v1.Secret {
        /** One generated identity: its keys, its Secret in `namespace`, and its SeaweedFS actions. */
        const identity = (key: string, secretName: string, namespace: pulumi.Input<string>, actions: string[]) => {
            const accessKey = new random.RandomString(
                ctx.childName(`${key}-access-key`),
                { length: 20, special: false, upper: true, lower: false, ...ctx.rotationKeepers() },
                { parent: this },
            );
            const secretKey = new random.RandomPassword(
                ctx.childName(`${key}-secret-key`),
                { length: 40, special: false, ...ctx.rotationKeepers() },
                { parent: this },
            );
            secretIn(
                ctx,
                `${key}-credentials`,
                secretName,
                namespace,
                { ACCESS_KEY_ID: accessKey.result, ACCESS_SECRET_KEY: secretKey.result },
                "object-storage",
            );
            return { name: key, credentials: [{ accessKey: accessKey.result, secretKey: secretKey.result }], actions };
        };
        const scoped = (bucket: string) => ["Read", "Write", "List", "Tagging"].map((a) => `${a}:${bucket}`);
        const identities = [
            identity("documents", "object-storage-documents", args.documentsNamespace, scoped("documents")),
            identity("backups", "object-storage-backups", args.dataNamespace, scoped("backups")),
            // The documents' off-site copy: read and list documents, nothing else.
            ...(args.documentsReader ? [identity("documents-reader", DOCUMENTS_READER_SECRET, args.dataNamespace, ["Read:documents", "List:documents"])] : []),
            // The setup Job's: creates the buckets; its Secret stays in the data namespace.
            identity("admin", "object-storage-admin", args.dataNamespace, ["Admin", "Read", "Write", "List", "Tagging"]),
        ];
        const s3Config = pulumi.jsonStringify({ identities });
        return secretIn(ctx, "s3-config", "object-storage-s3-config", args.dataNamespace, { "s3.json": s3Config }, "object-storage");
    }

    /** The SeaweedFS server: service account, headless Service, StatefulSet with its volume, and the S3 Service (returned). */
    private createServer(ctx: K8sContext, args: ObjectStorageArgs, configSecret: k8s.core.v1.Secret): k8s.core.v1.Service {
        const labels = ctx.labels("object-storage", { "app.kubernetes.io/component": "storage" });
        const selector = ctx.selector("object-storage");
        const sa = new k8s.core.v1.ServiceAccount(
            ctx.childName("sa"),
            { metadata: { name: "object-storage", namespace: args.dataNamespace, labels }, automountServiceAccountToken: false },
            ctx.opts(),
        );
        new k8s.core.v1.Service(
            ctx.childName("headless"),
            {
                metadata: { name: "object-storage-headless", namespace: args.dataNamespace, labels },
                spec: { clusterIP: "None", selector, ports: [{ name: "s3", port: 8333 }] },
            },
            ctx.opts(immutable("Service")),
        );
        const probe = { tcpSocket: { port: "s3" }, periodSeconds: 10 };
        new k8s.apps.v1.StatefulSet(
            ctx.childName("server"),
            {
                metadata: { name: "object-storage", namespace: args.dataNamespace, labels },
                spec: {
                    serviceName: "object-storage-headless",
                    replicas: 1,
                    selector: { matchLabels: selector },
                    template: {
                        metadata: { labels: { ...labels, ...selector }, ...ctx.rotationAnnotations() },
                        spec: restrictedPodSpec({
                            serviceAccountName: sa.metadata.name,
                            enableServiceLinks: false,
                            containers: [
                                {
                                    name: "seaweedfs",
                                    image: ctx.image(args.image!),
                                    imagePullPolicy: "IfNotPresent",
                                    args: [
                                        "server",
                                        "-dir=/data",
                                        "-s3",
                                        "-s3.port=8333",
                                        "-s3.config=/etc/seaweedfs/s3.json",
                                        "-master.volumeSizeLimitMB=1024",
                                    ],
                                    ports: [
                                        { name: "s3", containerPort: 8333 },
                                        { name: "master", containerPort: 9333 },
                                    ],
                                    resources: {
                                        requests: { cpu: "250m", memory: "512Mi", "ephemeral-storage": "128Mi" },
                                        limits: { cpu: "2", memory: "2Gi", "ephemeral-storage": "1Gi" },
                                    },
                                    startupProbe: { ...probe, failureThreshold: 30 },
                                    // Ready when the S3 gateway answers; alive while the master answers.
                                    readinessProbe: { ...probe, failureThreshold: 3 },
                                    livenessProbe: { tcpSocket: { port: "master" }, periodSeconds: 20, failureThreshold: 5 },
                                    volumeMounts: [
                                        { name: "data", mountPath: "/data" },
                                        { name: "config", mountPath: "/etc/seaweedfs", readOnly: true },
                                        { name: "tmp", mountPath: "/tmp" },
                                    ],
                                },
                            ],
                            volumes: [
                                { name: "config", secret: { secretName: configSecret.metadata.name } },
                                { name: "tmp", emptyDir: { sizeLimit: "256Mi" } },
                            ],
                        }),
                    },
                    volumeClaimTemplates: [
                        {
                            metadata: { name: "data", labels },
                            spec: {
                                accessModes: ["ReadWriteOnce"],
                                resources: { requests: { storage: `${args.storageGiB ?? 200}Gi` } },
                                ...(args.storageClass ? { storageClassName: args.storageClass } : {}),
                            },
                        },
                    ],
                    persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
                },
            },
            ctx.dataOpts(immutable("StatefulSet")),
        );
        return new k8s.core.v1.Service(
            ctx.childName("service"),
            {
                metadata: { name: "object-storage", namespace: args.dataNamespace, labels },
                spec: { type: "ClusterIP", selector, ports: [{ name: "s3", port: 8333, targetPort: "s3" }] },
            },
            ctx.opts(),
        );
    }

    /** The Job that creates the buckets with the admin identity, once the Service exists. */
    private createBucketsJob(ctx: K8sContext, args: ObjectStorageArgs, service: k8s.core.v1.Service, endpoint: pulumi.Output<string>): void {
        const setupLabels = ctx.labels("bucket-setup");
        new k8s.batch.v1.Job(
            ctx.childName("buckets"),
            {
                metadata: { name: "object-storage-buckets", namespace: args.dataNamespace, labels: setupLabels },
                spec: {
                    backoffLimit: 10,
                    ttlSecondsAfterFinished: 3600,
                    template: {
                        metadata: { labels: setupLabels },
                        spec: restrictedPodSpec({
                            restartPolicy: "OnFailure",
                            containers: [
                                {
                                    name: "create-buckets",
                                    image: ctx.image(args.setupImage!),
                                    command: ["sh", "-c"],
                                    args: [
                                        BUCKETS.map(
                                            (b) =>
                                                `aws --endpoint-url "$S3_ENDPOINT" s3api head-bucket --bucket ${b} 2>/dev/null || aws --endpoint-url "$S3_ENDPOINT" s3 mb s3://${b}`,
                                        ).join(" && "),
                                    ],
                                    env: [
                                        { name: "S3_ENDPOINT", value: endpoint },
                                        { name: "HOME", value: "/tmp" },
                                        { name: "AWS_DEFAULT_REGION", value: "us-east-1" },
                                        { name: "AWS_ACCESS_KEY_ID", valueFrom: { secretKeyRef: { name: ADMIN_SECRET, key: "ACCESS_KEY_ID" } } },
                                        { name: "AWS_SECRET_ACCESS_KEY", valueFrom: { secretKeyRef: { name: ADMIN_SECRET, key: "ACCESS_SECRET_KEY" } } },
                                    ],
                                    resources: {
                                        requests: { cpu: "50m", memory: "64Mi", "ephemeral-storage": "32Mi" },
                                        limits: { cpu: "500m", memory: "256Mi", "ephemeral-storage": "128Mi" },
                                    },
                                    volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                                },
                            ],
                            volumes: [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }],
                        }),
                    },
                },
            },
            ctx.opts({ dependsOn: [service], ...immutable("Job") }),
        );
    }
}

/** Secret (data namespace) of the bucket setup's admin identity. */
const ADMIN_SECRET = "object-storage-admin";

/** Refuses bad arguments before anything is registered. */
function validateObjectStorage(name: string, args: ObjectStorageArgs): void {
    const v = new Validator(`ObjectStorage ${name}`);
    v.oneOf("mode", args.mode, ["external", "in-cluster"] as const);
    if (args.mode === "external") {
        v.matches("endpoint", args.endpoint, /^https:\/\//, "an https:// endpoint");
        v.nonEmpty("existingSecretName", args.existingSecretName, "the name of an existing Secret");
        v.nonEmpty("existingBackupsSecretName", args.existingBackupsSecretName, "the name of an existing Secret with the backups identity's keys");
        if (args.existingBackupsSecretName && args.existingBackupsSecretName === args.existingSecretName)
            v.fail("existingBackupsSecretName", args.existingBackupsSecretName, "a Secret other than existingSecretName (one identity per consumer)");
        if (args.documentsReader)
            v.nonEmpty(
                "existingDocumentsReaderSecretName",
                args.existingDocumentsReaderSecretName,
                "the name of an existing Secret (data namespace) with the keys of an identity that may only read and list documents",
            );
        v.exclusive("existingSecretName", args.existingSecretName, "image", args.image);
    } else {
        v.image("image", args.image);
        v.image("setupImage", args.setupImage);
    }
    v.throwIfAny();
}
