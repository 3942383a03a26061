import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { typeToken } from "../core/naming";
import { k8sMemory } from "../core/sizing";
import { Validator } from "../core/validation";
import { K8sCommonArgs, K8sContext, kubeScoreIgnore, preferSpreadOverNodes, restrictedContainerSecurity, restrictedPodSecurity } from "./common";

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
    /** Pods (each with its own GPU). @default 1 */
    replicas?: number;
    /** GPUs per pod. @default 1 */
    gpus?: number;
    /** Model volume GiB. @default 100 */
    volumeGiB?: number;
    /** StorageClass of the model volume. @default cluster default */
    storageClass?: string;
    /** Node selector of GPU nodes. @default { "nvidia.com/gpu.present": "true" } */
    nodeSelector?: Record<string, string>;
    /** Taint key tolerated. @default "nvidia.com/gpu" */
    tolerationKey?: string;
    /** RuntimeClass (e.g. `nvidia`). @default none */
    runtimeClassName?: string;
    /** How long Ollama keeps a model loaded (OLLAMA_KEEP_ALIVE). @default "24h" */
    keepAlive?: string;
    /** Memory limit MiB. @default 24576 */
    memoryMiB?: number;
}

/**
 * Ollama on GPU nodes: `nvidia.com/gpu` limits, node selector, GPU taint toleration, optional
 * RuntimeClass; non-root with HOME and OLLAMA_MODELS on a ReadWriteOnce PVC (so the Deployment
 * uses `Recreate`); models pre-pulled by an init container; a startup probe with a 20-minute
 * budget; the restricted security context. No privilege is needed to use a GPU.
 */
export class Llm extends pulumi.ComponentResource {
    /** Cluster DNS name of the Service. */
    readonly serviceHost: pulumi.Output<string>;
    /** Internal endpoint URL. */
    readonly endpoint: pulumi.Output<string>;

    constructor(name: string, args: LlmArgs, opts?: pulumi.ComponentResourceOptions) {
        const v = new Validator(`Llm ${name}`);
        v.image("image", args.image);
        if (!Array.isArray(args.models) || args.models.length === 0) v.fail("models", args.models, "at least one model such as llama3.1:8b");
        v.int("replicas", args.replicas ?? 1, 0, 50);
        v.int("gpus", args.gpus ?? 1, 1, 8);
        v.throwIfAny();
        super(typeToken("kubernetes", "Llm"), name, {}, opts);
        const ctx = new K8sContext(name, args, this);
        const labels = ctx.labels("ollama", { "app.kubernetes.io/component": "llm" });
        const selector = ctx.selector("ollama");
        const gpus = String(args.gpus ?? 1);
        // Canonical quantity (24Gi, not 24576Mi): what the API server and the provider write back.
        const memory = k8sMemory(args.memoryMiB ?? 24576);

        const sa = new k8s.core.v1.ServiceAccount(
            ctx.childName("sa"),
            { metadata: { name: "ollama", namespace: args.namespace, labels }, automountServiceAccountToken: false },
            ctx.opts(),
        );
        const pvc = new k8s.core.v1.PersistentVolumeClaim(
            ctx.childName("models"),
            {
                metadata: { name: "ollama-models", namespace: args.namespace, labels },
                spec: {
                    accessModes: ["ReadWriteOnce"],
                    resources: { requests: { storage: `${args.volumeGiB ?? 100}Gi` } },
                    ...(args.storageClass ? { storageClassName: args.storageClass } : {}),
                },
            },
            ctx.dataOpts(),
        );
        const env = [
            { name: "HOME", value: "/models" },
            { name: "OLLAMA_MODELS", value: "/models/models" },
            { name: "OLLAMA_HOST", value: "0.0.0.0:11434" },
            { name: "OLLAMA_KEEP_ALIVE", value: args.keepAlive ?? "24h" },
        ];
        const mounts = [
            { name: "models", mountPath: "/models" },
            { name: "tmp", mountPath: "/tmp" },
        ];
        const gpuResources = {
            requests: { cpu: "2", memory, "nvidia.com/gpu": gpus, "ephemeral-storage": "512Mi" },
            limits: { cpu: "8", memory, "nvidia.com/gpu": gpus, "ephemeral-storage": "4Gi" },
        };
        const deployment = new k8s.apps.v1.Deployment(
            ctx.childName("deployment"),
            {
                metadata: {
                    name: "ollama",
                    namespace: args.namespace,
                    labels,
                    annotations: kubeScoreIgnore(
                        ["deployment-strategy", ...((args.replicas ?? 1) < 2 ? ["deployment-replicas"] : [])],
                        "Recreate: the model volume is ReadWriteOnce and a GPU cannot be shared during a rollout; one replica in staging by design",
                    ),
                },
                spec: {
                    replicas: args.replicas ?? 1,
                    // The model volume is ReadWriteOnce: a rolling update would deadlock on it.
                    strategy: { type: "Recreate" },
                    selector: { matchLabels: selector },
                    template: {
                        metadata: { labels: { ...labels, ...selector } },
                        spec: {
                            serviceAccountName: sa.metadata.name,
                            automountServiceAccountToken: false,
                            securityContext: restrictedPodSecurity(),
                            enableServiceLinks: false,
                            affinity: preferSpreadOverNodes(selector),
                            nodeSelector: args.nodeSelector ?? { "nvidia.com/gpu.present": "true" },
                            tolerations: [{ key: args.tolerationKey ?? "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
                            ...(args.runtimeClassName ? { runtimeClassName: args.runtimeClassName } : {}),
                            initContainers: [
                                {
                                    name: "model-pull",
                                    image: ctx.image(args.image),
                                    imagePullPolicy: "IfNotPresent",
                                    command: ["sh", "-c"],
                                    args: [
                                        `ollama serve >/tmp/serve.log 2>&1 & for i in $(seq 1 60); do ollama list >/dev/null 2>&1 && break; sleep 2; done; for m in ${args.models.join(" ")}; do ollama pull "$m" || exit 1; done`,
                                    ],
                                    env,
                                    resources: {
                                        requests: { cpu: "500m", memory: "1Gi", "ephemeral-storage": "256Mi" },
                                        limits: { cpu: "2", memory: "4Gi", "ephemeral-storage": "2Gi" },
                                    },
                                    securityContext: restrictedContainerSecurity(true),
                                    volumeMounts: mounts,
                                },
                            ],
                            containers: [
                                {
                                    name: "ollama",
                                    image: ctx.image(args.image),
                                    imagePullPolicy: "IfNotPresent",
                                    ports: [{ name: "http", containerPort: 11434, protocol: "TCP" }],
                                    env,
                                    resources: gpuResources,
                                    startupProbe: { tcpSocket: { port: "http" }, periodSeconds: 10, failureThreshold: 120 },
                                    readinessProbe: { httpGet: { path: "/", port: "http" }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
                                    livenessProbe: { tcpSocket: { port: "http" }, periodSeconds: 30, timeoutSeconds: 10, failureThreshold: 5 },
                                    securityContext: restrictedContainerSecurity(true),
                                    volumeMounts: mounts,
                                },
                            ],
                            volumes: [
                                { name: "models", persistentVolumeClaim: { claimName: pvc.metadata.name } },
                                { name: "tmp", emptyDir: { sizeLimit: "2Gi" } },
                            ],
                        },
                    },
                },
            },
            ctx.opts(),
        );
        const service = new k8s.core.v1.Service(
            ctx.childName("service"),
            {
                metadata: { name: "ollama", namespace: args.namespace, labels },
                spec: { type: "ClusterIP", selector, ports: [{ name: "http", port: 11434, targetPort: "http" }] },
            },
            ctx.opts({ dependsOn: [deployment] }),
        );
        new k8s.policy.v1.PodDisruptionBudget(
            ctx.childName("pdb"),
            { metadata: { name: "ollama", namespace: args.namespace, labels }, spec: { maxUnavailable: 1, selector: { matchLabels: selector } } },
            ctx.opts(),
        );
        this.serviceHost = pulumi.interpolate`${service.metadata.name}.${args.namespace}.svc.cluster.local`;
        this.endpoint = pulumi.interpolate`http://${this.serviceHost}:11434`;
        this.registerOutputs({ endpoint: this.endpoint });
    }
}
