/**
 * npm run cluster:check — the Kubernetes target applied for real to a local control plane
 * (tools/cluster/control-plane.ts: etcd, kube-apiserver, kube-controller-manager, kube-scheduler,
 * kwok nodes from the stack's node pools) with the real Pulumi engine and the real policy pack, for
 * staging and production, without skipping any readiness wait:
 *
 *  1. every object is accepted with server-side apply, with no admission or deprecation warning;
 *  2. the API returns the objects with the fields set (security contexts, NetworkPolicies, the
 *     CloudNativePG Cluster);
 *  3. an update applies cleanly; a change of an immutable field is previewed as a replace and
 *     applied (staging);
 *  4. staging destroys and leaves nothing behind; production's protected objects survive a destroy;
 *  5. Deployments, StatefulSets and Jobs create Pods that Pod Security admission and the quotas
 *     admit; quota status is computed;
 *  6. right after `up`, `preview --expect-no-changes` and `refresh --expect-no-changes` pass;
 *  7. everything becomes Ready/Complete on the simulated nodes; the LLM lands on GPU nodes only;
 *  8. every autoscaled workload at its maximum schedules and the quotas admit it, during a rolling
 *     update too;
 *  9. draining a CPU node and a GPU node respects every PodDisruptionBudget and the API never
 *     drops below its PDB minimum; evicted Pods reschedule where capacity allows;
 * 10. the offline plan's capacity verdict and the scheduler agree (at the maximum, and on a node
 *     pool too small for the stack);
 * 11. faults: `pulumi up` interrupted (SIGINT, SIGKILL) and the API server killed mid-apply; after
 *     the recovery the docs give, the next `pulumi up` converges with nothing duplicated, orphaned
 *     or lost and the protected data untouched;
 * 12. upgrade: on a fresh control plane, the previous release (`npm pack` of it, its program and
 *     stack file) deploys the environment, and the current code previews on the same stack file
 *     against the live API server (server-side dry-run): no stateful replace or delete undeclared
 *     (tools/engine/upgrade.ts, the engine check's rule).
 *
 * RAGSTACK_CLUSTER_STEPS: `checks` (1-11), `upgrade` (12), comma-separated; default both.
 *
 * CloudNativePG's operator does not run here (its Go module is not served): its instance Pods are
 * approximated from the Cluster spec by a StatefulSet (resources, anti-affinity, storage), marked
 * `ragstack.io/stand-in: cloudnative-pg`.
 */
import * as assert from "assert";
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as path from "path";
import * as YAML from "yaml";
import { capacity } from "../../analysis/capacity";
import { NodePool, StackSettings } from "../../components/settings";
import { repoRoot } from "../../testing/paths";
import { loadStackConfig } from "../../testing/plan/config";
import { kubernetesObjects, plan } from "../../testing/plan";
import { Steps } from "../engine/steps";

/** A resource of `pulumi stack export` (the fields the orphan check reads). */
interface StateResource {
    type: string;
    outputs?: {
        kind?: string;
        metadata?: { name?: string; namespace?: string };
        spec?: { volumeClaimTemplates?: { metadata?: { name?: string } }[] };
    };
}

/** PVCs a StatefulSet's controller creates from its claim templates (`<template>-<set>-<ordinal>`): not Pulumi's to track. */
function claimTemplatePvcs(state: StateResource[]): RegExp[] {
    return state
        .filter((r) => r.outputs?.kind === "StatefulSet")
        .flatMap((r) =>
            (r.outputs?.spec?.volumeClaimTemplates ?? []).map(
                (t) => new RegExp(`^PersistentVolumeClaim/${r.outputs?.metadata?.namespace ?? ""}/${t.metadata?.name}-${r.outputs?.metadata?.name}-\\d+$`),
            ),
        );
}
import { previousReleaseStep, upgradeStack } from "../engine/upgrade";
import { repairKilledWrite, Workspace } from "../engine/workspace";
import { ControlPlane, waitFor } from "./control-plane";
import { crdManifests, CSI_DRIVER, kwokConfig, NEVER_READY_TAG_SUFFIX, nodeSpecs, storageObjects } from "./fixtures";

const steps = new Steps();
const step = (name: string, f: () => Promise<string | void> | string | void) => steps.run(name, f);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Storage classes the local cluster offers: the default, production's, and one to switch to. */
const STORAGE_CLASSES = ["standard", "ceph-rbd-encrypted", "ceph-rbd-other"];
const packArgs = (env: string) => [
    "--policy-pack",
    path.join(repoRoot(), "policies"),
    "--policy-pack-config",
    path.join(repoRoot(), "policies", "config", `${env}.json`),
];
/** Warnings the API server or the provider give that the stack must not cause. */
const BAD_WARNING = /PodSecurity|would violate|deprecated|unknown field|duplicate (name|port)|will be ignored/i;
/** Warning events that mean a Pod was refused, could not be placed or could not get its volume. */
const BAD_EVENT_REASONS = new Set(["FailedCreate", "FailedScheduling", "FailedAttachVolume", "FailedMount", "FailedBinding", "ProvisioningFailed"]);

let crdCache: string | undefined;

interface Env {
    name: "staging" | "production";
    cp: ControlPlane;
    ws: Workspace;
    settings: StackSettings;
    ns: { app: string; data: string; edge: string };
}

/** The web front end on: every environment of the check deploys it (its pods, PDB, HPA, route and NetworkPolicy). */
const FRONTEND_SET = {
    frontendEnabled: "true",
    frontendImage: "ghcr.io/example-gov/rag-frontend:1.0.0@sha256:85113ed2ff8902486e8d5bc9925299cc0f654c56ba66622033f4696162d3525a",
};

function settingsOf(env: string, set: Record<string, string> = {}): StackSettings {
    return loadStackConfig({ stack: env, target: "kubernetes", set: { ...FRONTEND_SET, ...set } }).settings!;
}

/** A fresh control plane with the CRDs, controllers, storage and the environment's nodes. */
async function bringUp(name: Env["name"], pools?: NodePool[]): Promise<Env> {
    const settings = settingsOf(name);
    const cp = await ControlPlane.start();
    crdCache ??= crdManifests();
    cp.must(["apply", "--server-side", "-f", "-"], crdCache);
    cp.must(["wait", "--for=condition=Established", "crd", "--all", "--timeout=120s"]);
    await cp.startControllers(kwokConfig(STORAGE_CLASSES));
    cp.must(["apply", "--server-side", "-f", "-"], storageObjects(STORAGE_CLASSES));
    cp.createNodes(nodeSpecs(pools ?? settings.kubernetes.nodePools), CSI_DRIVER);
    await waitFor(
        "simulated nodes Ready",
        () => cp.get("nodes").every((n) => n.status?.conditions?.some((c: { type: string; status: string }) => c.type === "Ready" && c.status === "True")),
        60_000,
    );
    const ws = new Workspace(`ragstack-cluster-${name}-`);
    ws.env.KUBECONFIG = cp.kubeconfig;
    ws.initStack(name, { target: "kubernetes", ...FRONTEND_SET });
    const p = settings.kubernetes.namespacePrefix;
    return { name, cp, ws, settings, ns: { app: `${p}-app`, data: `${p}-data`, edge: `${p}-edge` } };
}

/** Runs `pulumi up` with the pack; throws with the errors; returns the warnings worth failing on. */
function up(e: Env, extra: string[] = []): { warnings: string[]; ms: number; steps: Record<string, string[]> } {
    const r = e.ws.events(e.name, ["up", "--yes", "--skip-preview", ...extra], packArgs(e.name));
    if (r.code !== 0) throw new Error(`pulumi up failed (${r.code}): ${r.errors.join("; ")}\n${r.stdout.slice(-3000)}${r.stderr.slice(-1500)}`);
    const warnings = r.events
        .filter((x) => x.diagnosticEvent?.severity === "warning")
        .map((x) => String(x.diagnosticEvent.message).trim())
        .filter((m) => BAD_WARNING.test(m));
    return { warnings, ms: r.ms, steps: r.steps };
}

/** ReadWriteOnce claims that Pods on more than one node use (only one node can attach them). */
function sharedReadWriteOnce(cp: ControlPlane): string[] {
    const rwo = new Set(
        cp
            .get("pvc", "-A")
            .filter((c) => (c.spec.accessModes ?? []).includes("ReadWriteOnce"))
            .map((c) => `${c.metadata.namespace}/${c.metadata.name}`),
    );
    const nodesOf = new Map<string, Set<string>>();
    for (const p of cp.get("pods", "-A"))
        for (const v of p.spec.volumes ?? [])
            if (v.persistentVolumeClaim && p.spec.nodeName) {
                const key = `${p.metadata.namespace}/${v.persistentVolumeClaim.claimName}`;
                if (rwo.has(key)) nodesOf.set(key, new Set([...(nodesOf.get(key) ?? []), p.spec.nodeName]));
            }
    return [...nodesOf].filter(([, nodes]) => nodes.size > 1).map(([claim, nodes]) => `${claim} on ${[...nodes].join(", ")}`);
}

/**
 * Whether a Multi-Attach warning only says that the volume still waits for its detach from the
 * node of the same pod's previous incarnation (the two messages of the attach/detach controller's
 * reconciler), not that another pod holds it.
 */
export function multiAttachIsPendingDetach(message: string, podName: string | undefined): boolean {
    if (/Volume is already exclusively attached to one node and can't be attached to another$/.test(message)) return true;
    return podName !== undefined && new RegExp(`used by pod\\(s\\) ${podName.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`).test(message);
}

/** The fields of an Event the check reads. */
export interface WarningEvent {
    reason?: string;
    message?: string;
    involvedObject?: { kind?: string; name?: string; namespace?: string };
}

/**
 * Whether a Warning event is a transient a controller retries by itself, not a refusal. Each
 * check then proves the outcome (every pod placed and Ready, every PVC bound and attached), so
 * only the transient wording is forgiven here, each seen in a run:
 * - a controller's own request to the API server failing (the injected API server fault): the
 *   message names the server's URL, or its address when the connection was reset;
 * - an optimistic-concurrency conflict ("the object has been modified"), whichever controller
 *   reports it (the scheduler's volume binding, the PV controller saving a claim);
 * - the scheduler's assume cache one version behind a PVC ("is out of sync (stored: N, assume: M)");
 * - binding a pod that is being deleted (a StatefulSet pod replaced while it was scheduled);
 * - a volume still attached to the node of the same pod's previous incarnation (Multi-Attach,
 *   see multiAttachIsPendingDetach). Two different pods holding one ReadWriteOnce volume stay a
 *   defect, and sharedReadWriteOnce checks that too.
 */
export function isTransientWarning(ev: WarningEvent, server: string): boolean {
    const message = String(ev.message ?? "");
    if (new RegExp(`(GET|POST|PUT|PATCH|DELETE|Get|Post|Put|Patch|Delete) "${server}/`).test(message)) return true;
    if (/connection reset by|unexpected error when reading response body/.test(message) && message.includes(new URL(server).host)) return true;
    if (/the object has been modified; please apply your changes to the latest version/.test(message)) return true;
    if (ev.reason === "FailedScheduling" && /PersistentVolumeClaim "[^"]+" is out of sync \(stored: \d+, assume: \d+\)/.test(message)) return true;
    if (ev.reason === "FailedScheduling" && /pod \S+ is being deleted, cannot be assigned to a host/.test(message)) return true;
    return /Multi-Attach error/.test(message) && multiAttachIsPendingDetach(message, ev.involvedObject?.name);
}

/**
 * Whether a quota refusal of a controller's pod was only the quota's usage lagging behind a pod
 * being replaced (a terminating pod still counted; seen after the fault tests): the controller
 * retried and every replica of the workload is Ready now. A quota too small for the workload
 * leaves it short of Ready and stays a defect.
 */
export function quotaRefusalRecovered(ev: WarningEvent, ready: (kind: string, namespace: string, name: string) => boolean): boolean {
    const o = ev.involvedObject;
    if (ev.reason !== "FailedCreate" || !/exceeded quota/.test(String(ev.message ?? ""))) return false;
    if (!o?.kind || !o.namespace || !o.name || !["StatefulSet", "ReplicaSet", "Job"].includes(o.kind)) return false;
    return ready(o.kind, o.namespace, o.name);
}

/** Whether every replica of a controller (StatefulSet, ReplicaSet, Job) is Ready (or the Job complete). */
function controllerReady(cp: ControlPlane, kind: string, namespace: string, name: string): boolean {
    const o = cp.get(`${kind.toLowerCase()}s`, "-n", namespace).find((x) => x.metadata.name === name);
    if (!o) return false;
    if (kind === "Job") return (o.status?.succeeded ?? 0) >= 1;
    return (o.status?.readyReplicas ?? 0) >= (o.spec?.replicas ?? 1);
}

function badEvents(cp: ControlPlane, since = ""): string[] {
    return cp
        .get("events", "-A")
        .filter(
            (ev) =>
                ev.type === "Warning" &&
                (BAD_EVENT_REASONS.has(ev.reason) || /Multi-Attach|exceeded quota|forbidden|violates PodSecurity/.test(ev.message ?? "")),
        )
        .filter((ev) => !since || (ev.lastTimestamp ?? ev.eventTime ?? ev.metadata?.creationTimestamp ?? "") >= since)
        .filter((ev) => !isTransientWarning(ev, cp.server) && !quotaRefusalRecovered(ev, (k, ns, n) => controllerReady(cp, k, ns, n)))
        .map(
            (ev) => `${ev.involvedObject?.namespace}/${ev.involvedObject?.kind}/${ev.involvedObject?.name}: ${ev.reason}: ${String(ev.message).slice(0, 200)}`,
        );
}

/** Workloads of the namespaces that are not Ready/Complete. */
function notReady(cp: ControlPlane, namespaces: string[]): string[] {
    const out: string[] = [];
    for (const ns of namespaces) {
        for (const d of cp.get("deployments", "-n", ns)) {
            const want = d.spec.replicas ?? 1;
            if ((d.status.availableReplicas ?? 0) < want || (d.status.updatedReplicas ?? 0) < want || (d.status.replicas ?? 0) > want)
                out.push(`Deployment ${ns}/${d.metadata.name}: ${d.status.availableReplicas ?? 0}/${want} available`);
        }
        for (const s of cp.get("statefulsets", "-n", ns)) {
            const want = s.spec.replicas ?? 1;
            if ((s.status.readyReplicas ?? 0) < want) out.push(`StatefulSet ${ns}/${s.metadata.name}: ${s.status.readyReplicas ?? 0}/${want} ready`);
        }
        for (const j of cp.get("jobs", "-n", ns)) if (!(j.status.succeeded >= 1)) out.push(`Job ${ns}/${j.metadata.name} not complete`);
    }
    return out;
}

async function allReady(e: Env, timeoutMs = 120_000): Promise<void> {
    const namespaces = [e.ns.app, e.ns.data];
    await waitFor(`every workload Ready (${notReady(e.cp, namespaces).join("; ")})`, () => notReady(e.cp, namespaces).length === 0, timeoutMs, 1000);
}

/** CloudNativePG's instance Pods (and its Pooler's PgBouncer Pods), approximated from their specs (the operator is not available). */
function standInPostgres(e: Env): number {
    const cluster = e.cp.get("clusters.postgresql.cnpg.io", "-n", e.ns.data)[0];
    const instances = cluster.spec.instances ?? 1;
    const selector = { "cnpg.io/cluster": cluster.metadata.name, "cnpg.io/podRole": "instance" };
    const required = cluster.spec.affinity?.podAntiAffinityType === "required";
    const restricted = {
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
    };
    const docs: object[] = [
        {
            apiVersion: "apps/v1",
            kind: "StatefulSet",
            metadata: { name: `${cluster.metadata.name}-instances`, namespace: e.ns.data, labels: { "ragstack.io/stand-in": "cloudnative-pg" } },
            spec: {
                replicas: instances,
                serviceName: `${cluster.metadata.name}-instances`,
                podManagementPolicy: "Parallel",
                selector: { matchLabels: selector },
                template: {
                    metadata: { labels: { ...selector, "ragstack.io/stand-in": "cloudnative-pg" } },
                    spec: {
                        automountServiceAccountToken: false,
                        securityContext: { runAsNonRoot: true, runAsUser: 26, fsGroup: 26, seccompProfile: { type: "RuntimeDefault" } },
                        affinity: required
                            ? {
                                  podAntiAffinity: {
                                      requiredDuringSchedulingIgnoredDuringExecution: [
                                          { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: selector } },
                                      ],
                                  },
                              }
                            : undefined,
                        containers: [{ name: "postgres", image: cluster.spec.imageName, resources: cluster.spec.resources, securityContext: restricted }],
                    },
                },
                volumeClaimTemplates: [
                    {
                        metadata: { name: "pgdata" },
                        spec: {
                            accessModes: ["ReadWriteOnce"],
                            storageClassName: cluster.spec.storage?.storageClass,
                            resources: { requests: { storage: cluster.spec.storage?.size } },
                        },
                    },
                ],
            },
        },
        ...(instances > 1
            ? [
                  {
                      apiVersion: "policy/v1",
                      kind: "PodDisruptionBudget",
                      metadata: { name: `${cluster.metadata.name}-instances`, namespace: e.ns.data },
                      spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
                  },
              ]
            : []),
    ];
    // The Pooler's PgBouncer pods (the operator creates a Deployment from the Pooler's template).
    for (const pooler of e.cp.get("poolers.postgresql.cnpg.io", "-n", e.ns.data)) {
        const labels = { "cnpg.io/poolerName": pooler.metadata.name, "ragstack.io/stand-in": "cloudnative-pg" };
        const template = pooler.spec.template?.spec ?? {};
        docs.push({
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: pooler.metadata.name, namespace: e.ns.data, labels: { "ragstack.io/stand-in": "cloudnative-pg" } },
            spec: {
                replicas: pooler.spec.instances ?? 1,
                selector: { matchLabels: labels },
                template: {
                    metadata: { labels },
                    spec: {
                        automountServiceAccountToken: false,
                        securityContext: { runAsNonRoot: true, runAsUser: 998, seccompProfile: { type: "RuntimeDefault" } },
                        affinity: template.affinity,
                        containers: (template.containers ?? []).map((c: { name: string; resources?: unknown }) => ({
                            name: c.name,
                            image: "ghcr.io/cloudnative-pg/pgbouncer:1.24.1",
                            resources: c.resources,
                            securityContext: restricted,
                        })),
                    },
                },
            },
        });
    }
    e.cp.must(["apply", "--server-side", "-f", "-"], docs.map((d) => YAML.stringify(d)).join("---\n"));
    return instances;
}

function pendingPods(cp: ControlPlane, ns: string): string[] {
    return cp
        .get("pods", "-n", ns)
        .filter((p) => p.status.phase === "Pending")
        .map((p) => p.metadata.name);
}

/** The offline plan's verdict for a stack config: unschedulable pods at the maximum. */
async function planCapacity(env: string, set: Record<string, string>, pools?: NodePool[]) {
    const r = await plan({ stack: env, target: "kubernetes", set: { ...FRONTEND_SET, ...set } });
    return capacity(
        kubernetesObjects(r.records).map((o) => o.object),
        pools ?? r.settings!.kubernetes.nodePools,
    );
}

async function checkEnvironment(e: Env): Promise<void> {
    const env = e.name;
    let upWarnings: string[] = [];

    await step(`${env}: pulumi up against the local API server (server-side apply, every readiness wait)`, () => {
        const r = up(e);
        upWarnings = r.warnings;
        assert.deepStrictEqual(upWarnings, [], "no admission or deprecation warning");
        const changed = Object.entries(r.steps)
            .filter(([op]) => op !== "same")
            .map(([op, names]) => `${names.length} ${op}`);
        return `${changed.join(", ") || "no change"} in ${(r.ms / 1000).toFixed(0)} s, 0 admission or deprecation warnings`;
    });

    await step(`${env}: CloudNativePG instances (stand-in from the Cluster spec), and every workload Ready or Complete`, async () => {
        const n = standInPostgres(e);
        await allReady(e);
        const pods = [...e.cp.get("pods", "-n", e.ns.app), ...e.cp.get("pods", "-n", e.ns.data)];
        const ollama = pods.filter((p) => p.metadata.labels?.["app.kubernetes.io/name"] === "ollama");
        const gpuNodes = new Set(
            e.cp
                .get("nodes")
                .filter((x) => Number(x.status.allocatable?.["nvidia.com/gpu"] ?? 0) > 0)
                .map((x) => x.metadata.name),
        );
        for (const p of ollama) assert.ok(gpuNodes.has(p.spec.nodeName), `${p.metadata.name} on ${p.spec.nodeName}, not a GPU node`);
        return `${pods.length} pods (${n} Postgres instances); the LLM on ${ollama.map((p) => p.spec.nodeName).join(", ")}`;
    });

    await step(`${env}: admission, quotas and volumes: no refused, unplaced or unattached Pod; quota status computed`, () => {
        assert.deepStrictEqual(badEvents(e.cp), []);
        assert.deepStrictEqual(sharedReadWriteOnce(e.cp), [], "a ReadWriteOnce volume used from two nodes");
        for (const q of e.cp.get("resourcequotas", "-A")) assert.ok(q.status?.used, `quota ${q.metadata.namespace}/${q.metadata.name} has no status`);
        for (const pvc of e.cp.get("pvc", "-A")) assert.strictEqual(pvc.status.phase, "Bound", `${pvc.metadata.namespace}/${pvc.metadata.name}`);
        return `${e.cp.get("volumeattachments").length} volume attachments, every PVC bound`;
    });

    await step(`${env}: the API returns the objects with the fields set`, () => {
        const api = e.cp.get("deployments", "-n", e.ns.app).find((d) => d.metadata.name === "api");
        const pod = api.spec.template.spec;
        assert.strictEqual(pod.securityContext.runAsNonRoot, true);
        assert.strictEqual(pod.securityContext.seccompProfile.type, "RuntimeDefault");
        assert.deepStrictEqual(pod.containers[0].securityContext.capabilities.drop, ["ALL"]);
        assert.strictEqual(pod.containers[0].securityContext.readOnlyRootFilesystem, true);
        const policies = [e.ns.app, e.ns.data].flatMap((ns) => e.cp.get("networkpolicies", "-n", ns));
        assert.ok(policies.some((p) => p.metadata.name === "default-deny-all" && p.spec.policyTypes.length === 2));
        const cluster = e.cp.get("clusters.postgresql.cnpg.io", "-n", e.ns.data)[0];
        assert.deepStrictEqual(cluster.spec.postgresql.pg_hba, ["hostssl all all all scram-sha-256", "host all all all reject"]);
        for (const ns of [e.ns.app, e.ns.data, e.ns.edge])
            assert.strictEqual(e.cp.get("namespaces").find((n) => n.metadata.name === ns).metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
        return `${policies.length} NetworkPolicies, Pod Security restricted on 3 namespaces`;
    });

    await step(`${env}: right after up, preview --expect-no-changes and refresh --expect-no-changes`, () => {
        const p = e.ws.pulumi(["preview", "--stack", env, "--expect-no-changes", "--diff", ...packArgs(env)]);
        assert.strictEqual(p.code, 0, `preview: ${p.stdout.slice(-2500)}`);
        const r = e.ws.pulumi(["refresh", "--stack", env, "--yes", "--expect-no-changes"]);
        assert.strictEqual(r.code, 0, `refresh: ${r.stdout.slice(-2500)}`);
    });

    const max = e.settings.api.maxReplicas;
    await step(`${env}: the offline plan and the scheduler agree at the maximum (API ${max}, LLM ${e.settings.llm.maxNodes})`, async () => {
        // llmMinNodes is AWS's (the GPU instances); on Kubernetes the LLM runs llmDesiredNodes pods.
        const set = { apiMinReplicas: String(max), llmDesiredNodes: String(e.settings.llm.maxNodes) };
        const offline = await planCapacity(env, set);
        const expectedPending = offline.scenarios.find((s) => s.name === "maximum")!.unschedulable.length;
        e.ws.setConfig(env, set);
        up(e);
        // The HPA raises the Deployment to its new minimum (no metrics needed for that).
        await waitFor(
            "the HPA to scale the API to its maximum",
            () => e.cp.get("deployments", "-n", e.ns.app).find((d) => d.metadata.name === "api")?.spec.replicas === max,
            60_000,
        );
        await sleep(3000);
        const pending = [...pendingPods(e.cp, e.ns.app), ...pendingPods(e.cp, e.ns.data)];
        assert.strictEqual(
            pending.length,
            expectedPending,
            `offline plan: ${offline.problems.join("; ") || "everything fits"}; scheduler: ${pending.join(", ") || "nothing pending"}`,
        );
        assert.strictEqual(expectedPending, 0, `the stack does not fit its node pools at the maximum: ${offline.problems.join("; ")}`);
        await allReady(e);
        return `${max} API pods and ${e.settings.llm.maxNodes} LLM pods scheduled and Ready; the plan said the same`;
    });

    await step(`${env}: a rolling update at the maximum fits (nodes and quotas)`, async () => {
        const since = new Date().toISOString();
        // The stack owns the image here (production's file leaves it to the pipeline: apiImageManagedByCi).
        e.ws.setConfig(env, {
            apiImage: "ghcr.io/example-gov/rag-api:1.4.3@sha256:3c609d0dbf0d0f1195aa668e3fe400edabc291333c907b0dd1477acd05a827ee",
            apiImageManagedByCi: "false",
        });
        const r = up(e);
        assert.deepStrictEqual(
            Object.keys(r.steps).filter((op) => op !== "same"),
            ["update"],
        );
        await allReady(e);
        assert.deepStrictEqual(badEvents(e.cp, since), []);
        return `updated ${r.steps.update.join(", ")}`;
    });

    await step(`${env}: draining a CPU node and a GPU node respects every PodDisruptionBudget`, async () => {
        const pods = e.cp.get("pods", "-n", e.ns.app);
        const cpuNode = pods.find((p) => p.metadata.labels?.["app.kubernetes.io/name"] === "api")?.spec.nodeName;
        const gpuNode = pods.find((p) => p.metadata.labels?.["app.kubernetes.io/name"] === "ollama")?.spec.nodeName;
        const pdb = e.cp.get("pdb", "-n", e.ns.app).find((p) => p.metadata.name === "api");
        const minAvailable = pdb.spec.minAvailable ?? Math.max(0, max - (pdb.spec.maxUnavailable ?? 1));
        let lowest = Infinity;
        let watching = true;
        const watcher = (async () => {
            while (watching) {
                const d = e.cp.get("deployments", "-n", e.ns.app).find((x) => x.metadata.name === "api");
                lowest = Math.min(lowest, d.status.availableReplicas ?? 0);
                await sleep(300);
            }
        })();
        const drained: string[] = [];
        for (const node of [cpuNode, gpuNode].filter((n): n is string => !!n)) {
            const r = e.cp.kubectl(["drain", node, "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=120s"]);
            assert.strictEqual(r.status, 0, `drain ${node}: ${r.stderr}`);
            drained.push(node);
        }
        await sleep(2000);
        watching = false;
        await watcher;
        assert.ok(lowest >= minAvailable, `the API fell to ${lowest} available (PDB minimum ${minAvailable})`);
        const stillPending = [...pendingPods(e.cp, e.ns.app), ...pendingPods(e.cp, e.ns.data)];
        for (const node of drained) e.cp.must(["uncordon", node]);
        await allReady(e);
        return `drained ${drained.join(" and ")}; the API never below ${lowest} (PDB minimum ${minAvailable}); ${stillPending.length ? `${stillPending.join(", ")} waited for capacity until uncordon` : "every evicted pod rescheduled"}`;
    });
}

async function checkStagingOnly(e: Env): Promise<void> {
    await step("staging: a change of an immutable field is previewed as a replace and applied", () => {
        // The LLM's claim template: a new StatefulSet name, so the preview shows a replacement.
        e.ws.setConfig("staging", { llmModelVolumeGiB: String(e.settings.llm.modelVolumeGiB + 20) });
        const p = e.ws.events("staging", ["preview"], packArgs("staging"));
        assert.strictEqual(p.code, 0, p.errors.join("; "));
        const replaced = [...new Set([...(p.steps.replace ?? []), ...(p.steps["create-replacement"] ?? [])])];
        assert.ok(replaced.length > 0, `expected replacements, got ${JSON.stringify(p.steps)}`);
        up(e);
        return `replaced ${replaced.join(", ")}`;
    });

    await step("staging: a data store's storage class change is refused at preview, nothing changed", () => {
        // A named data StatefulSet cannot be replaced in place: the provider's dry-run of the
        // replacement is refused by the API server. The preview fails before anything changes;
        // docs/cluster.md gives the migration (new store, copy, switch).
        const before = e.cp.get("pvc", "-A").map((x) => x.metadata.uid);
        e.ws.setConfig("staging", { k8sStorageClass: "ceph-rbd-other" });
        const p = e.ws.events("staging", ["preview"], packArgs("staging"));
        e.ws.setConfig("staging", { k8sStorageClass: e.settings.kubernetes.storageClass });
        assert.notStrictEqual(p.code, 0, "the preview should fail");
        assert.match(p.errors.join("; "), /updates to statefulset spec for fields other than/);
        assert.deepStrictEqual(
            e.cp.get("pvc", "-A").map((x) => x.metadata.uid),
            before,
            "volumes untouched",
        );
        return "refused by the API server's validation in the preview; volumes untouched";
    });

    await step("staging: pulumi destroy leaves nothing behind", async () => {
        const r = e.ws.pulumi(["destroy", "--stack", "staging", "--yes"]);
        assert.strictEqual(r.code, 0, r.stdout.slice(-2000));
        await waitFor(
            "the namespaces gone",
            () => !e.cp.get("namespaces").some((n) => n.metadata.name.startsWith(e.settings.kubernetes.namespacePrefix)),
            120_000,
            1000,
        );
        const volumes = e.cp.get("pv").length;
        await waitFor(`the ${volumes} released volume(s) deleted (reclaim policy Delete)`, () => e.cp.get("pv").length === 0, 60_000, 1000);
        return "namespaces, volumes and every object gone";
    });
}

/**
 * A release whose pods never become Ready (kwok's `ragstack-pod-never-ready` stage: the image tag
 * ends with NEVER_READY_TAG_SUFFIX), deployed as a pipeline that owns the image does (`kubectl set
 * image`): the old ReplicaSet keeps serving (maxUnavailable 0), the Deployment reports
 * ProgressDeadlineExceeded after `k8sApiProgressDeadlineSeconds` (set to 30 s through the stack),
 * and tools/rollback.sh (names from the stack's `delivery` output) restores the previous template.
 */
/** A status condition of a Kubernetes object. */
interface Condition {
    type: string;
    status: string;
    reason?: string;
}

async function checkFailedRollout(e: Env): Promise<void> {
    await step(
        "production: a rollout whose new pods never become Ready leaves the old ones serving; tools/rollback.sh restores the previous template",
        async () => {
            const ns = e.ns.app;
            const api = () => e.cp.get("deployments", "-n", ns).find((x) => x.metadata.name === "api");
            // A short progress deadline through the stack: one update of the Deployment.
            e.ws.setConfig("production", { k8sApiProgressDeadlineSeconds: "30" });
            const r = up(e);
            assert.deepStrictEqual(
                Object.keys(r.steps).filter((op) => op !== "same"),
                ["update"],
            );
            assert.strictEqual(r.steps.update.length, 1, `only the API's Deployment changes: ${r.steps.update.join(", ")}`);
            await allReady(e);
            const before = api();
            assert.strictEqual(before.spec.progressDeadlineSeconds, 30);
            const image = before.spec.template.spec.containers[0].image as string;
            const serving = before.status.availableReplicas as number;
            const revision = Number(before.metadata.annotations["deployment.kubernetes.io/revision"]);
            const bad = `${image.replace(/@sha256:.*$/, "").replace(/:[^/:]*$/, "")}:9.9.9${NEVER_READY_TAG_SUFFIX}`;

            let lowest = Infinity;
            let watching = true;
            const watcher = (async () => {
                while (watching) {
                    lowest = Math.min(lowest, api()?.status?.availableReplicas ?? 0);
                    await sleep(500);
                }
            })();
            e.cp.must(["-n", ns, "set", "image", "deployment/api", `api=${bad}`]);
            await waitFor(
                "the Deployment to report ProgressDeadlineExceeded",
                () =>
                    api().status.conditions?.some(
                        (c: Condition) => c.type === "Progressing" && c.status === "False" && c.reason === "ProgressDeadlineExceeded",
                    ),
                180_000,
                1000,
            );
            const stuck = api();
            const sets = e.cp.get("replicasets", "-n", ns).filter((x) => x.metadata.ownerReferences?.some((o: { name: string }) => o.name === "api"));
            const newSet = sets.find((x) => x.spec.template.spec.containers[0].image === bad);
            const oldSet = sets.find((x) => x.spec.template.spec.containers[0].image === image && (x.status.readyReplicas ?? 0) > 0);
            assert.ok(newSet && (newSet.status.readyReplicas ?? 0) === 0, "the new ReplicaSet has no Ready pod");
            assert.ok(
                oldSet && oldSet.status.readyReplicas === serving,
                `the old ReplicaSet still serves ${serving} pods (has ${oldSet?.status.readyReplicas})`,
            );
            assert.strictEqual(stuck.status.availableReplicas, serving);

            // The documented rollback, with the stack's own delivery output naming the Deployment.
            const rollback = spawnSync("bash", [path.join(repoRoot(), "tools", "rollback.sh"), "--stack", "production", "--timeout", "180"], {
                cwd: e.ws.project,
                env: { ...e.ws.env, KUBECONFIG: e.cp.kubeconfig, PATH: `${e.cp.bin}${path.delimiter}${e.ws.env.PATH}` },
                encoding: "utf8",
                timeout: 300_000,
            });
            watching = false;
            await watcher;
            assert.strictEqual(rollback.status, 0, `tools/rollback.sh: ${rollback.stdout}${rollback.stderr}`);
            const after = api();
            assert.strictEqual(after.spec.template.spec.containers[0].image, image, "the previous template is back");
            assert.ok(
                after.status.conditions?.some((c: Condition) => c.type === "Progressing" && c.status === "True"),
                "the Deployment progresses again",
            );
            assert.strictEqual(after.status.updatedReplicas, after.status.replicas);
            assert.ok(lowest >= serving, `the API fell to ${lowest} available pods during the failed rollout (had ${serving})`);
            await allReady(e);
            const lastLine = rollback.stdout.trim().split("\n").pop();
            return `${bad}: ProgressDeadlineExceeded after 30 s, new ReplicaSet 0 Ready, old one ${serving} Ready, never fewer than ${serving} available; rollback (revision ${revision} -> ${after.metadata.annotations["deployment.kubernetes.io/revision"]}): ${lastLine}`;
        },
    );
}

async function checkProductionOnly(e: Env): Promise<void> {
    await checkFailedRollout(e);
    await step("production: destroy is refused and every protected object survives in the cluster", () => {
        const protectedBefore = e.cp.get("pvc", "-A").map((p) => p.metadata.uid);
        const r = e.ws.pulumi(["destroy", "--stack", "production", "--yes"]);
        assert.notStrictEqual(r.code, 0);
        assert.match(`${r.stdout}${r.stderr}`, /protect/i);
        const after = e.cp.get("pvc", "-A").map((p) => p.metadata.uid);
        assert.deepStrictEqual(after, protectedBefore);
        assert.ok(e.cp.get("clusters.postgresql.cnpg.io", "-A").length === 1);
        return `${after.length} volumes and the database cluster untouched`;
    });

    await step("production: a node pool too small (one GPU node for two LLM replicas) is reported by the plan and the scheduler alike", async () => {
        const gpu = e.cp
            .get("nodes")
            .filter((n) => Number(n.status.allocatable?.["nvidia.com/gpu"] ?? 0) > 0)
            .map((n) => n.metadata.name)
            .sort();
        const pools = e.settings.kubernetes.nodePools.map((p) => ((p.gpus ?? 0) > 0 ? { ...p, count: 1 } : p));
        const set = { llmDesiredNodes: "2" };
        const offline = await planCapacity("production", set, pools);
        const llmProblems = offline.problems.filter((p) => p.includes("ollama"));
        assert.ok(llmProblems.length > 0, `the plan should report the LLM: ${offline.problems.join("; ")}`);
        for (const n of gpu.slice(1)) e.cp.must(["cordon", n]);
        for (const n of gpu.slice(1)) e.cp.must(["drain", n, "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=60s", "--disable-eviction"]);
        await sleep(3000);
        const pending = pendingPods(e.cp, e.ns.app).filter((p) => p.startsWith("ollama"));
        const events = e.cp
            .get("events", "-n", e.ns.app)
            .filter((ev) => ev.reason === "FailedScheduling" && String(ev.involvedObject?.name).startsWith("ollama"));
        for (const n of gpu.slice(1)) e.cp.must(["uncordon", n]);
        assert.ok(pending.length > 0 && events.length > 0, "the scheduler leaves an LLM pod pending");
        return `plan: ${llmProblems[0].slice(0, 140)}...; scheduler: ${pending.length} pending (${String(events[0].message).slice(0, 80)})`;
    });
}

/** Objects of the stack in the cluster, keyed kind/namespace/name (the stand-in aside). */
function stackObjects(e: Env): string[] {
    const kinds = [
        "deployments",
        "statefulsets",
        "services",
        "configmaps",
        "secrets",
        "networkpolicies",
        "pvc",
        "serviceaccounts",
        "poddisruptionbudgets",
        "horizontalpodautoscalers",
        "cronjobs",
        "resourcequotas",
        "limitranges",
    ];
    return kinds
        .flatMap((k) => e.cp.get(k, "-A", "-l", "app.kubernetes.io/managed-by=pulumi").map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`))
        .sort();
}

/**
 * `pulumi up` in the background, interrupted mid-apply: as soon as `applied()` shows the first
 * object changed in the cluster, with `signal` (or by killing and restarting the API server).
 */
async function interruptedUp(e: Env, fault: NodeJS.Signals | "apiserver", applied: () => boolean): Promise<number | null> {
    const child: ChildProcess = spawn("pulumi", ["up", "--yes", "--skip-preview", "--non-interactive", "--stack", e.name, ...packArgs(e.name)], {
        cwd: e.ws.project,
        env: e.ws.env,
        stdio: "ignore",
    });
    let exited = false;
    const done = new Promise<number | null>((r) =>
        child.on("exit", (code) => {
            exited = true;
            r(code);
        }),
    );
    await waitFor("the update to reach the cluster", () => exited || applied(), 90_000, 100);
    if (!exited) {
        if (fault === "apiserver") {
            e.cp.killApiServer();
            await sleep(4000);
            await e.cp.startApiServer();
        } else child.kill(fault);
    }
    return done;
}

async function checkFaults(e: Env): Promise<void> {
    let volumes: Record<string, string> = {};
    const mirrors = ["mirror-a.internal.example.gov", "mirror-b.internal.example.gov", "mirror-c.internal.example.gov"];
    for (const [i, fault] of (["SIGINT", "SIGKILL", "apiserver"] as const).entries()) {
        const label = fault === "apiserver" ? "the API server killed and restarted" : fault;
        await step(`faults: pulumi up interrupted mid-apply (${label}), recovered, converges`, async () => {
            // A change that touches every workload: a new registry mirror.
            e.ws.setConfig(e.name, { k8sImageRegistry: mirrors[i] });
            const firstUp = i === 0;
            const applied = () =>
                firstUp
                    ? e.cp.get("namespaces").some((n) => n.metadata.name === e.ns.app)
                    : [...e.cp.get("deployments", "-n", e.ns.app), ...e.cp.get("statefulsets", "-n", e.ns.data)].some((w) =>
                          String(w.spec.template.spec.containers[0].image).startsWith(mirrors[i]),
                      );
            const code = await interruptedUp(e, fault, applied);
            // The recovery docs/cluster.md gives: a killed CLI leaves its lock (remove it once no
            // pulumi process runs), then drop what was pending, re-read the cluster, apply again.
            let repaired: string[] = [];
            if (fault === "SIGKILL") {
                // A kill during a checkpoint write can leave its attributes sidecar empty
                // ("failed to load checkpoint: EOF" from every command): docs/cluster.md.
                repaired = repairKilledWrite(path.join(e.ws.root, "state"));
                const cancel = e.ws.pulumi(["cancel", "--yes", "--stack", e.name]);
                assert.strictEqual(cancel.code, 0, `pulumi cancel: ${cancel.stdout.slice(-1000)} ${cancel.stderr.slice(-1000)}`);
            }
            const refresh = e.ws.pulumi(["refresh", "--stack", e.name, "--yes", "--clear-pending-creates"]);
            assert.strictEqual(refresh.code, 0, `refresh --clear-pending-creates: ${refresh.stdout.slice(-2000)} ${refresh.stderr.slice(-1000)}`);
            up(e);
            await allReady(e, 180_000);
            const objects = stackObjects(e);
            assert.strictEqual(new Set(objects).size, objects.length, "nothing duplicated");
            const state = JSON.parse(e.ws.must(["stack", "export", "--stack", e.name]).stdout).deployment;
            assert.deepStrictEqual(state.pending_operations ?? [], [], "no pending operation left");
            const resources: StateResource[] = state.resources ?? [];
            const inState = new Set(
                resources
                    .filter((r) => String(r.type).startsWith("kubernetes:") && r.outputs?.metadata?.name)
                    .map((r) => `${r.outputs?.kind}/${r.outputs?.metadata?.namespace ?? ""}/${r.outputs?.metadata?.name}`),
            );
            const fromTemplates = claimTemplatePvcs(resources);
            const orphans = objects.filter((o) => !inState.has(o) && !fromTemplates.some((t) => t.test(o)));
            assert.deepStrictEqual(orphans, [], "objects in the cluster that the state does not know (orphans)");
            const now = Object.fromEntries(e.cp.get("pvc", "-A").map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p.metadata.uid]));
            for (const [k, uid] of Object.entries(volumes)) assert.strictEqual(now[k], uid, `protected volume ${k} was replaced or lost`);
            volumes = now;
            const p = e.ws.pulumi(["preview", "--stack", e.name, "--expect-no-changes", ...packArgs(e.name)]);
            assert.strictEqual(p.code, 0, `converged: ${p.stdout.slice(-1500)}`);
            return `interrupted (pulumi exit ${code}), recovered${repaired.length > 0 ? ` (removed ${repaired.join(", ")})` : ""}; ${objects.length} objects, each once and all in the state; volumes untouched`;
        });
    }
    // Back to the stack file's registry (the next up applies it).
    e.ws.setConfig(e.name, { k8sImageRegistry: e.settings.kubernetes.imageRegistry });
}

async function main(): Promise<void> {
    const t0 = Date.now();
    const keep = !!process.env.RAGSTACK_KEEP_CLUSTER;
    // RAGSTACK_CLUSTER_ENVS=staging runs one environment (while iterating on a fix).
    const only = (process.env.RAGSTACK_CLUSTER_ENVS ?? "staging,production").split(",");
    const parts = (process.env.RAGSTACK_CLUSTER_STEPS || "checks,upgrade").split(",").map((x) => x.trim());
    const unknown = parts.filter((x) => x !== "checks" && x !== "upgrade");
    if (unknown.length) throw new Error(`RAGSTACK_CLUSTER_STEPS: unknown part ${unknown.join(", ")}; allowed: checks, upgrade`);
    for (const name of (["staging", "production"] as const).filter((n) => only.includes(n) && parts.includes("checks"))) {
        let e: Env | undefined;
        const ok = await step(
            `${name}: local control plane (etcd, kube-apiserver, controller-manager, scheduler, kwok nodes of the ${name} node pools, CRDs)`,
            async () => {
                e = await bringUp(name);
                return `${e.cp.get("nodes").length} nodes, ${e.cp.get("crd").length} CRDs, ${e.cp.server}`;
            },
        );
        if (!ok || !e) continue;
        try {
            if (name === "production") await checkFaults(e);
            await checkEnvironment(e);
            if (name === "staging") await checkStagingOnly(e);
            else await checkProductionOnly(e);
        } finally {
            const failed = steps.failed.length > 0;
            e.cp.stop(keep || failed);
            if (!(keep || failed)) e.ws.dispose();
            else process.stdout.write(`kept for inspection: ${e.cp.dir} (cluster logs), ${e.ws.root} (workspace)\n`);
        }
    }
    if (parts.includes("upgrade"))
        await checkUpgradeOnCluster(
            (["staging", "production"] as const).filter((n) => only.includes(n)),
            keep,
        );
    steps.finish("cluster check", t0);
}

/** Step 12: the upgrade from the previous release, applied to a fresh control plane per environment. */
async function checkUpgradeOnCluster(envs: readonly Env["name"][], keep: boolean): Promise<void> {
    const prev = await previousReleaseStep(step);
    if (!prev) return;
    for (const name of envs) {
        let e: Env | undefined;
        const ok = await step(`upgrade: ${name}: a fresh local control plane`, async () => {
            e = await bringUp(name);
            return `${e.cp.get("nodes").length} nodes`;
        });
        if (!ok || !e) continue;
        let passed = false;
        try {
            passed = await upgradeStack(e.ws, step, prev, name, { target: "kubernetes" }, " against the local API server");
        } finally {
            e.cp.stop(keep || !passed);
            if (!(keep || !passed)) e.ws.dispose();
            else process.stdout.write(`kept for inspection: ${e.cp.dir} (cluster logs), ${e.ws.root} (workspace)\n`);
        }
    }
}

if (require.main === module)
    main().catch((e) => {
        process.stderr.write(`cluster check: ${(e as Error).stack ?? e}\n`);
        process.exitCode = 1;
    });
