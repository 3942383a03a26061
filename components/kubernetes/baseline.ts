import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { POOLER_NAME, PORTS, ZONE_LABEL } from "../core/facts";
import { typeToken } from "../core/naming";
import { Validator } from "../core/validation";
import { checkEgressDestinations, EgressDestination, egressDefaults, FQDN_POLICIES, FqdnPolicy } from "../settings";
import { K8sCommonArgs, K8sContext } from "./common";

export interface BaselineArgs extends K8sCommonArgs {
    /** Namespace prefix: `<prefix>-edge`, `<prefix>-app`, `<prefix>-data`. */
    namespacePrefix: string;
    /** Namespace of the gateway / ingress controller pods (edge -> API). */
    edgeControllerNamespace: string;
    /** Labels of the edge controller's pods: only they reach the API. Required in `kube-system`. @default {} (the whole namespace) */
    edgeControllerPodSelector?: Record<string, string>;
    /** Namespace of the CloudNativePG operator. @default "cnpg-system" */
    cnpgOperatorNamespace?: string;
    /** Namespace of Prometheus. @default "monitoring" */
    monitoringNamespace?: string;
    /** The logical pg_dump CronJob is deployed: allow its traffic. @default false */
    logicalBackup?: boolean;
    /** The documents' off-site copy runs (its pods reach the object store and the off-site store). @default false */
    documentsOffsite?: boolean;
    /** The PgBouncer pooler runs in the data zone (its policies; the API reaches it). @default false */
    connectionPooler?: boolean;
    /** Valkey runs with Sentinel: the sentinels' policies; the API and the servers reach them. @default false */
    cacheSentinel?: boolean;
    /** The stack has a cache (the API's egress to Valkey, Valkey's own policies). @default true */
    cache?: boolean;
    /** Object storage is outside the cluster: the API, Postgres and the backups reach it at `objectStorage`. */
    externalObjectStorage: boolean;
    /**
     * Where the external object store answers (with `externalObjectStorage`): its addresses and
     * port; the only place the API, the Postgres instances and the logical backup reach for it.
     */
    objectStorage?: EgressTarget;
    /** The off-site store the logical backup also writes to. @default none */
    offsiteObjectStorage?: EgressTarget;
    /** CIDRs of the Kubernetes API server (CNPG instances and the pooler read their Secrets there). */
    kubeApiCidrs: string[];
    /** Other HTTPS destinations of the API (identity provider, external services). @default [] */
    apiEgressCidrs?: string[];
    /** Where Ollama pulls its models on 443 (the public registry needs 0.0.0.0/0; an internal mirror its own range). @default [] (no pull) */
    modelSourceCidrs?: string[];
    /**
     * Named destinations outside the cluster (network.egressDestinations): per destination, the
     * API's (and Ollama's, `from: [llm]`) egress to its CIDR on its ports (a NetworkPolicy), or to
     * its host name with `fqdnPolicy` cilium (a CiliumNetworkPolicy with toFQDNs). @default []
     */
    egressDestinations?: EgressDestination[];
    /** How host destinations are enforced; `none` refuses them. @default "none" */
    fqdnPolicy?: FqdnPolicy;
    /** Port of the Kubernetes API server. @default 6443 */
    kubeApiPort?: number;
    /** ResourceQuota of the app namespace (GPU count included). */
    appQuota?: { cpu: string; memory: string; gpus: number };
    /** ResourceQuota of the data namespace. */
    dataQuota?: { cpu: string; memory: string; storage: string };
}

/** An egress destination outside the cluster: its address ranges and TCP port. */
export interface EgressTarget {
    cidrs: string[];
    port: number;
}

const ZONES = ["edge", "app", "data"] as const;
type Zone = (typeof ZONES)[number];

/** Names and selectors of the zones' namespaces. */
interface Zones {
    ns: (zone: Zone) => pulumi.Output<string>;
    zoneSelector: (zone: Zone) => k8s.types.input.meta.v1.LabelSelector;
}

type EgressRule = k8s.types.input.networking.v1.NetworkPolicyEgressRule;
type PolicyFactory = (name: string, zone: Zone, spec: k8s.types.input.networking.v1.NetworkPolicySpec, perZone?: boolean) => k8s.networking.v1.NetworkPolicy;

/** Selects a namespace by name. */
function namespaceSelector(name: string): k8s.types.input.meta.v1.LabelSelector {
    return { matchLabels: { "kubernetes.io/metadata.name": name } };
}
/** Selects this stack's pods of a component. */
function app(component: string): k8s.types.input.meta.v1.LabelSelector {
    return { matchLabels: { "app.kubernetes.io/name": component } };
}
function tcp(port: number): k8s.types.input.networking.v1.NetworkPolicyPort {
    return { protocol: "TCP", port };
}
/** Egress to address ranges outside the cluster on the given ports. */
function toCidrs(cidrs: string[], ports: number[]): EgressRule {
    return { to: cidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: ports.map(tcp) };
}

/**
 * Namespaces per zone (edge, app, data) enforcing Pod Security "restricted", a ResourceQuota and
 * LimitRange each, a default-deny NetworkPolicy (ingress and egress) and the explicit allows:
 * edge -> API 8000; API -> Postgres 5432, Valkey 6379, Ollama 11434, object storage; DNS; the
 * CloudNativePG operator -> instances (8000, 5432); instances -> each other and the API server;
 * Prometheus -> metrics ports. Egress out of the cluster is an allow-list: the object stores,
 * the API server, the API's other HTTPS destinations and the model source, each by CIDR.
 */
export class Baseline extends pulumi.ComponentResource {
    /** Name of the edge namespace. */
    readonly edgeNamespace: pulumi.Output<string>;
    /** Name of the application namespace. */
    readonly appNamespace: pulumi.Output<string>;
    /** Name of the data namespace. */
    readonly dataNamespace: pulumi.Output<string>;

    constructor(name: string, args: BaselineArgs, opts?: pulumi.ComponentResourceOptions) {
        const v = new Validator(`Baseline ${name}`);
        v.matches("namespacePrefix", args.namespacePrefix, /^[a-z][a-z0-9-]{0,40}$/, "a DNS label prefix");
        v.nonEmpty("edgeControllerNamespace", args.edgeControllerNamespace);
        if (args.edgeControllerNamespace === "kube-system" && Object.keys(args.edgeControllerPodSelector ?? {}).length === 0)
            v.fail("edgeControllerPodSelector", args.edgeControllerPodSelector, "the edge controller's pod labels when edgeControllerNamespace is kube-system");
        if (!args.provider) v.fail("provider", args.provider, "an explicit k8s.Provider");
        const cidrList = (field: string, cidrs: unknown, required: boolean) => {
            if (!Array.isArray(cidrs) || (required && cidrs.length === 0)) v.fail(field, cidrs, 'a list of IPv4 CIDRs such as ["10.40.0.0/28"]');
            else cidrs.forEach((c, i) => v.cidr(`${field}[${i}]`, c));
        };
        cidrList("kubeApiCidrs", args.kubeApiCidrs, true);
        cidrList("apiEgressCidrs", args.apiEgressCidrs ?? [], false);
        cidrList("modelSourceCidrs", args.modelSourceCidrs ?? [], false);
        if (args.externalObjectStorage) cidrList("objectStorage.cidrs", args.objectStorage?.cidrs, true);
        if (args.offsiteObjectStorage) cidrList("offsiteObjectStorage.cidrs", args.offsiteObjectStorage.cidrs, true);
        for (const [field, t] of [
            ["objectStorage.port", args.objectStorage],
            ["offsiteObjectStorage.port", args.offsiteObjectStorage],
        ] as const)
            if (t) v.int(field, t.port, 1, 65535);
        checkEgressDestinations(v, "egressDestinations", args.egressDestinations ?? [], true);
        const fqdn = args.fqdnPolicy ?? "none";
        v.oneOf("fqdnPolicy", fqdn, FQDN_POLICIES);
        if (fqdn === "none")
            (args.egressDestinations ?? []).forEach((d, i) => {
                if (d?.host !== undefined)
                    v.fail(
                        `egressDestinations[${i}].host`,
                        d.host,
                        "a cidr instead with fqdnPolicy none (a NetworkPolicy matches addresses, not names), or fqdnPolicy cilium when the cluster's CNI is Cilium",
                    );
            });
        v.throwIfAny();
        super(typeToken("kubernetes", "Baseline"), name, {}, opts);
        const ctx = new K8sContext(name, args, this);

        const namespaces = this.createNamespaces(ctx, args);
        const zones: Zones = {
            ns: (zone) => namespaces[zone].metadata.name,
            zoneSelector: (zone) => namespaceSelector(`${args.namespacePrefix}-${zone}`),
        };
        this.createQuotasAndDefaults(ctx, args, zones);
        const policy = this.policyFactory(ctx, zones);
        const objectStoreEgress = args.externalObjectStorage
            ? toCidrs(args.objectStorage!.cidrs, [args.objectStorage!.port])
            : { to: [{ namespaceSelector: zones.zoneSelector("data"), podSelector: app("object-storage") }], ports: [tcp(PORTS.s3)] };
        this.allowDns(policy);
        this.allowAppZone(args, zones, policy, objectStoreEgress);
        this.allowDataZone(args, zones, policy, objectStoreEgress);
        this.allowDestinations(ctx, args, zones, policy);

        this.edgeNamespace = zones.ns("edge");
        this.appNamespace = zones.ns("app");
        this.dataNamespace = zones.ns("data");
        this.registerOutputs({ appNamespace: this.appNamespace, dataNamespace: this.dataNamespace });
    }

    /** One namespace per zone, labelled Pod Security "restricted" (enforce, audit, warn). */
    private createNamespaces(ctx: K8sContext, args: BaselineArgs): Record<Zone, k8s.core.v1.Namespace> {
        const nsName = (zone: string) => `${args.namespacePrefix}-${zone}`;
        const namespaces = {} as Record<Zone, k8s.core.v1.Namespace>;
        for (const zone of ZONES) {
            namespaces[zone] = new k8s.core.v1.Namespace(
                ctx.childName(`ns-${zone}`),
                {
                    metadata: {
                        name: nsName(zone),
                        labels: {
                            ...ctx.labels(`${zone}-zone`),
                            [ZONE_LABEL]: zone,
                            "pod-security.kubernetes.io/enforce": "restricted",
                            "pod-security.kubernetes.io/enforce-version": "latest",
                            "pod-security.kubernetes.io/audit": "restricted",
                            "pod-security.kubernetes.io/warn": "restricted",
                        },
                    },
                },
                // Deleting a namespace deletes every object in it, protected volumes and the
                // database cluster included: the zones that hold data are data themselves.
                zone === "edge" ? ctx.opts() : ctx.dataOpts(),
            );
        }
        return namespaces;
    }

    /** Per zone: a ResourceQuota, container defaults (LimitRange) and the default-deny NetworkPolicy. */
    private createQuotasAndDefaults(ctx: K8sContext, args: BaselineArgs, { ns }: Zones): void {
        const appQuota = args.appQuota ?? { cpu: "32", memory: "128Gi", gpus: 4 };
        const dataQuota = args.dataQuota ?? { cpu: "32", memory: "128Gi", storage: "4Ti" };
        const quotas: Record<string, Record<string, string>> = {
            edge: { pods: "20", "limits.cpu": "8", "limits.memory": "16Gi", "services.nodeports": "0" },
            app: {
                "limits.cpu": appQuota.cpu,
                "limits.memory": appQuota.memory,
                "requests.nvidia.com/gpu": String(appQuota.gpus),
                pods: "60",
                "services.nodeports": "0",
                "services.loadbalancers": "0",
            },
            data: {
                "limits.cpu": dataQuota.cpu,
                "limits.memory": dataQuota.memory,
                "requests.storage": dataQuota.storage,
                pods: "40",
                "services.nodeports": "0",
                "services.loadbalancers": "0",
            },
        };
        for (const zone of ZONES) {
            new k8s.core.v1.ResourceQuota(
                ctx.childName(`quota-${zone}`),
                { metadata: { name: "zone-quota", namespace: ns(zone), labels: ctx.labels("baseline") }, spec: { hard: quotas[zone] } },
                ctx.opts(),
            );
            new k8s.core.v1.LimitRange(
                ctx.childName(`limits-${zone}`),
                {
                    metadata: { name: "zone-defaults", namespace: ns(zone), labels: ctx.labels("baseline") },
                    spec: {
                        limits: [
                            {
                                type: "Container",
                                default: { cpu: "500m", memory: "512Mi" },
                                defaultRequest: { cpu: "100m", memory: "128Mi" },
                                max: { cpu: "16", memory: "64Gi" },
                            },
                        ],
                    },
                },
                ctx.opts(),
            );
            new k8s.networking.v1.NetworkPolicy(
                ctx.childName(`deny-${zone}`),
                {
                    metadata: { name: "default-deny-all", namespace: ns(zone), labels: ctx.labels("baseline") },
                    spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
                },
                ctx.opts(),
            );
        }
    }

    /**
     * Makes NetworkPolicy `name` in a zone's namespace; its Pulumi name is unique per zone when the
     * same policy exists in several zones (`<component>-<name>-<zone>`).
     */
    private policyFactory(ctx: K8sContext, { ns }: Zones): PolicyFactory {
        return (name, zone, spec, perZone = false) =>
            new k8s.networking.v1.NetworkPolicy(
                ctx.childName(perZone ? `${name}-${zone}` : name),
                { metadata: { name, namespace: ns(zone), labels: ctx.labels("baseline") }, spec },
                ctx.opts(),
            );
    }

    /** DNS to kube-dns from the app and data zones. */
    private allowDns(policy: PolicyFactory): void {
        const dnsEgress = {
            to: [{ namespaceSelector: namespaceSelector("kube-system"), podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
            ports: [
                { protocol: "UDP", port: PORTS.dns },
                { protocol: "TCP", port: PORTS.dns },
            ],
        };
        for (const zone of ["app", "data"] as const) policy("allow-dns", zone, { podSelector: {}, policyTypes: ["Egress"], egress: [dnsEgress] }, true);
    }

    /** The app zone: the edge and Prometheus to the API; the API to the data stores, Ollama and object storage. */
    private allowAppZone(args: BaselineArgs, { zoneSelector }: Zones, policy: PolicyFactory, objectStoreEgress: EgressRule): void {
        const monNs = args.monitoringNamespace ?? "monitoring";
        policy("api-ingress", "app", {
            podSelector: app("api"),
            policyTypes: ["Ingress"],
            ingress: [
                {
                    from: [
                        {
                            namespaceSelector: namespaceSelector(args.edgeControllerNamespace),
                            // The controller's pods only, not every pod of its namespace.
                            ...(Object.keys(args.edgeControllerPodSelector ?? {}).length > 0
                                ? { podSelector: { matchLabels: args.edgeControllerPodSelector } }
                                : {}),
                        },
                    ],
                    ports: [tcp(PORTS.api)],
                },
                { from: [{ namespaceSelector: namespaceSelector(monNs) }], ports: [tcp(PORTS.api)] },
            ],
        });
        policy("api-egress", "app", {
            podSelector: app("api"),
            policyTypes: ["Egress"],
            egress: [
                {
                    to: [
                        { namespaceSelector: zoneSelector("data"), podSelector: { matchLabels: { "cnpg.io/podRole": "instance" } } },
                        ...(args.connectionPooler
                            ? [{ namespaceSelector: zoneSelector("data"), podSelector: { matchLabels: { "cnpg.io/poolerName": POOLER_NAME } } }]
                            : []),
                    ],
                    ports: [tcp(PORTS.postgres)],
                },
                ...(args.cache !== false
                    ? [{ to: [{ namespaceSelector: zoneSelector("data"), podSelector: app("valkey") }], ports: [tcp(PORTS.valkey)] }]
                    : []),
                ...(args.cache !== false && args.cacheSentinel
                    ? [{ to: [{ namespaceSelector: zoneSelector("data"), podSelector: app("valkey-sentinel") }], ports: [tcp(PORTS.valkeySentinel)] }]
                    : []),
                { to: [{ podSelector: app("ollama") }], ports: [tcp(PORTS.ollama)] },
                objectStoreEgress,
                ...((args.apiEgressCidrs ?? []).length > 0 ? [toCidrs(args.apiEgressCidrs!, [443])] : []),
            ],
        });
        policy("ollama-ingress", "app", {
            podSelector: app("ollama"),
            policyTypes: ["Ingress"],
            ingress: [{ from: [{ podSelector: app("api") }], ports: [tcp(PORTS.ollama)] }],
        });
        policy("ollama-egress", "app", {
            podSelector: app("ollama"),
            policyTypes: ["Egress"],
            // Model pulls (the registry or an internal mirror) over HTTPS, to the model source only.
            egress: (args.modelSourceCidrs ?? []).length > 0 ? [toCidrs(args.modelSourceCidrs!, [443])] : [],
        });
    }

    /**
     * Each named destination, its own policy in the app zone (`egress-<name>`) selecting the pods
     * it is opened for: a NetworkPolicy to its CIDR on its ports, or for a host a
     * CiliumNetworkPolicy: toFQDNs on its ports, and DNS to kube-dns through Cilium's DNS proxy
     * (how Cilium learns the host's addresses; every name may be asked, so that the pods still
     * resolve the stack's own services). https://docs.cilium.io/en/stable/security/dns/
     */
    private allowDestinations(ctx: K8sContext, args: BaselineArgs, { ns }: Zones, policy: PolicyFactory): void {
        const workloads = { api: "api", llm: "ollama" } as const;
        for (const d of (args.egressDestinations ?? []).map(egressDefaults)) {
            const selector = { matchExpressions: [{ key: "app.kubernetes.io/name", operator: "In", values: d.from.map((f) => workloads[f]) }] };
            const protocol = d.protocol.toUpperCase();
            if (d.cidr !== undefined) {
                policy(`egress-${d.name}`, "app", {
                    podSelector: selector,
                    policyTypes: ["Egress"],
                    egress: [{ to: [{ ipBlock: { cidr: d.cidr } }], ports: d.ports.map((port) => ({ protocol, port })) }],
                });
                continue;
            }
            const fqdn = d.host!.startsWith("*.") ? { matchPattern: d.host! } : { matchName: d.host! };
            new k8s.apiextensions.CustomResource(
                ctx.childName(`egress-${d.name}`),
                {
                    apiVersion: "cilium.io/v2",
                    kind: "CiliumNetworkPolicy",
                    metadata: { name: `egress-${d.name}`, namespace: ns("app"), labels: ctx.labels("baseline") },
                    spec: {
                        endpointSelector: selector,
                        egress: [
                            {
                                toEndpoints: [{ matchLabels: { "k8s:io.kubernetes.pod.namespace": "kube-system", "k8s:k8s-app": "kube-dns" } }],
                                toPorts: [{ ports: [{ port: String(PORTS.dns), protocol: "ANY" }], rules: { dns: [{ matchPattern: "*" }] } }],
                            },
                            { toFQDNs: [fqdn], toPorts: [{ ports: d.ports.map((port) => ({ port: String(port), protocol })) }] },
                        ],
                    },
                },
                ctx.opts(),
            );
        }
    }

    /** The data zone: Postgres (clients, the operator, its peers, Prometheus, the API server), Valkey, backups, object storage. */
    private allowDataZone(args: BaselineArgs, { zoneSelector }: Zones, policy: PolicyFactory, objectStoreEgress: EgressRule): void {
        const cnpgNs = args.cnpgOperatorNamespace ?? "cnpg-system";
        const monNs = args.monitoringNamespace ?? "monitoring";
        const fromApi = { namespaceSelector: zoneSelector("app"), podSelector: app("api") };
        const cnpgInstances = { podSelector: { matchLabels: { "cnpg.io/podRole": "instance" } } };
        const pooler = { podSelector: { matchLabels: { "cnpg.io/poolerName": POOLER_NAME } } };
        if (args.connectionPooler) {
            policy("pooler-ingress", "data", {
                podSelector: pooler.podSelector,
                policyTypes: ["Ingress"],
                ingress: [
                    { from: [fromApi], ports: [tcp(PORTS.postgres)] },
                    { from: [{ namespaceSelector: namespaceSelector(monNs) }], ports: [tcp(PORTS.pgbouncerMetrics)] },
                ],
            });
            policy("pooler-egress", "data", {
                podSelector: pooler.podSelector,
                policyTypes: ["Egress"],
                egress: [
                    { to: [cnpgInstances], ports: [tcp(PORTS.postgres)] },
                    // its instance manager reads the cluster's secrets from the API server
                    toCidrs(args.kubeApiCidrs, [args.kubeApiPort ?? 6443, 443]),
                ],
            });
        }
        policy("postgres-ingress", "data", {
            podSelector: { matchLabels: { "cnpg.io/podRole": "instance" } },
            policyTypes: ["Ingress"],
            ingress: [
                { from: [fromApi, { podSelector: app("logical-backup") }, ...(args.connectionPooler ? [pooler] : [])], ports: [tcp(PORTS.postgres)] },
                { from: [{ namespaceSelector: namespaceSelector(cnpgNs) }], ports: [tcp(PORTS.cnpgStatus), tcp(PORTS.postgres)] },
                { from: [cnpgInstances], ports: [tcp(PORTS.postgres), tcp(PORTS.cnpgStatus)] },
                { from: [{ namespaceSelector: namespaceSelector(monNs) }], ports: [tcp(PORTS.cnpgMetrics)] },
            ],
        });
        policy("postgres-egress", "data", {
            podSelector: { matchLabels: { "cnpg.io/podRole": "instance" } },
            policyTypes: ["Egress"],
            egress: [
                { to: [cnpgInstances], ports: [tcp(PORTS.postgres), tcp(PORTS.cnpgStatus)] },
                toCidrs(args.kubeApiCidrs, [args.kubeApiPort ?? 6443, 443]),
                objectStoreEgress,
            ],
        });
        const sentinels = { podSelector: app("valkey-sentinel") };
        if (args.cache !== false) {
            policy("valkey-ingress", "data", {
                podSelector: app("valkey"),
                policyTypes: ["Ingress"],
                ingress: [{ from: [fromApi, { podSelector: app("valkey") }, ...(args.cacheSentinel ? [sentinels] : [])], ports: [tcp(PORTS.valkey)] }],
            });
            policy("valkey-egress", "data", {
                podSelector: app("valkey"),
                policyTypes: ["Egress"],
                egress: [
                    { to: [{ podSelector: app("valkey") }], ports: [tcp(PORTS.valkey)] },
                    // A starting server asks the sentinels for the primary.
                    ...(args.cacheSentinel ? [{ to: [sentinels], ports: [tcp(PORTS.valkeySentinel)] }] : []),
                ],
            });
            if (args.cacheSentinel) {
                policy("valkey-sentinel-ingress", "data", {
                    podSelector: app("valkey-sentinel"),
                    policyTypes: ["Ingress"],
                    ingress: [{ from: [fromApi, { podSelector: app("valkey") }, sentinels], ports: [tcp(PORTS.valkeySentinel)] }],
                });
                policy("valkey-sentinel-egress", "data", {
                    podSelector: app("valkey-sentinel"),
                    policyTypes: ["Egress"],
                    egress: [
                        { to: [{ podSelector: app("valkey") }], ports: [tcp(PORTS.valkey)] },
                        { to: [sentinels], ports: [tcp(PORTS.valkeySentinel)] },
                    ],
                });
            }
        }
        if (args.logicalBackup) {
            policy("logical-backup-egress", "data", {
                podSelector: app("logical-backup"),
                policyTypes: ["Egress"],
                egress: [
                    { to: [cnpgInstances], ports: [tcp(PORTS.postgres)] },
                    objectStoreEgress,
                    ...(args.offsiteObjectStorage ? [toCidrs(args.offsiteObjectStorage.cidrs, [args.offsiteObjectStorage.port])] : []),
                ],
            });
        }
        if (args.documentsOffsite) {
            policy("documents-offsite-egress", "data", {
                podSelector: app("documents-offsite"),
                policyTypes: ["Egress"],
                egress: [objectStoreEgress, ...(args.offsiteObjectStorage ? [toCidrs(args.offsiteObjectStorage.cidrs, [args.offsiteObjectStorage.port])] : [])],
            });
        }
        if (!args.externalObjectStorage) {
            policy("object-storage-ingress", "data", {
                podSelector: app("object-storage"),
                policyTypes: ["Ingress"],
                ingress: [
                    {
                        from: [
                            fromApi,
                            cnpgInstances,
                            { podSelector: app("logical-backup") },
                            ...(args.documentsOffsite ? [{ podSelector: app("documents-offsite") }] : []),
                            { podSelector: app("bucket-setup") },
                        ],
                        ports: [tcp(PORTS.s3)],
                    },
                ],
            });
            policy("bucket-setup-egress", "data", {
                podSelector: app("bucket-setup"),
                policyTypes: ["Egress"],
                egress: [{ to: [{ podSelector: app("object-storage") }], ports: [tcp(PORTS.s3)] }],
            });
        }
    }
}
