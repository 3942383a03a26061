/**
 * Kubernetes rules: Pod Security "restricted" (one rule per control), RBAC, network isolation,
 * TLS at the edge and in CloudNativePG, images, resources, probes and production resilience.
 */
import { isProduction, list, Rule, StackFinding, StackResource } from "./framework";

export const K8S_WORKLOAD_TYPES = [
    "kubernetes:apps/v1:Deployment",
    "kubernetes:apps/v1:StatefulSet",
    "kubernetes:apps/v1:DaemonSet",
    "kubernetes:apps/v1:ReplicaSet",
    "kubernetes:batch/v1:Job",
    "kubernetes:batch/v1:CronJob",
    "kubernetes:core/v1:Pod",
];
const LONG_RUNNING = ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:apps/v1:DaemonSet"];
const CR = "kubernetes:";

/** The pod spec of any workload kind. */
export function podSpecOf(type: string, props: any): any {
    if (type === "kubernetes:core/v1:Pod") return props.spec ?? {};
    if (type === "kubernetes:batch/v1:CronJob") return props.spec?.jobTemplate?.spec?.template?.spec ?? {};
    return props.spec?.template?.spec ?? {};
}
function podLabelsOf(type: string, props: any): Record<string, string> {
    if (type === "kubernetes:core/v1:Pod") return props.metadata?.labels ?? {};
    if (type === "kubernetes:batch/v1:CronJob") return props.spec?.jobTemplate?.spec?.template?.metadata?.labels ?? {};
    return props.spec?.template?.metadata?.labels ?? {};
}
function allContainers(pod: any): any[] {
    return [...list<any>(pod.initContainers), ...list<any>(pod.containers), ...list<any>(pod.ephemeralContainers)];
}
function objName(props: any): string {
    return props.metadata?.name ?? "(unnamed)";
}
/** Runs a per-container check over every container of a workload. */
function perContainer(check: (c: any, pod: any) => string | undefined) {
    return (props: any, ctx: { type: string }) => {
        const pod = podSpecOf(ctx.type, props);
        return allContainers(pod)
            .map((c) => check(c, pod))
            .filter((m): m is string => !!m);
    };
}

const pss = (control: string) => ({ "NIST-800-53": ["AC-6", "CM-7"], CIS: [`Kubernetes 5.2 (${control})`] });

function isCustom(r: StackResource, kind: string): boolean {
    return r.type.startsWith(CR) && r.props?.kind === kind;
}
function matchesSelector(selector: any, labels: Record<string, string>): boolean {
    const ml = selector?.matchLabels ?? {};
    const exprs = list<any>(selector?.matchExpressions);
    return (
        Object.entries(ml).every(([k, v]) => labels[k] === v) &&
        exprs.every((e) => (e.operator === "In" ? list(e.values).includes(labels[e.key]) : e.operator === "Exists" ? e.key in labels : true))
    );
}

export const kubernetesRules: Rule[] = [
    // ------------------------------------------------------------ Pod Security "restricted"
    {
        kind: "resource",
        name: "kubernetes-core-pod-disallow-privileged",
        description: "Containers must not run privileged.",
        severity: "critical",
        category: "least-privilege",
        target: "kubernetes",
        frameworks: pss("privileged"),
        remediation: "Set securityContext.privileged: false.",
        types: K8S_WORKLOAD_TYPES,
        check: perContainer((c) => (c.securityContext?.privileged === true ? `container ${c.name} is privileged` : undefined)),
    },
    {
        kind: "resource",
        name: "kubernetes-core-pod-disallow-privilege-escalation",
        description: "Containers must set allowPrivilegeEscalation: false.",
        severity: "high",
        category: "least-privilege",
        target: "kubernetes",
        frameworks: pss("allowPrivilegeEscalation"),
        remediation: "Set securityContext.allowPrivilegeEscalation: false.",
        types: K8S_WORKLOAD_TYPES,
        check: perContainer((c) => (c.securityContext?.allowPrivilegeEscalation !== false ? `container ${c.name} may escalate privileges` : undefined)),
    },
    {
        kind: "resource",
        name: "kubernetes-core-pod-require-run-as-non-root",
        description: "Pods must run as a non-root, non-zero UID.",
        severity: "high",
        category: "least-privilege",
        target: "kubernetes",
        frameworks: pss("runAsNonRoot"),
        remediation: "Set runAsNonRoot: true and runAsUser to a non-zero UID.",
        types: K8S_WORKLOAD_TYPES,
        check: perContainer((c, pod) => {
            const nonRoot = c.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
            const uid = c.securityContext?.runAsUser ?? pod.securityContext?.runAsUser;
            return nonRoot !== true || uid === 0 ? `container ${c.name} may run as root` : undefined;
        }),
    },
    {
        kind: "resource",
        name: "kubernetes-core-pod-require-seccomp-profile",
        description: "Pods must use the RuntimeDefault or a Localhost seccomp profile.",
        severity: "medium",
        category: "least-privilege",
        target: "kubernetes",
        frameworks: pss("seccompProfile"),
        remediation: "Set securityContext.seccompProfile.type: RuntimeDefault.",
        types: K8S_WORKLOAD_TYPES,
        check: perContainer((c, pod) => {
            const t = c.securityContext?.seccompProfile?.type ?? pod.securityContext?.seccompProfile?.type;
            return t !== "RuntimeDefault" && t !== "Localhost" ? `container ${c.name} has no seccomp profile` : undefined;
        }),
    },
    {
        kind: "resource",
        name: "kubernetes-core-pod-require-drop-all-capabilities",
        description: "Containers must drop ALL capabilities and add none but NET_BIND_SERVICE.",
        severity: "high",
        category: "least-privilege",
        target: "kubernetes",
        frameworks: pss("capabilities"),
        remediation: "Set securityContext.capabilities.drop: [ALL].",
        types: K8S_WORKLOAD_TYPES,
        check: perContainer((c) => {
            const caps = c.securityContext?.capabilities;
            if (!list(caps?.drop).includes("ALL")) return `container ${c.name} does not drop ALL capabilities`;
            const extra = list<string>(caps?.add).filter((a) => a !== "NET_BIND_SERVICE");
            return extra.length > 0 ? `container ${c.name} adds ${extra.join(", ")}` : undefined;
        }),
    },
    {
        kind: "resource",
        name: "kubernetes-core-pod-disallow-host-namespaces",
        description: "Pods must not share the host's network, PID or IPC namespace.",
        severity: "critical",
        category: "least-privilege",
        target: "kubernetes",
        frameworks: pss("host namespaces"),
        remediation: "Remove hostNetwork, hostPID and hostIPC.",
        types: K8S_WORKLOAD_TYPES,
        check: (p, ctx) => {
            const pod = podSpecOf(ctx.type, p);
            return pod.hostNetwork || pod.hostPID || pod.hostIPC ? "pod shares a host namespace" : undefined;
        },
    },
    {
        kind: "resource",
        name: "kubernetes-core-pod-disallow-host-ports",
        description: "Containers must not bind host ports.",
        severity: "high",
        category: "least-privilege",
        target: "kubernetes",
        frameworks: pss("hostPorts"),
        remediation: "Remove hostPort; expose through a Service.",
        types: K8S_WORKLOAD_TYPES,
        check: perContainer((c) => (list<any>(c.ports).some((p) => p.hostPort) ? `container ${c.name} binds a host port` : undefined)),
    },
    {
        kind: "resource",
        name: "kubernetes-core-pod-disallow-host-path-volumes",
        description: "Pods may only use the volume types of the restricted profile (no hostPath).",
        severity: "critical",
        category: "least-privilege",
        target: "kubernetes",
        frameworks: pss("volume types"),
        remediation: "Use a PersistentVolumeClaim, emptyDir, configMap, secret or projected volume.",
        types: K8S_WORKLOAD_TYPES,
        check: (p, ctx) => {
            const allowed = ["name", "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];
            return list<any>(podSpecOf(ctx.type, p).volumes)
                .filter((v) => Object.keys(v).some((k) => !allowed.includes(k)))
                .map((v) => `volume ${v.name} has a type the restricted profile forbids`);
        },
    },
    {
        kind: "resource",
        name: "kubernetes-core-pod-require-read-only-root-filesystem",
        description: "Containers should have a read-only root filesystem.",
        severity: "medium",
        category: "least-privilege",
        target: "kubernetes",
        frameworks: { "NIST-800-53": ["CM-7", "SI-7"] },
        remediation: "Set readOnlyRootFilesystem: true and mount an emptyDir on writable paths.",
        types: K8S_WORKLOAD_TYPES,
        check: perContainer((c) => (c.securityContext?.readOnlyRootFilesystem !== true ? `container ${c.name} has a writable root filesystem` : undefined)),
    },
    {
        kind: "resource",
        name: "kubernetes-core-pod-disallow-token-automount",
        description: "Pods must not mount a service account token unless they call the API.",
        severity: "medium",
        category: "least-privilege",
        target: "kubernetes",
        frameworks: { "NIST-800-53": ["AC-6"], CIS: ["Kubernetes 5.1.6"] },
        remediation: "Set automountServiceAccountToken: false.",
        types: K8S_WORKLOAD_TYPES,
        check: (p, ctx) => (podSpecOf(ctx.type, p).automountServiceAccountToken !== false ? "pod mounts a service account token" : undefined),
    },
    {
        kind: "resource",
        name: "kubernetes-core-pod-require-dedicated-service-account",
        description: "Long-running workloads must use their own service account, not `default`.",
        severity: "low",
        category: "least-privilege",
        target: "kubernetes",
        frameworks: { CIS: ["Kubernetes 5.1.5"], "NIST-800-53": ["AC-2"] },
        remediation: "Create a ServiceAccount and set serviceAccountName.",
        types: LONG_RUNNING,
        check: (p, ctx) => {
            const sa = podSpecOf(ctx.type, p).serviceAccountName;
            return !sa || sa === "default" ? "workload uses the default service account" : undefined;
        },
    },
    {
        kind: "resource",
        name: "kubernetes-core-serviceaccount-disallow-token-automount",
        description: "Service accounts must not automount tokens by default.",
        severity: "low",
        category: "least-privilege",
        target: "kubernetes",
        frameworks: { CIS: ["Kubernetes 5.1.6"] },
        remediation: "Set automountServiceAccountToken: false on the ServiceAccount.",
        types: ["kubernetes:core/v1:ServiceAccount"],
        check: (p) => (p.automountServiceAccountToken !== false ? "service account automounts its token" : undefined),
    },
    {
        kind: "resource",
        name: "kubernetes-rbac-role-disallow-wildcards",
        description: "Roles must not use `*` in verbs, resources or API groups.",
        severity: "high",
        category: "least-privilege",
        target: "kubernetes",
        frameworks: { CIS: ["Kubernetes 5.1.3"], "NIST-800-53": ["AC-6"] },
        remediation: "List the verbs and resources explicitly.",
        types: ["kubernetes:rbac.authorization.k8s.io/v1:Role", "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole"],
        check: (p) =>
            list<any>(p.rules).some((r) => [...list(r.verbs), ...list(r.resources), ...list(r.apiGroups)].includes("*"))
                ? `role ${objName(p)} uses a wildcard`
                : undefined,
    },
    {
        kind: "resource",
        name: "kubernetes-rbac-binding-disallow-cluster-admin",
        description: "Nothing may be bound to cluster-admin.",
        severity: "critical",
        category: "least-privilege",
        target: "kubernetes",
        frameworks: { CIS: ["Kubernetes 5.1.1"], "NIST-800-53": ["AC-6(5)"] },
        remediation: "Bind a narrow Role instead.",
        types: ["kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding"],
        check: (p) => (p.roleRef?.name === "cluster-admin" ? `${objName(p)} binds cluster-admin` : undefined),
    },
    {
        kind: "resource",
        name: "kubernetes-core-service-disallow-exposed-data-services",
        description: "Data services (database, cache, storage) must not be NodePort or LoadBalancer; no Service may set externalIPs.",
        severity: "high",
        category: "least-privilege",
        target: "kubernetes",
        frameworks: { "NIST-800-53": ["SC-7"], "PCI-DSS": ["1.3.1"] },
        remediation: "Use type ClusterIP and reach data services from inside the cluster.",
        params: {
            dataComponents: { type: "array", default: ["database", "cache", "storage"], description: "app.kubernetes.io/component values of data services." },
        },
        types: ["kubernetes:core/v1:Service"],
        check: (p, ctx) => {
            if (list(p.spec?.externalIPs).length > 0) return "service sets externalIPs";
            const component = p.metadata?.labels?.["app.kubernetes.io/component"];
            const data = (ctx.config.dataComponents as string[]).includes(component) || String(p.metadata?.namespace ?? "").endsWith("-data");
            return data && ["NodePort", "LoadBalancer"].includes(p.spec?.type) ? `data service ${objName(p)} is exposed as ${p.spec.type}` : undefined;
        },
    },
    {
        kind: "resource",
        name: "kubernetes-core-pod-require-pinned-images",
        description: "Images must be pinned by a tag other than `latest` or by digest.",
        severity: "medium",
        category: "compliance",
        target: "kubernetes",
        frameworks: { "NIST-800-53": ["CM-2", "SI-7"] },
        remediation: "Use image:tag (not latest) or image@sha256:digest.",
        types: K8S_WORKLOAD_TYPES,
        check: perContainer((c) => {
            const img = String(c.image ?? "");
            if (/@sha256:[a-f0-9]{64}$/.test(img)) return undefined;
            const tail = img.slice(img.lastIndexOf("/") + 1);
            return !tail.includes(":") || tail.endsWith(":latest") ? `container ${c.name} image ${img} is not pinned` : undefined;
        }),
    },
    {
        kind: "resource",
        name: "kubernetes-core-pod-require-allowed-registries",
        description: "Images must come from the allowed registries (empty list: any).",
        severity: "medium",
        category: "compliance",
        target: "kubernetes",
        frameworks: { "NIST-800-53": ["CM-7(5)", "SR-3"] },
        remediation: "Pull through the allowed registry mirror.",
        params: { allowedRegistries: { type: "array", default: [], description: "Registry prefixes images must start with." } },
        types: K8S_WORKLOAD_TYPES,
        check: (p, ctx) => {
            const allowed = ctx.config.allowedRegistries as string[];
            if (allowed.length === 0) return undefined;
            return allContainers(podSpecOf(ctx.type, p))
                .filter((c) => !allowed.some((r) => String(c.image).startsWith(r.endsWith("/") ? r : `${r}/`)))
                .map((c) => `container ${c.name} image ${c.image} is not from an allowed registry`);
        },
    },
    {
        kind: "resource",
        name: "kubernetes-core-pod-require-resources",
        description: "Containers must set CPU and memory requests and a memory limit.",
        severity: "medium",
        category: "resilience",
        target: "kubernetes",
        frameworks: { "NIST-800-53": ["SC-6"] },
        remediation: "Set resources.requests.cpu/memory and resources.limits.memory.",
        types: K8S_WORKLOAD_TYPES,
        check: perContainer((c) =>
            !c.resources?.requests?.cpu || !c.resources?.requests?.memory || !c.resources?.limits?.memory
                ? `container ${c.name} lacks requests or a memory limit`
                : undefined,
        ),
    },
    {
        kind: "resource",
        name: "kubernetes-core-pod-require-probes",
        description: "Long-running containers must have readiness and liveness probes.",
        severity: "medium",
        category: "resilience",
        target: "kubernetes",
        frameworks: { "NIST-800-53": ["SI-6"] },
        remediation: "Add readinessProbe and livenessProbe (and a startupProbe for slow starts).",
        types: LONG_RUNNING,
        check: (p, ctx) =>
            list<any>(podSpecOf(ctx.type, p).containers)
                .filter((c) => !c.readinessProbe || !c.livenessProbe)
                .map((c) => `container ${c.name} lacks a readiness or liveness probe`),
    },
    {
        kind: "resource",
        name: "kubernetes-core-pod-disallow-literal-secrets",
        description: "Secret-looking environment variables must come from a Secret, not a literal value.",
        severity: "critical",
        category: "least-privilege",
        target: "kubernetes",
        frameworks: { "NIST-800-53": ["IA-5(7)"], "PCI-DSS": ["8.3.2"] },
        remediation: "Use valueFrom.secretKeyRef.",
        types: K8S_WORKLOAD_TYPES,
        check: perContainer((c) => {
            const bad = list<any>(c.env).filter((e) => /PASSWORD|SECRET|TOKEN|API_KEY|ACCESS_KEY/i.test(e.name) && e.value !== undefined);
            return bad.length > 0 ? `container ${c.name} has literal ${bad.map((e) => e.name).join(", ")}` : undefined;
        }),
    },
    {
        kind: "resource",
        name: "kubernetes-core-namespace-require-pod-security-restricted",
        description: "Namespaces must enforce the restricted Pod Security Standard.",
        severity: "high",
        category: "least-privilege",
        target: "kubernetes",
        frameworks: { CIS: ["Kubernetes 5.2.1"], "NIST-800-53": ["CM-7"] },
        remediation: "Label the namespace pod-security.kubernetes.io/enforce=restricted.",
        types: ["kubernetes:core/v1:Namespace"],
        check: (p) =>
            p.metadata?.labels?.["pod-security.kubernetes.io/enforce"] !== "restricted" ? `namespace ${objName(p)} does not enforce restricted` : undefined,
    },
    {
        kind: "resource",
        name: "kubernetes-networking-ingress-require-tls",
        description: "Every Ingress host must be covered by TLS.",
        severity: "high",
        category: "encryption",
        target: "kubernetes",
        frameworks: { "NIST-800-53": ["SC-8"], "PCI-DSS": ["4.2.1"] },
        remediation: "Add spec.tls with every host and a cert-manager certificate.",
        types: ["kubernetes:networking.k8s.io/v1:Ingress"],
        check: (p) => {
            const tlsHosts = list<any>(p.spec?.tls).flatMap((t) => list<string>(t.hosts));
            const missing = list<any>(p.spec?.rules)
                .map((r) => r.host)
                .filter((h) => !tlsHosts.includes(h));
            return missing.length > 0 || tlsHosts.length === 0 ? `Ingress ${objName(p)} serves ${missing.join(", ") || "hosts"} without TLS` : undefined;
        },
    },
    {
        kind: "stack",
        name: "kubernetes-gateway-listener-require-tls",
        description: "Gateway HTTPS listeners must terminate TLS with a certificate; plain HTTP listeners may only carry redirect routes.",
        severity: "high",
        category: "encryption",
        target: "kubernetes",
        frameworks: { "NIST-800-53": ["SC-8"], "PCI-DSS": ["4.2.1"] },
        remediation: "Give HTTPS listeners tls.certificateRefs; attach only RequestRedirect (scheme https) routes to HTTP listeners.",
        check: (resources) => {
            const out: StackFinding[] = [];
            const routes = resources.filter((r) => isCustom(r, "HTTPRoute"));
            for (const gw of resources.filter((r) => isCustom(r, "Gateway"))) {
                for (const l of list<any>(gw.props.spec?.listeners)) {
                    if (l.protocol === "HTTPS" && list(l.tls?.certificateRefs).length === 0)
                        out.push({ urn: gw.urn, name: gw.name, message: `listener ${l.name} has no certificate` });
                    if (l.protocol === "HTTP") {
                        for (const route of routes) {
                            const attached = list<any>(route.props.spec?.parentRefs).some(
                                (ref) => ref.name === gw.props.metadata?.name && (ref.sectionName === l.name || ref.sectionName === undefined),
                            );
                            if (!attached) continue;
                            const redirectOnly = list<any>(route.props.spec?.rules).every(
                                (rule) =>
                                    list(rule.backendRefs).length === 0 &&
                                    list<any>(rule.filters).some((f) => f.type === "RequestRedirect" && f.requestRedirect?.scheme === "https"),
                            );
                            if (!redirectOnly)
                                out.push({
                                    urn: route.urn,
                                    name: route.name,
                                    message: `route ${route.props.metadata?.name} serves plain HTTP on listener ${l.name}`,
                                });
                        }
                    }
                }
            }
            return out;
        },
    },
    {
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
    },
    {
        kind: "resource",
        name: "kubernetes-cnpg-cluster-require-backups",
        description: "CloudNativePG clusters must archive WAL to an object store.",
        severity: "high",
        category: "resilience",
        target: "kubernetes",
        frameworks: { "NIST-800-53": ["CP-9"], "ISO-27001": ["A.8.13"] },
        remediation: "Add the Barman Cloud plugin with isWALArchiver: true (or spec.backup.barmanObjectStore).",
        types: ["kubernetes:postgresql.cnpg.io/v1:Cluster"],
        check: (p) =>
            !list<any>(p.spec?.plugins).some((x) => x.isWALArchiver) && !p.spec?.backup?.barmanObjectStore ? "cluster has no WAL archiving" : undefined,
    },
    {
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
    },
    {
        kind: "stack",
        name: "kubernetes-apps-deployment-require-replicas",
        description: "Production Deployments run at least two replicas (the HPA's minimum when an HPA scales them).",
        severity: "medium",
        category: "resilience",
        target: "kubernetes",
        frameworks: { "NIST-800-53": ["CP-10"] },
        remediation: "Set the HPA's minReplicas (or spec.replicas without an HPA) to 2 or more.",
        params: { minReplicas: { type: "integer", default: 2, description: "Minimum replicas in production." } },
        check: (resources, config) => {
            const hpas = resources.filter((r) => r.type.startsWith("kubernetes:autoscaling/") && r.type.endsWith(":HorizontalPodAutoscaler"));
            return resources
                .filter((r) => r.type === "kubernetes:apps/v1:Deployment" && isProduction(r.props))
                .flatMap((d) => {
                    const hpa = hpas.find(
                        (h) =>
                            h.props.metadata?.namespace === d.props.metadata?.namespace &&
                            h.props.spec?.scaleTargetRef?.kind === "Deployment" &&
                            h.props.spec?.scaleTargetRef?.name === d.props.metadata?.name,
                    );
                    const replicas = Number(hpa ? (hpa.props.spec?.minReplicas ?? 1) : (d.props.spec?.replicas ?? 1));
                    return replicas < config.minReplicas
                        ? [
                              {
                                  urn: (hpa ?? d).urn,
                                  name: (hpa ?? d).name,
                                  message: `deployment ${d.props.metadata?.name} runs ${replicas} replica(s)${hpa ? " (HPA minimum)" : ""}`,
                              },
                          ]
                        : [];
                });
        },
    },
    {
        kind: "stack",
        name: "kubernetes-apps-deployment-require-pdb",
        description: "Production Deployments must be covered by a PodDisruptionBudget.",
        severity: "medium",
        category: "resilience",
        target: "kubernetes",
        frameworks: { "NIST-800-53": ["CP-10"] },
        remediation: "Add a PodDisruptionBudget selecting the pods.",
        check: (resources) => {
            const pdbs = resources.filter((r) => r.type === "kubernetes:policy/v1:PodDisruptionBudget");
            return resources
                .filter((r) => r.type === "kubernetes:apps/v1:Deployment" && isProduction(r.props))
                .filter((d) => {
                    const labels = d.props.spec?.template?.metadata?.labels ?? {};
                    return !pdbs.some((p) => p.props.metadata?.namespace === d.props.metadata?.namespace && matchesSelector(p.props.spec?.selector, labels));
                })
                .map((d) => ({ urn: d.urn, name: d.name, message: `deployment ${d.props.metadata?.name} has no PodDisruptionBudget` }));
        },
    },
    {
        kind: "stack",
        name: "kubernetes-networking-networkpolicy-require-workload-coverage",
        description: "Every workload's namespace denies by default, and an allow policy selects the workload's pods.",
        severity: "high",
        category: "least-privilege",
        target: "kubernetes",
        frameworks: { "NIST-800-53": ["SC-7", "AC-4"], "PCI-DSS": ["1.2.1"], CIS: ["Kubernetes 5.3.2"] },
        remediation: "Add a default-deny NetworkPolicy per namespace and an allow policy per workload.",
        check: (resources) => {
            const policies = resources.filter((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy");
            const out: StackFinding[] = [];
            for (const w of resources.filter((r) => K8S_WORKLOAD_TYPES.includes(r.type))) {
                const ns = w.props.metadata?.namespace;
                const labels = podLabelsOf(w.type, w.props);
                const inNs = policies.filter((p) => p.props.metadata?.namespace === ns);
                const deny = inNs.some(
                    (p) =>
                        Object.keys(p.props.spec?.podSelector ?? {}).length === 0 &&
                        list(p.props.spec?.ingress).length === 0 &&
                        list(p.props.spec?.policyTypes).includes("Ingress"),
                );
                const allow = inNs.some(
                    (p) => Object.keys(p.props.spec?.podSelector?.matchLabels ?? {}).length > 0 && matchesSelector(p.props.spec?.podSelector, labels),
                );
                if (!deny) out.push({ urn: w.urn, name: w.name, message: `namespace ${ns} of ${w.props.metadata?.name} has no default-deny policy` });
                else if (!allow) out.push({ urn: w.urn, name: w.name, message: `no NetworkPolicy selects the pods of ${w.props.metadata?.name}` });
            }
            return out;
        },
    },
    {
        kind: "resource",
        name: "kubernetes-all-resource-require-labels",
        description: "Namespaced workloads and namespaces carry owner, environment and data-classification labels.",
        severity: "low",
        category: "compliance",
        target: "kubernetes",
        frameworks: { "NIST-800-53": ["CM-8"], "ISO-27001": ["A.5.9"] },
        remediation: "Add the ragstack.io/owner, ragstack.io/environment and ragstack.io/data-classification labels.",
        params: {
            requiredLabels: {
                type: "array",
                default: ["ragstack.io/owner", "ragstack.io/environment", "ragstack.io/data-classification"],
                description: "Labels every namespace and workload needs.",
            },
        },
        types: [...K8S_WORKLOAD_TYPES, "kubernetes:core/v1:Namespace"],
        check: (p, ctx) => {
            const labels = p.metadata?.labels ?? {};
            const missing = (ctx.config.requiredLabels as string[]).filter((l) => !labels[l]);
            return missing.length > 0 ? `${objName(p)} lacks labels ${missing.join(", ")}` : undefined;
        },
    },
];
