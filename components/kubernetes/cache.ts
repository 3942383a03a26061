import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PORTS, SENTINEL_MASTER_NAME } from "../core/facts";
import { typeToken } from "../core/naming";
import { k8sMemory } from "../core/sizing";
import { Validator } from "../core/validation";
import {
    clientCertificates,
    immutable,
    internalCertificate,
    K8sCommonArgs,
    K8sContext,
    preferSpreadOverNodes,
    restrictedPodSpec,
    secretKeysVolume,
} from "./common";

export interface CacheArgs extends K8sCommonArgs {
    /** Namespace the objects are created in. */
    namespace: pulumi.Input<string>;
    /** Valkey image, pinned. */
    image: string;
    /** Secret (in `namespace`) with key `password`. */
    passwordSecretName: pulumi.Input<string>;
    /** Read replicas (a second StatefulSet replicating from the primary; with `automaticFailover`, pods of the one StatefulSet). @default 0 */
    replicas?: number;
    /**
     * Automatic failover with Valkey Sentinel: one StatefulSet of `1 + replicas` Valkey pods that
     * find the current primary through the sentinels when they start, and three sentinels (quorum
     * 2, spread over nodes) that promote a replica when the primary is down for 5 s. Clients must
     * ask the sentinels for the primary (`sentinel` output: `REDIS_SENTINEL_HOSTS`,
     * `REDIS_SENTINEL_MASTER`). Needs `replicas` >= 1. @default false
     */
    automaticFailover?: boolean;
    /** Memory limit MiB (maxmemory is 80% of it). @default 1024 */
    memoryMiB?: number;
    /** Volume GiB. @default 5 */
    storageGiB?: number;
    /** StorageClass of the volumes. @default the cluster's default */
    storageClass?: string;
    /**
     * TLS on every Valkey and Sentinel port with a certificate from this cert-manager
     * `ClusterIssuer` (CA or Vault: its Secrets carry `ca.crt`): `port 0` and `tls-port`,
     * replication and the sentinels' links over TLS, probes and peers verify the certificate.
     * Clients verify it too: each of `clientNamespaces` gets Secret `valkey-client-tls` (a client
     * certificate from the same issuer) whose `ca.crt` its pods mount. AUTH stays on.
     * @default none (plaintext inside the cluster, isolated by NetworkPolicy)
     */
    tls?: { issuer: string; clientNamespaces?: pulumi.Input<string>[] };
}

/** Secret (in each client namespace) whose `ca.crt` verifies the Valkey server certificate. */
export const CACHE_CLIENT_TLS_SECRET = "valkey-client-tls";
/** Secret of the server certificate (data namespace only). */
export const CACHE_SERVER_TLS_SECRET = "valkey-server-tls";
/** Where Valkey and the sentinels find their certificate, key and CA. */
const TLS_DIR = "/etc/valkey-tls";

/** Valkey services whose names the server certificate carries (headless ones with a wildcard for their pods). */
const CACHE_SERVICES = { plain: ["valkey", "valkey-sentinel"], headless: ["valkey-headless", "valkey-replica-headless", "valkey-sentinel-headless"] };

/** Every name a client, a replica or a sentinel may use for a Valkey process in `ns`, short and qualified. */
export function cacheDnsNames(ns: string): string[] {
    const forms = (name: string) => [name, `${name}.${ns}`, `${name}.${ns}.svc`, `${name}.${ns}.svc.cluster.local`];
    return [...CACHE_SERVICES.plain.flatMap(forms), ...CACHE_SERVICES.headless.flatMap((h) => [...forms(h), ...forms(`*.${h}`)]), "localhost"];
}

/**
 * Valkey as a StatefulSet: AUTH from a Secret, append-only persistence on a PVC, restricted
 * pods, and an optional replica StatefulSet (Service `valkey` is the primary); or, with
 * `automaticFailover`, Valkey pods and three Sentinels that fail over by themselves.
 */
export class Cache extends pulumi.ComponentResource {
    /** Cluster DNS name clients connect to: the primary's Service, or the sentinels' with `automaticFailover`. */
    readonly host: pulumi.Output<string>;
    /** Port of `host`. */
    readonly port: number;
    /** Whether clients must connect with TLS (`tls` given); they verify with `ca.crt` of `valkey-client-tls`. */
    readonly tls: boolean;
    /** With `automaticFailover`: where clients ask for the primary (host, port, master name); else undefined. */
    readonly sentinel?: { host: pulumi.Output<string>; port: number; masterName: string };

    constructor(name: string, args: CacheArgs, opts?: pulumi.ComponentResourceOptions) {
        validateCache(name, args);
        super(typeToken("kubernetes", "Cache"), name, {}, opts);
        const ctx = new K8sContext(name, args, this);
        const sa = new k8s.core.v1.ServiceAccount(
            ctx.childName("sa"),
            { metadata: { name: "valkey", namespace: args.namespace, labels: ctx.labels("valkey") }, automountServiceAccountToken: false },
            ctx.opts(),
        );
        const tls = args.tls;
        if (tls) this.createCertificates(ctx, args.namespace, tls);
        const valkey = new ValkeyParts(ctx, args, sa);
        const endpoint = args.automaticFailover ? this.createWithSentinels(ctx, args, valkey) : this.createPrimaryAndReplicas(ctx, args, valkey);
        this.port = endpoint.port;
        this.host = endpoint.host;
        this.sentinel = endpoint.sentinel;
        this.tls = tls !== undefined;
        this.registerOutputs({ host: this.host, port: this.port, tls: this.tls });
    }

    /** Without failover: the primary StatefulSet and its Service, and the optional replica StatefulSet. */
    private createPrimaryAndReplicas(ctx: K8sContext, args: CacheArgs, valkey: ValkeyParts): CacheEndpoint {
        // The password never appears on a command line (process lists): the entrypoint writes it
        // from the Secret into a config file on a memory volume, and probes pass it to valkey-cli
        // through REDISCLI_AUTH.
        const entrypoint = [
            "umask 077",
            'printf "requirepass %s\\nmasterauth %s\\n" "$VALKEY_PASSWORD" "$VALKEY_PASSWORD" > /run/valkey/auth.conf',
            "unset VALKEY_PASSWORD",
            'exec valkey-server /run/valkey/auth.conf "$@"',
        ].join("; ");
        const roleSet = (role: "primary" | "replica", replicas: number) => {
            const selector = { ...ctx.selector("valkey"), "ragstack.io/role": role };
            const labels = { ...ctx.labels("valkey", { "app.kubernetes.io/component": "cache" }), "ragstack.io/role": role };
            const serviceName = role === "primary" ? "valkey-headless" : "valkey-replica-headless";
            valkey.headless(`${role}-headless`, serviceName, selector, labels, PORTS.valkey);
            return valkey.statefulSet({
                key: role,
                setName: role === "primary" ? "valkey" : "valkey-replica",
                serviceName,
                replicas,
                selector,
                labels,
                entrypoint,
                args: valkey.serverArgs(role === "replica" ? ["--replicaof", `valkey-0.valkey-headless`, "6379", "--replica-read-only", "yes"] : []),
                port: PORTS.valkey,
                resources: valkey.serverResources(),
                persistent: true,
                spread: false,
            });
        };
        roleSet("primary", 1);
        const service = new k8s.core.v1.Service(
            ctx.childName("service"),
            {
                metadata: { name: "valkey", namespace: args.namespace, labels: ctx.labels("valkey") },
                spec: {
                    type: "ClusterIP",
                    selector: { ...ctx.selector("valkey"), "ragstack.io/role": "primary" },
                    ports: [{ name: "valkey", port: PORTS.valkey, targetPort: "valkey" }],
                },
            },
            ctx.opts(),
        );
        if ((args.replicas ?? 0) > 0) {
            roleSet("replica", args.replicas!);
            valkey.pdb("pdb", "valkey-replica", { ...ctx.selector("valkey"), "ragstack.io/role": "replica" });
        }
        return { port: PORTS.valkey, host: pulumi.interpolate`${service.metadata.name}.${args.namespace}.svc.cluster.local` };
    }

    /** With failover: one StatefulSet of servers, three sentinels and the sentinels' Service. */
    private createWithSentinels(ctx: K8sContext, args: CacheArgs, valkey: ValkeyParts): CacheEndpoint {
        const serverSelector = { ...ctx.selector("valkey"), "ragstack.io/role": "server" };
        const serverLabels = { ...ctx.labels("valkey", { "app.kubernetes.io/component": "cache" }), "ragstack.io/role": "server" };
        valkey.headless("server-headless", "valkey-headless", serverSelector, serverLabels, PORTS.valkey);
        valkey.statefulSet({
            // The key of the primary StatefulSet without failover: the same URN (`valkey` and its volumes stay).
            key: "primary",
            setName: "valkey",
            serviceName: "valkey-headless",
            replicas: 1 + (args.replicas ?? 0),
            selector: serverSelector,
            labels: serverLabels,
            entrypoint: sentinelServerEntrypoint(valkey.cliTls),
            args: valkey.serverArgs(["--replica-read-only", "yes"]),
            port: PORTS.valkey,
            resources: valkey.serverResources(),
            persistent: true,
            spread: true,
        });
        valkey.pdb("pdb", "valkey", serverSelector);
        const sentinelSelector = ctx.selector("valkey-sentinel");
        const sentinelLabels = ctx.labels("valkey-sentinel", { "app.kubernetes.io/component": "cache" });
        valkey.headless("sentinel-headless", "valkey-sentinel-headless", sentinelSelector, sentinelLabels, PORTS.valkeySentinel);
        valkey.statefulSet({
            key: "sentinel",
            setName: "valkey-sentinel",
            serviceName: "valkey-sentinel-headless",
            replicas: 3,
            selector: sentinelSelector,
            labels: sentinelLabels,
            entrypoint: sentinelEntrypoint(valkey.cliTls),
            // With TLS the sentinels listen, monitor and talk to each other over TLS only.
            args: args.tls ? valkey.listen(PORTS.valkeySentinel) : [],
            port: PORTS.valkeySentinel,
            resources: { cpu: "50m", memory: "64Mi", cpuLimit: "250m" },
            persistent: false,
            spread: true,
        });
        valkey.pdb("sentinel-pdb", "valkey-sentinel", sentinelSelector);
        const service = new k8s.core.v1.Service(
            ctx.childName("sentinel"),
            {
                metadata: { name: "valkey-sentinel", namespace: args.namespace, labels: sentinelLabels },
                spec: { type: "ClusterIP", selector: sentinelSelector, ports: [{ name: "sentinel", port: PORTS.valkeySentinel, targetPort: "valkey" }] },
            },
            ctx.opts(),
        );
        const host = pulumi.interpolate`${service.metadata.name}.${args.namespace}.svc.cluster.local`;
        return { port: PORTS.valkeySentinel, host, sentinel: { host, port: PORTS.valkeySentinel, masterName: SENTINEL_MASTER_NAME } };
    }

    /** The server certificate for every Valkey and Sentinel name, and a client certificate (its `ca.crt`) per client namespace. */
    private createCertificates(ctx: K8sContext, namespace: pulumi.Input<string>, tls: NonNullable<CacheArgs["tls"]>): void {
        const labels = ctx.labels("valkey", { "app.kubernetes.io/component": "cache" });
        internalCertificate(ctx, {
            key: "server-certificate",
            secretName: CACHE_SERVER_TLS_SECRET,
            namespace,
            issuer: tls.issuer,
            labels,
            commonName: "valkey",
            // Replicas and sentinels present it as clients of their peers too.
            usages: ["server auth", "client auth"],
            dnsNames: pulumi.output(namespace).apply(cacheDnsNames),
            ipAddresses: ["127.0.0.1"],
        });
        clientCertificates(ctx, {
            secretName: CACHE_CLIENT_TLS_SECRET,
            namespaces: tls.clientNamespaces ?? [],
            issuer: tls.issuer,
            labels,
            commonName: "valkey-client",
        });
    }
}

/** Where clients connect: the output fields of {@link Cache}. */
interface CacheEndpoint {
    host: pulumi.Output<string>;
    port: number;
    sentinel?: { host: pulumi.Output<string>; port: number; masterName: string };
}

/** Refuses bad arguments before anything is registered. */
function validateCache(name: string, args: CacheArgs): void {
    const v = new Validator(`Cache ${name}`);
    v.image("image", args.image);
    v.int("replicas", args.replicas ?? 0, 0, 5);
    if (args.automaticFailover && (args.replicas ?? 0) < 1)
        v.fail("replicas", args.replicas ?? 0, "at least 1 when automaticFailover is on (a replica to promote)");
    v.throwIfAny();
}

/** FQDN of a pod behind a headless Service, in the pod's own namespace (`$NAMESPACE`). */
const podFqdn = (pod: string, svc: string) => `${pod}.${svc}.$NAMESPACE.svc.cluster.local`;

/** Shell that asks the sentinel at `host` for the current primary. */
const askSentinel = (host: string, cliTls: string) =>
    `REDISCLI_AUTH="$VALKEY_PASSWORD" valkey-cli -h "${host}" -p ${PORTS.valkeySentinel}${cliTls} --raw sentinel get-master-addr-by-name ${SENTINEL_MASTER_NAME} 2>/dev/null | head -1`;

/** Servers with failover: ask the sentinels for the primary; none known yet: valkey-0 is the first primary. */
function sentinelServerEntrypoint(cliTls: string): string {
    const ask = (host: string) => askSentinel(host, cliTls);
    return [
        "umask 077",
        `me="${podFqdn("$(hostname)", "valkey-headless")}"`,
        `primary="$(${ask("valkey-sentinel")})"`,
        `if [ -z "$primary" ] && [ "$(hostname)" != valkey-0 ]; then primary="${podFqdn("valkey-0", "valkey-headless")}"; fi`,
        'if [ "$primary" = "$me" ]; then primary=""; fi',
        '{ printf "requirepass %s\\nmasterauth %s\\nreplica-announce-ip %s\\n" "$VALKEY_PASSWORD" "$VALKEY_PASSWORD" "$me"; ' +
            `if [ -n "$primary" ]; then printf "replicaof %s ${PORTS.valkey}\\n" "$primary"; fi; } > /run/valkey/valkey.conf`,
        "unset VALKEY_PASSWORD",
        'exec valkey-server /run/valkey/valkey.conf "$@"',
    ].join("; ");
}

/** Sentinels: learn the primary from a peer, else start from valkey-0; quorum 2 of 3. */
function sentinelEntrypoint(cliTls: string): string {
    const ask = (host: string) => askSentinel(host, cliTls);
    return [
        "umask 077",
        'primary=""',
        `for i in 0 1 2; do [ "$(hostname)" = "valkey-sentinel-$i" ] && continue; primary="$(${ask(podFqdn("valkey-sentinel-$i", "valkey-sentinel-headless"))})"; [ -n "$primary" ] && break; done`,
        `[ -n "$primary" ] || primary="${podFqdn("valkey-0", "valkey-headless")}"`,
        'printf "port %s\\nsentinel resolve-hostnames yes\\nsentinel announce-hostnames yes\\nsentinel announce-ip %s\\nrequirepass %s\\nsentinel sentinel-pass %s\\n' +
            `sentinel monitor ${SENTINEL_MASTER_NAME} %s ${PORTS.valkey} 2\\nsentinel auth-pass ${SENTINEL_MASTER_NAME} %s\\n` +
            `sentinel down-after-milliseconds ${SENTINEL_MASTER_NAME} 5000\\nsentinel failover-timeout ${SENTINEL_MASTER_NAME} 60000\\nsentinel parallel-syncs ${SENTINEL_MASTER_NAME} 1\\n" ` +
            `${PORTS.valkeySentinel} "${podFqdn("$(hostname)", "valkey-sentinel-headless")}" "$VALKEY_PASSWORD" "$VALKEY_PASSWORD" "$primary" "$VALKEY_PASSWORD" > /data/sentinel.conf`,
        "unset VALKEY_PASSWORD",
        'exec valkey-server /data/sentinel.conf --sentinel "$@"',
    ].join("; ");
}

/** A StatefulSet of Valkey processes (servers or sentinels). */
interface ValkeySetSpec {
    key: string;
    setName: string;
    serviceName: string;
    replicas: number;
    selector: Record<string, string>;
    labels: Record<string, string>;
    entrypoint: string;
    args: string[];
    port: number;
    resources: { cpu: string; memory: string; cpuLimit: string };
    /** A PVC per pod (servers) or a memory volume (sentinels' rewritten config). */
    persistent: boolean;
    spread: boolean;
}

/** The building blocks of one Cache: listen flags, probes, headless Services, StatefulSets and budgets. */
class ValkeyParts {
    /** valkey-cli verifies the server's certificate against the CA (probes connect to localhost, which it names). */
    readonly cliTls: string;
    private readonly password: k8s.types.input.core.v1.EnvVar;
    private readonly namespaceEnv: k8s.types.input.core.v1.EnvVar;

    constructor(
        private readonly ctx: K8sContext,
        private readonly args: CacheArgs,
        private readonly sa: k8s.core.v1.ServiceAccount,
    ) {
        this.cliTls = args.tls ? ` --tls --cacert ${TLS_DIR}/ca.crt` : "";
        this.password = { name: "VALKEY_PASSWORD", valueFrom: { secretKeyRef: { name: args.passwordSecretName, key: "password" } } };
        this.namespaceEnv = { name: "NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } };
    }

    /** A headless Service of Valkey pods. */
    headless(key: string, svcName: string, selector: Record<string, string>, labels: Record<string, string>, port: number): k8s.core.v1.Service {
        return new k8s.core.v1.Service(
            this.ctx.childName(key),
            {
                metadata: { name: svcName, namespace: this.args.namespace, labels },
                // Not-ready pods resolve too: a starting pod finds its peers and the sentinels.
                spec: { clusterIP: "None", publishNotReadyAddresses: true, selector, ports: [{ name: "valkey", port, targetPort: port }] },
            },
            this.ctx.opts(immutable("Service")),
        );
    }

    /** The flags a Valkey process (server or sentinel) listens with: TLS only, or plaintext. */
    listen(port: number): string[] {
        return this.args.tls
            ? [
                  "--port",
                  "0",
                  "--tls-port",
                  String(port),
                  "--tls-cert-file",
                  `${TLS_DIR}/tls.crt`,
                  "--tls-key-file",
                  `${TLS_DIR}/tls.key`,
                  "--tls-ca-cert-file",
                  `${TLS_DIR}/ca.crt`,
                  // AUTH authenticates clients; they need no certificate of their own.
                  "--tls-auth-clients",
                  "no",
                  "--tls-replication",
                  "yes",
              ]
            : ["--port", String(port)];
    }

    /** A server's flags: listen, append-only persistence, maxmemory (80% of the limit), then `extra`. */
    serverArgs(extra: string[]): string[] {
        const maxmemory = `${Math.floor(this.memoryMiB() * 0.8)}mb`;
        return [
            ...this.listen(PORTS.valkey),
            "--appendonly",
            "yes",
            "--dir",
            "/data",
            "--maxmemory",
            maxmemory,
            "--maxmemory-policy",
            "allkeys-lru",
            "--protected-mode",
            "yes",
            ...extra,
        ];
    }

    /** A server's requests and limits. */
    serverResources(): ValkeySetSpec["resources"] {
        return { cpu: "100m", memory: k8sMemory(this.memoryMiB()), cpuLimit: "1" };
    }

    /** A StatefulSet of Valkey processes (servers or sentinels) with the restricted basics. */
    statefulSet(spec: ValkeySetSpec): k8s.apps.v1.StatefulSet {
        const { ctx, args } = this;
        return new k8s.apps.v1.StatefulSet(
            ctx.childName(spec.key),
            {
                metadata: { name: spec.setName, namespace: args.namespace, labels: spec.labels },
                spec: {
                    serviceName: spec.serviceName,
                    replicas: spec.replicas,
                    selector: { matchLabels: spec.selector },
                    podManagementPolicy: "OrderedReady",
                    template: {
                        metadata: { labels: { ...spec.labels, ...spec.selector }, ...ctx.rotationAnnotations() },
                        spec: this.podSpec(spec),
                    },
                    ...(spec.persistent
                        ? {
                              volumeClaimTemplates: [
                                  {
                                      metadata: { name: "data", labels: spec.labels },
                                      spec: {
                                          accessModes: ["ReadWriteOnce"],
                                          resources: { requests: { storage: `${args.storageGiB ?? 5}Gi` } },
                                          ...(args.storageClass ? { storageClassName: args.storageClass } : {}),
                                      },
                                  },
                              ],
                              persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
                          }
                        : {}),
                },
            },
            spec.persistent ? ctx.dataOpts(immutable("StatefulSet")) : ctx.opts(immutable("StatefulSet")),
        );
    }

    /** A PodDisruptionBudget of one pod at a time. */
    pdb(key: string, pdbName: string, selector: Record<string, string>): k8s.policy.v1.PodDisruptionBudget {
        return new k8s.policy.v1.PodDisruptionBudget(
            this.ctx.childName(key),
            {
                metadata: { name: pdbName, namespace: this.args.namespace, labels: this.ctx.labels("valkey") },
                spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
            },
            this.ctx.opts(),
        );
    }

    private memoryMiB(): number {
        return this.args.memoryMiB ?? 1024;
    }

    private pingProbe(port: number) {
        return {
            exec: { command: ["sh", "-c", `REDISCLI_AUTH="$VALKEY_PASSWORD" valkey-cli -h localhost -p ${port}${this.cliTls} ping | grep -q PONG`] },
            periodSeconds: 10,
            timeoutSeconds: 3,
        };
    }

    /** The pod of a Valkey StatefulSet. */
    private podSpec(spec: ValkeySetSpec): k8s.types.input.core.v1.PodSpec {
        const { ctx, args } = this;
        const tls = args.tls;
        return restrictedPodSpec({
            serviceAccountName: this.sa.metadata.name,
            enableServiceLinks: false,
            ...(spec.spread
                ? {
                      // One per node: a node failure takes one server or sentinel, never the quorum.
                      affinity: preferSpreadOverNodes(spec.selector),
                  }
                : {}),
            containers: [
                {
                    name: "valkey",
                    image: ctx.image(args.image),
                    imagePullPolicy: "IfNotPresent",
                    command: ["sh", "-c", spec.entrypoint, "valkey-server"],
                    // An empty list is dropped by the provider: render none at all.
                    ...(spec.args.length > 0 ? { args: spec.args } : {}),
                    env: [this.password, this.namespaceEnv],
                    ports: [{ name: "valkey", containerPort: spec.port }],
                    resources: {
                        requests: { cpu: spec.resources.cpu, memory: spec.resources.memory, "ephemeral-storage": "64Mi" },
                        limits: { cpu: spec.resources.cpuLimit, memory: spec.resources.memory, "ephemeral-storage": "512Mi" },
                    },
                    startupProbe: { ...this.pingProbe(spec.port), failureThreshold: 30 },
                    readinessProbe: { ...this.pingProbe(spec.port), failureThreshold: 3 },
                    livenessProbe: { tcpSocket: { port: "valkey" }, periodSeconds: 20, timeoutSeconds: 3, failureThreshold: 5 },
                    volumeMounts: [
                        { name: "data", mountPath: "/data" },
                        { name: "tmp", mountPath: "/tmp" },
                        { name: "run", mountPath: "/run/valkey" },
                        ...(tls ? [{ name: "tls", mountPath: TLS_DIR, readOnly: true }] : []),
                    ],
                },
            ],
            volumes: [
                { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
                // The generated config with the password: memory only, never on disk.
                { name: "run", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } },
                ...(spec.persistent ? [] : [{ name: "data", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } }]),
                // The key readable by the pod's group (fsGroup) only.
                ...(tls ? [secretKeysVolume("tls", CACHE_SERVER_TLS_SECRET, ["tls.crt", "tls.key", "ca.crt"], 0o440)] : []),
            ],
        });
    }
}
