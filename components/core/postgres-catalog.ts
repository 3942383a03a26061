/**
 * What each PostgreSQL engine offers the stack: the extensions RDS for PostgreSQL supports per
 * major version, the extensions the standard CloudNativePG operand images ship, the operand image
 * per major version, and the parameters the library (and CloudNativePG) manage, which no setting
 * overrides. Small, hand-kept tables: test/postgres-catalog.test.ts pins them.
 */
import { defaultImage } from "./images";

/** PostgreSQL major versions the stack deploys (pgvector needs >= 15.2 on RDS). */
export const POSTGRES_MAJORS = ["15", "16", "17"] as const;
export type PostgresMajor = (typeof POSTGRES_MAJORS)[number];

/** The major version of `15`, `16.4`, …; undefined when it is not one the stack deploys. */
export function postgresMajor(version: unknown): PostgresMajor | undefined {
    const major = typeof version === "string" ? version.split(".")[0] : undefined;
    return (POSTGRES_MAJORS as readonly string[]).includes(major ?? "") ? (major as PostgresMajor) : undefined;
}

/**
 * Extensions the stack always creates: pgvector (the embeddings) and pg_stat_statements (loaded
 * by the library on both targets); `dbExtensions` adds to them.
 */
export const ALWAYS_ON_EXTENSIONS = ["vector", "pg_stat_statements"] as const;

/**
 * The PostgreSQL contrib modules that are extensions and need no `shared_preload_libraries` (the
 * library manages that parameter), per major version: adminpack and old_snapshot left the
 * distribution in PostgreSQL 17 (https://www.postgresql.org/docs/17/release-17.html).
 */
function contrib(major: PostgresMajor): string[] {
    return [
        "amcheck",
        "autoinc",
        "bloom",
        "btree_gin",
        "btree_gist",
        "citext",
        "cube",
        "dblink",
        "dict_int",
        "dict_xsyn",
        "earthdistance",
        "fuzzystrmatch",
        "hstore",
        "insert_username",
        "intagg",
        "intarray",
        "isn",
        "lo",
        "ltree",
        "moddatetime",
        "pageinspect",
        "pg_buffercache",
        "pg_freespacemap",
        "pg_prewarm",
        "pg_stat_statements",
        "pg_trgm",
        "pg_visibility",
        "pg_walinspect",
        "pgcrypto",
        "pgrowlocks",
        "pgstattuple",
        "postgres_fdw",
        "refint",
        "seg",
        "sslinfo",
        "tablefunc",
        "tcn",
        "tsm_system_rows",
        "tsm_system_time",
        "unaccent",
        "uuid-ossp",
        ...(major === "17" ? [] : ["adminpack", "old_snapshot"]),
    ];
}

/** PostGIS and its companions (RDS has them; the standard CloudNativePG images do not). */
export const POSTGIS_EXTENSIONS = [
    "postgis",
    "postgis_raster",
    "postgis_topology",
    "postgis_tiger_geocoder",
    "address_standardizer",
    "address_standardizer_data_us",
] as const;

/**
 * Extensions RDS for PostgreSQL supports per major version, that `CREATE EXTENSION` creates
 * without a preloaded library: the contrib modules, pgvector, PostGIS and a few others the
 * stack's users ask for. A subset of AWS's list (extensions that need `shared_preload_libraries`,
 * such as pg_cron or pgaudit, are left out: the library manages that parameter); add a row when
 * you need another one from
 * https://docs.aws.amazon.com/AmazonRDS/latest/PostgreSQLReleaseNotes/postgresql-extensions.html
 * ("Extensions supported for RDS for PostgreSQL", one table per major version).
 */
export const RDS_POSTGRES_EXTENSIONS: Readonly<Record<PostgresMajor, readonly string[]>> = Object.fromEntries(
    POSTGRES_MAJORS.map((m) => [m, [...contrib(m), "vector", ...POSTGIS_EXTENSIONS, "pgrouting", "hypopg", "ip4r", "pg_repack", "pgtap", "prefix"].sort()]),
) as unknown as Record<PostgresMajor, readonly string[]>;

/**
 * Extensions of the standard CloudNativePG operand images (`ghcr.io/cloudnative-pg/postgresql:
 * <version>-standard-<distro>`): the PostgreSQL contrib modules and pgvector (the images also
 * carry PGAudit and pg_failover_slots, which need a preloaded library). No PostGIS: an image
 * that ships it is named by `k8sPostgresImage`, and its extras by `k8sPostgresImageExtensions`.
 * https://github.com/cloudnative-pg/postgres-containers ("standard" images)
 */
export const CNPG_STANDARD_EXTENSIONS: Readonly<Record<PostgresMajor, readonly string[]>> = Object.fromEntries(
    POSTGRES_MAJORS.map((m) => [m, [...contrib(m), "vector"].sort()]),
) as unknown as Record<PostgresMajor, readonly string[]>;

/** The standard CloudNativePG operand image of each major version, pinned (the stack's default image is the 16 one). */
export const CNPG_STANDARD_IMAGES: Readonly<Record<PostgresMajor, string>> = {
    "15": defaultImage("postgres-15"), // ghcr.io/cloudnative-pg/postgresql:15.14-standard-bookworm (images.lock.json)
    "16": defaultImage("postgres-16"), // ghcr.io/cloudnative-pg/postgresql:16.10-standard-bookworm
    "17": defaultImage("postgres-17"), // ghcr.io/cloudnative-pg/postgresql:17.6-standard-bookworm
};

/** The major version an image's tag starts with (`…:16.10-standard-bookworm`), if it names one. */
export function imageMajor(image: string): string | undefined {
    const tag = /:([^/@:]+)(@.*)?$/.exec(image)?.[1];
    return tag ? /^(\d+)(?:[.-]|$)/.exec(tag)?.[1] : undefined;
}

/**
 * Parameters the library sets itself, on both targets, and why: no `dbParameters` overrides them.
 * TLS (`rds.force_ssl`, every `ssl*`), the preloaded libraries, the password hashing and the
 * logging the slow-query metric and the audit read.
 */
export const LIBRARY_MANAGED_PARAMETERS: readonly { match: (name: string) => boolean; why: string }[] = [
    { match: (p) => p === "rds.force_ssl" || p === "ssl" || p.startsWith("ssl_"), why: "TLS is not negotiable" },
    { match: (p) => p === "shared_preload_libraries", why: "the library loads pg_stat_statements itself; other preloaded libraries are not offered" },
    { match: (p) => p === "password_encryption", why: "SCRAM-SHA-256 only" },
    {
        match: (p) => ["log_min_duration_statement", "log_connections", "log_disconnections"].includes(p),
        why: "the slow-query metric and the connection audit read these logs",
    },
];

/**
 * Parameters CloudNativePG fixes itself (its webhook refuses them): "Fixed parameters" of
 * https://cloudnative-pg.io/documentation/1.27/postgresql_conf/ — archiving, replication,
 * recovery, file locations, the log collector and the sockets.
 */
export const CNPG_FIXED_PARAMETERS: readonly string[] = [
    "allow_system_table_mods",
    "archive_cleanup_command",
    "archive_command",
    "archive_mode",
    "archive_timeout",
    "bonjour",
    "bonjour_name",
    "cluster_name",
    "config_file",
    "data_directory",
    "data_sync_retry",
    "event_source",
    "external_pid_file",
    "full_page_writes",
    "hba_file",
    "hot_standby",
    "huge_pages",
    "ident_file",
    "jit_provider",
    "listen_addresses",
    "log_destination",
    "log_directory",
    "log_file_mode",
    "log_filename",
    "log_rotation_age",
    "log_rotation_size",
    "log_truncate_on_rotation",
    "logging_collector",
    "port",
    "primary_conninfo",
    "primary_slot_name",
    "promote_trigger_file",
    "recovery_end_command",
    "recovery_min_apply_delay",
    "recovery_target",
    "recovery_target_action",
    "recovery_target_inclusive",
    "recovery_target_lsn",
    "recovery_target_name",
    "recovery_target_time",
    "recovery_target_timeline",
    "recovery_target_xid",
    "restart_after_crash",
    "restore_command",
    "stats_temp_directory",
    "synchronous_standby_names",
    "syslog_facility",
    "syslog_ident",
    "syslog_sequence_numbers",
    "syslog_split_messages",
    "unix_socket_directories",
    "unix_socket_group",
    "unix_socket_permissions",
    "wal_level",
    "wal_log_hints",
];

/** A PostgreSQL parameter name (`work_mem`, `pgvector.hnsw_ef_search`, `pg_stat_statements.max`). */
export const PARAMETER_NAME = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$/;

/** Why a parameter cannot be set on a target; undefined when it can. */
export function managedParameter(name: string, target: "aws" | "kubernetes"): string | undefined {
    const library = LIBRARY_MANAGED_PARAMETERS.find((m) => m.match(name));
    if (library) return `managed by the library (${library.why})`;
    if (target === "kubernetes" && CNPG_FIXED_PARAMETERS.includes(name)) return "fixed by CloudNativePG (its fixed parameters)";
    return undefined;
}
