/**
 * What the local cluster needs before the stack: the prerequisites' CRDs (pinned, from their Go
 * modules), a CSI driver that requires attachment and the storage classes the stack names (block
 * storage, bound when the first consumer is scheduled), kwok's stages (node and Pod lifecycles,
 * from its own module) plus three of ours that stand in for a CSI provisioner and attacher, and
 * the nodes a description of node pools stands for.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { nodesOf } from "../../analysis/capacity";
import { NodePool } from "../../components/settings";
import { repoRoot } from "../../testing/paths";
import { NodeSpec } from "./control-plane";

/** The simulated block-storage CSI driver (attach required, like Ceph RBD or EBS). */
export const CSI_DRIVER = "block.csi.ragstack.test";

/**
 * Images whose tag ends with this never become Ready here: kwok's pod-ready stage leaves their pods
 * alone and `ragstack-pod-never-ready` runs them without ever passing readiness (a release whose
 * health check fails). The cluster check's failed-rollout scenario deploys one.
 */
export const NEVER_READY_TAG_SUFFIX = "-never-ready";

/** kwok's pod-ready stage without the never-ready pods, and the stage that runs those unready. */
function readinessStages(podReady: string): string[] {
    const marker = `self.spec.containers.exists(c, c.image.endsWith('${NEVER_READY_TAG_SUFFIX}'))`;
    const ready = YAML.parse(podReady);
    ready.spec.selector.matchExpressions.push({ cel: { expression: `!${marker}` } });
    const unready = YAML.parse(podReady);
    unready.metadata.name = "ragstack-pod-never-ready";
    unready.spec.selector.matchExpressions = [
        { key: ".metadata.deletionTimestamp", operator: "DoesNotExist" },
        { key: ".status.phase", operator: "In", values: ["Pending"] },
        { cel: { expression: marker } },
    ];
    // Running, with the Ready and ContainersReady conditions false and the containers not ready.
    const template = String(unready.spec.next.statusTemplate);
    const edited = template.replace(/status: "True"(\s+)type: (Ready|ContainersReady)\b/g, 'status: "False"$1type: $2').replace("ready: true", "ready: false");
    if (edited.split('status: "False"').length !== 3 || !edited.includes("ready: false"))
        throw new Error("kwok's pod-ready stage changed: the never-ready stage could not be derived from it");
    unready.spec.next.statusTemplate = edited;
    return [YAML.stringify(ready, { blockQuote: "literal" }), YAML.stringify(unready, { blockQuote: "literal" })];
}
const KWOK_MODULE = "sigs.k8s.io/kwok@v0.8.0";

/** The folder of a Go module in the module cache (downloaded if needed). */
export function goModuleDir(module: string): string {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gomod-"));
    try {
        spawnSync("go", ["mod", "init", "tmp"], { cwd: tmp, stdio: "ignore" });
        const r = spawnSync("go", ["mod", "download", "-json", module], { cwd: tmp, encoding: "utf8", env: { ...process.env, GOFLAGS: "-mod=mod" } });
        const dir = r.status === 0 ? (JSON.parse(r.stdout).Dir as string | undefined) : undefined;
        if (!dir) throw new Error(`go mod download ${module} failed: ${r.stderr}`);
        return dir;
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}

/**
 * The CRDs of tools/cluster/crds.json as one multi-document YAML. cert-manager's files carry Helm
 * template labels (`{{ ... }}`) that a real API server rightly rejects: those lines are dropped.
 */
export function crdManifests(): string {
    const spec = JSON.parse(fs.readFileSync(path.join(repoRoot(), "tools", "cluster", "crds.json"), "utf8")) as { modules: { module: string; dir: string }[] };
    const docs: string[] = [];
    for (const m of spec.modules) {
        const dir = path.join(goModuleDir(m.module), m.dir);
        for (const f of fs
            .readdirSync(dir)
            .filter((x) => /\.ya?ml$/.test(x))
            .sort()) {
            const text = fs
                .readFileSync(path.join(dir, f), "utf8")
                .split("\n")
                .filter((l) => !l.includes("{{"))
                .join("\n");
            for (const d of YAML.parseAllDocuments(text)) {
                const o = d.toJS();
                if (o?.kind === "CustomResourceDefinition") docs.push(YAML.stringify(o));
            }
        }
    }
    return docs.join("---\n");
}

/** kwok's configuration: explicit parallelism and CIDR, and the stages as documents. */
export function kwokConfig(storageClasses: string[]): string {
    const stageDir = path.join(goModuleDir(KWOK_MODULE), "kustomize", "stage");
    const stage = (rel: string) => fs.readFileSync(path.join(stageDir, rel), "utf8");
    const classes = storageClasses.map((c) => `'${c}'`).join(", ");
    const ours = [
        // Provisioning: a CSI volume for a claim of our classes once the scheduler picked a node.
        `apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: ragstack-pvc-provision
spec:
  resourceRef:
    apiGroup: v1
    kind: PersistentVolumeClaim
  selector:
    matchExpressions:
    - cel:
        expression: >-
          has(self.spec.storageClassName) && self.spec.storageClassName in [${classes}]
    - cel:
        expression: >-
          !has(self.metadata.deletionTimestamp)
    - cel:
        expression: >-
          !has(self.spec.volumeName)
    - cel:
        expression: >-
          has(self.metadata.annotations) && 'volume.kubernetes.io/selected-node' in self.metadata.annotations
  steps:
  - apply:
      template: |
        apiVersion: v1
        kind: PersistentVolume
        metadata:
          name: pvc-{{ .metadata.uid }}
          annotations:
            pv.kubernetes.io/provisioned-by: ${CSI_DRIVER}
        spec:
          accessModes:
          {{ YAML .spec.accessModes 2 }}
          capacity:
          {{ YAML .spec.resources.requests 2 }}
          persistentVolumeReclaimPolicy: Delete
          storageClassName: {{ .spec.storageClassName | Quote }}
          volumeMode: {{ default "Filesystem" .spec.volumeMode | Quote }}
          claimRef:
            apiVersion: v1
            kind: PersistentVolumeClaim
            name: {{ .metadata.name | Quote }}
            namespace: {{ .metadata.namespace | Quote }}
            uid: {{ .metadata.uid | Quote }}
          csi:
            driver: ${CSI_DRIVER}
            volumeHandle: vol-{{ .metadata.uid }}
            fsType: ext4`,
        // Released volumes of our classes are deleted (reclaim policy Delete; no real provisioner).
        `apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: ragstack-pv-delete
spec:
  resourceRef:
    apiGroup: v1
    kind: PersistentVolume
  selector:
    matchExpressions:
    - cel:
        expression: >-
          self.spec.storageClassName in [${classes}]
    - cel:
        expression: >-
          self.spec.persistentVolumeReclaimPolicy == 'Delete' && has(self.status.phase) && self.status.phase == 'Released'
  steps:
  - delete: true`,
        // Attachment: the attach/detach controller asks, the driver's attacher answers.
        `apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: ragstack-volume-attach
spec:
  resourceRef:
    apiGroup: storage.k8s.io/v1
    kind: VolumeAttachment
  selector:
    matchExpressions:
    - cel:
        expression: >-
          self.spec.attacher == '${CSI_DRIVER}' && !has(self.metadata.deletionTimestamp) && (!has(self.status) || !self.status.attached)
  steps:
  - patch:
      root: status
      subresource: status
      template: |
        attached: true`,
    ];
    const config = {
        apiVersion: "config.kwok.x-k8s.io/v1alpha1",
        kind: "KwokConfiguration",
        options: {
            cidr: "10.0.0.0/16",
            nodeLeaseDurationSeconds: 40,
            nodeLeaseParallelism: 4,
            podPlayStageParallelism: 8,
            nodePlayStageParallelism: 4,
            podsOnNodeSyncParallelism: 4,
            enableCRDs: [],
        },
    };
    return [
        YAML.stringify(config),
        stage("node/fast/node-initialize.yaml"),
        stage("node/heartbeat-with-lease/node-heartbeat-with-lease.yaml"),
        ...readinessStages(stage("pod/fast/pod-ready.yaml")),
        stage("pod/fast/pod-complete.yaml"),
        stage("pod/fast/pod-delete.yaml"),
        ...ours,
    ]
        .map((d) => d.trim())
        .join("\n---\n");
}

/** The CSI driver (attach required) and the storage classes, the first one the cluster default. */
export function storageObjects(classes: string[]): string {
    const docs: object[] = [
        {
            apiVersion: "storage.k8s.io/v1",
            kind: "CSIDriver",
            metadata: { name: CSI_DRIVER },
            spec: { attachRequired: true, podInfoOnMount: false, volumeLifecycleModes: ["Persistent"], fsGroupPolicy: "File" },
        },
        ...classes.map((c, i) => ({
            apiVersion: "storage.k8s.io/v1",
            kind: "StorageClass",
            metadata: { name: c, annotations: i === 0 ? { "storageclass.kubernetes.io/is-default-class": "true" } : {} },
            provisioner: CSI_DRIVER,
            reclaimPolicy: "Delete",
            volumeBindingMode: "WaitForFirstConsumer",
            allowVolumeExpansion: true,
        })),
    ];
    return docs.map((d) => YAML.stringify(d)).join("---\n");
}

/** The simulated nodes of node pools (the same names and zones the offline plan uses). */
export function nodeSpecs(pools: NodePool[]): NodeSpec[] {
    return nodesOf(pools).map((n) => ({
        name: n.name,
        cpu: String(n.allocatable.cpu),
        memory: `${Math.round(n.allocatable.memory / 1024 ** 2)}Mi`,
        ephemeralStorage: `${Math.round(n.allocatable.ephemeralStorage / 1024 ** 3)}Gi`,
        gpus: n.allocatable.gpus,
        labels: Object.fromEntries(Object.entries(n.labels).filter(([k]) => k !== "kubernetes.io/hostname" && k !== "topology.kubernetes.io/zone")),
        taints: n.taints,
        zone: n.zone,
    }));
}
