import { ZONE_LABEL } from "../../../components/core/facts";
import { isProduction, ResourceRule, StackRule, list } from "../framework";
import { objName, podSpecOf } from "./common";

export const clusterRequireTls: ResourceRule = {
    kind: "resource",
    name: "kubernetes-cnpg-cluster-require-tls",
    description: "CloudNativePG clusters must accept only TLS connections (hostssl pg_hba, no plain host accept).",
    severity: "high",
    category: "encryption",
    target: "kubernetes",
    frameworks: { "NIST-800-53": ["SC-8"], "PCI-DSS": ["4.2.1"] },
    remediation: 'Set postgresql.pg_hba to ["hostssl all all all scram-sha-256", "host all all all reject"].',
    types: ["kubernetes:postgresql.cnpg.io/v1:Cluster"],
    check: (p) => {
        const hba = list<string>(p.spec?.postgresql?.pg_hba);
        const plain = hba.some((l) => /^\s*host\s/.test(l) && !/\breject\s*$/.test(l));
        return !hba.some((l) => /^\s*hostssl\s/.test(l)) || plain ? "cluster accepts non-TLS connections" : undefined;
    },
};

export const clusterRequireBackups: ResourceRule = {
    kind: "resource",
    name: "kubernetes-cnpg-cluster-require-backups",
    description: "CloudNativePG clusters must archive WAL to an object store.",
    severity: "high",
    category: "resilience",
    target: "kubernetes",
    frameworks: { "NIST-800-53": ["CP-9"], "ISO-27001": ["A.8.13"] },
    remediation: "Add the Barman Cloud plugin with isWALArchiver: true (or spec.backup.barmanObjectStore).",
    types: ["kubernetes:postgresql.cnpg.io/v1:Cluster"],
    check: (p) => (!list<any>(p.spec?.plugins).some((x) => x.isWALArchiver) && !p.spec?.backup?.barmanObjectStore ? "cluster has no WAL archiving" : undefined),
};

export const clusterRequireInstances: ResourceRule = {
    kind: "resource",
    name: "kubernetes-cnpg-cluster-require-instances",
    description: "Production CloudNativePG clusters need a primary plus replicas.",
    severity: "high",
    category: "resilience",
    target: "kubernetes",
    productionOnly: true,
    frameworks: { "NIST-800-53": ["CP-10"] },
    remediation: "Set spec.instances to 3.",
    params: { minInstances: { type: "integer", default: 2, description: "Minimum instances in production." } },
    types: ["kubernetes:postgresql.cnpg.io/v1:Cluster"],
    check: (p, ctx) => (Number(p.spec?.instances ?? 1) < ctx.config.minInstances ? `cluster has ${p.spec?.instances ?? 1} instance(s)` : undefined),
};

export const clusterRequireSynchronousReplication: ResourceRule = {
    kind: "resource",
    name: "kubernetes-cnpg-cluster-require-synchronous-replication",
    description:
        "Production CloudNativePG clusters with replicas must replicate synchronously (a standby confirms each commit), so a failover loses no acknowledged write.",
    severity: "high",
    category: "resilience",
    target: "kubernetes",
    productionOnly: true,
    frameworks: { "NIST-800-53": ["CP-10", "SC-24"] },
    remediation: 'Set spec.postgresql.synchronous to { method: "any", number: 1 } (database.multiAz on the stack).',
    params: { minSynchronous: { type: "integer", default: 1, description: "Standbys that must confirm each commit in production." } },
    types: ["kubernetes:postgresql.cnpg.io/v1:Cluster"],
    check: (p, ctx) => {
        if (Number(p.spec?.instances ?? 1) < 2) return undefined; // no standby to wait for: require-instances reports it
        const number = Number(p.spec?.postgresql?.synchronous?.number ?? 0);
        return number < ctx.config.minSynchronous
            ? `replication is ${number === 0 ? "asynchronous" : `synchronous to ${number} standby`} (need ${ctx.config.minSynchronous})`
            : undefined;
    },
};

export const statefulRequireProtect: StackRule = {
    kind: "stack",
    name: "kubernetes-all-stateful-require-protect",
    description:
        "Production data (CloudNativePG clusters, StatefulSets whose volumes outlive them, namespaces of the data zone) must carry Pulumi's protect option.",
    severity: "high",
    category: "resilience",
    target: "kubernetes",
    frameworks: { "NIST-800-53": ["CP-9", "SI-12"], "ISO-27001": ["A.8.13"] },
    remediation: "Keep protectData on for production (the preset's default), or set protect: true and retainOnDelete: true on the object.",
    check: (resources) =>
        resources
            .filter((r) => isProduction(r.props))
            .filter((r) => {
                if (r.type === "kubernetes:postgresql.cnpg.io/v1:Cluster") return true;
                if (r.type === "kubernetes:core/v1:Namespace") return r.props.metadata?.labels?.[ZONE_LABEL] === "data";
                // A StatefulSet whose claims are kept when it is deleted holds data; a cache that drops them does not.
                if (r.type === "kubernetes:apps/v1:StatefulSet")
                    return list(r.props.spec?.volumeClaimTemplates).length > 0 && r.props.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted !== "Delete";
                return false;
            })
            .filter((r) => r.opts?.protect !== true)
            .map((r) => ({ urn: r.urn, name: r.name, message: "production data without protect (a destroy or a replacement would delete it)" })),
};

export const cacheRequireTls: ResourceRule = {
    kind: "resource",
    name: "kubernetes-valkey-server-require-tls",
    description:
        "Production Valkey/Redis servers and sentinels must listen on TLS only (tls-port, port 0) and replicate over TLS: the cache holds sessions and retrieved document text.",
    severity: "high",
    category: "encryption",
    target: "kubernetes",
    productionOnly: true,
    frameworks: { "NIST-800-53": ["SC-8"], "PCI-DSS": ["4.2.1"] },
    remediation: "Set kubernetes.cacheTls (k8sCacheTls) to true: a certificate from kubernetes.internalIssuer, --port 0 --tls-port --tls-replication yes.",
    types: ["kubernetes:apps/v1:StatefulSet", "kubernetes:apps/v1:Deployment"],
    check: (p, ctx) => {
        const pod = podSpecOf(ctx.type, p);
        return list<any>(pod.containers)
            .filter((c) => [...list<string>(c.command), ...list<string>(c.args)].some((a) => typeof a === "string" && /\b(valkey|redis)-server\b/.test(a)))
            .map((c) => {
                const args = list<string>(c.args);
                const value = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
                const weak = [
                    value("--tls-port") === undefined ? "no --tls-port" : undefined,
                    value("--port") !== "0" ? "a plaintext port" : undefined,
                    value("--tls-replication") !== "yes" ? "replication in plaintext" : undefined,
                ].filter((w): w is string => !!w);
                return weak.length > 0 ? `container ${c.name} of ${objName(p)} serves ${weak.join(", ")}` : undefined;
            })
            .filter((m): m is string => !!m);
    },
};
