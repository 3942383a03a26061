import { ResourceRule, list } from "../framework";
import { digestStanding, unpinnedDefaultMessage } from "../../../components/core/images";
import { K8S_WORKLOAD_TYPES, LONG_RUNNING, allContainers, objName, perContainer, podSpecOf, pss } from "./common";

const CNPG_CLUSTER = "kubernetes:postgresql.cnpg.io/v1:Cluster";

export const podDisallowPrivileged: ResourceRule = {
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
};

export const podDisallowPrivilegeEscalation: ResourceRule = {
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
};

export const podRequireRunAsNonRoot: ResourceRule = {
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
};

export const podRequireSeccompProfile: ResourceRule = {
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
};

export const podRequireDropAllCapabilities: ResourceRule = {
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
};

export const podDisallowHostNamespaces: ResourceRule = {
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
};

export const podDisallowHostPorts: ResourceRule = {
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
};

export const podDisallowHostPathVolumes: ResourceRule = {
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
};

export const podRequireReadOnlyRootFilesystem: ResourceRule = {
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
};

export const podDisallowTokenAutomount: ResourceRule = {
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
};

export const podRequireDedicatedServiceAccount: ResourceRule = {
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
};

export const podRequirePinnedImages: ResourceRule = {
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
};

/** The images of a workload or a CloudNativePG cluster, each named for a finding. */
function imagesOf(p: any, type: string): { what: string; image: string }[] {
    if (type === CNPG_CLUSTER) {
        const image = String(p.spec?.imageName ?? "");
        return image ? [{ what: `Cluster ${objName(p)}`, image }] : [];
    }
    return allContainers(podSpecOf(type, p)).map((c) => ({ what: `container ${c.name}`, image: String(c.image ?? "") }));
}

export const podRequireImageDigests: ResourceRule = {
    kind: "resource",
    name: "kubernetes-core-pod-require-image-digests",
    description:
        "Production images are pinned by digest (`image:tag@sha256:<digest>`): the ones the stack sets (the API, the LLM, the front end, every `k8s*Image` override, the CloudNativePG cluster's `imageName`) and the library's defaults once `images.lock.json` holds their digests. A tag can be moved to other content, a digest cannot. Mandatory in production; a default whose digest the lock does not hold yet is `kubernetes-core-pod-require-default-image-digests`'s (advisory).",
    severity: "medium",
    category: "compliance",
    target: "kubernetes",
    productionOnly: true,
    frameworks: { "NIST-800-53": ["CM-2", "SI-7"] },
    remediation:
        "Pin your images as image:tag@sha256:<digest> (apiImage, llmImage, frontendImage, the k8s*Image settings): `crane digest <image:tag>` prints it.",
    types: [...K8S_WORKLOAD_TYPES, CNPG_CLUSTER],
    check: (p, ctx) =>
        imagesOf(p, ctx.type)
            .filter((i) => digestStanding(i.image) === "unpinned")
            .map((i) => `${i.what} image ${i.image} is not pinned by digest (image:tag@sha256:<digest>)`),
};

export const podRequireDefaultImageDigests: ResourceRule = {
    kind: "resource",
    name: "kubernetes-core-pod-require-default-image-digests",
    description:
        "The library's default images run by the digests of `images.lock.json`. Advisory: it finds only defaults whose digest the lock does not hold yet (no registry was reachable where the lock was written); once it holds them, a default without its digest is `kubernetes-core-pod-require-image-digests`'s (mandatory). A released package has every default pinned.",
    severity: "low",
    category: "compliance",
    target: "kubernetes",
    productionOnly: true,
    frameworks: { "NIST-800-53": ["CM-2", "SI-7"] },
    remediation: "Run tools/pin-images.sh where the registries are reachable (crane or skopeo), or use a released package, whose lock is filled.",
    types: [...K8S_WORKLOAD_TYPES, CNPG_CLUSTER],
    check: (p, ctx) =>
        imagesOf(p, ctx.type)
            .filter((i) => digestStanding(i.image) === "unpinned-default")
            .map((i) => unpinnedDefaultMessage(i.what, i.image)),
};

export const podRequireAllowedRegistries: ResourceRule = {
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
};

export const podRequireResources: ResourceRule = {
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
};

export const podRequireProbes: ResourceRule = {
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
};

export const podDisallowLiteralSecrets: ResourceRule = {
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
};

export const podRequireVerifiedDatabaseTls: ResourceRule = {
    kind: "resource",
    name: "kubernetes-core-pod-require-verified-database-tls",
    description:
        "Containers that connect to PostgreSQL must verify the server (sslmode=verify-full with a root certificate): require or prefer encrypt but accept any server, so a pod that can answer on the database's address reads every password.",
    severity: "high",
    category: "encryption",
    target: "kubernetes",
    frameworks: { "NIST-800-53": ["SC-8", "SC-23"], "PCI-DSS": ["4.2.1"] },
    remediation:
        "Set DATABASE_SSLMODE/PGSSLMODE (and any sslmode= in a connection string) to verify-full, with the CA of the server certificate mounted (sslrootcert).",
    types: K8S_WORKLOAD_TYPES,
    check: perContainer((c) => {
        const modes = [
            ...list<any>(c.env)
                .filter((e) => /^(DATABASE_SSLMODE|PGSSLMODE)$/.test(e.name) && typeof e.value === "string")
                .map((e) => `${e.name}=${e.value}`),
            ...[...list<string>(c.command), ...list<string>(c.args)].flatMap((a) => (typeof a === "string" ? (a.match(/sslmode=[\w-]+/g) ?? []) : [])),
        ];
        const weak = modes.filter((m) => !/=verify-full$/.test(m));
        return weak.length > 0 ? `container ${c.name} connects to PostgreSQL without verifying the server (${weak.join(", ")})` : undefined;
    }),
};
