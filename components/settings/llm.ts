/** The Ollama LLM server on GPU machines: image, models, GPU capacity. */
import { GPU_INSTANCE_TYPES } from "../core/aws-catalog";
import { DEFAULT_IMAGES } from "../core/facts";
import { Validator } from "../core/validation";
import { defineTier, StackIdentity } from "./tier";

/** The Ollama LLM server on GPU machines. */
export interface LlmSettings {
    /** Deploy the LLM server. When false the API must be pointed at an external LLM. @default true */
    enabled: boolean;
    /** Ollama image, pinned (never `latest`); production: by digest when you set it (the default carries images.lock.json's). */
    image: string;
    /** Models pulled before the server takes traffic, e.g. `llama3.1:8b`. */
    models: string[];
    /** GPU machines / pods wanted in steady state. @default 1 staging, 2 production */
    desiredNodes: number;
    /** Lowest number of GPU machines (0 lets staging scale to zero), AWS. @default 0 staging, 2 production */
    minNodes: number;
    /** Highest number of GPU machines. @default 1 staging, 3 production */
    maxNodes: number;
    /** GPU instance type on AWS. @default "g5.xlarge" */
    instanceType: string;
    /** GPUs requested by one Ollama task / pod. @default 1 */
    gpusPerNode: number;
    /** Use Spot capacity for GPU instances (AWS). @default false */
    spot: boolean;
    /** Volume for the model cache, GiB. @default 100 staging, 200 production */
    modelVolumeGiB: number;
    /** How long Ollama keeps a model loaded (OLLAMA_KEEP_ALIVE). @default "24h" */
    keepAlive: string;
}

/** An Ollama model name such as llama3.1:8b. */
export const MODEL_RE = /^[a-z0-9][a-z0-9._\-/]*(:[A-Za-z0-9._-]+)?$/;

/** Bounds of the GPU fleet, shared by the tier and the LLM components. */
export const LLM_LIMITS = { nodes: [0, 50], maxNodes: [1, 50], gpusPerNode: [1, 8], modelVolumeGiB: [30, 16384] } as const;

/** Checks a GPU instance type and the GPUs one task asks of it. */
export function checkGpuInstance(v: Validator, typeField: string, instanceType: unknown, gpusField: string, gpus: unknown): void {
    const spec = typeof instanceType === "string" ? GPU_INSTANCE_TYPES[instanceType] : undefined;
    if (!spec) {
        const fams = [...new Set(Object.keys(GPU_INSTANCE_TYPES).map((t) => t.split(".")[0]))].join(", ");
        v.fail(typeField, instanceType, `a GPU instance type of the ${fams} families (e.g. g5.xlarge, g5.2xlarge, g6e.xlarge)`);
        return;
    }
    if (typeof gpus === "number" && gpus > spec.gpus)
        v.fail(gpusField, gpus, `at most ${spec.gpus}: ${instanceType} has ${spec.gpus} GPU${spec.gpus > 1 ? "s" : ""}`);
}

/** A model list: at least one, each an Ollama model name, no model twice. */
export function checkModels(v: Validator, field: string, models: unknown): void {
    if (!Array.isArray(models) || models.length === 0) return v.fail(field, models, "at least one model name such as llama3.1:8b");
    models.forEach((m, i) => v.matches(`${field}[${i}]`, m, MODEL_RE, "an Ollama model name such as llama3.1:8b"));
    v.unique(field, models);
}

/** The fleet's size: minimum <= desired <= maximum within LLM_LIMITS. */
export function checkLlmNodes(v: Validator, fields: { min: string; desired: string; max: string }, n: { min: unknown; desired: unknown; max: unknown }): void {
    v.int(fields.max, n.max, ...LLM_LIMITS.maxNodes);
    v.int(fields.min, n.min, ...LLM_LIMITS.nodes);
    v.int(fields.desired, n.desired, ...LLM_LIMITS.nodes);
    if (typeof n.min === "number" && typeof n.desired === "number" && typeof n.max === "number" && (n.min > n.desired || n.desired > n.max))
        v.fail(fields.desired, n.desired, `between ${fields.min} (${n.min}) and ${fields.max} (${n.max})`);
}

type LlmView = StackIdentity & { llm: LlmSettings };
/** Settings checked only while the LLM is deployed. */
const ifEnabled =
    <T>(check: (v: Validator, f: string, x: T, s: LlmView) => void) =>
    (v: Validator, f: string, x: T, s: LlmView) => {
        if (s.llm.enabled) check(v, f, x, s);
    };

export const llmTier = defineTier<LlmSettings, LlmView>({
    path: "llm",
    title: "LLM (Ollama on GPUs)",
    settings: {
        enabled: {
            key: "llmEnabled",
            type: "boolean",
            description: "Deploy the Ollama LLM server.",
            development: false,
            staging: true,
            check: (v, f, x) => v.bool(f, x),
        },
        image: {
            key: "llmImage",
            type: "string",
            description: "Ollama image, pinned; production: by digest when set (image:tag@sha256:<digest>), or the pack refuses it.",
            staging: DEFAULT_IMAGES.ollama,
            check: ifEnabled((v, f, x) => v.image(f, x)),
        },
        models: {
            key: "llmModels",
            type: "array",
            description: "Models pulled before Ollama serves, e.g. [llama3.1:8b].",
            staging: ["llama3.1:8b", "nomic-embed-text:v1.5"],
            check: ifEnabled(checkModels),
        },
        desiredNodes: { key: "llmDesiredNodes", type: "integer", description: "GPU nodes/pods wanted.", staging: 1, production: 2 },
        minNodes: {
            key: "llmMinNodes",
            type: "integer",
            description: "GPU instances minimum (0 = scale to zero), AWS.",
            staging: 0,
            production: 2,
            targets: ["aws"],
            unused: "the LLM runs llmDesiredNodes pods and the cluster's autoscaler owns the GPU nodes",
        },
        maxNodes: { key: "llmMaxNodes", type: "integer", description: "GPU nodes maximum.", staging: 1, production: 3 },
        instanceType: {
            key: "llmInstanceType",
            type: "string",
            description: "GPU instance type on AWS (g5.xlarge).",
            staging: "g5.xlarge",
            targets: ["aws"],
            unused: "the cluster's node pools decide the GPU machines (k8sNodePools)",
        },
        gpusPerNode: { key: "llmGpusPerNode", type: "integer", description: "GPUs per LLM task/pod.", staging: 1 },
        spot: {
            key: "llmSpot",
            type: "boolean",
            description: "Spot GPU instances on AWS.",
            development: true,
            staging: false,
            targets: ["aws"],
            unused: "the cluster's node pools decide Spot capacity (a Spot GPU node pool in k8sNodePools); the LLM has no Spot setting of its own",
            check: ifEnabled((v, f, x) => v.bool(f, x)),
        },
        modelVolumeGiB: {
            key: "llmModelVolumeGiB",
            type: "integer",
            description: "Model cache volume, GiB.",
            development: 50,
            staging: 100,
            production: 200,
            check: ifEnabled((v, f, x) => v.int(f, x, ...LLM_LIMITS.modelVolumeGiB)),
        },
        keepAlive: {
            key: "llmKeepAlive",
            type: "string",
            description: "OLLAMA_KEEP_ALIVE: how long a model stays loaded (e.g. 24h).",
            staging: "24h",
            check: ifEnabled((v, f, x) => v.matches(f, x, /^(-1|\d+[smh]?)$/, "a duration such as 5m, 24h or -1")),
        },
    },
    validate: (v, s) => {
        const llm = s.llm;
        if (!llm.enabled) return;
        v.int("llm.gpusPerNode", llm.gpusPerNode, ...LLM_LIMITS.gpusPerNode);
        // On Kubernetes only the pods (desired) count: the autoscaler of the cluster owns the nodes.
        if (s.target === "aws") checkGpuInstance(v, "llm.instanceType", llm.instanceType, "llm.gpusPerNode", llm.gpusPerNode);
        checkLlmNodes(
            v,
            { min: "llm.minNodes", desired: "llm.desiredNodes", max: "llm.maxNodes" },
            { min: s.target === "aws" ? llm.minNodes : 0, desired: llm.desiredNodes, max: llm.maxNodes },
        );
    },
});
