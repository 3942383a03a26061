/**
 * Ollama on GPU nodes. Creates a ServiceAccount, the model volumes, the workload, a headless and a
 * ClusterIP Service and a PodDisruptionBudget. It does not install the GPU operator or device
 * plugin (a cluster prerequisite) and runs no model registry (name one in `models`).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { contentSuffix, typeToken } from "../core/naming";
import { k8sCpu, k8sMemory } from "../core/sizing";
import { Validator } from "../core/validation";
import { immutable, K8sCommonArgs, K8sContext, kubeScoreIgnore, restrictedPodSpec } from "./common";
import { LLM_LIMITS, postureFor } from "../settings";

/** Ollama's port. */
export const OLLAMA_PORT = 11434;
/** Default CPU limit (vCPU) and memory limit (MiB) of one Ollama pod; what the app quota is sized from. */
export const LLM_DEFAULTS = { cpu: 8, memoryMiB: 24576 } as const;

export interface LlmArgs extends K8sCommonArgs {
    /** Namespace the objects are created in. */
    namespace: pulumi.Input<string>;
    /** Ollama image, pinned. */
    image: string;
    /**
     * Models pulled by the init container before the server starts. A name with a registry host
     * (`mirror.internal/library/llama3.1:8b`) pulls from that internal mirror.
     */
    models: string[];
    /**
     * Registry host (an Ollama-compatible mirror) prepended to every model without one:
     * `llama3.1:8b` is pulled as `<modelRegistry>/library/llama3.1:8b`. @default none (the public registry)
     */
    modelRegistry?: string;
    /** Pods (each with its own GPUs and, by default, its own model volume). @default 1 */
    replicas?: number;
    /** GPUs per pod. @default 1 */
    gpus?: number;
    /** Model volume GiB. @default 100 */
    volumeGiB?: number;
    /** StorageClass of the model volumes (ReadWriteOnce, one per replica). @default the cluster's default */
    storageClass?: string;
    /**
     * A ReadWriteMany StorageClass (CephFS, NFS...): all replicas share one model volume and roll
     * like a Deployment. @default none: a StatefulSet with one ReadWriteOnce volume per replica
     */
    sharedStorageClass?: string;
    /** Node selector of GPU nodes. @default { "nvidia.com/gpu.present": "true" } */
    nodeSelector?: Record<string, string>;
    /** Taint key tolerated. @default "nvidia.com/gpu" */
    tolerationKey?: string;
    /** RuntimeClass (e.g. `nvidia`). @default none */
    runtimeClassName?: string;
    /** PriorityClass of the pods (e.g. one that preempts batch work on GPU nodes). @default none */
    priorityClassName?: string;
    /** How long Ollama keeps a model loaded (OLLAMA_KEEP_ALIVE). @default "24h" */
    keepAlive?: string;
    /** CPU limit, vCPU (a quarter of it is requested). @default 8 */
    cpu?: number;
    /** Memory limit (and request) MiB. @default 24576 */
    memoryMiB?: number;
    /** Extra non-secret environment variables (OLLAMA_NUM_PARALLEL, OLLAMA_MAX_LOADED_MODELS...). @default {} */
    env?: Record<string, string>;
    /** HTTPS proxy for model pulls (`HTTPS_PROXY`), with `NO_PROXY` for the cluster. @default none */
    httpsProxy?: string;
    /** Hosts that bypass the proxy. @default ".svc,.cluster.local,localhost,127.0.0.1" */
    noProxy?: string;
}

/**
 * The name a model is pulled by: with `registry`, a model without a registry host gets it, and the
 * `library` namespace when it has none (`llama3.1:8b` -> `<registry>/library/llama3.1:8b`); a
 * name that names a host already (`host.tld/ns/model:tag`) is kept.
 */
export function modelReference(model: string, registry?: string): string {
    if (!registry) return model;
    const parts = model.split("/");
    const hasHost = parts.length > 1 && /[.:]|^localhost$/.test(parts[0]);
    if (hasHost) return model;
    return `${registry}/${parts.length === 1 ? `library/${model}` : model}`;
}

/**
 * Ollama on GPU nodes: `nvidia.com/gpu` limits, node selector, GPU taint toleration, optional
 * RuntimeClass and PriorityClass; non-root with HOME and OLLAMA_MODELS on the model volume; models
 * pre-pulled by an init container; a startup probe with a 20-minute budget; the restricted
 * security context (a GPU needs no privilege). By default a StatefulSet gives each replica its own
 * ReadWriteOnce model volume, so replicas run on different nodes (required anti-affinity in
 * production) and roll one at a time; with `sharedStorageClass` the replicas share one
 * ReadWriteMany volume. One shared ReadWriteOnce volume (what this component did before) cannot be
 * attached on two nodes: cluster:check saw the second replica's volume fail to attach.
 */
export class Llm extends pulumi.ComponentResource {
    /** Cluster DNS name of the Service. */
    readonly serviceHost: pulumi.Output<string>;
    /** Internal endpoint URL. */
    readonly endpoint: pulumi.Output<string>;
    /** Kind of the workload: StatefulSet (per-replica volumes) or Deployment (shared volume). */
    readonly workloadKind: "StatefulSet" | "Deployment";
    /** The pods' service account, `namespace/name`. */
    readonly serviceAccount: pulumi.Output<string>;
    /** Labels that select Ollama's pods (a NetworkPolicy peer). */
    readonly podSelector: Record<string, string>;

    constructor(name: string, args: LlmArgs, opts?: pulumi.ComponentResourceOptions) {
        const v = new Validator(`Llm ${name}`);
        v.image("image", args.image);
        if (!Array.isArray(args.models) || args.models.length === 0) v.fail("models", args.models, "at least one model such as llama3.1:8b");
        v.int("replicas", args.replicas ?? 1, ...LLM_LIMITS.nodes);
        v.int("gpus", args.gpus ?? 1, ...LLM_LIMITS.gpusPerNode);
        v.number("cpu", args.cpu ?? LLM_DEFAULTS.cpu, 0.5, 256);
        v.int("memoryMiB", args.memoryMiB ?? LLM_DEFAULTS.memoryMiB, 1024, 4194304);
        for (const k of Object.keys(args.env ?? {})) {
            if (!/^[A-Z_][A-Z0-9_]*$/.test(k)) v.fail(`env.${k}`, k, "an environment variable name ([A-Z_][A-Z0-9_]*)");
            if (/PASSWORD|SECRET|TOKEN|API_KEY/i.test(k)) v.fail(`env.${k}`, "(hidden)", "no secrets in literal env");
        }
        if (args.httpsProxy !== undefined) v.matches("httpsProxy", args.httpsProxy, /^https?:\/\/[^\s]+$/, "an http(s):// proxy URL");
        v.throwIfAny();
        super(typeToken("kubernetes", "Llm"), name, {}, opts);
        const ctx = new K8sContext(name, args, this);
        const labels = ctx.labels("ollama", { "app.kubernetes.io/component": "llm" });
        const selector = ctx.selector("ollama");

        const sa = new k8s.core.v1.ServiceAccount(
            ctx.childName("sa"),
            { metadata: { name: "ollama", namespace: args.namespace, labels }, automountServiceAccountToken: false },
            ctx.opts(),
        );
        this.serviceAccount = pulumi.interpolate`${sa.metadata.namespace}/${sa.metadata.name}`;
        this.podSelector = selector;
        const template = this.podTemplate(ctx, args, labels, selector, sa);
        this.workloadKind = args.sharedStorageClass ? "Deployment" : "StatefulSet";
        const workload = args.sharedStorageClass
            ? this.createSharedWorkload(ctx, args, labels, selector, template)
            : this.createStatefulSet(ctx, args, labels, selector, template);
        const service = this.createServices(ctx, args, labels, selector, workload);
        new k8s.policy.v1.PodDisruptionBudget(
            ctx.childName("pdb"),
            { metadata: { name: "ollama", namespace: args.namespace, labels }, spec: { maxUnavailable: 1, selector: { matchLabels: selector } } },
            ctx.opts(),
        );
        this.serviceHost = pulumi.interpolate`${service.metadata.name}.${args.namespace}.svc.cluster.local`;
        this.endpoint = pulumi.interpolate`http://${this.serviceHost}:${OLLAMA_PORT}`;
        this.registerOutputs({ endpoint: this.endpoint });
    }

    /** The pod: model pull in an init container, then the server; GPU, node selection, probes, restricted. */
    private podTemplate(
        ctx: K8sContext,
        args: LlmArgs,
        labels: Record<string, string>,
        selector: Record<string, string>,
        sa: k8s.core.v1.ServiceAccount,
    ): k8s.types.input.core.v1.PodTemplateSpec {
        const replicas = args.replicas ?? 1;
        const gpus = String(args.gpus ?? 1);
        const memory = k8sMemory(args.memoryMiB ?? LLM_DEFAULTS.memoryMiB);
        const cpu = args.cpu ?? LLM_DEFAULTS.cpu;
        const proxy = args.httpsProxy
            ? [
                  { name: "HTTPS_PROXY", value: args.httpsProxy },
                  { name: "NO_PROXY", value: args.noProxy ?? ".svc,.cluster.local,localhost,127.0.0.1" },
              ]
            : [];
        const env = [
            { name: "HOME", value: "/models" },
            { name: "OLLAMA_MODELS", value: "/models/models" },
            { name: "OLLAMA_HOST", value: `0.0.0.0:${OLLAMA_PORT}` },
            { name: "OLLAMA_KEEP_ALIVE", value: args.keepAlive ?? "24h" },
            ...Object.entries(args.env ?? {}).map(([n, value]) => ({ name: n, value })),
            ...proxy,
        ];
        const mounts = [
            { name: "models", mountPath: "/models" },
            { name: "tmp", mountPath: "/tmp" },
        ];
        // Replicas on different nodes: each holds its node's GPUs (and its own volume).
        const antiAffinityTerm = { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: selector } };
        const affinity: k8s.types.input.core.v1.Affinity =
            postureFor(args.environment).requiredAntiAffinity && replicas > 1
                ? { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [antiAffinityTerm] } }
                : { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: antiAffinityTerm }] } };
        return {
            metadata: { labels: { ...labels, ...selector } },
            spec: restrictedPodSpec({
                serviceAccountName: sa.metadata.name,
                enableServiceLinks: false,
                affinity,
                nodeSelector: args.nodeSelector ?? { "nvidia.com/gpu.present": "true" },
                tolerations: [{ key: args.tolerationKey ?? "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
                ...(args.runtimeClassName ? { runtimeClassName: args.runtimeClassName } : {}),
                ...(args.priorityClassName ? { priorityClassName: args.priorityClassName } : {}),
                initContainers: [
                    {
                        name: "model-pull",
                        image: ctx.image(args.image),
                        imagePullPolicy: "IfNotPresent",
                        command: ["sh", "-c"],
                        args: [
                            `ollama serve >/tmp/serve.log 2>&1 & for i in $(seq 1 60); do ollama list >/dev/null 2>&1 && break; sleep 2; done; for m in ${args.models.map((m) => modelReference(m, args.modelRegistry)).join(" ")}; do ollama pull "$m" || exit 1; done`,
                        ],
                        env,
                        resources: {
                            requests: { cpu: "500m", memory: "1Gi", "ephemeral-storage": "256Mi" },
                            limits: { cpu: "2", memory: "4Gi", "ephemeral-storage": "2Gi" },
                        },
                        volumeMounts: mounts,
                    },
                ],
                containers: [
                    {
                        name: "ollama",
                        image: ctx.image(args.image),
                        imagePullPolicy: "IfNotPresent",
                        ports: [{ name: "http", containerPort: OLLAMA_PORT, protocol: "TCP" }],
                        env,
                        resources: {
                            requests: { cpu: k8sCpu(cpu / 4), memory, "nvidia.com/gpu": gpus, "ephemeral-storage": "512Mi" },
                            limits: { cpu: k8sCpu(cpu), memory, "nvidia.com/gpu": gpus, "ephemeral-storage": "4Gi" },
                        },
                        startupProbe: { tcpSocket: { port: "http" }, periodSeconds: 10, failureThreshold: 120 },
                        readinessProbe: { httpGet: { path: "/", port: "http" }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
                        livenessProbe: { tcpSocket: { port: "http" }, periodSeconds: 30, timeoutSeconds: 10, failureThreshold: 5 },
                        volumeMounts: mounts,
                    },
                ],
                volumes: [
                    ...(args.sharedStorageClass ? [{ name: "models", persistentVolumeClaim: { claimName: "ollama-models" } }] : []),
                    { name: "tmp", emptyDir: { sizeLimit: "2Gi" } },
                ],
            }),
        };
    }

    /** Default: a StatefulSet with one ReadWriteOnce model volume per replica, rolled one at a time. */
    private createStatefulSet(
        ctx: K8sContext,
        args: LlmArgs,
        labels: Record<string, string>,
        selector: Record<string, string>,
        template: k8s.types.input.core.v1.PodTemplateSpec,
    ): k8s.apps.v1.StatefulSet {
        const replicas = args.replicas ?? 1;
        const claim = {
            accessModes: ["ReadWriteOnce"],
            resources: { requests: { storage: `${args.volumeGiB ?? 100}Gi` } },
            ...(args.storageClass ? { storageClassName: args.storageClass } : {}),
        };
        return new k8s.apps.v1.StatefulSet(
            ctx.childName("statefulset"),
            {
                metadata: {
                    // The claim template is immutable, and the provider cannot preview replacing a
                    // named StatefulSet in place (cluster:check): a new claim gives a new name, the
                    // new set is created and the old one deleted. Clients use the Service.
                    name: `ollama-${contentSuffix(claim)}`,
                    namespace: args.namespace,
                    labels,
                    annotations: kubeScoreIgnore(replicas < 2 ? ["statefulset-has-host-podantiaffinity"] : [], "staging runs one LLM replica by design"),
                },
                spec: {
                    replicas,
                    serviceName: "ollama-headless",
                    // Replicas are independent servers: start and replace them in parallel.
                    podManagementPolicy: "Parallel",
                    // maxUnavailable is alpha for StatefulSets (feature gate off by default): the
                    // API server drops it, which is a diff on every preview (cluster:check).
                    updateStrategy: { type: "RollingUpdate" },
                    selector: { matchLabels: selector },
                    template,
                    volumeClaimTemplates: [
                        {
                            metadata: { name: "models", labels },
                            spec: claim,
                        },
                    ],
                    // A model cache: regenerable, dropped with the set (no orphaned volumes when a
                    // new claim template replaces it) and when it shrinks.
                    persistentVolumeClaimRetentionPolicy: { whenDeleted: "Delete", whenScaled: "Delete" },
                },
            },
            // Delete before replace: the new set's pods need the GPUs the old set's pods hold.
            ctx.opts(immutable("StatefulSet")),
        );
    }

    /** With a ReadWriteMany class: one shared volume and a Deployment. */
    private createSharedWorkload(
        ctx: K8sContext,
        args: LlmArgs,
        labels: Record<string, string>,
        selector: Record<string, string>,
        template: k8s.types.input.core.v1.PodTemplateSpec,
    ): k8s.apps.v1.Deployment {
        new k8s.core.v1.PersistentVolumeClaim(
            ctx.childName("models"),
            {
                metadata: { name: "ollama-models", namespace: args.namespace, labels },
                spec: {
                    accessModes: ["ReadWriteMany"],
                    resources: { requests: { storage: `${args.volumeGiB ?? 100}Gi` } },
                    storageClassName: args.sharedStorageClass,
                },
            },
            ctx.opts(immutable("PersistentVolumeClaim")),
        );
        return new k8s.apps.v1.Deployment(
            ctx.childName("deployment"),
            {
                metadata: { name: "ollama", namespace: args.namespace, labels },
                spec: {
                    replicas: args.replicas ?? 1,
                    // No spare GPU to surge into: replace one pod at a time.
                    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
                    selector: { matchLabels: selector },
                    template,
                },
            },
            ctx.opts(immutable("Deployment")),
        );
    }

    /** The ClusterIP Service clients use, and the headless Service of the StatefulSet. */
    private createServices(
        ctx: K8sContext,
        args: LlmArgs,
        labels: Record<string, string>,
        selector: Record<string, string>,
        workload: pulumi.Resource,
    ): k8s.core.v1.Service {
        if (!args.sharedStorageClass)
            new k8s.core.v1.Service(
                ctx.childName("headless"),
                {
                    metadata: { name: "ollama-headless", namespace: args.namespace, labels },
                    spec: { clusterIP: "None", selector, ports: [{ name: "http", port: OLLAMA_PORT, targetPort: "http" }] },
                },
                ctx.opts(immutable("Service")),
            );
        return new k8s.core.v1.Service(
            ctx.childName("service"),
            {
                metadata: { name: "ollama", namespace: args.namespace, labels },
                spec: { type: "ClusterIP", selector, ports: [{ name: "http", port: OLLAMA_PORT, targetPort: "http" }] },
            },
            ctx.opts({ dependsOn: [workload] }),
        );
    }
}
