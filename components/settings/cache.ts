/** Redis / Valkey: size, replicas, failover, snapshots. */
import { CACHE_NODE_TYPES, families, inCatalog } from "../core/aws-catalog";
import { defineTier, StackIdentity } from "./tier";

/** Redis / Valkey. */
export interface CacheSettings {
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

export const cacheTier = defineTier<CacheSettings, StackIdentity & { cache: CacheSettings }>({
    path: "cache",
    title: "Cache (Redis / Valkey)",
    settings: {
        nodeType: {
            key: "cacheNodeType",
            type: "string",
            description: "ElastiCache node type.",
            staging: "cache.t4g.medium",
            production: "cache.r7g.large",
            targets: ["aws"],
            unused: "Valkey pods are sized by cacheMemoryMiB",
            check: (v, f, x) => {
                if (!inCatalog(CACHE_NODE_TYPES, x)) v.fail(f, x, `an ElastiCache node type such as cache.r7g.large (families: ${families(CACHE_NODE_TYPES)})`);
            },
        },
        replicas: { key: "cacheReplicas", type: "integer", description: "Cache replicas.", staging: 0, production: 1, check: (v, f, x) => v.int(f, x, 0, 5) },
        automaticFailover: {
            key: "cacheAutomaticFailover",
            type: "boolean",
            description: "Automatic failover (needs replicas).",
            staging: false,
            production: true,
            check: (v, f, x, s) => {
                if (v.bool(f, x) && x && s.cache.replicas < 1) v.fail("cache.replicas", s.cache.replicas, "at least 1 when cache.automaticFailover is true");
            },
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
            staging: 1024,
            production: 4096,
            targets: ["kubernetes"],
            unused: "ElastiCache is sized by cacheNodeType",
            check: (v, f, x) => v.int(f, x, 64, 262144),
        },
    },
});
