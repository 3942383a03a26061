/**
 * Capacity of a Kubernetes stack, offline: the pods its workloads run (at every autoscaler's
 * minimum and maximum, and during a rolling update at the maximum), what they request, whether
 * each namespace's ResourceQuota and LimitRange admit them, and whether they can be placed on the
 * cluster's node pools the way kube-scheduler's filters would (resources, node selectors, taints
 * and tolerations, required pod anti-affinity, topology spread constraints that must hold). Pure
 * functions over the Kubernetes objects a plan records; `npm run cluster:check` runs the real
 * scheduler on the same node pools and checks that both agree.
 */
import { NodePool } from "../components/settings/kubernetes";

/** Parses a Kubernetes quantity to a number (cores for CPU, bytes for memory and storage). */
export function parseQuantity(q: unknown): number {
    if (typeof q === "number") return q;
    if (typeof q !== "string" || q.trim() === "") return 0;
    const m = /^([0-9.]+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(q.trim());
    if (!m) return NaN;
    const n = Number(m[1]);
    const unit: Record<string, number> = {
        m: 1e-3,
        k: 1e3,
        M: 1e6,
        G: 1e9,
        T: 1e12,
        P: 1e15,
        E: 1e18,
        Ki: 1024,
        Mi: 1024 ** 2,
        Gi: 1024 ** 3,
        Ti: 1024 ** 4,
        Pi: 1024 ** 5,
        Ei: 1024 ** 6,
    };
    return n * (m[2] ? unit[m[2]] : 1);
}

/** What a pod (or a sum of pods) requests or is limited to. */
export interface Resources {
    cpu: number;
    memory: number;
    ephemeralStorage: number;
    gpus: number;
}
const zero = (): Resources => ({ cpu: 0, memory: 0, ephemeralStorage: 0, gpus: 0 });
const add = (a: Resources, b: Resources): Resources => ({
    cpu: a.cpu + b.cpu,
    memory: a.memory + b.memory,
    ephemeralStorage: a.ephemeralStorage + b.ephemeralStorage,
    gpus: a.gpus + b.gpus,
});
const max = (a: Resources, b: Resources): Resources => ({
    cpu: Math.max(a.cpu, b.cpu),
    memory: Math.max(a.memory, b.memory),
    ephemeralStorage: Math.max(a.ephemeralStorage, b.ephemeralStorage),
    gpus: Math.max(a.gpus, b.gpus),
});

function resourcesOf(map: Record<string, unknown> | undefined): Resources {
    return {
        cpu: parseQuantity(map?.cpu),
        memory: parseQuantity(map?.memory),
        ephemeralStorage: parseQuantity(map?.["ephemeral-storage"]),
        gpus: parseQuantity(map?.["nvidia.com/gpu"]),
    };
}

/** A Kubernetes object as a plan records it (apiVersion, kind, metadata, spec...). */
export interface K8sObject {
    apiVersion?: string;
    kind?: string;
    metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
    spec?: K8sSpec;
}

/** Quantities by resource name (`cpu`, `memory`, `nvidia.com/gpu`...). */
type Quantities = Record<string, string | number | undefined>;
type Selector = { matchLabels?: Record<string, string> };

/** A container's name and resources. */
interface ContainerSpec {
    name?: string;
    resources?: { requests?: Quantities; limits?: Quantities };
}

/** The part of a pod template the capacity model reads. */
interface PodTemplate {
    metadata?: { labels?: Record<string, string> };
    spec?: {
        containers?: ContainerSpec[];
        initContainers?: ContainerSpec[];
        nodeSelector?: Record<string, string>;
        tolerations?: PodShape["tolerations"];
        affinity?: { podAntiAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { topologyKey?: string; labelSelector?: Selector }[] } };
        topologySpreadConstraints?: {
            topologyKey: string;
            maxSkew?: number;
            whenUnsatisfiable?: string;
            labelSelector?: Selector;
            nodeTaintsPolicy?: string;
        }[];
    };
}

/**
 * The fields of the specs the model reads, across kinds (Deployment, StatefulSet, Job, CronJob,
 * HorizontalPodAutoscaler, LimitRange, ResourceQuota, PersistentVolumeClaim, CloudNativePG Cluster and Pooler).
 */
interface K8sSpec {
    replicas?: number;
    template?: PodTemplate;
    strategy?: { type?: string; rollingUpdate?: { maxSurge?: string | number } };
    volumeClaimTemplates?: { spec?: { resources?: { requests?: Quantities } } }[];
    parallelism?: number;
    jobTemplate?: { spec?: { template?: PodTemplate } };
    scaleTargetRef?: { kind?: string; name?: string };
    minReplicas?: number;
    maxReplicas?: number;
    limits?: { type?: string; default?: Quantities; defaultRequest?: Quantities; max?: Quantities }[];
    hard?: Quantities;
    resources?: { requests?: Quantities; limits?: Quantities };
    // CloudNativePG Cluster
    instances?: number;
    storage?: { size?: string };
    walStorage?: { size?: string };
    affinity?: {
        enablePodAntiAffinity?: boolean;
        podAntiAffinityType?: string;
        topologyKey?: string;
        nodeSelector?: Record<string, string>;
        tolerations?: PodShape["tolerations"];
    };
}

/** A LimitRange's container defaults and maxima. */
interface ContainerLimits {
    defaultRequest: Resources;
    defaultLimit: Resources;
    max?: Resources;
}

/** Requests and limits of one container after LimitRange defaulting (as admission does). */
function container(c: ContainerSpec | undefined, lr: ContainerLimits | undefined): { requests: Resources; limits: Resources; name: string } {
    const req: Quantities = c?.resources?.requests ?? {};
    const lim: Quantities = c?.resources?.limits ?? {};
    const limits = resourcesOf(lim);
    const requests = resourcesOf(req);
    for (const k of ["cpu", "memory", "ephemeralStorage", "gpus"] as const) {
        const key = { cpu: "cpu", memory: "memory", ephemeralStorage: "ephemeral-storage", gpus: "nvidia.com/gpu" }[k];
        if (lim[key] === undefined && lr) limits[k] = lr.defaultLimit[k];
        // A container with a limit and no request requests its limit; otherwise the LimitRange default.
        if (req[key] === undefined) requests[k] = lim[key] !== undefined ? limits[k] : (lr?.defaultRequest[k] ?? 0);
    }
    return { requests, limits, name: c?.name ?? "(container)" };
}

/** One pod a workload runs. */
export interface PodShape {
    workload: string;
    namespace: string;
    labels: Record<string, string>;
    requests: Resources;
    limits: Resources;
    nodeSelector: Record<string, string>;
    tolerations: { key?: string; operator?: string; value?: string; effect?: string }[];
    /** Required anti-affinity terms on kubernetes.io/hostname (label selectors). */
    antiAffinityHostname: Record<string, string>[];
    spread: { topologyKey: string; maxSkew: number; selector: Record<string, string>; honorTaints: boolean }[];
    /** PVC storage this pod claims (its own volume claim templates), bytes. */
    claims: number;
    /** Container limits above the namespace LimitRange maximum. */
    overLimitRange: string[];
}

/** Replica counts of a workload at the autoscaler's minimum and maximum. */
interface Counts {
    min: number;
    max: number;
    /** Extra pods during a rolling update at the maximum. */
    surge: number;
}

function podShape(workload: string, namespace: string, template: PodTemplate | undefined, lr: ContainerLimits | undefined, claims: number): PodShape {
    const spec = template?.spec ?? {};
    const containers = (spec.containers ?? []).map((c) => container(c, lr));
    const inits = (spec.initContainers ?? []).map((c) => container(c, lr));
    // The pod's effective request: the sum of its containers, or the largest init container if larger.
    const requests = max(
        containers.reduce((a: Resources, c: { requests: Resources }) => add(a, c.requests), zero()),
        inits.reduce((a: Resources, c: { requests: Resources }) => max(a, c.requests), zero()),
    );
    const limits = max(
        containers.reduce((a: Resources, c: { limits: Resources }) => add(a, c.limits), zero()),
        inits.reduce((a: Resources, c: { limits: Resources }) => max(a, c.limits), zero()),
    );
    const overLimitRange: string[] = [];
    if (lr?.max)
        for (const c of [...containers, ...inits])
            for (const k of ["cpu", "memory"] as const)
                if (lr.max[k] > 0 && c.limits[k] > lr.max[k]) overLimitRange.push(`${workload}/${c.name} ${k} limit above the LimitRange maximum`);
    const anti = (spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [])
        .filter((t) => t.topologyKey === "kubernetes.io/hostname")
        .map((t) => t.labelSelector?.matchLabels ?? {});
    const spread = (spec.topologySpreadConstraints ?? [])
        .filter((c) => c.whenUnsatisfiable === "DoNotSchedule")
        .map((c) => ({
            topologyKey: c.topologyKey,
            maxSkew: c.maxSkew ?? 1,
            selector: c.labelSelector?.matchLabels ?? {},
            honorTaints: c.nodeTaintsPolicy === "Honor",
        }));
    return {
        workload,
        namespace,
        labels: template?.metadata?.labels ?? {},
        requests,
        limits,
        nodeSelector: spec.nodeSelector ?? {},
        tolerations: spec.tolerations ?? [],
        antiAffinityHostname: anti,
        spread,
        claims,
        overLimitRange,
    };
}

/** A node of a pool (name, zone, labels, taints, allocatable). */
export interface SimNode {
    name: string;
    pool: string;
    zone: string;
    labels: Record<string, string>;
    taints: { key: string; value?: string; effect: string }[];
    allocatable: Resources;
}

/** The nodes a description of node pools stands for, named `<pool>-<n>`, zones round-robin. */
export function nodesOf(pools: NodePool[]): SimNode[] {
    return pools.flatMap((p) =>
        Array.from({ length: p.count }, (_, i) => {
            const name = `${p.name}-${i}`;
            const zone = p.zones[i % p.zones.length];
            return {
                name,
                pool: p.name,
                zone,
                labels: { "kubernetes.io/hostname": name, "topology.kubernetes.io/zone": zone, ...(p.labels ?? {}) },
                taints: p.taints ?? [],
                allocatable: { cpu: p.cpu, memory: p.memoryGiB * 1024 ** 3, ephemeralStorage: (p.ephemeralStorageGiB ?? 100) * 1024 ** 3, gpus: p.gpus ?? 0 },
            };
        }),
    );
}

const matchesAll = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);

function tolerates(pod: PodShape, taint: { key: string; value?: string; effect: string }): boolean {
    if (taint.effect === "PreferNoSchedule") return true;
    return pod.tolerations.some(
        (t) =>
            (t.operator === "Exists" && (!t.key || t.key === taint.key) && (!t.effect || t.effect === taint.effect)) ||
            ((t.operator ?? "Equal") === "Equal" && t.key === taint.key && (t.value ?? "") === (taint.value ?? "") && (!t.effect || t.effect === taint.effect)),
    );
}

/** A pod placed on a node, or why it could not be. */
export interface Placement {
    workload: string;
    namespace: string;
    node?: string;
    /** Why no node took it (the filters that rejected every node, with counts). */
    reason?: string;
}

/**
 * Places pods one by one on the nodes with kube-scheduler's filters (NodeResourcesFit,
 * NodeAffinity via nodeSelector, TaintToleration, InterPodAffinity for required hostname
 * anti-affinity, PodTopologySpread for DoNotSchedule constraints, counting every node that matches
 * the pod's selector as a domain and, unless nodeTaintsPolicy is Honor, tainted nodes too) and a
 * least-allocated choice among the nodes that pass.
 */
export function place(pods: PodShape[], nodes: SimNode[]): Placement[] {
    const used = new Map(nodes.map((n) => [n.name, zero()]));
    const placed: { pod: PodShape; node: SimNode }[] = [];
    const out: Placement[] = [];
    for (const pod of pods) {
        const rejections: Record<string, number> = {};
        const reject = (why: string) => (rejections[why] = (rejections[why] ?? 0) + 1);
        const feasible = nodes.filter((n) => {
            if (!matchesAll(pod.nodeSelector, n.labels)) return (reject("node selector does not match"), false);
            if (!n.taints.every((t) => tolerates(pod, t))) return (reject("untolerated taint"), false);
            const u = add(used.get(n.name)!, pod.requests);
            for (const k of ["cpu", "memory", "ephemeralStorage", "gpus"] as const)
                if (u[k] > n.allocatable[k] + 1e-9)
                    return (reject(`insufficient ${k === "gpus" ? "nvidia.com/gpu" : k === "ephemeralStorage" ? "ephemeral-storage" : k}`), false);
            for (const sel of pod.antiAffinityHostname)
                if (placed.some((p) => p.node.name === n.name && p.pod.namespace === pod.namespace && matchesAll(sel, p.pod.labels)))
                    return (reject("required anti-affinity (another replica on the node)"), false);
            for (const c of pod.spread) {
                const domains = nodes.filter((d) => matchesAll(pod.nodeSelector, d.labels) && (!c.honorTaints || d.taints.every((t) => tolerates(pod, t))));
                const domainOf = (d: SimNode) => d.labels[c.topologyKey];
                const counts = new Map<string, number>();
                for (const d of domains) counts.set(domainOf(d), 0);
                for (const p of placed)
                    if (p.pod.namespace === pod.namespace && matchesAll(c.selector, p.pod.labels) && counts.has(domainOf(p.node)))
                        counts.set(domainOf(p.node), counts.get(domainOf(p.node))! + 1);
                const minCount = Math.min(...counts.values());
                if ((counts.get(domainOf(n)) ?? 0) + 1 - minCount > c.maxSkew)
                    return (reject(`topology spread on ${c.topologyKey} (maxSkew ${c.maxSkew})`), false);
            }
            return true;
        });
        if (feasible.length === 0) {
            const reason = Object.entries(rejections)
                .map(([why, n]) => `${n} node(s): ${why}`)
                .join("; ");
            out.push({ workload: pod.workload, namespace: pod.namespace, reason: `0/${nodes.length} nodes are available: ${reason || "no nodes"}` });
            continue;
        }
        const load = (n: SimNode) => {
            const u = used.get(n.name)!;
            return (u.cpu + pod.requests.cpu) / n.allocatable.cpu + (u.memory + pod.requests.memory) / n.allocatable.memory;
        };
        const best = feasible.reduce((a, b) => (load(b) < load(a) ? b : a));
        used.set(best.name, add(used.get(best.name)!, pod.requests));
        placed.push({ pod, node: best });
        out.push({ workload: pod.workload, namespace: pod.namespace, node: best.name });
    }
    return out;
}

/** What one scenario (minimum, maximum, rolling update at the maximum) needs. */
export interface Scenario {
    name: "minimum" | "maximum" | "rolling update at maximum";
    pods: number;
    byNamespace: Record<string, { pods: number; requests: Resources; limits: Resources; pvcStorage: number }>;
    unschedulable: Placement[];
}

export interface CapacityReport {
    nodes: {
        total: number;
        byPool: Record<string, number>;
        allocatable: Resources;
        /**
         * Nodes of each pool's shape the workloads need at their maximum during a rolling update
         * (null when no count of these shapes places every pod, e.g. a pod no pool accepts).
         */
        neededAtMaximum: Record<string, number> | null;
    };
    scenarios: Scenario[];
    quotas: { namespace: string; resource: string; hard: string; neededAtMaximum: number; ok: boolean }[];
    /** What makes the stack not fit its cluster (fails the plan). */
    problems: string[];
}

/**
 * The capacity of the stack's Kubernetes objects on the node pools. Workloads: Deployments (an
 * HPA's min/max when one scales them, surge during a rolling update), StatefulSets, Jobs,
 * CronJobs (one run) and CloudNativePG Clusters (instances, approximated from the spec: the
 * operator's pods are not in the plan).
 */
export function capacity(objects: K8sObject[], pools: NodePool[]): CapacityReport {
    const byKind = (kind: string) => objects.filter((o) => o.kind === kind);
    const limitRanges = new Map<string, ContainerLimits>();
    for (const lr of byKind("LimitRange")) {
        const c = (lr.spec?.limits ?? []).find((l) => l.type === "Container");
        if (c && lr.metadata?.namespace)
            limitRanges.set(lr.metadata.namespace, {
                defaultRequest: resourcesOf(c.defaultRequest),
                defaultLimit: resourcesOf(c.default),
                max: c.max ? resourcesOf(c.max) : undefined,
            });
    }
    const hpas = byKind("HorizontalPodAutoscaler");
    const shapes: { shape: PodShape; counts: Counts; pvc: number }[] = [];
    const ns = (o: K8sObject) => o.metadata?.namespace ?? "default";
    const id = (o: K8sObject) => `${o.kind}/${ns(o)}/${o.metadata?.name}`;
    for (const d of byKind("Deployment")) {
        const hpa = hpas.find((h) => ns(h) === ns(d) && h.spec?.scaleTargetRef?.kind === "Deployment" && h.spec?.scaleTargetRef?.name === d.metadata?.name);
        const replicas = d.spec?.replicas ?? 1;
        const min = hpa ? (hpa.spec?.minReplicas ?? 1) : replicas;
        const maxReplicas = hpa ? (hpa.spec?.maxReplicas ?? replicas) : replicas;
        const strategy = d.spec?.strategy;
        const surgeSpec = strategy?.type === "Recreate" ? 0 : (strategy?.rollingUpdate?.maxSurge ?? "25%");
        const surge =
            typeof surgeSpec === "string" && surgeSpec.endsWith("%") ? Math.ceil((maxReplicas * Number(surgeSpec.slice(0, -1))) / 100) : Number(surgeSpec);
        shapes.push({ shape: podShape(id(d), ns(d), d.spec?.template, limitRanges.get(ns(d)), 0), counts: { min, max: maxReplicas, surge }, pvc: 0 });
    }
    for (const s of byKind("StatefulSet")) {
        const claim = (s.spec?.volumeClaimTemplates ?? []).reduce((a: number, t) => a + parseQuantity(t.spec?.resources?.requests?.storage), 0);
        const replicas = s.spec?.replicas ?? 1;
        // A StatefulSet replaces its pods one at a time: no surge.
        shapes.push({
            shape: podShape(id(s), ns(s), s.spec?.template, limitRanges.get(ns(s)), claim),
            counts: { min: replicas, max: replicas, surge: 0 },
            pvc: claim,
        });
    }
    for (const j of byKind("Job"))
        shapes.push({
            shape: podShape(id(j), ns(j), j.spec?.template, limitRanges.get(ns(j)), 0),
            counts: { min: 0, max: j.spec?.parallelism ?? 1, surge: 0 },
            pvc: 0,
        });
    for (const c of byKind("CronJob"))
        shapes.push({
            shape: podShape(id(c), ns(c), c.spec?.jobTemplate?.spec?.template, limitRanges.get(ns(c)), 0),
            counts: { min: 0, max: 1, surge: 0 },
            pvc: 0,
        });
    for (const c of objects.filter((o) => o.kind === "Cluster" && String(o.apiVersion).startsWith("postgresql.cnpg.io/"))) {
        const instances = c.spec?.instances ?? 1;
        const labels = { "cnpg.io/cluster": c.metadata?.name ?? "", "cnpg.io/podRole": "instance" };
        const required = c.spec?.affinity?.enablePodAntiAffinity !== false && c.spec?.affinity?.podAntiAffinityType === "required";
        const template = {
            metadata: { labels },
            spec: {
                containers: [{ name: "postgres", resources: c.spec?.resources ?? {} }],
                nodeSelector: c.spec?.affinity?.nodeSelector,
                tolerations: c.spec?.affinity?.tolerations,
                affinity: required
                    ? {
                          podAntiAffinity: {
                              requiredDuringSchedulingIgnoredDuringExecution: [
                                  {
                                      topologyKey: c.spec?.affinity?.topologyKey ?? "kubernetes.io/hostname",
                                      labelSelector: { matchLabels: { "cnpg.io/cluster": c.metadata?.name ?? "" } },
                                  },
                              ],
                          },
                      }
                    : undefined,
            },
        };
        const claim = parseQuantity(c.spec?.storage?.size) + parseQuantity(c.spec?.walStorage?.size);
        shapes.push({
            shape: podShape(id(c), ns(c), template, limitRanges.get(ns(c)), claim),
            counts: { min: instances, max: instances, surge: 0 },
            pvc: claim,
        });
    }
    // CloudNativePG Pooler: its PgBouncer pods from the Pooler's template (the operator creates them).
    for (const p of objects.filter((o) => o.kind === "Pooler" && String(o.apiVersion).startsWith("postgresql.cnpg.io/"))) {
        const instances = p.spec?.instances ?? 1;
        const template = { ...(p.spec?.template ?? {}), metadata: { labels: { "cnpg.io/poolerName": p.metadata?.name ?? "" } } };
        shapes.push({
            shape: podShape(id(p), ns(p), template, limitRanges.get(ns(p)), 0),
            counts: { min: instances, max: instances, surge: 0 },
            pvc: 0,
        });
    }
    const standalonePvc = byKind("PersistentVolumeClaim").map((p) => ({ namespace: ns(p), bytes: parseQuantity(p.spec?.resources?.requests?.storage) }));

    const nodes = nodesOf(pools);
    const problems: string[] = [];
    const podsOf = (name: Scenario["name"]): PodShape[] => {
        const pods: PodShape[] = [];
        for (const s of shapes) {
            const n = name === "minimum" ? s.counts.min : s.counts.max + (name === "rolling update at maximum" ? s.counts.surge : 0);
            for (let i = 0; i < n; i++) pods.push(s.shape);
        }
        return pods;
    };
    const scenario = (name: Scenario["name"]): Scenario => {
        const pods = podsOf(name);
        const byNamespace: Scenario["byNamespace"] = {};
        for (const p of pods) {
            const b = (byNamespace[p.namespace] ??= { pods: 0, requests: zero(), limits: zero(), pvcStorage: 0 });
            b.pods++;
            b.requests = add(b.requests, p.requests);
            b.limits = add(b.limits, p.limits);
            b.pvcStorage += p.claims;
        }
        for (const p of standalonePvc) (byNamespace[p.namespace] ??= { pods: 0, requests: zero(), limits: zero(), pvcStorage: 0 }).pvcStorage += p.bytes;
        const unschedulable = place(pods, nodes).filter((p) => !p.node);
        return { name, pods: pods.length, byNamespace, unschedulable };
    };
    const scenarios = [scenario("minimum"), scenario("maximum"), scenario("rolling update at maximum")];
    for (const s of scenarios) {
        const grouped = new Map<string, Placement[]>();
        for (const u of s.unschedulable) grouped.set(u.workload, [...(grouped.get(u.workload) ?? []), u]);
        for (const [workload, list] of grouped)
            problems.push(`${s.name}: ${list.length} pod(s) of ${workload} cannot be scheduled on the node pools (${list[0].reason})`);
    }

    const quotas: CapacityReport["quotas"] = [];
    const atMax = scenarios.find((s) => s.name === "rolling update at maximum")!.byNamespace;
    for (const q of byKind("ResourceQuota")) {
        const n = ns(q);
        const need = atMax[n] ?? { pods: 0, requests: zero(), limits: zero(), pvcStorage: 0 };
        const measures: Record<string, number> = {
            pods: need.pods,
            "requests.cpu": need.requests.cpu,
            "requests.memory": need.requests.memory,
            "limits.cpu": need.limits.cpu,
            "limits.memory": need.limits.memory,
            "requests.nvidia.com/gpu": need.requests.gpus,
            "requests.storage": need.pvcStorage,
            "requests.ephemeral-storage": need.requests.ephemeralStorage,
            "limits.ephemeral-storage": need.limits.ephemeralStorage,
        };
        for (const [resource, hard] of Object.entries(q.spec?.hard ?? {})) {
            if (!(resource in measures)) continue;
            const ok = measures[resource] <= parseQuantity(hard) + 1e-9;
            quotas.push({ namespace: n, resource, hard: String(hard), neededAtMaximum: measures[resource], ok });
            if (!ok)
                problems.push(
                    `ResourceQuota ${n}/${q.metadata?.name}: ${resource} ${hard} cannot admit the workloads at their autoscaler maximum during a rolling update (${formatQuantity(resource, measures[resource])} needed)`,
                );
        }
    }
    for (const s of shapes) for (const m of s.shape.overLimitRange) problems.push(`LimitRange: ${m} (admission rejects the pod)`);
    const gpuNeeded = shapes.some((s) => s.shape.requests.gpus > 0 && s.counts.max > 0);
    if (gpuNeeded && !nodes.some((n) => n.allocatable.gpus > 0))
        problems.push("a workload requests nvidia.com/gpu but no node pool has GPUs (kubernetes.nodePools)");
    const byPool: Record<string, number> = {};
    for (const n of nodes) byPool[n.pool] = (byPool[n.pool] ?? 0) + 1;
    return {
        nodes: {
            total: nodes.length,
            byPool,
            allocatable: nodes.reduce((a, n) => add(a, n.allocatable), zero()),
            neededAtMaximum: nodesNeeded(podsOf("rolling update at maximum"), pools),
        },
        scenarios,
        quotas,
        problems: [...new Set(problems)],
    };
}

/**
 * The fewest nodes per pool (each pool's shape, zones and taints) that place every pod: starting
 * from none, repeatedly add the one node that leaves the fewest pods unplaced. Greedy, so an upper
 * bound in odd cases; exact for the usual shapes (one CPU pool, one GPU pool).
 */
export function nodesNeeded(pods: PodShape[], pools: NodePool[]): Record<string, number> | null {
    const counts = pools.map(() => 0);
    const unplaced = (c: number[]) => place(pods, nodesOf(pools.map((p, i) => ({ ...p, count: c[i] })))).filter((x) => !x.node).length;
    let left = unplaced(counts);
    for (let step = 0; left > 0 && step < 500; step++) {
        let best = -1;
        let bestLeft = left;
        for (let i = 0; i < pools.length; i++) {
            const trial = counts.map((c, j) => (j === i ? c + 1 : c));
            const l = unplaced(trial);
            if (l < bestLeft) [best, bestLeft] = [i, l];
        }
        if (best < 0) return null;
        counts[best]++;
        left = bestLeft;
    }
    return left === 0 ? Object.fromEntries(pools.map((p, i) => [p.name, counts[i]])) : null;
}

/** A number in a resource's natural unit (cores; GiB for bytes). */
export function formatQuantity(resource: string, value: number): string {
    if (/memory|storage/.test(resource)) return `${(value / 1024 ** 3).toFixed(value % 1024 ** 3 === 0 ? 0 : 1)}Gi`;
    return String(Math.round(value * 1000) / 1000);
}
