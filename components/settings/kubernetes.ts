/** Kubernetes-only settings: namespaces, edge, images, object storage, egress, secrets, node pools. */
import { DEFAULT_IMAGES } from "../core/facts";
import { K8S_EDGE_MODES, K8S_SECRET_MODES, KubernetesEdgeMode, KubernetesSecretMode, OBJECT_STORAGE_MODES, ObjectStorageMode } from "../core/types";
import { checkStringMap, Validator } from "../core/validation";
import { DatabaseSettings } from "./database";
import { EdgeSettings, edgeTier } from "./edge";
import { LlmSettings } from "./llm";
import { NetworkSettings } from "./network";
import { defineTier, Setting, StackIdentity } from "./tier";

/**
 * CNIs whose FQDN policies the stack renders. Calico's domain names in policies are Calico
 * Enterprise / Calico Cloud only (docs.tigera.io "DNS policy"), not Calico Open Source: not offered.
 */
export const FQDN_POLICIES = ["none", "cilium"] as const;
export type FqdnPolicy = (typeof FQDN_POLICIES)[number];

/**
 * Rate-limit policies of Gateway implementations the stack renders (edgeMode gateway). Envoy
 * Gateway's BackendTrafficPolicy (gateway.envoyproxy.io/v1alpha1) counts requests per client IP
 * with path matches and caps request bodies. Not offered: Cilium (the default GatewayClass) has no
 * rate-limit resource for Gateway API; Istio only through EnvoyFilter patches of raw Envoy
 * configuration; Kong through KongPlugin, not checked here. `none`: no limit at the gateway.
 */
export const GATEWAY_RATE_LIMITS = ["none", "envoy-gateway"] as const;
export type GatewayRateLimit = (typeof GATEWAY_RATE_LIMITS)[number];

/** A taint on the nodes of a pool. */
export interface NodeTaint {
    key: string;
    value?: string;
    effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

/** One pool of identical nodes of the target Kubernetes cluster. */
export interface NodePool {
    /** Pool name; nodes are `<name>-<n>`. */
    name: string;
    /** Nodes in the pool. */
    count: number;
    /** Allocatable vCPU per node. */
    cpu: number;
    /** Allocatable memory per node, GiB. */
    memoryGiB: number;
    /** GPUs per node (`nvidia.com/gpu`). @default 0 */
    gpus?: number;
    /** Allocatable ephemeral storage per node, GiB. @default 100 */
    ephemeralStorageGiB?: number;
    /** Zones the nodes are spread over, round-robin (`topology.kubernetes.io/zone`). */
    zones: string[];
    /** Node labels. */
    labels?: Record<string, string>;
    /** Node taints. */
    taints?: NodeTaint[];
}

/** Kubernetes-only settings. */
export interface KubernetesSettings {
    /** Prefix of the namespaces (`<prefix>-edge`, `<prefix>-app`, `<prefix>-data`). @default "rag" */
    namespacePrefix: string;
    /** StorageClass for persistent volumes (empty: the cluster default). @default "" */
    storageClass: string;
    /** Gateway API or Ingress. @default "gateway" */
    edgeMode: KubernetesEdgeMode;
    /** GatewayClass for the Gateway (edgeMode gateway). @default "cilium" */
    gatewayClassName: string;
    /**
     * The gateway implementation's rate-limit policy (edgeMode gateway): `envoy-gateway` renders a
     * BackendTrafficPolicy with the per-IP limit, the login paths' limit and the body size cap;
     * `none` renders none (the edge settings that need it are then refused). @default "none"
     */
    gatewayRateLimit: GatewayRateLimit;
    /** IngressClass for the Ingress (edgeMode ingress). @default "nginx" */
    ingressClassName: string;
    /** cert-manager ClusterIssuer that signs the edge certificate. @default "internal-ca" */
    clusterIssuer: string;
    /**
     * cert-manager ClusterIssuer of the in-cluster certificates (PostgreSQL's and Valkey's server
     * certificates and their clients' trust): a CA or Vault issuer, whose Secrets carry `ca.crt` (an ACME issuer
     * cannot sign cluster-internal names). @default "internal-ca"
     */
    internalIssuer: string;
    /** Registry mirror prepended to every image without a registry host (air-gapped clusters). @default "" */
    imageRegistry: string;
    /**
     * Ollama registry mirror prepended to every model without a registry host
     * (`<host>/library/llama3.1:8b`): air-gapped clusters pull from it. Empty: the public registry.
     */
    modelRegistry: string;
    /** CIDRs of the external object store (with objectStorageMode external): the only addresses its clients reach for it. */
    objectStorageCidrs: string[];
    /** CIDRs of the off-site store the logical backups are copied to. */
    offsiteObjectStorageCidrs: string[];
    /** CIDRs of the Kubernetes API server (CloudNativePG instances and the pooler talk to it). @default ["0.0.0.0/0"] */
    apiServerCidrs: string[];
    /** Other HTTPS (443) destinations of the API: identity provider, external services. @default [] */
    apiEgressCidrs: string[];
    /** Where Ollama pulls its models on 443: the public registry needs 0.0.0.0/0, a mirror its own range. @default ["0.0.0.0/0"] */
    modelSourceCidrs: string[];
    /** Named opt-out: production accepts 0.0.0.0/0 in the egress allow-lists above. @default false */
    allowInternetEgress: boolean;
    /**
     * How host destinations of `network.egressDestinations` are enforced: `cilium` renders a
     * CiliumNetworkPolicy with toFQDNs (the cluster's CNI must be Cilium); `none` refuses host
     * destinations (a NetworkPolicy matches addresses only: give a cidr). @default "none"
     */
    fqdnPolicy: FqdnPolicy;
    /** Valkey image, pinned. */
    valkeyImage: string;
    /**
     * TLS on Valkey and its sentinels with a certificate from `internalIssuer`, clients verifying
     * it; `false` is the named opt-out (plaintext inside the cluster, NetworkPolicy isolation only). @default true
     */
    cacheTls: boolean;
    /** CloudNativePG operand image with pgvector, pinned. */
    postgresImage: string;
    /** Image for the pg_dump CronJob, pinned. */
    backupImage: string;
    /** rclone image of the documents' off-site copy (database.crossRegionBackup), pinned. */
    documentsBackupImage: string;
    /** S3-compatible object storage. @default "in-cluster" */
    objectStorageMode: ObjectStorageMode;
    /** Endpoint of the external S3-compatible store (objectStorageMode external). */
    objectStorageEndpoint: string;
    /** Existing Secret (app namespace) with ACCESS_KEY_ID / ACCESS_SECRET_KEY of the external store's documents-only identity (the API's). */
    objectStorageSecretName: string;
    /**
     * Existing Secret (data namespace) with the keys of the external store's backups-only identity
     * (CloudNativePG, the pg_dump job): never the API's, so a compromised API cannot reach backups.
     */
    objectStorageBackupsSecretName: string;
    /**
     * Existing Secret (data namespace) with the keys of an external store's identity that may only
     * read and list the `documents` bucket: the documents' off-site copy (objectStorageMode
     * external, database.crossRegionBackup on). The in-cluster store generates it.
     */
    objectStorageDocumentsReaderSecretName: string;
    /**
     * A second, off-site S3-compatible store (another site or region): the logical dumps are copied
     * there with their own credential. Required when `database.crossRegionBackup` is on.
     */
    offsiteObjectStorageEndpoint: string;
    /** Secret (data namespace) with ACCESS_KEY_ID / ACCESS_SECRET_KEY of the off-site store (write-only there is enough). */
    offsiteObjectStorageSecretName: string;
    /** Bucket of the off-site store. @default "rag-offsite-backups" */
    offsiteBucket: string;
    /** Months the dump of the first day of each month is kept (the monthly tier). @default 12 */
    logicalBackupMonthlyRetention: number;
    /** Image of the in-cluster S3 server (objectStorageMode in-cluster), pinned. */
    objectStorageImage: string;
    /** Node selector of GPU nodes. @default { "nvidia.com/gpu.present": "true" } */
    gpuNodeSelector: Record<string, string>;
    /**
     * A ReadWriteMany StorageClass for one model volume shared by all LLM replicas (empty: one
     * ReadWriteOnce volume per replica, of `storageClass`).
     */
    llmSharedStorageClass: string;
    /** Taint key tolerated on GPU nodes. @default "nvidia.com/gpu" */
    gpuTolerationKey: string;
    /** RuntimeClass for GPU pods (empty: none). */
    gpuRuntimeClassName: string;
    /** Deploy ServiceMonitor/PodMonitor/PrometheusRule (needs prometheus-operator CRDs). @default true */
    monitoring: boolean;
    /** Logical pg_dump CronJob in addition to CloudNativePG backups. @default false staging, true production */
    logicalBackup: boolean;
    /** Namespace of the CloudNativePG operator (for NetworkPolicies). @default "cnpg-system" */
    cnpgOperatorNamespace: string;
    /**
     * The database and cache credentials: `native` generates them and creates Secrets (their values
     * are in the state, encrypted, and in rendered YAML in plaintext); `external` creates External
     * Secrets Operator `ExternalSecret`s that read them from `externalSecretStore` (Vault, AWS
     * Secrets Manager…) at `externalSecretPath/{database,cache}`. @default "native"
     */
    secrets: KubernetesSecretMode;
    /** `ClusterSecretStore` the ExternalSecrets read from (secrets `external`). */
    externalSecretStore: string;
    /** Path of the stack's secrets in that store, e.g. `rag/production` (secrets `external`). */
    externalSecretPath: string;
    /**
     * Named opt-out: render manifests (`k8sRenderYamlDir`) with `secrets: native` although the
     * generated passwords are then written in plaintext into the YAML files. @default false
     */
    allowPlaintextRenderedSecrets: boolean;
    /** Namespace of the ingress / gateway controller (for NetworkPolicies). @default "gateway-system" */
    edgeControllerNamespace: string;
    /**
     * Labels of the edge controller's pods: only they may reach the API (not every pod of their
     * namespace). Required when that namespace is `kube-system`, which other system pods share.
     * @default {} (the whole edge controller namespace)
     */
    edgeControllerPodSelector: Record<string, string>;
    /** Namespace of Prometheus (for NetworkPolicies). @default "monitoring" */
    monitoringNamespace: string;
    /**
     * Secret (in the app namespace, key `url`) with a webhook the alerts go to besides
     * `observability.alarmEmails` (an AlertmanagerConfig). @default "" (none)
     */
    alertWebhookSecretName: string;
    /**
     * The target cluster's node pools: what the offline plan checks the stack fits (at every
     * autoscaler's maximum) and what `npm run cluster:check` simulates. Describe your cluster.
     */
    nodePools: NodePool[];
}

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const LABEL_KEY = /^([a-z0-9.-]+\/)?[A-Za-z0-9._-]{1,63}$/;
const HTTPS_URL = /^https:\/\/[^\s/]+(:\d+)?\/?$/;
const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"] as const;

/** Checks a description of node pools (names, counts, sizes, zones, labels, taints). */
export function checkNodePools(v: Validator, field: string, pools: unknown): void {
    if (!Array.isArray(pools) || pools.length === 0) {
        v.fail(field, pools, "at least one node pool {name, count, cpu, memoryGiB, zones}");
        return;
    }
    const names = new Set<string>();
    pools.forEach((p: Record<string, unknown>, i) => {
        const f = `${field}[${i}]`;
        if (p === null || typeof p !== "object") return v.fail(f, p, "an object {name, count, cpu, memoryGiB, zones}");
        if (v.matches(`${f}.name`, p.name, DNS_LABEL, "a DNS label (lower-case letters, digits, '-')")) {
            if (names.has(p.name as string)) v.fail(`${f}.name`, p.name, "a name no other pool has");
            names.add(p.name as string);
        }
        v.int(`${f}.count`, p.count, 0, 1000);
        v.number(`${f}.cpu`, p.cpu, 0.5, 1024);
        v.number(`${f}.memoryGiB`, p.memoryGiB, 0.5, 24576);
        if (p.gpus !== undefined) v.int(`${f}.gpus`, p.gpus, 0, 16);
        if (p.ephemeralStorageGiB !== undefined) v.int(`${f}.ephemeralStorageGiB`, p.ephemeralStorageGiB, 1, 65536);
        if (!Array.isArray(p.zones) || p.zones.length === 0) v.fail(`${f}.zones`, p.zones, "at least one zone name");
        else {
            p.zones.forEach((z, j) => v.matches(`${f}.zones[${j}]`, z, /^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/, "a zone name"));
            v.unique(`${f}.zones`, p.zones);
        }
        if (p.labels !== undefined && (typeof p.labels !== "object" || p.labels === null || Object.values(p.labels).some((x) => typeof x !== "string")))
            v.fail(`${f}.labels`, p.labels, "a map of label keys to string values");
        if (p.taints !== undefined) {
            if (!Array.isArray(p.taints)) v.fail(`${f}.taints`, p.taints, "a list of {key, value?, effect}");
            else
                p.taints.forEach((t: Record<string, unknown>, j) => {
                    v.nonEmpty(`${f}.taints[${j}].key`, t?.key, "a taint key");
                    v.oneOf(`${f}.taints[${j}].effect`, t?.effect, TAINT_EFFECTS);
                });
        }
    });
}

type K8sView = StackIdentity & { kubernetes: KubernetesSettings; network: NetworkSettings; database: DatabaseSettings; llm: LlmSettings; edge: EdgeSettings };
type Check<T> = (v: Validator, field: string, value: T, s: K8sView) => void;

/** A string setting; `check` optional. */
function text<T extends string = string>(key: string, description: string, staging: NoInfer<T>, check?: Check<NoInfer<T>>): Setting<T, K8sView> {
    return { key, type: "string", description, staging, check };
}
const image = (key: string, description: string, staging: string) => text(key, description, staging, (v, f, x) => v.image(f, x));
const cidrs = (key: string, description: string, staging: string[]): Setting<string[], K8sView> => ({ key, type: "array", description, staging });
const bool = (key: string, description: string, staging: boolean, production = staging): Setting<boolean, K8sView> => ({
    key,
    type: "boolean",
    description,
    staging,
    production,
    check: (v, f, x) => v.bool(f, x),
});
const namespace = (key: string, description: string, staging: string) =>
    text(key, description, staging, (v, f, x) => v.matches(f, x, DNS_LABEL, "a namespace name (DNS label)"));

/**
 * Egress out of the cluster is an allow-list of CIDRs per destination: each list valid, the ones
 * a configured destination needs non-empty, and in production none open to the internet unless
 * `kubernetes.allowInternetEgress` (the named opt-out) says so.
 */
function checkEgress(v: Validator, s: K8sView): void {
    const k = s.kubernetes;
    const lists: [string, string[], string | undefined][] = [
        ["apiServerCidrs", k.apiServerCidrs, "the Kubernetes API server's addresses (CloudNativePG reads its Secrets there)"],
        [
            "objectStorageCidrs",
            k.objectStorageCidrs,
            k.objectStorageMode === "external" ? "the external object store's addresses (objectStorageMode external)" : undefined,
        ],
        [
            "offsiteObjectStorageCidrs",
            k.offsiteObjectStorageCidrs,
            s.database.crossRegionBackup ? "the off-site store's addresses (database.crossRegionBackup on)" : undefined,
        ],
        ["apiEgressCidrs", k.apiEgressCidrs, undefined],
        [
            "modelSourceCidrs",
            k.modelSourceCidrs,
            s.llm.enabled ? "where Ollama pulls its models: the public registry needs 0.0.0.0/0, a mirror (kubernetes.modelRegistry) its own range" : undefined,
        ],
    ];
    for (const [key, list, requiredFor] of lists) {
        const field = `kubernetes.${key}`;
        if (!Array.isArray(list)) {
            v.fail(field, list, "a list of IPv4 CIDRs");
            continue;
        }
        if (requiredFor && list.length === 0) v.fail(field, list, `at least one IPv4 CIDR: ${requiredFor}`);
        list.forEach((c, i) => v.cidr(`${field}[${i}]`, c));
        v.unique(field, list);
        // Without the LLM no model source is reached (the stack opens no egress for it): the preset's
        // public registry (0.0.0.0/0) then opens nothing, and a stack without a model needs no mirror.
        const opened = key !== "modelSourceCidrs" || s.llm.enabled;
        if (opened && s.environment === "production" && !k.allowInternetEgress && list.some((c) => /\/0$/.test(c)))
            v.fail(
                field,
                list,
                "ranges narrower than the whole internet in production (the destination's own addresses), or kubernetes.allowInternetEgress true (the named opt-out)",
            );
    }
}

/** The edge's limits on Kubernetes: a rate-limit policy is for gateway mode, and Envoy Gateway's holds 16 rules. */
function checkEdgeLimits(v: Validator, s: K8sView): void {
    const k = s.kubernetes;
    if (k.edgeMode === "ingress" && k.gatewayRateLimit !== "none")
        v.fail("kubernetes.gatewayRateLimit", k.gatewayRateLimit, '"none" with kubernetes.edgeMode ingress (the Ingress carries the limits as annotations)');
    if (k.edgeMode === "gateway" && k.gatewayRateLimit === "envoy-gateway" && s.edge.loginPaths.length > 7)
        v.fail(
            "edge.loginPaths",
            s.edge.loginPaths,
            "at most 7 paths with kubernetes.gatewayRateLimit envoy-gateway (its local rate limit holds 16 rules: two per limit, for IPv4 and IPv6 clients)",
        );
}

/** The edge settings a Gateway without a rate-limit policy cannot enforce. */
export const GATEWAY_POLICY_EDGE_SETTINGS = ["rateLimitPer5Min", "loginPaths", "loginRateLimitPer5Min", "maxRequestBodyMiB"] as const;

/**
 * In gateway mode without a rate-limit policy nothing enforces the edge's limits: those set away
 * from their default are refused on Kubernetes (nobody believes in a limit that is not there),
 * unless the stack file also serves AWS (`otherTargets`), whose WAF enforces them.
 */
export function unenforcedEdgeLimits(v: Validator, s: K8sView, otherTargets: readonly string[]): void {
    const k = s.kubernetes;
    if (s.target !== "kubernetes" || k.edgeMode !== "gateway" || k.gatewayRateLimit !== "none" || otherTargets.includes("aws")) return;
    const preset = (field: keyof EdgeSettings): unknown => {
        const spec = edgeTier.settings[field] as Setting<unknown, unknown>;
        return s.environment !== "staging" && s.environment in spec ? spec[s.environment] : spec.staging;
    };
    for (const field of GATEWAY_POLICY_EDGE_SETTINGS)
        if (JSON.stringify(s.edge[field]) !== JSON.stringify(preset(field)))
            v.fail(
                `edge.${field}`,
                s.edge[field],
                "its default with kubernetes.edgeMode gateway and kubernetes.gatewayRateLimit none (no gateway policy enforces it): set kubernetes.gatewayRateLimit to envoy-gateway (the GatewayClass must be Envoy Gateway's), or use kubernetes.edgeMode ingress",
            );
}

export const kubernetesTier = defineTier<KubernetesSettings, K8sView>({
    path: "kubernetes",
    title: "Kubernetes",
    targets: ["kubernetes"],
    unused: "a Kubernetes setting",
    settings: {
        namespacePrefix: text("k8sNamespacePrefix", "Namespace prefix (<prefix>-edge/-app/-data).", "rag", (v, f, x) =>
            v.matches(f, x, /^[a-z][a-z0-9-]{0,40}$/, "a DNS label prefix (lower-case, up to 41 characters)"),
        ),
        storageClass: text("k8sStorageClass", "StorageClass for volumes.", ""),
        edgeMode: text("k8sEdgeMode", "gateway (Gateway API) or ingress.", "gateway", (v, f, x) => v.oneOf(f, x, K8S_EDGE_MODES)),
        gatewayClassName: text("k8sGatewayClassName", "GatewayClass name.", "cilium", (v, f, x, s) => {
            if (s.kubernetes.edgeMode === "gateway") v.nonEmpty(f, x, "a GatewayClass name");
        }),
        gatewayRateLimit: text<GatewayRateLimit>(
            "k8sGatewayRateLimit",
            "Rate-limit policy of the Gateway implementation: envoy-gateway (BackendTrafficPolicy: per-IP and login-path limits, body size) or none.",
            "none",
            (v, f, x) => v.oneOf(f, x, GATEWAY_RATE_LIMITS),
        ),
        ingressClassName: text("k8sIngressClassName", "IngressClass name.", "nginx", (v, f, x, s) => {
            if (s.kubernetes.edgeMode === "ingress") v.nonEmpty(f, x, "an IngressClass name");
        }),
        clusterIssuer: text("k8sClusterIssuer", "cert-manager ClusterIssuer.", "internal-ca", (v, f, x) =>
            v.nonEmpty(f, x, "the name of a cert-manager ClusterIssuer"),
        ),
        internalIssuer: text(
            "k8sInternalIssuer",
            "cert-manager ClusterIssuer (CA or Vault) of the in-cluster certificates: PostgreSQL's and Valkey's server certificates, verified by their clients.",
            "internal-ca",
            (v, f, x) => v.nonEmpty(f, x, "the name of a cert-manager ClusterIssuer of kind CA or Vault (its Secrets carry ca.crt)"),
        ),
        imageRegistry: text("k8sImageRegistry", "Registry mirror for air-gapped clusters.", "", (v, f, x) =>
            v.matches(f, x, /^([a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)*)?$/, "empty, or a registry host with an optional path"),
        ),
        modelRegistry: text(
            "k8sModelRegistry",
            "Ollama registry mirror for models without a registry host (air-gapped); empty: the public registry.",
            "",
            (v, f, x) => v.matches(f, x, /^([a-z0-9.-]+(:\d+)?)?$/, "empty (the public registry), or a registry host[:port]"),
        ),
        objectStorageCidrs: cidrs("k8sObjectStorageCidrs", "CIDRs of the external object store: the only addresses its clients reach for it.", []),
        offsiteObjectStorageCidrs: cidrs("k8sOffsiteObjectStorageCidrs", "CIDRs of the off-site store the logical backups are copied to.", []),
        apiServerCidrs: cidrs("k8sApiServerCidrs", "CIDRs of the Kubernetes API server (CloudNativePG reaches it).", ["0.0.0.0/0"]),
        apiEgressCidrs: cidrs("k8sApiEgressCidrs", "Other HTTPS destinations of the API (identity provider...).", []),
        modelSourceCidrs: cidrs("k8sModelSourceCidrs", "Where Ollama pulls models on 443 (public registry: 0.0.0.0/0; a mirror: its range).", ["0.0.0.0/0"]),
        allowInternetEgress: bool("k8sAllowInternetEgress", "Named opt-out: production accepts 0.0.0.0/0 in the egress allow-lists.", false),
        fqdnPolicy: text<FqdnPolicy>(
            "k8sFqdnPolicy",
            "How host egress destinations are enforced: cilium (CiliumNetworkPolicy toFQDNs; the CNI must be Cilium) or none (host destinations refused: give a cidr).",
            "none",
            (v, f, x) => v.oneOf(f, x, FQDN_POLICIES),
        ),
        valkeyImage: image("k8sValkeyImage", "Valkey image, pinned.", DEFAULT_IMAGES.valkey),
        cacheTls: bool(
            "k8sCacheTls",
            "TLS on Valkey and its sentinels (certificate from k8sInternalIssuer, clients verify it); false: the named opt-out, plaintext inside the cluster.",
            true,
        ),
        postgresImage: image("k8sPostgresImage", "CloudNativePG operand image with pgvector, pinned.", DEFAULT_IMAGES.postgres),
        backupImage: image("k8sBackupImage", "Image of the logical backup CronJob, pinned.", DEFAULT_IMAGES.awsCli),
        documentsBackupImage: image(
            "k8sDocumentsBackupImage",
            "rclone image of the documents' off-site copy (dbCrossRegionBackup), pinned.",
            DEFAULT_IMAGES.rclone,
        ),
        objectStorageMode: text("k8sObjectStorageMode", "external or in-cluster S3-compatible store.", "in-cluster", (v, f, x) =>
            v.oneOf(f, x, OBJECT_STORAGE_MODES),
        ),
        objectStorageEndpoint: text("k8sObjectStorageEndpoint", "https:// endpoint of the external store.", "", (v, f, x, s) => {
            if (s.kubernetes.objectStorageMode === "external") v.matches(f, x, HTTPS_URL, "an https:// URL of the S3-compatible endpoint");
        }),
        objectStorageSecretName: text(
            "k8sObjectStorageSecretName",
            "Secret (app namespace) with the external store's documents-only keys (the API's).",
            "",
            (v, f, x, s) => {
                if (s.kubernetes.objectStorageMode === "external") v.nonEmpty(f, x, "the name of a Secret holding ACCESS_KEY_ID and ACCESS_SECRET_KEY");
            },
        ),
        objectStorageBackupsSecretName: text(
            "k8sObjectStorageBackupsSecretName",
            "Secret (data namespace) with the external store's backups-only keys (CloudNativePG, pg_dump).",
            "",
            (v, f, x, s) => {
                if (s.kubernetes.objectStorageMode !== "external") return;
                v.nonEmpty(f, x, "the name of a Secret (data namespace) with the keys of an identity limited to the backups bucket");
                if (x && x === s.kubernetes.objectStorageSecretName)
                    v.fail(f, x, "a Secret other than kubernetes.objectStorageSecretName (one identity per consumer)");
            },
        ),
        objectStorageDocumentsReaderSecretName: text(
            "k8sObjectStorageDocumentsReaderSecretName",
            "Secret (data namespace) with an external store's read-only documents keys (their off-site copy).",
            "",
            (v, f, x, s) => {
                if (s.kubernetes.objectStorageMode !== "external" || !s.database.crossRegionBackup) return;
                v.nonEmpty(
                    f,
                    x,
                    "the name of a Secret (data namespace) with the keys of an identity that may only read and list the documents bucket, when database.crossRegionBackup copies the documents off site",
                );
                if (x && (x === s.kubernetes.objectStorageSecretName || x === s.kubernetes.objectStorageBackupsSecretName))
                    v.fail(f, x, "a Secret of its own (one identity per consumer)");
            },
        ),
        offsiteObjectStorageEndpoint: text(
            "k8sOffsiteObjectStorageEndpoint",
            "https:// endpoint of a second, off-site store the logical dumps are copied to.",
            "",
        ),
        offsiteObjectStorageSecretName: text("k8sOffsiteObjectStorageSecretName", "Secret (data namespace) with the off-site store's keys.", ""),
        offsiteBucket: text("k8sOffsiteBucket", "Bucket of the off-site store.", "rag-offsite-backups", (v, f, x) =>
            v.matches(f, x, /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "an S3 bucket name"),
        ),
        logicalBackupMonthlyRetention: {
            key: "k8sLogicalBackupMonthlyRetention",
            type: "integer",
            description: "Months the first dump of each month is kept.",
            staging: 12,
            check: (v, f, x) => v.int(f, x, 0, 120),
        },
        objectStorageImage: text("k8sObjectStorageImage", "Image of the in-cluster object store, pinned.", DEFAULT_IMAGES.seaweedfs, (v, f, x, s) => {
            if (s.kubernetes.objectStorageMode === "in-cluster") v.image(f, x);
        }),
        gpuNodeSelector: {
            key: "k8sGpuNodeSelector",
            type: "object",
            description: "Node labels of GPU nodes, merged over the preset's (string values, e.g. nvidia.com/gpu.present='true', the true quoted).",
            staging: { "nvidia.com/gpu.present": "true" },
            check: (v, f, x) => checkStringMap(v, f, x, LABEL_KEY, "label keys ([prefix/]name) with string values"),
        },
        llmSharedStorageClass: text("k8sLlmSharedStorageClass", "ReadWriteMany StorageClass for one model volume shared by the LLM replicas.", ""),
        gpuTolerationKey: text("k8sGpuTolerationKey", "Taint key of GPU nodes tolerated by the LLM.", "nvidia.com/gpu", (v, f, x) =>
            v.matches(f, x, LABEL_KEY, "a taint key ([prefix/]name)"),
        ),
        gpuRuntimeClassName: text("k8sGpuRuntimeClassName", "RuntimeClass for GPU pods.", ""),
        monitoring: bool("k8sMonitoring", "Create ServiceMonitor/PodMonitor/PrometheusRule.", true),
        logicalBackup: bool("k8sLogicalBackup", "pg_dump CronJob to the object store.", false, true),
        cnpgOperatorNamespace: namespace("k8sCnpgOperatorNamespace", "Namespace of the CloudNativePG operator (allowed to reach Postgres).", "cnpg-system"),
        secrets: text("k8sSecrets", "native (generated Secrets) or external (External Secrets Operator ExternalSecrets).", "native", (v, f, x) =>
            v.oneOf(f, x, K8S_SECRET_MODES),
        ),
        externalSecretStore: text("k8sExternalSecretStore", "ClusterSecretStore of the ExternalSecrets.", "", (v, f, x, s) => {
            if (s.kubernetes.secrets === "external")
                v.matches(f, x, /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/, "the name of a ClusterSecretStore when kubernetes.secrets is external");
        }),
        externalSecretPath: text("k8sExternalSecretPath", "Path of the stack's secrets in that store (…/database, …/cache).", "", (v, f, x, s) => {
            if (s.kubernetes.secrets === "external")
                v.matches(f, x, /^[A-Za-z0-9_./-]{1,200}$/, "the path of the stack's secrets in the store, e.g. rag/production");
        }),
        allowPlaintextRenderedSecrets: bool(
            "k8sAllowPlaintextRenderedSecrets",
            "Opt-out: render manifests with native Secrets (plaintext passwords in the YAML).",
            false,
        ),
        edgeControllerNamespace: text("k8sEdgeControllerNamespace", "Namespace of the gateway/ingress controller.", "gateway-system"),
        edgeControllerPodSelector: {
            key: "k8sEdgeControllerPodSelector",
            type: "object",
            description: "Labels of the edge controller's pods, the only ones admitted to the API (required in kube-system).",
            staging: {},
            check: (v, f, x, s) => {
                checkStringMap(v, f, x, LABEL_KEY, "label keys ([prefix/]name) with string values");
                if (s.kubernetes.edgeControllerNamespace === "kube-system" && Object.keys(x ?? {}).length === 0)
                    v.fail(
                        f,
                        x,
                        "the edge controller's pod labels when kubernetes.edgeControllerNamespace is kube-system (every system pod there would reach the API)",
                    );
            },
        },
        monitoringNamespace: namespace("k8sMonitoringNamespace", "Namespace of Prometheus (allowed to scrape).", "monitoring"),
        alertWebhookSecretName: text(
            "k8sAlertWebhookSecretName",
            "Secret (app namespace, key url) with a webhook for the alerts, besides alarmEmails.",
            "",
            (v, f, x) => v.matches(f, x, /^([a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?)?$/, "empty, or a Secret name"),
        ),
        nodePools: {
            key: "k8sNodePools",
            type: "objects",
            description: "The cluster's node pools: [{name, count, cpu, memoryGiB, gpus, zones, labels, taints}] (capacity checks).",
            staging: [
                { name: "cpu", count: 3, cpu: 4, memoryGiB: 16, zones: ["zone-a", "zone-b"] },
                {
                    name: "gpu",
                    count: 1,
                    cpu: 8,
                    memoryGiB: 32,
                    gpus: 1,
                    zones: ["zone-a"],
                    labels: { "nvidia.com/gpu.present": "true" },
                    taints: [{ key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" }],
                },
            ],
            production: [
                { name: "cpu", count: 6, cpu: 8, memoryGiB: 32, zones: ["zone-a", "zone-b", "zone-c"] },
                {
                    name: "gpu",
                    count: 3,
                    cpu: 8,
                    memoryGiB: 32,
                    gpus: 1,
                    zones: ["zone-a", "zone-b", "zone-c"],
                    labels: { "nvidia.com/gpu.present": "true" },
                    taints: [{ key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" }],
                },
            ],
            check: checkNodePools,
        },
    },
    validate: (v, s) => {
        const k = s.kubernetes;
        if (k.edgeMode === "gateway" && s.network.allowedIngressCidrs.some((c) => c !== "0.0.0.0/0"))
            v.fail(
                "network.allowedIngressCidrs",
                s.network.allowedIngressCidrs,
                '["0.0.0.0/0"] on the kubernetes target with kubernetes.edgeMode gateway (Gateway API has no standard client-address filter: use edgeMode ingress, or your gateway controller\'s policy)',
            );
        if (k.secrets === "external" && k.objectStorageMode !== "external")
            v.fail(
                "kubernetes.objectStorageMode",
                k.objectStorageMode,
                '"external" when kubernetes.secrets is external (the in-cluster store generates its own credentials)',
            );
        if (s.database.crossRegionBackup) {
            const optOut = "(or set database.crossRegionBackup to false, the named opt-out)";
            v.matches(
                "kubernetes.offsiteObjectStorageEndpoint",
                k.offsiteObjectStorageEndpoint,
                HTTPS_URL,
                `an https:// URL of a second, off-site S3-compatible store when database.crossRegionBackup is on ${optOut}`,
            );
            if (k.offsiteObjectStorageEndpoint && k.offsiteObjectStorageEndpoint.replace(/\/$/, "") === k.objectStorageEndpoint.replace(/\/$/, ""))
                v.fail(
                    "kubernetes.offsiteObjectStorageEndpoint",
                    k.offsiteObjectStorageEndpoint,
                    "a store other than kubernetes.objectStorageEndpoint (off site)",
                );
            v.nonEmpty(
                "kubernetes.offsiteObjectStorageSecretName",
                k.offsiteObjectStorageSecretName,
                `the name of a Secret holding ACCESS_KEY_ID and ACCESS_SECRET_KEY of the off-site store ${optOut}`,
            );
            if (!k.logicalBackup)
                v.fail(
                    "kubernetes.logicalBackup",
                    k.logicalBackup,
                    `true when database.crossRegionBackup is on: the off-site copy is the logical dump ${optOut}`,
                );
        }
        checkEdgeLimits(v, s);
        checkEgress(v, s);
        if (k.fqdnPolicy === "none" && Array.isArray(s.network.egressDestinations))
            s.network.egressDestinations.forEach((d, i) => {
                if (d && d.host !== undefined)
                    v.fail(
                        `network.egressDestinations[${i}].host`,
                        d.host,
                        "a cidr instead on Kubernetes with kubernetes.fqdnPolicy none (a NetworkPolicy matches addresses, not names), or kubernetes.fqdnPolicy cilium when the cluster's CNI is Cilium (Calico's domain policies are Calico Enterprise only)",
                    );
            });
    },
});
