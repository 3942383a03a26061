import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { typeToken } from "../core/naming";
import { k8sCpu, k8sMemory } from "../core/sizing";
import { Validator } from "../core/validation";
import { immutable, K8sCommonArgs, K8sContext, kubeScoreIgnore, preferSpreadOverNodes, restrictedPodSpec, secretKeysVolume } from "./common";
import { ApiAutoscaling, apiSizing, checkReplicas, defaultsFor, postureFor, SECRET_LIKE_ENV } from "../settings";

/** An environment variable read from a Secret key (never a literal value). */
export interface SecretEnv {
    secretName: pulumi.Input<string>;
    key: string;
}

export interface ApiArgs extends K8sCommonArgs, ApiAutoscaling {
    /** Namespace the objects are created in. */
    namespace: pulumi.Input<string>;
    /** Image, pinned. */
    image: string;
    /** Container port. @default 8000 */
    port?: number;
    /** HTTP health check path. @default "/health" */
    healthPath?: string;
    /** vCPU limit. @default 1 */
    cpu?: number;
    /** MiB limit. @default 2048 */
    memoryMiB?: number;
    /** Non-secret environment. */
    env?: Record<string, pulumi.Input<string>>;
    /** Secret environment, by reference. */
    secretEnv?: Record<string, SecretEnv>;
    /**
     * Keys of Secrets mounted read-only as files (e.g. `ca.crt` of a certificate Secret, so the
     * certificate's private key is not mounted). @default []
     */
    secretFiles?: SecretFiles[];
    /**
     * CI/CD owns the image after the first deploy: later changes of `image` are ignored, so that
     * `pulumi up` does not roll back what the pipeline deployed (`kubectl set image`, Argo CD…). @default false
     */
    imageManagedByCi?: boolean;
    /**
     * Seconds a rollout may make no progress before the Deployment reports `Progressing=False`
     * (`ProgressDeadlineExceeded`): new pods that never pass the readiness probe on the health path
     * never replace the old ones (maxUnavailable 0), the alert `RagApiRolloutStuck` fires and
     * `tools/rollback.sh` returns to the previous template. @default 600
     */
    progressDeadlineSeconds?: number;
}

/** Keys of a Secret (in the API's namespace) mounted read-only as files under `mountPath`. */
export interface SecretFiles {
    /** Volume name (a DNS label). */
    name: string;
    secretName: pulumi.Input<string>;
    /** Keys mounted, each as a file of that name. */
    keys: string[];
    /** Absolute directory. */
    mountPath: string;
}

/**
 * The FastAPI backend: dedicated ServiceAccount without token automount, Deployment with
 * startup/readiness/liveness probes on `/health`, requests and limits, Pod-Security-restricted
 * pods (non-root 10001, read-only root with an emptyDir `/tmp`, drop ALL, RuntimeDefault
 * seccomp), topology spread over nodes and zones, a ClusterIP Service, an HPA on CPU and memory
 * between the environment's min and max, and a PodDisruptionBudget.
 */
export class Api extends pulumi.ComponentResource {
    /** Name of the service. */
    readonly serviceName: pulumi.Output<string>;
    /** Cluster DNS name of the Service. */
    readonly serviceHost: pulumi.Output<string>;
    /** Port the service listens on. */
    readonly port: number;
    /** The pods' service account, `namespace/name` (another stack's RBAC or NetworkPolicy names it). */
    readonly serviceAccount: pulumi.Output<string>;
    /** Labels that select the API's pods (a NetworkPolicy peer). */
    readonly podSelector: Record<string, string>;
    /** Name of the Deployment (what tools/rollback.sh rolls back). */
    readonly deploymentName: pulumi.Output<string>;

    constructor(name: string, args: ApiArgs, opts?: pulumi.ComponentResourceOptions) {
        const settings = apiSettings(name, args);
        super(typeToken("kubernetes", "Api"), name, {}, opts);
        const ctx = new K8sContext(name, args, this);
        const labels = ctx.labels("api", { "app.kubernetes.io/component": "backend" });
        const selector = ctx.selector("api");

        const sa = new k8s.core.v1.ServiceAccount(
            ctx.childName("sa"),
            { metadata: { name: "api", namespace: args.namespace, labels }, automountServiceAccountToken: false },
            ctx.opts(),
        );
        this.serviceAccount = pulumi.interpolate`${sa.metadata.namespace}/${sa.metadata.name}`;
        this.podSelector = selector;
        const deployment = this.createDeployment(ctx, args, settings, sa, labels, selector);
        const service = this.createService(ctx, args, settings.port, labels, selector);
        this.createScaling(ctx, args, settings, deployment, labels, selector);
        this.serviceName = service.metadata.name;
        this.deploymentName = deployment.metadata.name;
        this.serviceHost = pulumi.interpolate`${service.metadata.name}.${args.namespace}.svc.cluster.local`;
        this.port = settings.port;
        this.registerOutputs({ serviceName: this.serviceName });
    }

    /** The Deployment: probes, requests and limits, restricted pods spread over nodes and zones. */
    private createDeployment(
        ctx: K8sContext,
        args: ApiArgs,
        settings: ApiSettings,
        sa: k8s.core.v1.ServiceAccount,
        labels: Record<string, string>,
        selector: Record<string, string>,
    ): k8s.apps.v1.Deployment {
        const env = [
            ...Object.entries(args.env ?? {}).map(([n, value]) => ({ name: n, value })),
            ...Object.entries(args.secretEnv ?? {}).map(([n, ref]) => ({ name: n, valueFrom: { secretKeyRef: { name: ref.secretName, key: ref.key } } })),
        ];
        const probe = (failureThreshold: number, periodSeconds: number) => ({
            httpGet: { path: settings.health, port: "http" },
            periodSeconds,
            timeoutSeconds: 3,
            failureThreshold,
        });
        // Liveness only asks whether the process answers: a failing dependency behind /health
        // takes the pod out of the Service (readiness) without restarting it.
        const liveness = { tcpSocket: { port: "http" }, periodSeconds: 20, timeoutSeconds: 3, failureThreshold: 3 };
        return new k8s.apps.v1.Deployment(
            ctx.childName("deployment"),
            {
                metadata: { name: "api", namespace: args.namespace, labels },
                spec: {
                    // No replicas: the HPA owns the count (a static count would fight it).
                    revisionHistoryLimit: 5,
                    selector: { matchLabels: selector },
                    // No old pod goes before a new one is Ready (readiness on the health path): a
                    // version that never becomes Ready leaves the old ReplicaSet serving, and after the
                    // deadline the Deployment reports ProgressDeadlineExceeded (alerted; tools/rollback.sh).
                    strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
                    progressDeadlineSeconds: settings.progressDeadline,
                    template: {
                        metadata: { labels: { ...labels, ...selector }, ...ctx.rotationAnnotations() },
                        spec: restrictedPodSpec({
                            serviceAccountName: sa.metadata.name,
                            enableServiceLinks: false,
                            terminationGracePeriodSeconds: 30,
                            affinity: preferSpreadOverNodes(selector),
                            topologySpreadConstraints: [
                                // Honor taints: nodes the API cannot run on (GPU nodes) are no domains.
                                // Without it they count as empty domains and cap the API at one pod
                                // per CPU node (found by cluster:check at the autoscaler maximum).
                                {
                                    maxSkew: 1,
                                    topologyKey: "kubernetes.io/hostname",
                                    whenUnsatisfiable: postureFor(args.environment).strictZoneSpread ? "DoNotSchedule" : "ScheduleAnyway",
                                    nodeTaintsPolicy: "Honor",
                                    labelSelector: { matchLabels: selector },
                                },
                                {
                                    maxSkew: 1,
                                    topologyKey: "topology.kubernetes.io/zone",
                                    whenUnsatisfiable: "ScheduleAnyway",
                                    nodeTaintsPolicy: "Honor",
                                    labelSelector: { matchLabels: selector },
                                },
                            ],
                            containers: [
                                {
                                    name: "api",
                                    image: ctx.image(args.image),
                                    imagePullPolicy: "IfNotPresent",
                                    ports: [{ name: "http", containerPort: settings.port, protocol: "TCP" }],
                                    env,
                                    resources: {
                                        requests: { cpu: k8sCpu(settings.cpu / 2), memory: k8sMemory(settings.memory), "ephemeral-storage": "256Mi" },
                                        limits: { cpu: k8sCpu(settings.cpu), memory: k8sMemory(settings.memory), "ephemeral-storage": "2Gi" },
                                    },
                                    startupProbe: probe(30, 5),
                                    readinessProbe: probe(3, 10),
                                    livenessProbe: liveness,
                                    volumeMounts: [
                                        { name: "tmp", mountPath: "/tmp" },
                                        ...settings.files.map((f) => ({ name: f.name, mountPath: f.mountPath, readOnly: true })),
                                    ],
                                },
                            ],
                            volumes: [
                                { name: "tmp", emptyDir: { sizeLimit: "1Gi" } },
                                ...settings.files.map((f) => secretKeysVolume(f.name, f.secretName, f.keys)),
                            ],
                        }),
                    },
                },
            },
            // The HPA owns replicas; with imageManagedByCi the pipeline owns the API's image.
            ctx.opts({
                ignoreChanges: ["spec.replicas", ...(args.imageManagedByCi ? ["spec.template.spec.containers[0].image"] : [])],
                ...immutable("Deployment"),
            }),
        );
    }

    /** The ClusterIP Service. */
    private createService(ctx: K8sContext, args: ApiArgs, port: number, labels: Record<string, string>, selector: Record<string, string>): k8s.core.v1.Service {
        return new k8s.core.v1.Service(
            ctx.childName("service"),
            {
                metadata: { name: "api", namespace: args.namespace, labels },
                spec: { type: "ClusterIP", selector, ports: [{ name: "http", port, targetPort: "http", protocol: "TCP" }] },
            },
            ctx.opts(),
        );
    }

    /** The HPA on CPU and memory between min and max, and the PodDisruptionBudget. */
    private createScaling(
        ctx: K8sContext,
        args: ApiArgs,
        { min, max }: ApiSettings,
        deployment: k8s.apps.v1.Deployment,
        labels: Record<string, string>,
        selector: Record<string, string>,
    ): void {
        const d = defaultsFor(args.environment).api;
        new k8s.autoscaling.v2.HorizontalPodAutoscaler(
            ctx.childName("hpa"),
            {
                metadata: {
                    name: "api",
                    namespace: args.namespace,
                    labels,
                    annotations: kubeScoreIgnore(min < 2 ? ["horizontalpodautoscaler-replicas"] : [], "staging runs one API replica by design (preset min 1)"),
                },
                spec: {
                    scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: deployment.metadata.name },
                    minReplicas: min,
                    maxReplicas: max,
                    metrics: [
                        {
                            type: "Resource",
                            resource: { name: "cpu", target: { type: "Utilization", averageUtilization: args.cpuTargetPercent ?? d.cpuTargetPercent } },
                        },
                        {
                            type: "Resource",
                            resource: {
                                name: "memory",
                                target: { type: "Utilization", averageUtilization: args.memoryTargetPercent ?? d.memoryTargetPercent },
                            },
                        },
                    ],
                    behavior: {
                        scaleDown: { stabilizationWindowSeconds: args.scaleInCooldownSeconds ?? d.scaleInCooldownSeconds },
                        scaleUp: { stabilizationWindowSeconds: args.scaleOutCooldownSeconds ?? d.scaleOutCooldownSeconds },
                    },
                },
            },
            ctx.opts(),
        );
        new k8s.policy.v1.PodDisruptionBudget(
            ctx.childName("pdb"),
            {
                metadata: { name: "api", namespace: args.namespace, labels },
                spec: min > 1 ? { minAvailable: 1, selector: { matchLabels: selector } } : { maxUnavailable: 1, selector: { matchLabels: selector } },
            },
            ctx.opts(),
        );
    }
}

/** The settings the arguments resolve to (environment defaults applied). */
interface ApiSettings {
    port: number;
    health: string;
    cpu: number;
    memory: number;
    min: number;
    max: number;
    files: SecretFiles[];
    progressDeadline: number;
}

/** The settings of an Api, refusing bad arguments before anything is registered. */
function apiSettings(name: string, args: ApiArgs): ApiSettings {
    const z = apiSizing(args, defaultsFor(args.environment).api);
    const s = { port: z.port, health: z.healthPath, cpu: z.cpu, memory: z.memoryMiB, min: z.minReplicas, max: z.maxReplicas };
    const v = new Validator(`Api ${name}`);
    v.image("image", args.image);
    checkReplicas(v, "minReplicas", s.min, "maxReplicas", s.max);
    const progressDeadline = args.progressDeadlineSeconds ?? defaultsFor(args.environment).delivery.progressDeadlineSeconds;
    v.int("progressDeadlineSeconds", progressDeadline, 30, 7200);
    for (const k of Object.keys(args.env ?? {})) if (SECRET_LIKE_ENV.test(k)) v.fail(`env.${k}`, "(hidden)", "no secrets in literal env: use secretEnv");
    const files = args.secretFiles ?? [];
    const seen = new Set(["tmp"]);
    for (const [i, f] of files.entries()) {
        if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(f.name ?? "") || seen.has(f.name))
            v.fail(`secretFiles[${i}].name`, f.name, 'a DNS label, unique, not "tmp"');
        seen.add(f.name);
        if (!/^\/[^\0]*[^/]$/.test(f.mountPath ?? "") || f.mountPath === "/tmp" || f.mountPath.startsWith("/tmp/"))
            v.fail(`secretFiles[${i}].mountPath`, f.mountPath, "an absolute directory outside /tmp, without a trailing /");
        if (!Array.isArray(f.keys) || f.keys.length === 0) v.fail(`secretFiles[${i}].keys`, f.keys, "at least one key of the Secret");
    }
    v.throwIfAny();
    return { ...s, files, progressDeadline };
}
