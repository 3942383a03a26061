import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { typeToken } from "../core/naming";
import { Validator } from "../core/validation";
import { immutable, K8sCommonArgs, K8sContext, kubeScoreIgnore, preferSpreadOverNodes, restrictedPodSpec } from "./common";

/** Port the static server listens on (unprivileged: above 1024). */
export const FRONTEND_PORT = 8080;

/** Replicas of the front end per environment: production runs two or more under an HPA with a PDB. */
export const FRONTEND_REPLICAS = { development: { min: 1, max: 1 }, staging: { min: 1, max: 1 }, production: { min: 2, max: 4 } } as const;

/** CPU and memory of one front-end pod (nginx serving files). */
export const FRONTEND_RESOURCES = { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "250m", memory: "128Mi" } } as const;

export interface FrontendArgs extends K8sCommonArgs {
    /** Namespace of the front end (the app zone). */
    namespace: pulumi.Input<string>;
    /** Image of the static server with the built app: nginx-unprivileged based, files in /usr/share/nginx/html, pinned. */
    image: string;
    /** Namespace of the gateway / ingress controller pods: only they reach the front end. */
    edgeControllerNamespace: string;
    /** Labels of the controller's pods (required in kube-system). @default {} (the whole namespace) */
    edgeControllerPodSelector?: Record<string, string>;
}

/**
 * The server configuration mounted over the image's: port 8080, the SPA fallback (an unknown path
 * serves index.html), index.html never cached, gzip, no version banner, a /healthz for the probes,
 * and every temporary file under /tmp (the root filesystem is read-only).
 */
export const NGINX_CONF = `server {
    listen ${FRONTEND_PORT};
    server_name _;
    root /usr/share/nginx/html;
    server_tokens off;
    gzip on;
    gzip_types text/css text/javascript application/javascript application/json image/svg+xml application/manifest+json;
    client_body_temp_path /tmp/client_temp;
    proxy_temp_path /tmp/proxy_temp;
    fastcgi_temp_path /tmp/fastcgi_temp;
    uwsgi_temp_path /tmp/uwsgi_temp;
    scgi_temp_path /tmp/scgi_temp;
    location = /healthz { access_log off; default_type text/plain; return 200 "ok\\n"; }
    location = /index.html { add_header Cache-Control "no-cache"; }
    location / { try_files $uri $uri/ /index.html; }
}
`;

/**
 * The web front end on Kubernetes: an unprivileged static server (Pod Security restricted: non-root
 * 10001, read-only root with an emptyDir /tmp, drop ALL, RuntimeDefault seccomp, port 8080) with
 * the SPA configuration, a ClusterIP Service, a NetworkPolicy admitting the edge controller only,
 * and in production an HPA (2 to 4) and a PodDisruptionBudget. The edge routes `/` to it.
 */
export class Frontend extends pulumi.ComponentResource {
    /** Name of the Service. */
    readonly serviceName: pulumi.Output<string>;
    /** Port of the Service. */
    readonly port: number;

    constructor(name: string, args: FrontendArgs, opts?: pulumi.ComponentResourceOptions) {
        validateFrontend(name, args);
        super(typeToken("kubernetes", "Frontend"), name, {}, opts);
        const ctx = new K8sContext(name, args, this);
        const labels = ctx.labels("frontend", { "app.kubernetes.io/component": "frontend" });
        const selector = ctx.selector("frontend");
        const replicas = FRONTEND_REPLICAS[args.environment];

        const sa = new k8s.core.v1.ServiceAccount(
            ctx.childName("sa"),
            { metadata: { name: "frontend", namespace: args.namespace, labels }, automountServiceAccountToken: false },
            ctx.opts(),
        );
        const config = new k8s.core.v1.ConfigMap(
            ctx.childName("config"),
            { metadata: { name: "frontend-nginx", namespace: args.namespace, labels }, data: { "default.conf": NGINX_CONF } },
            ctx.opts(),
        );
        const probe = (failureThreshold: number, periodSeconds: number) => ({
            httpGet: { path: "/healthz", port: "http" },
            periodSeconds,
            timeoutSeconds: 2,
            failureThreshold,
        });
        const deployment = new k8s.apps.v1.Deployment(
            ctx.childName("deployment"),
            {
                metadata: {
                    name: "frontend",
                    namespace: args.namespace,
                    labels,
                    annotations: kubeScoreIgnore(
                        replicas.max > 1 ? [] : ["deployment-replicas"],
                        "staging and development run one front-end replica by design",
                    ),
                },
                spec: {
                    // With an HPA (production) it owns the count.
                    ...(replicas.max > replicas.min ? {} : { replicas: replicas.min }),
                    revisionHistoryLimit: 5,
                    selector: { matchLabels: selector },
                    strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
                    template: {
                        // A new configuration rolls the pods.
                        metadata: { labels: { ...labels, ...selector }, annotations: { "ragstack.dev/nginx-conf": hashOf(NGINX_CONF) } },
                        spec: restrictedPodSpec({
                            serviceAccountName: sa.metadata.name,
                            enableServiceLinks: false,
                            terminationGracePeriodSeconds: 15,
                            affinity: preferSpreadOverNodes(selector),
                            containers: [
                                {
                                    name: "frontend",
                                    image: ctx.image(args.image),
                                    imagePullPolicy: "IfNotPresent",
                                    ports: [{ name: "http", containerPort: FRONTEND_PORT, protocol: "TCP" }],
                                    env: [{ name: "NGINX_ENTRYPOINT_QUIET_LOGS", value: "1" }],
                                    resources: {
                                        requests: { ...FRONTEND_RESOURCES.requests, "ephemeral-storage": "16Mi" },
                                        limits: { ...FRONTEND_RESOURCES.limits, "ephemeral-storage": "128Mi" },
                                    },
                                    readinessProbe: probe(3, 5),
                                    // Liveness asks only whether nginx answers (not the same probe as readiness).
                                    livenessProbe: { tcpSocket: { port: "http" }, periodSeconds: 15, timeoutSeconds: 2, failureThreshold: 3 },
                                    volumeMounts: [
                                        { name: "tmp", mountPath: "/tmp" },
                                        { name: "config", mountPath: "/etc/nginx/conf.d", readOnly: true },
                                    ],
                                },
                            ],
                            volumes: [
                                { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
                                { name: "config", configMap: { name: config.metadata.name } },
                            ],
                        }),
                    },
                },
            },
            ctx.opts({ ...(replicas.max > replicas.min ? { ignoreChanges: ["spec.replicas"] } : {}), ...immutable("Deployment") }),
        );
        const service = new k8s.core.v1.Service(
            ctx.childName("service"),
            {
                metadata: { name: "frontend", namespace: args.namespace, labels },
                spec: { type: "ClusterIP", selector, ports: [{ name: "http", port: FRONTEND_PORT, targetPort: "http", protocol: "TCP" }] },
            },
            ctx.opts(),
        );
        // Only the edge controller reaches the front end; it reaches nothing (the zone's default deny).
        new k8s.networking.v1.NetworkPolicy(
            ctx.childName("ingress"),
            {
                metadata: { name: "frontend-ingress", namespace: args.namespace, labels },
                spec: {
                    podSelector: { matchLabels: { "app.kubernetes.io/name": "frontend" } },
                    policyTypes: ["Ingress"],
                    ingress: [
                        {
                            from: [
                                {
                                    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": args.edgeControllerNamespace } },
                                    ...(Object.keys(args.edgeControllerPodSelector ?? {}).length > 0
                                        ? { podSelector: { matchLabels: args.edgeControllerPodSelector } }
                                        : {}),
                                },
                            ],
                            ports: [{ protocol: "TCP", port: FRONTEND_PORT }],
                        },
                    ],
                },
            },
            ctx.opts(),
        );
        if (replicas.max > replicas.min) {
            new k8s.autoscaling.v2.HorizontalPodAutoscaler(
                ctx.childName("hpa"),
                {
                    metadata: { name: "frontend", namespace: args.namespace, labels },
                    spec: {
                        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: deployment.metadata.name },
                        minReplicas: replicas.min,
                        maxReplicas: replicas.max,
                        metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }],
                    },
                },
                ctx.opts(),
            );
            new k8s.policy.v1.PodDisruptionBudget(
                ctx.childName("pdb"),
                { metadata: { name: "frontend", namespace: args.namespace, labels }, spec: { minAvailable: 1, selector: { matchLabels: selector } } },
                ctx.opts(),
            );
        }
        this.serviceName = service.metadata.name;
        this.port = FRONTEND_PORT;
        this.registerOutputs({ serviceName: this.serviceName });
    }
}

/** A short stable hash of the configuration (FNV-1a). */
function hashOf(text: string): string {
    let h = 2166136261;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
    return (h >>> 0).toString(16).padStart(8, "0");
}

/** Refuses bad arguments before anything is registered. */
function validateFrontend(name: string, args: FrontendArgs): void {
    const v = new Validator(`Frontend ${name}`);
    v.image("image", args.image);
    v.nonEmpty("edgeControllerNamespace", args.edgeControllerNamespace);
    if (args.edgeControllerNamespace === "kube-system" && Object.keys(args.edgeControllerPodSelector ?? {}).length === 0)
        v.fail("edgeControllerPodSelector", args.edgeControllerPodSelector, "the edge controller's pod labels when edgeControllerNamespace is kube-system");
    v.throwIfAny();
}
