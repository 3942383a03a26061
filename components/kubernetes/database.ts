import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { POOLER_NAME } from "../core/facts";
import { contentSuffix, typeToken } from "../core/naming";
import { RestoreSource } from "../core/types";
import { k8sCpu, k8sMemory } from "../core/sizing";
import { checkRestoreSource, Validator } from "../core/validation";
import { K8sCommonArgs, K8sContext, preferSpreadOverNodes } from "./common";

/** Operator versions this component is written and tested against (prerequisites). */
export const CNPG_VERSION = "1.27";
export const BARMAN_CLOUD_PLUGIN_VERSION = "0.15";

export interface DatabaseArgs extends K8sCommonArgs {
    /** Namespace the objects are created in. */
    namespace: pulumi.Input<string>;
    /** CloudNativePG operand image with pgvector, pinned. */
    image: string;
    /** Instances: 1 primary + replicas. @default 1 staging, 3 production */
    instances?: number;
    /**
     * Standbys that must confirm each commit (quorum-based synchronous replication, `method: any`):
     * a failover then loses no acknowledged write. At most `instances - 1`; 0 replicates
     * asynchronously. @default 1 in production with more than one instance, else 0
     */
    synchronousReplicas?: number;
    /**
     * With synchronous replicas: `required` blocks writes while fewer standbys are healthy
     * (durability first); `preferred` lets writes continue on fewer (availability first).
     * @default "required"
     */
    dataDurability?: "required" | "preferred";
    /** GiB. @default 50 */
    storageGiB?: number;
    /** StorageClass of the volumes. @default the cluster's default @default cluster default */
    storageClass?: string;
    /** vCPU. @default 1 */
    cpu?: number;
    /** MiB. @default 4096 */
    memoryMiB?: number;
    /** Secret (in `namespace`) with `username` and `password` of the application owner. */
    appSecretName: pulumi.Input<string>;
    /** Object store for WAL archiving and base backups. */
    backup: {
        /** s3://bucket/path */
        destinationPath: string;
        endpointUrl: pulumi.Input<string>;
        /** Secret with ACCESS_KEY_ID and ACCESS_SECRET_KEY. */
        credentialsSecretName: pulumi.Input<string>;
        /** Days of backups kept. */
        retentionDays: number;
    };
    /**
     * Bootstrap the cluster from backups instead of `initdb` (docs/restore.md): a point in time of
     * the WAL archive in `backup`'s object store (`source`: the old cluster's server name there,
     * `postgres` for clusters of this library) or a `Backup` object of this namespace. The new
     * cluster archives under its own server name (`archiveServerName`) so that it never writes
     * over the archive it restores from. Creation only: later changes of the bootstrap are ignored.
     * @default none (initdb: an empty database)
     */
    restoreFrom?: RestoreSource;
    /** Create the PodMonitor (prometheus-operator CRDs needed). @default true */
    monitoring?: boolean;
    /**
     * A PgBouncer connection pooler (CloudNativePG `Pooler`, transaction mode, TLS to the cluster)
     * in front of the primary: autoscaled API pods share a bounded number of server connections.
     * `false`: the API connects to `-rw` directly. @default { instances: 2 } in production, false in staging
     */
    pooler?: false | { instances?: number; maxClientConnections?: number; defaultPoolSize?: number; cpu?: number; memoryMiB?: number };
}

/**
 * PostgreSQL with pgvector through CloudNativePG: a `Cluster` (TLS on, hostssl-only pg_hba,
 * anti-affinity, PDB only when there is more than one instance), a declarative `Database` with the
 * `vector` extension, WAL archiving and base backups through the Barman Cloud plugin (`ObjectStore`
 * + `ScheduledBackup`, retention per environment), and a PodMonitor. The API writes to `-rw` and
 * reads from `-ro` (the replicas).
 */
export class Database extends pulumi.ComponentResource {
    /** Name of the cluster. */
    readonly clusterName: string;
    /** Cluster DNS name of the read-write service (`-rw`). */
    readonly writeHost: pulumi.Output<string>;
    /** Cluster DNS name of the read-only service (`-ro`, or `-rw` with one instance). */
    readonly readHost: pulumi.Output<string>;
    /** Where clients write: the pooler's Service when there is one, else `-rw`. */
    readonly clientWriteHost: pulumi.Output<string>;
    /** Server name the cluster archives WAL and base backups under in the object store (the `source` of a later restore). */
    readonly archiveServerName: string;

    constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        const production = args.environment === "production";
        const instances = args.instances ?? (production ? 3 : 1);
        const v = new Validator(`Database ${name}`);
        v.image("image", args.image);
        v.int("instances", instances, 1, 9);
        const synchronous = args.synchronousReplicas ?? (production && instances > 1 ? 1 : 0);
        v.int("synchronousReplicas", synchronous, 0, Math.max(0, instances - 1));
        v.oneOf("dataDurability", args.dataDurability ?? "required", ["required", "preferred"]);
        checkRestoreSource(v, "restoreFrom", args.restoreFrom);
        const pooler = args.pooler === undefined ? (production ? {} : false) : args.pooler;
        if (pooler) {
            v.int("pooler.instances", pooler.instances ?? 2, 1, 10);
            v.int("pooler.maxClientConnections", pooler.maxClientConnections ?? 1000, 10, 100000);
            v.int("pooler.defaultPoolSize", pooler.defaultPoolSize ?? 20, 1, 1000);
        }
        v.int("backup.retentionDays", args.backup?.retentionDays, 1, 3650);
        v.matches("backup.destinationPath", args.backup?.destinationPath, /^s3:\/\/[a-z0-9.-]+(\/.*)?$/, "an s3://bucket/path URL");
        v.throwIfAny();
        super(typeToken("kubernetes", "Database"), name, {}, opts);
        const ctx = new K8sContext(name, args, this);
        const clusterName = "postgres";
        const restore = args.restoreFrom;
        // A restored cluster archives beside the archive it came from, never into it.
        const archiveServerName = restore ? `${clusterName}-${contentSuffix(restore)}` : clusterName;
        const owner = { database: "rag", owner: "rag_app", secret: { name: args.appSecretName } };
        const bootstrap = !restore
            ? { initdb: { ...owner, dataChecksums: true } }
            : restore.kind === "snapshot"
              ? { recovery: { ...owner, backup: { name: restore.source } } }
              : { recovery: { ...owner, source: "origin", ...(restore.time ? { recoveryTarget: { targetTime: restore.time } } : {}) } };
        const labels = ctx.labels("postgres", { "app.kubernetes.io/component": "database" });

        const store = new k8s.apiextensions.CustomResource(
            ctx.childName("objectstore"),
            {
                apiVersion: "barmancloud.cnpg.io/v1",
                kind: "ObjectStore",
                metadata: { name: "postgres-backups", namespace: args.namespace, labels },
                spec: {
                    retentionPolicy: `${args.backup.retentionDays}d`,
                    configuration: {
                        destinationPath: args.backup.destinationPath,
                        endpointURL: args.backup.endpointUrl,
                        s3Credentials: {
                            accessKeyId: { name: args.backup.credentialsSecretName, key: "ACCESS_KEY_ID" },
                            secretAccessKey: { name: args.backup.credentialsSecretName, key: "ACCESS_SECRET_KEY" },
                        },
                        wal: { compression: "gzip", maxParallel: 4 },
                        data: { compression: "gzip", jobs: 2 },
                    },
                },
            },
            ctx.opts(),
        );
        const cluster = new k8s.apiextensions.CustomResource(
            ctx.childName("cluster"),
            {
                apiVersion: "postgresql.cnpg.io/v1",
                kind: "Cluster",
                metadata: { name: clusterName, namespace: args.namespace, labels },
                spec: {
                    instances,
                    imageName: ctx.image(args.image),
                    primaryUpdateStrategy: "unsupervised",
                    enablePDB: instances > 1,
                    storage: { size: `${args.storageGiB ?? 50}Gi`, ...(args.storageClass ? { storageClass: args.storageClass } : {}) },
                    resources: {
                        requests: { cpu: k8sCpu(args.cpu ?? 1), memory: k8sMemory(args.memoryMiB ?? 4096) },
                        limits: { cpu: k8sCpu(args.cpu ?? 1), memory: k8sMemory(args.memoryMiB ?? 4096) },
                    },
                    affinity: {
                        enablePodAntiAffinity: true,
                        topologyKey: "kubernetes.io/hostname",
                        podAntiAffinityType: production ? "required" : "preferred",
                    },
                    postgresql: {
                        parameters: {
                            ssl_min_protocol_version: "TLSv1.2",
                            log_min_duration_statement: "1000",
                            shared_buffers: k8sMemory(Math.floor((args.memoryMiB ?? 4096) / 4)),
                        },
                        pg_hba: ["hostssl all all all scram-sha-256", "host all all all reject"],
                        ...(synchronous > 0 ? { synchronous: { method: "any", number: synchronous, dataDurability: args.dataDurability ?? "required" } } : {}),
                    },
                    bootstrap,
                    plugins: [
                        {
                            name: "barman-cloud.cloudnative-pg.io",
                            isWALArchiver: true,
                            parameters: { barmanObjectName: store.metadata.name, ...(restore ? { serverName: archiveServerName } : {}) },
                        },
                    ],
                    ...(restore?.kind === "pointInTime"
                        ? {
                              externalClusters: [
                                  {
                                      name: "origin",
                                      plugin: {
                                          name: "barman-cloud.cloudnative-pg.io",
                                          parameters: { barmanObjectName: store.metadata.name, serverName: restore.source },
                                      },
                                  },
                              ],
                          }
                        : {}),
                    monitoring: { enablePodMonitor: false },
                },
            },
            // The bootstrap is read once, at creation: a later change must not touch the cluster.
            ctx.dataOpts({ dependsOn: [store], ignoreChanges: ["spec.bootstrap"] }),
        );
        new k8s.apiextensions.CustomResource(
            ctx.childName("database"),
            {
                apiVersion: "postgresql.cnpg.io/v1",
                kind: "Database",
                metadata: { name: "rag", namespace: args.namespace, labels },
                spec: {
                    name: "rag",
                    owner: "rag_app",
                    cluster: { name: clusterName },
                    ensure: "present",
                    databaseReclaimPolicy: "retain",
                    extensions: [{ name: "vector", ensure: "present" }],
                },
            },
            ctx.opts({ dependsOn: [cluster] }),
        );
        new k8s.apiextensions.CustomResource(
            ctx.childName("scheduled-backup"),
            {
                apiVersion: "postgresql.cnpg.io/v1",
                kind: "ScheduledBackup",
                metadata: { name: "postgres-daily", namespace: args.namespace, labels },
                spec: {
                    schedule: "0 0 2 * * *",
                    backupOwnerReference: "self",
                    cluster: { name: clusterName },
                    method: "plugin",
                    pluginConfiguration: { name: "barman-cloud.cloudnative-pg.io" },
                    immediate: true,
                },
            },
            ctx.opts({ dependsOn: [cluster] }),
        );
        if (args.monitoring ?? true) {
            new k8s.apiextensions.CustomResource(
                ctx.childName("podmonitor"),
                {
                    apiVersion: "monitoring.coreos.com/v1",
                    kind: "PodMonitor",
                    metadata: { name: "postgres", namespace: args.namespace, labels },
                    spec: { selector: { matchLabels: { "cnpg.io/cluster": clusterName } }, podMetricsEndpoints: [{ port: "metrics" }] },
                },
                ctx.opts({ dependsOn: [cluster] }),
            );
        }
        if (pooler) this.createPooler(ctx, args, clusterName, pooler, cluster);
        this.clusterName = clusterName;
        this.archiveServerName = archiveServerName;
        this.clientWriteHost = pulumi.interpolate`${pooler ? POOLER_NAME : `${clusterName}-rw`}.${args.namespace}.svc.cluster.local`;
        this.writeHost = pulumi.interpolate`${clusterName}-rw.${args.namespace}.svc.cluster.local`;
        this.readHost = pulumi.interpolate`${clusterName}-${instances > 1 ? "ro" : "rw"}.${args.namespace}.svc.cluster.local`;
        this.registerOutputs({ writeHost: this.writeHost, readHost: this.readHost });
    }

    /** PgBouncer (CloudNativePG Pooler) in transaction mode in front of the primary, its pods spread over nodes. */
    private createPooler(
        ctx: K8sContext,
        args: DatabaseArgs,
        clusterName: string,
        pooler: Exclude<DatabaseArgs["pooler"], false | undefined>,
        cluster: pulumi.Resource,
    ): void {
        const cpu = k8sCpu(pooler.cpu ?? 0.5);
        const memory = k8sMemory(pooler.memoryMiB ?? 256);
        new k8s.apiextensions.CustomResource(
            ctx.childName("pooler"),
            {
                apiVersion: "postgresql.cnpg.io/v1",
                kind: "Pooler",
                metadata: {
                    name: POOLER_NAME,
                    namespace: args.namespace,
                    labels: ctx.labels("postgres-pooler", { "app.kubernetes.io/component": "database" }),
                },
                spec: {
                    cluster: { name: clusterName },
                    instances: pooler.instances ?? 2,
                    type: "rw",
                    pgbouncer: {
                        poolMode: "transaction",
                        parameters: {
                            max_client_conn: String(pooler.maxClientConnections ?? 1000),
                            default_pool_size: String(pooler.defaultPoolSize ?? 20),
                            // prepared statements of asyncpg/psycopg work in transaction mode (PgBouncer >= 1.21)
                            max_prepared_statements: "200",
                        },
                    },
                    template: {
                        metadata: { labels: { "app.kubernetes.io/name": "postgres-pooler" } },
                        spec: {
                            containers: [{ name: "pgbouncer", resources: { requests: { cpu, memory }, limits: { cpu, memory } } }],
                            affinity: preferSpreadOverNodes({ "cnpg.io/poolerName": POOLER_NAME }),
                        },
                    },
                },
            },
            ctx.opts({ dependsOn: [cluster] }),
        );
        // The Pooler's own PodMonitor switch is deprecated: a PodMonitor of ours, like the cluster's.
        if (args.monitoring ?? true)
            new k8s.apiextensions.CustomResource(
                ctx.childName("pooler-podmonitor"),
                {
                    apiVersion: "monitoring.coreos.com/v1",
                    kind: "PodMonitor",
                    metadata: { name: POOLER_NAME, namespace: args.namespace, labels: ctx.labels("postgres-pooler") },
                    spec: { selector: { matchLabels: { "cnpg.io/poolerName": POOLER_NAME } }, podMetricsEndpoints: [{ port: "metrics" }] },
                },
                ctx.opts({ dependsOn: [cluster] }),
            );
    }
}
