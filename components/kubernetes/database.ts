import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { POOLER_NAME } from "../core/facts";
import { contentSuffix, typeToken } from "../core/naming";
import { k8sCpu, k8sMemory } from "../core/sizing";
import { CNPG_STANDARD_EXTENSIONS, imageMajor, managedParameter, PARAMETER_NAME, postgresMajor } from "../core/postgres-catalog";
import { Validator } from "../core/validation";
import { clientCertificates, internalCertificate, K8sCommonArgs, K8sContext, preferSpreadOverNodes } from "./common";
import { BACKUP_TIER_LIMITS, BackupTiers, checkRestoreSource, defaultsFor, longestTierDays, postureFor, RestoreSource } from "../settings";

/**
 * When each backup tier's base backup starts (CloudNativePG schedules: seconds first, UTC): the
 * same tiers as AWS Backup's rules (BACKUP_SCHEDULES). The hourly tier has none: the WAL archive
 * (every 5 minutes at most) makes every point of the window restorable.
 */
export const CNPG_BACKUP_SCHEDULES = { daily: "0 0 2 * * *", weekly: "0 0 3 * * 0", monthly: "0 0 4 1 * *" } as const;

/** The label naming a ScheduledBackup's tier. */
export const BACKUP_TIER_LABEL = "ragstack.io/backup-tier";

/**
 * PostgreSQL roles of the database: the owner (bootstrap, hand-run maintenance), the application
 * (connect, use and create in schema `public`: it runs its own migrations, as on AWS; it owns no
 * database) and the logical backups (read-only: `pg_read_all_data`).
 */
export const DB_ROLES = { owner: "rag_owner", app: "rag_app", backup: "rag_backup" } as const;

/** Secret (in the database's namespace) of the server certificate issued by cert-manager, `ca.crt` included. */
export const DB_SERVER_TLS_SECRET = "postgres-server-tls";

/** Secret (in each of `clientNamespaces`) whose `ca.crt` verifies the server certificate. */
export const DB_CLIENT_TLS_SECRET = "postgres-client-tls";

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
    /**
     * Secret (in `namespace`) with `username` and `password` of the database owner
     * (`rag_owner`): the bootstrap's, and a DBA's for maintenance; no workload uses it.
     */
    ownerSecretName: pulumi.Input<string>;
    /**
     * Secret (in `namespace`) with `username` and `password` of the application role (`rag_app`,
     * a managed role: it may connect, use and create in schema `public`, and owns no database).
     */
    appSecretName: pulumi.Input<string>;
    /**
     * Secret (in `namespace`) with `username` and `password` of the read-only backup role
     * (`rag_backup`, member of `pg_read_all_data`) the logical backups connect as.
     * @default none (no backup role)
     */
    backupSecretName?: pulumi.Input<string>;
    /**
     * cert-manager `ClusterIssuer` that issues the server certificate (a CA or Vault issuer: the
     * Secrets it writes carry `ca.crt`), for the `-rw`, `-ro`, `-r` and pooler Services: clients
     * connect with `sslmode=verify-full` against that CA. Without it the operator's self-signed CA
     * signs the certificate and only pods of this namespace can read `ca.crt` (`postgres-ca`).
     * @default none (the operator's CA)
     */
    tlsIssuer?: string;
    /**
     * Other namespaces whose pods connect (with `tlsIssuer`): each gets Secret `postgres-client-tls`,
     * a client certificate for `rag_app` from the same issuer, whose `ca.crt` its pods mount to
     * verify the server (the server's Secret, with its key, never leaves this namespace).
     * @default []
     */
    clientNamespaces?: pulumi.Input<string>[];
    /** Object store for WAL archiving and base backups. */
    backup: {
        /** s3://bucket/path */
        destinationPath: string;
        endpointUrl: pulumi.Input<string>;
        /** Secret with ACCESS_KEY_ID and ACCESS_SECRET_KEY. */
        credentialsSecretName: pulumi.Input<string>;
        /**
         * Days of point-in-time recovery (the WAL archive's window). Barman keeps one recovery
         * window: the object store keeps base backups and WAL for the longer of this and the
         * longest backup tier (`backupTiers`).
         */
        retentionDays: number;
    };
    /**
     * Base backups per tier, one `ScheduledBackup` each (hourly, daily, weekly, monthly; 0: off,
     * daily cannot be). @default the `backupTiers` setting's default of the environment
     */
    backupTiers?: Partial<BackupTiers>;
    /**
     * Extensions the `rag` Database gets besides pgvector (CloudNativePG's `Database.spec.extensions`;
     * pg_stat_statements is CloudNativePG's managed extension, created in every database). They must
     * be in the image (the settings check them against it). @default []
     */
    extensions?: string[];
    /**
     * Extensions `image` ships beyond the standard CloudNativePG image of its major (e.g. `postgis`
     * in an image built with PostGIS): `extensions` may name them. @default []
     */
    imageExtensions?: string[];
    /**
     * More PostgreSQL parameters (`postgresql.parameters`, name -> value). The ones the library
     * manages (TLS, preloaded libraries, password hashing, the logs it reads) and CloudNativePG's
     * fixed parameters are refused. @default {}
     */
    parameters?: Record<string, string>;
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
 * The SQL the bootstrap runs as superuser in the new database: the application role (connect; use
 * and create in `public`, where PostgreSQL 15+ grants PUBLIC no CREATE) and the read-only backup
 * role. Created here without a password; the `managed.roles` of the Cluster set it from the Secrets.
 */
export function applicationRolesSql(withBackupRole: boolean): string[] {
    const { app, backup } = DB_ROLES;
    return [
        `CREATE ROLE ${app} LOGIN`,
        `GRANT CONNECT ON DATABASE rag TO ${app}`,
        `GRANT USAGE, CREATE ON SCHEMA public TO ${app}`,
        ...(withBackupRole ? [`CREATE ROLE ${backup} LOGIN IN ROLE pg_read_all_data`, `GRANT CONNECT ON DATABASE rag TO ${backup}`] : []),
    ];
}

/**
 * PostgreSQL with pgvector through CloudNativePG: a `Cluster` (TLS on, hostssl-only pg_hba,
 * anti-affinity, PDB only when there is more than one instance; with `tlsIssuer` a cert-manager
 * server certificate clients verify by name), three roles (owner; application without ownership;
 * read-only backups), a declarative `Database` owned by the owner role with the
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
    /** Secret in `namespace` whose `ca.crt` verifies the server certificate (mount only that key). */
    readonly serverCaSecretName: string;

    constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        const s = databaseSettings(name, args);
        super(typeToken("kubernetes", "Database"), name, {}, opts);
        const ctx = new K8sContext(name, args, this);
        const clusterName = CLUSTER_NAME;
        const restore = args.restoreFrom;
        // A restored cluster archives beside the archive it came from, never into it.
        const archiveServerName = restore ? `${clusterName}-${contentSuffix(restore)}` : clusterName;
        const labels = ctx.labels("postgres", { "app.kubernetes.io/component": "database" });
        const serverCert = args.tlsIssuer ? this.createServerCertificate(ctx, args, clusterName, s.pooler !== false, labels) : undefined;
        if (args.tlsIssuer)
            clientCertificates(ctx, {
                secretName: DB_CLIENT_TLS_SECRET,
                namespaces: args.clientNamespaces ?? [],
                issuer: args.tlsIssuer,
                labels,
                commonName: DB_ROLES.app,
            });
        const store = this.createObjectStore(ctx, args, s, labels);
        const cluster = this.createCluster(ctx, args, s, { labels, store, serverCert, archiveServerName });
        this.createDatabaseAndBackups(ctx, args, s, labels, cluster);
        if (s.pooler) this.createPooler(ctx, args, clusterName, s.pooler, cluster);
        this.clusterName = clusterName;
        this.archiveServerName = archiveServerName;
        this.serverCaSecretName = serverCert ? DB_SERVER_TLS_SECRET : `${clusterName}-ca`;
        this.clientWriteHost = pulumi.interpolate`${s.pooler ? POOLER_NAME : `${clusterName}-rw`}.${args.namespace}.svc.cluster.local`;
        this.writeHost = pulumi.interpolate`${clusterName}-rw.${args.namespace}.svc.cluster.local`;
        this.readHost = pulumi.interpolate`${clusterName}-${s.instances > 1 ? "ro" : "rw"}.${args.namespace}.svc.cluster.local`;
        this.registerOutputs({ writeHost: this.writeHost, readHost: this.readHost });
    }

    /** The Barman Cloud `ObjectStore`: where WAL and base backups go, kept for the longer of the recovery window and the longest tier. */
    private createObjectStore(ctx: K8sContext, args: DatabaseArgs, s: DatabaseSettings, labels: Record<string, string>): k8s.apiextensions.CustomResource {
        return new k8s.apiextensions.CustomResource(
            ctx.childName("objectstore"),
            {
                apiVersion: "barmancloud.cnpg.io/v1",
                kind: "ObjectStore",
                metadata: { name: "postgres-backups", namespace: args.namespace, labels },
                spec: {
                    retentionPolicy: `${s.retentionDays}d`,
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
    }

    /** The CloudNativePG `Cluster`: instances, resources, TLS-only pg_hba, bootstrap, managed roles, WAL archiving. */
    private createCluster(ctx: K8sContext, args: DatabaseArgs, s: DatabaseSettings, parts: ClusterParts): k8s.apiextensions.CustomResource {
        const restore = args.restoreFrom;
        return new k8s.apiextensions.CustomResource(
            ctx.childName("cluster"),
            {
                apiVersion: "postgresql.cnpg.io/v1",
                kind: "Cluster",
                metadata: { name: CLUSTER_NAME, namespace: args.namespace, labels: parts.labels },
                spec: {
                    instances: s.instances,
                    imageName: ctx.image(args.image),
                    primaryUpdateStrategy: "unsupervised",
                    enablePDB: s.instances > 1,
                    storage: { size: `${args.storageGiB ?? 50}Gi`, ...(args.storageClass ? { storageClass: args.storageClass } : {}) },
                    resources: {
                        requests: { cpu: k8sCpu(args.cpu ?? 1), memory: k8sMemory(args.memoryMiB ?? 4096) },
                        limits: { cpu: k8sCpu(args.cpu ?? 1), memory: k8sMemory(args.memoryMiB ?? 4096) },
                    },
                    affinity: {
                        enablePodAntiAffinity: true,
                        topologyKey: "kubernetes.io/hostname",
                        podAntiAffinityType: postureFor(args.environment).requiredAntiAffinity ? "required" : "preferred",
                    },
                    postgresql: {
                        parameters: {
                            shared_buffers: k8sMemory(Math.floor((args.memoryMiB ?? 4096) / 4)),
                            ...args.parameters,
                            ssl_min_protocol_version: "TLSv1.2",
                            log_min_duration_statement: "1000",
                            // A pg_stat_statements.* parameter makes CloudNativePG preload the library and
                            // create the extension in every database ("Managed extensions",
                            // https://cloudnative-pg.io/documentation/1.27/postgresql_conf/); "top" is
                            // PostgreSQL's own default, as on RDS.
                            "pg_stat_statements.track": args.parameters?.["pg_stat_statements.track"] ?? "top",
                        },
                        pg_hba: ["hostssl all all all scram-sha-256", "host all all all reject"],
                        ...(s.synchronous > 0
                            ? { synchronous: { method: "any", number: s.synchronous, dataDurability: args.dataDurability ?? "required" } }
                            : {}),
                    },
                    bootstrap: clusterBootstrap(args),
                    // Passwords of the roles from their Secrets (created by initdb and the bootstrap SQL,
                    // adopted here; on a restored cluster they come with the data).
                    managed: {
                        roles: [
                            // The owner too: a cluster bootstrapped before the split gets the role it now needs.
                            { name: DB_ROLES.owner, ensure: "present", login: true, inherit: true, passwordSecret: { name: args.ownerSecretName } },
                            { name: DB_ROLES.app, ensure: "present", login: true, inherit: true, passwordSecret: { name: args.appSecretName } },
                            ...(args.backupSecretName
                                ? [
                                      {
                                          name: DB_ROLES.backup,
                                          ensure: "present",
                                          login: true,
                                          inherit: true,
                                          inRoles: ["pg_read_all_data"],
                                          passwordSecret: { name: args.backupSecretName },
                                      },
                                  ]
                                : []),
                        ],
                    },
                    ...(parts.serverCert ? { certificates: { serverTLSSecret: DB_SERVER_TLS_SECRET, serverCASecret: DB_SERVER_TLS_SECRET } } : {}),
                    plugins: [
                        {
                            name: "barman-cloud.cloudnative-pg.io",
                            isWALArchiver: true,
                            parameters: { barmanObjectName: parts.store.metadata.name, ...(restore ? { serverName: parts.archiveServerName } : {}) },
                        },
                    ],
                    ...(restore?.kind === "pointInTime"
                        ? {
                              externalClusters: [
                                  {
                                      name: "origin",
                                      plugin: {
                                          name: "barman-cloud.cloudnative-pg.io",
                                          parameters: { barmanObjectName: parts.store.metadata.name, serverName: restore.source },
                                      },
                                  },
                              ],
                          }
                        : {}),
                    monitoring: { enablePodMonitor: false },
                },
            },
            // The bootstrap is read once, at creation: a later change must not touch the cluster.
            ctx.dataOpts({ dependsOn: parts.serverCert ? [parts.store, parts.serverCert] : [parts.store], ignoreChanges: ["spec.bootstrap"] }),
        );
    }

    /** The `rag` Database with pgvector and the extensions, one ScheduledBackup per tier and (optionally) the PodMonitor, once the cluster exists. */
    private createDatabaseAndBackups(ctx: K8sContext, args: DatabaseArgs, s: DatabaseSettings, labels: Record<string, string>, cluster: pulumi.Resource): void {
        const clusterName = CLUSTER_NAME;
        new k8s.apiextensions.CustomResource(
            ctx.childName("database"),
            {
                apiVersion: "postgresql.cnpg.io/v1",
                kind: "Database",
                metadata: { name: "rag", namespace: args.namespace, labels },
                spec: {
                    name: "rag",
                    owner: DB_ROLES.owner,
                    cluster: { name: clusterName },
                    ensure: "present",
                    databaseReclaimPolicy: "retain",
                    extensions: ["vector", ...(args.extensions ?? []).filter((e) => e !== "vector" && e !== "pg_stat_statements")].map((name) => ({
                        name,
                        ensure: "present",
                    })),
                },
            },
            ctx.opts({ dependsOn: [cluster] }),
        );
        // The hourly tier is the WAL archive's: any point of the recovery window (which covers its
        // hours) is restorable, so it needs no base backup of its own. Barman keeps one window, so
        // every base backup is kept as long as the longest tier (docs/restore.md, "Backup tiers").
        for (const tier of ["daily", "weekly", "monthly"] as const) {
            if (s.tiers[tier] === 0) continue;
            new k8s.apiextensions.CustomResource(
                // The daily one keeps the name it always had.
                ctx.childName(tier === "daily" ? "scheduled-backup" : `scheduled-backup-${tier}`),
                {
                    apiVersion: "postgresql.cnpg.io/v1",
                    kind: "ScheduledBackup",
                    metadata: { name: `postgres-${tier}`, namespace: args.namespace, labels: { ...labels, [BACKUP_TIER_LABEL]: tier } },
                    spec: {
                        schedule: CNPG_BACKUP_SCHEDULES[tier],
                        backupOwnerReference: "self",
                        cluster: { name: clusterName },
                        method: "plugin",
                        pluginConfiguration: { name: "barman-cloud.cloudnative-pg.io" },
                        // The first base backup at once (the daily tier's), not at the next slot.
                        immediate: tier === "daily",
                    },
                },
                ctx.opts({ dependsOn: [cluster] }),
            );
        }
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
    }

    /**
     * The server certificate from `tlsIssuer` for every name clients use (the `-rw`, `-ro`, `-r`
     * and pooler Services, short and qualified). CloudNativePG serves it, and so does PgBouncer,
     * which presents the cluster's server certificate to its clients.
     */
    private createServerCertificate(
        ctx: K8sContext,
        args: DatabaseArgs,
        clusterName: string,
        withPooler: boolean,
        labels: Record<string, string>,
    ): k8s.apiextensions.CustomResource {
        const services = [`${clusterName}-rw`, `${clusterName}-ro`, `${clusterName}-r`, ...(withPooler ? [POOLER_NAME] : [])];
        const dnsNames = pulumi
            .output(args.namespace)
            .apply((ns) => services.flatMap((svc) => [svc, `${svc}.${ns}`, `${svc}.${ns}.svc`, `${svc}.${ns}.svc.cluster.local`]));
        return internalCertificate(ctx, {
            key: "server-certificate",
            secretName: DB_SERVER_TLS_SECRET,
            namespace: args.namespace,
            issuer: args.tlsIssuer!,
            labels,
            commonName: `${clusterName}-rw`,
            usages: ["server auth"],
            dnsNames,
            // CloudNativePG reloads the files it serves when the Secret changes.
            secretLabels: { "cnpg.io/reload": "" },
        });
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

/** Name of the CloudNativePG cluster (its Services are `<name>-rw`, `-ro`, `-r`). */
const CLUSTER_NAME = "postgres";

/** The backup tiers, shortest first. */
const TIERS = ["hourly", "daily", "weekly", "monthly"] as const;

/** The settings the arguments resolve to (environment defaults applied). */
interface DatabaseSettings {
    instances: number;
    synchronous: number;
    pooler: Exclude<DatabaseArgs["pooler"], undefined>;
    tiers: BackupTiers;
    /** Days the object store keeps base backups and WAL: the recovery window or the longest tier, the longer. */
    retentionDays: number;
}

/** What the Cluster is built with besides the arguments. */
interface ClusterParts {
    labels: Record<string, string>;
    store: k8s.apiextensions.CustomResource;
    serverCert?: k8s.apiextensions.CustomResource;
    archiveServerName: string;
}

/** The settings of a Database, refusing bad arguments before anything is registered. */
function databaseSettings(name: string, args: DatabaseArgs): DatabaseSettings {
    const d = defaultsFor(args.environment).database;
    const instances = args.instances ?? 1 + (d.multiAz ? 1 : 0) + d.readReplicas;
    const v = new Validator(`Database ${name}`);
    v.image("image", args.image);
    v.int("instances", instances, 1, 9);
    const synchronous = args.synchronousReplicas ?? (d.multiAz && instances > 1 ? 1 : 0);
    v.int("synchronousReplicas", synchronous, 0, Math.max(0, instances - 1));
    v.oneOf("dataDurability", args.dataDurability ?? "required", ["required", "preferred"]);
    checkRestoreSource(v, "restoreFrom", args.restoreFrom);
    const pooler = args.pooler === undefined ? (d.connectionPooler ? {} : false) : args.pooler;
    if (pooler) {
        v.int("pooler.instances", pooler.instances ?? 2, 1, 10);
        v.int("pooler.maxClientConnections", pooler.maxClientConnections ?? 1000, 10, 100000);
        v.int("pooler.defaultPoolSize", pooler.defaultPoolSize ?? 20, 1, 1000);
    }
    v.int("backup.retentionDays", args.backup?.retentionDays, 1, 3650);
    v.matches("backup.destinationPath", args.backup?.destinationPath, /^s3:\/\/[a-z0-9.-]+(\/.*)?$/, "an s3://bucket/path URL");
    const dt = defaultsFor(args.environment).recovery.backupTiers;
    const tiers: BackupTiers = args.backupTiers ? { hourly: 0, weekly: 0, monthly: 0, ...args.backupTiers, daily: args.backupTiers.daily ?? dt.daily } : dt;
    for (const t of TIERS) v.int(`backupTiers.${t}`, tiers[t], ...BACKUP_TIER_LIMITS[t]);
    for (const [p, value] of Object.entries(args.parameters ?? {})) {
        const managed = managedParameter(p, "kubernetes");
        if (managed) v.fail(`parameters.${p}`, value, `a parameter the stack does not manage: ${p} is ${managed}`);
        else if (!PARAMETER_NAME.test(p) || typeof value !== "string") v.fail(`parameters.${p}`, value, "a PostgreSQL parameter name with a string value");
    }
    // What the image offers: the standard image of its major (when its tag names one), plus `imageExtensions`.
    const major = postgresMajor(imageMajor(args.image ?? ""));
    const offered = major ? [...CNPG_STANDARD_EXTENSIONS[major], ...(args.imageExtensions ?? [])] : undefined;
    for (const e of args.extensions ?? []) {
        if (!v.matches("extensions", e, /^[a-z][a-z0-9_-]{0,62}$/, "extension names such as pg_trgm or uuid-ossp")) continue;
        if (offered && !offered.includes(e))
            v.fail(
                "extensions",
                e,
                `an extension ${args.image} ships (the standard CloudNativePG image of PostgreSQL ${major}, plus imageExtensions; PostGIS is not in the standard images)`,
            );
    }
    v.throwIfAny();
    return { instances, synchronous, pooler, tiers, retentionDays: Math.max(args.backup.retentionDays, longestTierDays(tiers)) };
}

/** The cluster's bootstrap: initdb with the application roles, or recovery from a snapshot or the archive (point in time). */
function clusterBootstrap(args: DatabaseArgs) {
    const restore = args.restoreFrom;
    const owner = { database: "rag", owner: DB_ROLES.owner, secret: { name: args.ownerSecretName } };
    return !restore
        ? { initdb: { ...owner, dataChecksums: true, postInitApplicationSQL: applicationRolesSql(args.backupSecretName !== undefined) } }
        : restore.kind === "snapshot"
          ? { recovery: { ...owner, backup: { name: restore.source } } }
          : { recovery: { ...owner, source: "origin", ...(restore.time ? { recoveryTarget: { targetTime: restore.time } } : {}) } };
}
