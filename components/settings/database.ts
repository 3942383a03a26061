/** PostgreSQL with pgvector: size, storage, backups, availability, pooling, restore. */
import { families, inCatalog, minMaxAllocatedStorage, RDS_INSTANCE_CLASSES } from "../core/aws-catalog";
import { DEFAULT_IMAGES } from "../core/facts";
import {
    CNPG_STANDARD_EXTENSIONS,
    CNPG_STANDARD_IMAGES,
    imageMajor,
    managedParameter,
    PARAMETER_NAME,
    POSTGIS_EXTENSIONS,
    postgresMajor,
    RDS_POSTGRES_EXTENSIONS,
} from "../core/postgres-catalog";
import { Validator } from "../core/validation";
import { defineTier, StackIdentity } from "./tier";

/**
 * Where a new database is restored from instead of starting empty (docs/restore.md). Used at
 * creation only: later changes of it are ignored, so a restored stack keeps it as its record.
 */
export type RestoreSource =
    /**
     * Point-in-time recovery. `source`: the RDS instance identifier, or the ARN of its replicated
     * automated backups in this region (`arn:aws:rds:…:auto-backup:…`, the region-loss case); on
     * Kubernetes the server name of the old cluster in the backup object store (`postgres`).
     * `time`: RFC 3339 UTC (`2026-11-29T08:15:00Z`); none: the latest restorable time.
     */
    | { kind: "pointInTime"; source: string; time?: string }
    /** A snapshot: an RDS DB snapshot identifier, or a CloudNativePG `Backup` object's name. */
    | { kind: "snapshot"; source: string };

/** RFC 3339 UTC time of a point-in-time restore. */
export const RESTORE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** PostgreSQL with pgvector. */
export interface DatabaseSettings {
    /**
     * PostgreSQL version: on AWS the RDS engine version (a major, or major.minor); on Kubernetes a
     * major, which picks the standard CloudNativePG image of that major unless k8sPostgresImage
     * names another image (whose tag must then be of the same major). @default "16"
     */
    engineVersion: string;
    /**
     * Extensions created in the `rag` database besides pgvector and pg_stat_statements (always
     * on): on AWS by the db-bootstrap task, on Kubernetes by the CloudNativePG `Database`.
     * Checked against what RDS supports for the major version (AWS) or what the image ships
     * (Kubernetes: the standard CloudNativePG image, plus `imageExtensions`). @default []
     */
    extensions: string[];
    /**
     * PostgreSQL parameters (name -> value): the RDS parameter group (applied at the next reboot)
     * or CloudNativePG's `postgresql.parameters`. The ones the library manages (TLS, preloaded
     * libraries, password hashing, the logs it reads) and CloudNativePG's fixed ones are refused.
     * @default {}
     */
    parameters: Record<string, string>;
    /**
     * Extensions k8sPostgresImage ships beyond the standard CloudNativePG image (Kubernetes), e.g.
     * `postgis` for an image built with PostGIS: they become allowed in `extensions`. @default []
     */
    imageExtensions: string[];
    /** RDS instance class (AWS). @default "db.r6g.large" staging, "db.r6g.xlarge" production */
    instanceClass: string;
    /** CPU for each Postgres pod (Kubernetes), vCPU. @default 1 staging, 2 production */
    cpu: number;
    /** Memory for each Postgres pod (Kubernetes), MiB. @default 4096 staging, 8192 production */
    memoryMiB: number;
    /** Allocated storage, GiB. @default 50 staging, 200 production */
    storageGiB: number;
    /** Storage autoscaling ceiling, GiB (AWS). @default 200 staging, 1000 production */
    maxStorageGiB: number;
    /** Days of automated backups / point-in-time recovery (1..35). @default 7 staging, 30 production */
    backupRetentionDays: number;
    /** Synchronous standby in another AZ (AWS Multi-AZ) / in another node (Kubernetes). @default false staging, true production */
    multiAz: boolean;
    /** Read replicas. On Kubernetes the cluster has `1 + readReplicas` instances. @default 0 staging, 1 production */
    readReplicas: number;
    /** Refuse deletion of the database. @default false staging, true production */
    deletionProtection: boolean;
    /**
     * Off-site copies: automated backups, AWS Backup copies and the documents and backups buckets
     * replicated to `aws.backupRegion` (AWS); the logical dumps copied to a second, off-site object
     * store (Kubernetes, `kubernetes.offsiteObjectStorage*`). @default false staging, true production
     */
    crossRegionBackup: boolean;
    /**
     * Connection pooling between the API and the primary: RDS Proxy on AWS (IAM authentication
     * end to end, TLS required), a CloudNativePG `Pooler` (PgBouncer) on Kubernetes.
     * @default false staging, true production
     */
    connectionPooler: boolean;
    /** Restore the new database from backups (docs/restore.md); "none": start empty. @default "none" */
    restoreFrom: RestoreSource | "none";
}

/** `dbRestoreFrom`: `none`, `pitr:<source>[@<RFC 3339 UTC time>]` or `snapshot:<id>`. */
export function parseRestoreFrom(text: string): RestoreSource | "none" | undefined {
    const t = text.trim();
    if (t === "none") return "none";
    const snapshot = /^snapshot:(\S+)$/.exec(t);
    if (snapshot) return { kind: "snapshot", source: snapshot[1] };
    const pitr = /^pitr:([^@\s]+)(?:@(\S+))?$/.exec(t);
    if (pitr) return pitr[2] ? { kind: "pointInTime", source: pitr[1], time: pitr[2] } : { kind: "pointInTime", source: pitr[1] };
    return undefined;
}

/** A restore source: a non-empty source without spaces, and an RFC 3339 UTC time when given. */
export function checkRestoreSource(v: Validator, field: string, r: RestoreSource | "none" | undefined): void {
    if (r === undefined || r === "none") return;
    if (typeof r !== "object" || !["pointInTime", "snapshot"].includes(r.kind)) {
        v.fail(field, r, '"none", { kind: "pointInTime", source, time? } or { kind: "snapshot", source }');
        return;
    }
    v.matches(`${field}.source`, r.source, /^\S{1,255}$/, "an instance or cluster name, an automated-backups ARN, or a snapshot / Backup name");
    if (r.kind === "pointInTime" && r.time !== undefined) v.matches(`${field}.time`, r.time, RESTORE_TIME, "an RFC 3339 UTC time such as 2026-11-29T08:15:00Z");
}

/** Backup retention: 1..35 days (RDS's range), at least 7 in production. Shared by the tier and the database components. */
export function checkBackupRetention(v: Validator, field: string, days: unknown, environment: string): void {
    if (v.int(field, days, 1, 35) && environment === "production" && (days as number) < 7) v.fail(field, days, "at least 7 in production");
}

type DatabaseView = StackIdentity & { database: DatabaseSettings; kubernetes: { postgresImage: string } };

/** The image the Kubernetes cluster runs: k8sPostgresImage, or the standard image of dbEngineVersion's major when it is left at its default. */
export function postgresImageFor(engineVersion: string, image: string): string {
    const major = postgresMajor(engineVersion);
    return image === DEFAULT_IMAGES.postgres && major ? CNPG_STANDARD_IMAGES[major] : image;
}

/** Extensions `database.extensions` may name on a target (the always-on ones are created anyway). */
export function availableExtensions(s: DatabaseView): readonly string[] {
    const major = postgresMajor(s.database.engineVersion) ?? "16";
    return s.target === "aws" ? RDS_POSTGRES_EXTENSIONS[major] : [...CNPG_STANDARD_EXTENSIONS[major], ...(s.database.imageExtensions ?? [])];
}

/** Each extension is one the target's engine offers; PostGIS on Kubernetes only with an image that ships it. */
export function checkExtensions(v: Validator, field: string, value: unknown, s: DatabaseView): void {
    if (!Array.isArray(value) || value.some((e) => typeof e !== "string")) {
        v.fail(field, value, "a list of extension names, e.g. [pg_trgm, uuid-ossp]");
        return;
    }
    const offered = availableExtensions(s);
    const major = postgresMajor(s.database.engineVersion) ?? "16";
    for (const e of value as string[]) {
        if (offered.includes(e)) continue;
        if (s.target === "kubernetes" && (POSTGIS_EXTENSIONS as readonly string[]).includes(e))
            v.fail(
                field,
                e,
                "an extension of the CloudNativePG image: PostGIS is not in the standard CloudNativePG images; set kubernetes.postgresImage to an image that ships it and list it in database.imageExtensions (k8sPostgresImageExtensions)",
            );
        else
            v.fail(
                field,
                e,
                s.target === "aws"
                    ? `an extension RDS for PostgreSQL ${major} supports without a preloaded library (the library's table, from AWS's "Extensions supported for RDS for PostgreSQL"): ${offered.join(", ")}`
                    : `an extension the PostgreSQL ${major} image ships (the standard CloudNativePG image, plus database.imageExtensions): ${offered.join(", ")}`,
            );
    }
}

/** Parameters: PostgreSQL names with string values, none the library or CloudNativePG manages. */
export function checkParameters(v: Validator, field: string, value: unknown, target: "aws" | "kubernetes"): void {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        v.fail(field, value, 'an object of PostgreSQL parameters, e.g. { "work_mem": "65536" }');
        return;
    }
    for (const [p, x] of Object.entries(value as Record<string, unknown>)) {
        const managed = managedParameter(p, target);
        if (managed) v.fail(`${field}.${p}`, x, `a parameter the stack does not manage: ${p} is ${managed}`);
        else if (!PARAMETER_NAME.test(p) || typeof x !== "string" || x === "")
            v.fail(`${field}.${p}`, x, "a PostgreSQL parameter name (lower case, optionally prefixed: pgvector.hnsw_ef_search) with a non-empty string value");
    }
}

export const databaseTier = defineTier<DatabaseSettings, DatabaseView>({
    path: "database",
    title: "Database (PostgreSQL with pgvector)",
    settings: {
        engineVersion: {
            key: "dbEngineVersion",
            type: "string",
            description: "PostgreSQL version: the RDS engine version (AWS); the major of the CloudNativePG image (Kubernetes).",
            staging: "16",
            check: (v, f, x, s) => {
                if (s.target === "aws") {
                    v.matches(f, x, /^(15|16|17)(\.\d+)?$/, "PostgreSQL 15, 16 or 17 (pgvector needs >= 15.2)");
                    return;
                }
                if (!v.matches(f, x, /^(15|16|17)$/, "a major version, 15, 16 or 17, on Kubernetes (the minor is the image's: k8sPostgresImage)")) return;
                const image = s.kubernetes.postgresImage;
                const major = imageMajor(image);
                if (image !== DEFAULT_IMAGES.postgres && major !== undefined && major !== x)
                    v.fail(f, x, `${major}, the major of kubernetes.postgresImage (${image}), or an image of PostgreSQL ${x}`);
            },
        },
        extensions: {
            key: "dbExtensions",
            type: "array",
            description: "Extensions created besides vector and pg_stat_statements (always on), e.g. [pg_trgm, uuid-ossp]; checked against the engine's.",
            staging: [],
            check: checkExtensions,
        },
        parameters: {
            key: "dbParameters",
            type: "object",
            description: "PostgreSQL parameters (name: string value): RDS parameter group / CloudNativePG postgresql.parameters; managed ones refused.",
            staging: {},
            check: (v, f, x, s) => checkParameters(v, f, x, s.target),
        },
        imageExtensions: {
            key: "k8sPostgresImageExtensions",
            type: "array",
            description: "Extensions k8sPostgresImage ships beyond the standard CloudNativePG image (e.g. [postgis]).",
            staging: [],
            targets: ["kubernetes"],
            unused: "RDS offers its own extensions (dbExtensions is checked against them)",
            check: (v, f, x) => {
                if (!Array.isArray(x) || x.some((e) => typeof e !== "string" || !/^[a-z][a-z0-9_-]{0,62}$/.test(e)))
                    v.fail(f, x, "a list of extension names, e.g. [postgis]");
            },
        },
        instanceClass: {
            key: "dbInstanceClass",
            type: "string",
            description: "RDS instance class.",
            development: "db.t4g.small",
            staging: "db.r6g.large",
            production: "db.r6g.xlarge",
            targets: ["aws"],
            unused: "Postgres pods are sized by dbCpu and dbMemoryMiB",
            check: (v, f, x) => {
                if (!inCatalog(RDS_INSTANCE_CLASSES, x))
                    v.fail(f, x, `an RDS for PostgreSQL instance class such as db.r6g.large (families: ${families(RDS_INSTANCE_CLASSES)})`);
            },
        },
        cpu: {
            key: "dbCpu",
            type: "number",
            description: "vCPU per Postgres pod (Kubernetes).",
            development: 0.5,
            staging: 1,
            production: 2,
            targets: ["kubernetes"],
            unused: "RDS is sized by dbInstanceClass",
            check: (v, f, x) => v.number(f, x, 0.25, 64),
        },
        memoryMiB: {
            key: "dbMemoryMiB",
            type: "integer",
            description: "Memory per Postgres pod (Kubernetes), MiB.",
            development: 1024,
            staging: 4096,
            production: 8192,
            targets: ["kubernetes"],
            unused: "RDS is sized by dbInstanceClass",
            check: (v, f, x) => v.int(f, x, 256, 524288),
        },
        storageGiB: {
            key: "dbStorageGiB",
            type: "integer",
            description: "Database storage, GiB.",
            development: 20,
            staging: 50,
            production: 200,
            check: (v, f, x) => v.int(f, x, 20, 65536),
        },
        maxStorageGiB: {
            key: "dbMaxStorageGiB",
            type: "integer",
            description: "Storage autoscaling ceiling, GiB (AWS).",
            development: 50,
            staging: 200,
            production: 1000,
            targets: ["aws"],
            unused: "a PersistentVolume does not grow by itself; raise dbStorageGiB (the StorageClass must allow expansion)",
            check: (v, f, x, s) => {
                if (!v.int(f, x, 20, 65536)) return;
                const min = minMaxAllocatedStorage(s.database.storageGiB);
                if (x < min) v.fail(f, x, `at least ${min}: RDS storage autoscaling needs a ceiling 10% above database.storageGiB (${s.database.storageGiB})`);
            },
        },
        backupRetentionDays: {
            key: "dbBackupRetentionDays",
            type: "integer",
            description: "Backup retention, days (1..35).",
            development: 3,
            staging: 7,
            production: 30,
            check: (v, f, x, s) => checkBackupRetention(v, f, x, s.environment),
        },
        multiAz: { key: "dbMultiAz", type: "boolean", description: "Multi-AZ standby.", staging: false, production: true, check: (v, f, x) => v.bool(f, x) },
        readReplicas: {
            key: "dbReadReplicas",
            type: "integer",
            description: "Read replicas.",
            staging: 0,
            production: 1,
            check: (v, f, x) => v.int(f, x, 0, 5),
        },
        deletionProtection: {
            key: "dbDeletionProtection",
            type: "boolean",
            description: "Deletion protection of the RDS instance (AWS).",
            staging: false,
            production: true,
            targets: ["aws"],
            unused: "protectData protects the database's objects on Kubernetes (protect and retainOnDelete)",
            check: (v, f, x) => v.bool(f, x),
        },
        crossRegionBackup: {
            key: "dbCrossRegionBackup",
            type: "boolean",
            description: "Replicate backups to a second region/store.",
            staging: false,
            production: true,
            check: (v, f, x) => v.bool(f, x),
        },
        connectionPooler: {
            key: "dbConnectionPooler",
            type: "boolean",
            description: "Connection pooling before the primary: RDS Proxy (AWS) / CloudNativePG Pooler (Kubernetes).",
            staging: false,
            production: true,
            check: (v, f, x) => v.bool(f, x),
        },
        restoreFrom: {
            key: "dbRestoreFrom",
            type: "string",
            description: "Restore the new database: none, pitr:<source>[@<UTC time>] or snapshot:<id> (docs/restore.md).",
            staging: "none",
            parse: parseRestoreFrom,
            check: checkRestoreSource,
        },
    },
});
