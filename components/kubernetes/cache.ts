import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { typeToken } from "../core/naming";
import { k8sMemory } from "../core/sizing";
import { Validator } from "../core/validation";
import { immutable, K8sCommonArgs, K8sContext, restrictedContainerSecurity, restrictedPodSecurity } from "./common";

export interface CacheArgs extends K8sCommonArgs {
    /** Namespace the objects are created in. */
    namespace: pulumi.Input<string>;
    /** Valkey image, pinned. */
    image: string;
    /** Secret (in `namespace`) with key `password`. */
    passwordSecretName: pulumi.Input<string>;
    /** Read replicas (a second StatefulSet replicating from the primary). @default 0 */
    replicas?: number;
    /** Memory limit MiB (maxmemory is 80% of it). @default 1024 */
    memoryMiB?: number;
    /** Volume GiB. @default 5 */
    storageGiB?: number;
    /** StorageClass of the volumes. @default the cluster's default */
    storageClass?: string;
}

/**
 * Valkey as a StatefulSet: AUTH from a Secret, append-only persistence on a PVC, restricted
 * pods, and an optional replica StatefulSet. Service `valkey` is the primary.
 */
export class Cache extends pulumi.ComponentResource {
    /** Cluster DNS name of the primary. */
    readonly host: pulumi.Output<string>;
    /** Port the service listens on. */
    readonly port = 6379;

    constructor(name: string, args: CacheArgs, opts?: pulumi.ComponentResourceOptions) {
        const v = new Validator(`Cache ${name}`);
        v.image("image", args.image);
        v.int("replicas", args.replicas ?? 0, 0, 5);
        v.throwIfAny();
        super(typeToken("kubernetes", "Cache"), name, {}, opts);
        const ctx = new K8sContext(name, args, this);
        const memory = args.memoryMiB ?? 1024;
        const maxmemory = `${Math.floor(memory * 0.8)}mb`;

        const sa = new k8s.core.v1.ServiceAccount(
            ctx.childName("sa"),
            { metadata: { name: "valkey", namespace: args.namespace, labels: ctx.labels("valkey") }, automountServiceAccountToken: false },
            ctx.opts(),
        );
        const statefulSet = (role: "primary" | "replica", replicas: number) => {
            const selector = { ...ctx.selector("valkey"), "ragstack.io/role": role };
            const labels = { ...ctx.labels("valkey", { "app.kubernetes.io/component": "cache" }), "ragstack.io/role": role };
            const serviceName = role === "primary" ? "valkey-headless" : "valkey-replica-headless";
            new k8s.core.v1.Service(
                ctx.childName(`${role}-headless`),
                {
                    metadata: { name: serviceName, namespace: args.namespace, labels },
                    spec: { clusterIP: "None", selector, ports: [{ name: "valkey", port: 6379, targetPort: "valkey" }] },
                },
                ctx.opts(immutable("Service")),
            );
            // The password never appears on a command line (process lists): the entrypoint writes it
            // from the Secret into a config file on a memory volume, and probes pass it to valkey-cli
            // through REDISCLI_AUTH.
            const valkeyArgs = [
                "--port",
                "6379",
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
                ...(role === "replica" ? ["--replicaof", `valkey-0.valkey-headless`, "6379", "--replica-read-only", "yes"] : []),
            ];
            const entrypoint = [
                "umask 077",
                'printf "requirepass %s\\nmasterauth %s\\n" "$VALKEY_PASSWORD" "$VALKEY_PASSWORD" > /run/valkey/auth.conf',
                "unset VALKEY_PASSWORD",
                'exec valkey-server /run/valkey/auth.conf "$@"',
            ].join("; ");
            const probe = {
                exec: { command: ["sh", "-c", 'REDISCLI_AUTH="$VALKEY_PASSWORD" valkey-cli ping | grep -q PONG'] },
                periodSeconds: 10,
                timeoutSeconds: 3,
            };
            return new k8s.apps.v1.StatefulSet(
                ctx.childName(role),
                {
                    metadata: { name: role === "primary" ? "valkey" : "valkey-replica", namespace: args.namespace, labels },
                    spec: {
                        serviceName,
                        replicas,
                        selector: { matchLabels: selector },
                        podManagementPolicy: "OrderedReady",
                        template: {
                            metadata: { labels: { ...labels, ...selector } },
                            spec: {
                                serviceAccountName: sa.metadata.name,
                                automountServiceAccountToken: false,
                                securityContext: restrictedPodSecurity(),
                                enableServiceLinks: false,
                                containers: [
                                    {
                                        name: "valkey",
                                        image: ctx.image(args.image),
                                        imagePullPolicy: "IfNotPresent",
                                        command: ["sh", "-c", entrypoint, "valkey-server"],
                                        args: valkeyArgs,
                                        env: [{ name: "VALKEY_PASSWORD", valueFrom: { secretKeyRef: { name: args.passwordSecretName, key: "password" } } }],
                                        ports: [{ name: "valkey", containerPort: 6379 }],
                                        resources: {
                                            requests: { cpu: "100m", memory: k8sMemory(memory), "ephemeral-storage": "64Mi" },
                                            limits: { cpu: "1", memory: k8sMemory(memory), "ephemeral-storage": "512Mi" },
                                        },
                                        startupProbe: { ...probe, failureThreshold: 30 },
                                        readinessProbe: { ...probe, failureThreshold: 3 },
                                        livenessProbe: { tcpSocket: { port: "valkey" }, periodSeconds: 20, timeoutSeconds: 3, failureThreshold: 5 },
                                        securityContext: restrictedContainerSecurity(true),
                                        volumeMounts: [
                                            { name: "data", mountPath: "/data" },
                                            { name: "tmp", mountPath: "/tmp" },
                                            { name: "run", mountPath: "/run/valkey" },
                                        ],
                                    },
                                ],
                                volumes: [
                                    { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
                                    // The generated config with the password: memory only, never on disk.
                                    { name: "run", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } },
                                ],
                            },
                        },
                        volumeClaimTemplates: [
                            {
                                metadata: { name: "data", labels },
                                spec: {
                                    accessModes: ["ReadWriteOnce"],
                                    resources: { requests: { storage: `${args.storageGiB ?? 5}Gi` } },
                                    ...(args.storageClass ? { storageClassName: args.storageClass } : {}),
                                },
                            },
                        ],
                        persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
                    },
                },
                ctx.dataOpts(immutable("StatefulSet")),
            );
        };
        statefulSet("primary", 1);
        const primarySelector = { ...ctx.selector("valkey"), "ragstack.io/role": "primary" };
        const service = new k8s.core.v1.Service(
            ctx.childName("service"),
            {
                metadata: { name: "valkey", namespace: args.namespace, labels: ctx.labels("valkey") },
                spec: { type: "ClusterIP", selector: primarySelector, ports: [{ name: "valkey", port: 6379, targetPort: "valkey" }] },
            },
            ctx.opts(),
        );
        if ((args.replicas ?? 0) > 0) {
            statefulSet("replica", args.replicas!);
            new k8s.policy.v1.PodDisruptionBudget(
                ctx.childName("pdb"),
                {
                    metadata: { name: "valkey-replica", namespace: args.namespace, labels: ctx.labels("valkey") },
                    spec: { maxUnavailable: 1, selector: { matchLabels: { ...ctx.selector("valkey"), "ragstack.io/role": "replica" } } },
                },
                ctx.opts(),
            );
        }
        this.host = pulumi.interpolate`${service.metadata.name}.${args.namespace}.svc.cluster.local`;
        this.registerOutputs({ host: this.host });
    }
}
