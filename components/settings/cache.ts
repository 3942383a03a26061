/** Redis / Valkey: size, replicas, failover, snapshots. */
import { CACHE_NODE_TYPES, families, inCatalog } from "../core/aws-catalog";
import { Validator } from "../core/validation";
import { defineTier, StackIdentity } from "./tier";

/** Redis / Valkey. */
export interface CacheSettings {
    /**
     * Deploy the cache (Redis on ElastiCache, Valkey on Kubernetes). Off: no cache, its secret,
     * alarms or network rules, and the API gets no REDIS_* variables: the application must run
     * without one. @default true
     */
    enabled: boolean;
    /** ElastiCache node type (AWS). @default "cache.t4g.medium" staging, "cache.r7g.large" production */
    nodeType: string;
    /** Read replicas next to the primary. @default 0 staging, 1 production */
    replicas: number;
    /** Automatic failover to a replica (needs replicas >= 1). @default false staging, true production */
    automaticFailover: boolean;
    /** Days of snapshots kept (0 disables snapshots), AWS. @default 1 staging, 7 production */
    snapshotRetentionDays: number;
    /** Memory per Valkey pod (Kubernetes), MiB. @default 1024 staging, 4096 production */
    memoryMiB: number;
}

/** An ElastiCache node type of the catalog. Shared by the tier and the Cache component. */
export function checkCacheNodeType(v: Validator, field: string, nodeType: unknown): void {
    if (!inCatalog(CACHE_NODE_TYPES, nodeType))
        v.fail(field, nodeType, `an ElastiCache node type such as cache.r7g.large (families: ${families(CACHE_NODE_TYPES)})`);
}

/** Replicas 0..5, and at least one when failover is automatic. Shared by the tier and the cache components. */
export function checkCacheReplicas(v: Validator, field: string, replicas: unknown, failoverField: string, automaticFailover: unknown): void {
    if (v.int(field, replicas, 0, 5) && automaticFailover === true && (replicas as number) < 1)
        v.fail(field, replicas, `at least 1 when ${failoverField} is true`);
}

/** What the cache tier's checks read: its settings and the alert overrides that name the cache's alerts. */
type CacheView = StackIdentity & { cache: CacheSettings; observability?: { alarms?: object; alerts?: object } };

export const cacheTier = defineTier<CacheSettings, CacheView>({
    path: "cache",
    title: "Cache (Redis / Valkey)",
    settings: {
        enabled: {
            key: "cacheEnabled",
            type: "boolean",
            description: "Deploy the cache (off: no cache and no REDIS_* variables for the API; the application must run without one).",
            staging: true,
            check: (v, f, x) => v.bool(f, x),
        },
        nodeType: {
            key: "cacheNodeType",
            type: "string",
            description: "ElastiCache node type.",
            development: "cache.t4g.micro",
            staging: "cache.t4g.medium",
            production: "cache.r7g.large",
            targets: ["aws"],
            unused: "Valkey pods are sized by cacheMemoryMiB",
            check: checkCacheNodeType,
        },
        replicas: {
            key: "cacheReplicas",
            type: "integer",
            description: "Cache replicas.",
            staging: 0,
            production: 1,
            check: (v, f, x, s) => checkCacheReplicas(v, f, x, "cache.automaticFailover", s.cache.automaticFailover),
        },
        automaticFailover: {
            key: "cacheAutomaticFailover",
            type: "boolean",
            description: "Automatic failover (needs replicas).",
            staging: false,
            production: true,
            check: (v, f, x) => v.bool(f, x),
        },
        snapshotRetentionDays: {
            key: "cacheSnapshotRetentionDays",
            type: "integer",
            description: "Cache snapshot retention, days.",
            staging: 1,
            production: 7,
            targets: ["aws"],
            unused: "Valkey on Kubernetes keeps an append-only file on its volume and takes no snapshots; back the volume up with your storage's snapshots",
            check: (v, f, x) => v.int(f, x, 0, 35),
        },
        memoryMiB: {
            key: "cacheMemoryMiB",
            type: "integer",
            description: "Memory per Valkey pod (Kubernetes), MiB.",
            development: 256,
            staging: 1024,
            production: 4096,
            targets: ["kubernetes"],
            unused: "ElastiCache is sized by cacheNodeType",
            check: (v, f, x) => v.int(f, x, 64, 262144),
        },
    },
    validate: (v, s) => {
        if (s.cache.enabled !== false) return;
        // Overrides of alerts that do not exist without a cache would be ignored: refused instead.
        const named = (o: object | undefined, re: RegExp) => Object.keys(o ?? {}).filter((k) => re.test(k));
        const alarms = s.target === "aws" ? named(s.observability?.alarms, /^cache-/) : [];
        const alerts = s.target === "kubernetes" ? named(s.observability?.alerts, /^RagValkey/) : [];
        for (const [field, names] of [
            ["observability.alarms", alarms],
            ["observability.alerts", alerts],
        ] as const)
            if (names.length > 0) v.fail(field, names, "no override of the cache's alerts while cache.enabled is false (there is no cache to watch)");
    },
});
