import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { withRegistry } from "../core/naming";
import { ROTATION_ANNOTATION, rotationKeepers } from "../core/rotation";
import { EnvironmentName } from "../core/types";
import { defaultsFor } from "../settings";

/** Arguments every Kubernetes component takes. */
export interface K8sCommonArgs {
    /** The cluster's provider. Required: nothing is created against an implicit context. */
    provider: k8s.Provider;
    /** `staging` or `production`; production turns on the stricter defaults. */
    environment: EnvironmentName;
    /** Labels written on every object (ownership, environment). @default {} */
    labels?: Record<string, string>;
    /** Registry mirror for images without a registry host (air-gapped). @default "" */
    imageRegistry?: string;
    /** protect + retainOnDelete on stateful objects. @default environment === "production" */
    protectData?: boolean;
    /**
     * Rotation date (YYYY-MM-DD) of the generated credentials: a new value generates new ones,
     * recreates their Secrets (so `kube_secret_created` is the rotation time the age alert reads)
     * and restarts the pods that read them at start. @default "" (generated once)
     */
    secretsRotatedOn?: string;
}

/**
 * Fields the API server refuses to change after creation, per kind. A change to one of them is
 * declared a replacement (`replaceOnChanges`), so that `pulumi preview` shows a replace (refused
 * for protected data) instead of the API server failing the update at apply time (found by
 * cluster:check: a PersistentVolumeClaim's storage class change failed the preview).
 */
export const IMMUTABLE_FIELDS = {
    PersistentVolumeClaim: ["spec.storageClassName", "spec.accessModes", "spec.volumeMode", "spec.selector", "spec.dataSource", "spec.dataSourceRef"],
    StatefulSet: ["spec.selector", "spec.serviceName", "spec.volumeClaimTemplates", "spec.podManagementPolicy"],
    Deployment: ["spec.selector"],
    Job: ["spec.template", "spec.selector", "spec.completions", "spec.completionMode"],
    Service: ["spec.clusterIP", "spec.ipFamilies"],
};

/**
 * Resource options for an object with immutable fields: replaced when one changes, deleted
 * before its replacement is created. The names are fixed, so a create-before-delete replacement
 * would apply to the old object and be refused (found by cluster:check: the preview of a
 * StatefulSet claim-template change failed with "updates to statefulset spec ... are forbidden").
 */
export function immutable(kind: keyof typeof IMMUTABLE_FIELDS): { replaceOnChanges: string[]; deleteBeforeReplace: true } {
    return { replaceOnChanges: IMMUTABLE_FIELDS[kind], deleteBeforeReplace: true };
}

/** UID/GID every workload of this library runs as. */
export const RUN_AS = 10001;

/** Pod-level security context of the Pod Security "restricted" profile. */
export function restrictedPodSecurity(fsGroup = RUN_AS): k8s.types.input.core.v1.PodSecurityContext {
    return {
        runAsNonRoot: true,
        runAsUser: RUN_AS,
        runAsGroup: RUN_AS,
        fsGroup,
        fsGroupChangePolicy: "OnRootMismatch",
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/** Container-level security context of the Pod Security "restricted" profile. */
export function restrictedContainerSecurity(readOnlyRoot = true): k8s.types.input.core.v1.SecurityContext {
    return {
        allowPrivilegeEscalation: false,
        privileged: false,
        readOnlyRootFilesystem: readOnlyRoot,
        runAsNonRoot: true,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/** A container as a pod template writes it, with an optional partial override of the restricted security context. */
export type RestrictedContainerArgs = Omit<k8s.types.input.core.v1.Container, "securityContext"> & {
    /** Merged over the restricted basics (keys keep the basics' order). */
    securityContext?: k8s.types.input.core.v1.SecurityContext;
};

/**
 * A container with the Pod Security "restricted" basics: `securityContext` is
 * {@link restrictedContainerSecurity} (read-only root, no privilege escalation, drop ALL,
 * RuntimeDefault seccomp) with the caller's overrides merged over it, written just before
 * `volumeMounts` (or last).
 */
export function restrictedContainer(container: RestrictedContainerArgs): k8s.types.input.core.v1.Container {
    const { securityContext, volumeMounts, ...rest } = container;
    return {
        ...rest,
        securityContext: { ...restrictedContainerSecurity(), ...securityContext },
        ...(volumeMounts !== undefined ? { volumeMounts } : {}),
    };
}

/** A pod spec as a pod template writes it: plain container lists, an optional partial override of the pod security context. */
export type RestrictedPodSpecArgs = Omit<
    k8s.types.input.core.v1.PodSpec,
    "automountServiceAccountToken" | "securityContext" | "containers" | "initContainers"
> & {
    containers: RestrictedContainerArgs[];
    initContainers?: RestrictedContainerArgs[];
    /** Merged over the restricted basics (keys keep the basics' order). */
    securityContext?: k8s.types.input.core.v1.PodSecurityContext;
};

/**
 * A pod spec with the Pod Security "restricted" basics every workload of this library shares:
 * no service account token, {@link restrictedPodSecurity} (non-root 10001, fsGroup,
 * RuntimeDefault seccomp) with the caller's overrides merged over it, and every container and
 * init container through {@link restrictedContainer}. Key order: `serviceAccountName` and
 * `restartPolicy` (when given), the basics, then the caller's keys in their order.
 */
export function restrictedPodSpec(spec: RestrictedPodSpecArgs): k8s.types.input.core.v1.PodSpec {
    const restricted: Record<string, unknown> = {
        ...(spec.serviceAccountName !== undefined ? { serviceAccountName: spec.serviceAccountName } : {}),
        ...(spec.restartPolicy !== undefined ? { restartPolicy: spec.restartPolicy } : {}),
        automountServiceAccountToken: false,
        securityContext: { ...restrictedPodSecurity(), ...spec.securityContext },
    };
    // The caller's other keys in the caller's order; the container lists in their places.
    for (const [key, value] of Object.entries(spec)) {
        if (key in restricted) continue;
        const containerList = key === "containers" || key === "initContainers";
        restricted[key] = containerList && Array.isArray(value) ? (value as RestrictedContainerArgs[]).map(restrictedContainer) : value;
    }
    return restricted as unknown as k8s.types.input.core.v1.PodSpec;
}

/**
 * Per-object exemption from a kube-score check, with the reason next to it (kube-score reads
 * `kube-score/ignore`; the reason is for reviewers). Undefined when there is none: the
 * Kubernetes provider drops an empty map, so an empty one would differ from what is applied.
 */
export function kubeScoreIgnore(checks: string[], reason: string): Record<string, string> | undefined {
    return checks.length === 0 ? undefined : { "kube-score/ignore": checks.join(","), "ragstack.io/kube-score-ignore-reason": reason };
}

/** Prefer spreading replicas of one workload over different nodes. */
export function preferSpreadOverNodes(selector: Record<string, string>): k8s.types.input.core.v1.Affinity {
    return {
        podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
                { weight: 100, podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: selector } } },
            ],
        },
    };
}

/** Shared helper for names, labels, images and child options. */
export class K8sContext {
    readonly protectData: boolean;
    constructor(
        readonly name: string,
        readonly args: K8sCommonArgs,
        readonly parent: pulumi.Resource,
    ) {
        this.protectData = args.protectData ?? defaultsFor(args.environment).protectData;
    }
    /** The Pulumi name of a child: `<component name>-<part>`. */
    childName(part: string): string {
        return `${this.name}-${part}`;
    }
    labels(component: string, extra: Record<string, string> = {}): Record<string, string> {
        return { ...(this.args.labels ?? {}), "app.kubernetes.io/name": component, ...extra };
    }
    /** Labels a selector matches on (stable across upgrades). */
    selector(component: string): Record<string, string> {
        const instance = this.args.labels?.["app.kubernetes.io/instance"];
        return { "app.kubernetes.io/name": component, ...(instance ? { "app.kubernetes.io/instance": instance } : {}) };
    }
    image(image: string): string {
        return withRegistry(image, this.args.imageRegistry ?? "");
    }
    opts(extra: pulumi.CustomResourceOptions = {}): pulumi.CustomResourceOptions {
        return { parent: this.parent, provider: this.args.provider, ...extra };
    }
    /** Keepers of a generated password: a new rotation date generates a new one. */
    rotationKeepers(): { keepers?: Record<string, string> } {
        return rotationKeepers(this.args.secretsRotatedOn);
    }
    /**
     * Pod-template annotations of a workload that reads generated credentials at start: a new
     * rotation date rolls it. None before the first rotation (the provider drops an empty map).
     */
    rotationAnnotations(): { annotations?: Record<string, string> } {
        return this.args.secretsRotatedOn ? { annotations: { [ROTATION_ANNOTATION]: this.args.secretsRotatedOn } } : {};
    }
    dataOpts(extra: pulumi.CustomResourceOptions = {}): pulumi.CustomResourceOptions {
        return { ...this.opts(extra), protect: this.protectData, retainOnDelete: this.protectData };
    }
}

/** A Secret holding generated values, created in each namespace that needs it; replaced when they change. */
export function secretIn(
    ctx: K8sContext,
    key: string,
    name: string,
    /** Namespace the objects are created in. */
    namespace: pulumi.Input<string>,
    data: Record<string, pulumi.Input<string>>,
    component: string,
): k8s.core.v1.Secret {
    return new k8s.core.v1.Secret(
        ctx.childName(key),
        { metadata: { name, namespace, labels: ctx.labels(component), ...ctx.rotationAnnotations() }, type: "Opaque", stringData: data },
        // New values make a new Secret (same name, so the old one goes first): its creation time is
        // the age the RagSecretNotRotated alert reads. (The provider moves stringData to data.)
        ctx.opts({ replaceOnChanges: ["stringData", "data"], deleteBeforeReplace: true }),
    );
}

/** API version of External Secrets Operator's `ExternalSecret` this library writes (ESO 0.17 and later). */
export const EXTERNAL_SECRETS_API = "external-secrets.io/v1";

/**
 * An External Secrets Operator `ExternalSecret` that keeps Secret `name` in `namespace` in step
 * with `remoteKey` of a `ClusterSecretStore` (one property per key): the same Secret the pods
 * read, with no value in the program, the state or rendered manifests.
 */
export function externalSecretIn(
    ctx: K8sContext,
    key: string,
    name: string,
    namespace: pulumi.Input<string>,
    store: string,
    remoteKey: string,
    properties: string[],
    component: string,
): k8s.apiextensions.CustomResource {
    return new k8s.apiextensions.CustomResource(
        ctx.childName(key),
        {
            apiVersion: EXTERNAL_SECRETS_API,
            kind: "ExternalSecret",
            metadata: { name, namespace, labels: ctx.labels(component) },
            spec: {
                refreshInterval: "1h",
                secretStoreRef: { kind: "ClusterSecretStore", name: store },
                target: { name, creationPolicy: "Owner", deletionPolicy: "Retain", template: { type: "Opaque", metadata: { labels: ctx.labels(component) } } },
                data: properties.map((p) => ({ secretKey: p, remoteRef: { key: remoteKey, property: p } })),
            },
        },
        ctx.opts(),
    );
}

/** What an in-cluster certificate from the internal issuer needs. */
export interface InternalCertificate {
    /** Child key and Secret name (the Certificate has the same name). */
    key: string;
    secretName: string;
    namespace: pulumi.Input<string>;
    /** cert-manager ClusterIssuer (CA or Vault: its Secrets carry `ca.crt`). */
    issuer: string;
    labels: Record<string, string>;
    commonName: string;
    usages: ("server auth" | "client auth")[];
    dnsNames?: pulumi.Input<pulumi.Input<string>[]>;
    ipAddresses?: string[];
    /** Labels of the Secret cert-manager writes (e.g. a reload marker for the server that serves it). */
    secretLabels?: Record<string, string>;
}

/**
 * A cert-manager `Certificate` from the internal issuer: ECDSA P-256, 90 days, renewed 15 days
 * before, a new key on every renewal. A server's Secret stays in the server's namespace; a client
 * namespace gets a client certificate of its own whose `ca.crt` its pods mount (only that key) to
 * verify the server.
 */
export function internalCertificate(ctx: K8sContext, c: InternalCertificate, opts?: pulumi.CustomResourceOptions): k8s.apiextensions.CustomResource {
    return new k8s.apiextensions.CustomResource(
        ctx.childName(c.key),
        {
            apiVersion: "cert-manager.io/v1",
            kind: "Certificate",
            metadata: { name: c.secretName, namespace: c.namespace, labels: c.labels },
            spec: {
                secretName: c.secretName,
                ...(c.secretLabels ? { secretTemplate: { labels: c.secretLabels } } : {}),
                commonName: c.commonName,
                ...(c.dnsNames ? { dnsNames: c.dnsNames } : {}),
                ...(c.ipAddresses ? { ipAddresses: c.ipAddresses } : {}),
                duration: "2160h",
                renewBefore: "360h",
                privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
                usages: c.usages,
                issuerRef: { name: c.issuer, kind: "ClusterIssuer", group: "cert-manager.io" },
            },
        },
        ctx.opts(opts),
    );
}

/** Client certificates of one server, one per client namespace (Secret `secretName` in each). */
export interface ClientCertificates {
    secretName: string;
    namespaces: pulumi.Input<string>[];
    /** cert-manager ClusterIssuer of the server's certificate (the same `ca.crt`). */
    issuer: string;
    labels: Record<string, string>;
    /** The client identity (for PostgreSQL, the role it connects as). */
    commonName: string;
}

/**
 * A client certificate from the internal issuer in each client namespace: its Secret's `ca.crt`
 * is what that namespace's pods verify the server with (only that key is mounted). Child keys
 * `client-certificate-<i>`, in the order of `namespaces`.
 */
export function clientCertificates(ctx: K8sContext, c: ClientCertificates): void {
    for (const [i, namespace] of c.namespaces.entries())
        internalCertificate(ctx, {
            key: `client-certificate-${i}`,
            secretName: c.secretName,
            namespace,
            issuer: c.issuer,
            labels: c.labels,
            commonName: c.commonName,
            usages: ["client auth"],
        });
}

/** A Secret's keys as a read-only volume (only those keys: e.g. `ca.crt` without the private key). */
export function secretKeysVolume(name: string, secretName: pulumi.Input<string>, keys: string[], mode = 0o444): k8s.types.input.core.v1.Volume {
    return { name, secret: { secretName, items: keys.map((key) => ({ key, path: key })), defaultMode: mode } };
}
