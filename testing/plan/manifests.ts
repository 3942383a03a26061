/**
 * The Kubernetes objects of a plan as they would be applied: one file per object, Secrets
 * without their data (generated values are applied by Pulumi, never written to disk).
 */
import * as path from "path";
import type { RecordedResource } from "../mocks";

/** A rendered Kubernetes object. */
export interface K8sObject {
    apiVersion?: string;
    kind?: string;
    metadata?: { name?: string; namespace?: string; annotations?: Record<string, string>; [k: string]: unknown };
    data?: Record<string, unknown>;
    stringData?: Record<string, unknown>;
    [k: string]: unknown;
}

/** Kubernetes objects of a plan, Secrets without their data. */
export function kubernetesObjects(records: RecordedResource[]): { file: string; object: K8sObject }[] {
    const out: { file: string; object: K8sObject }[] = [];
    for (const r of records) {
        if (!r.custom || !r.type.startsWith("kubernetes:") || r.type.startsWith("pulumi:")) continue;
        const obj = JSON.parse(JSON.stringify(r.inputs)) as K8sObject;
        if (!obj.apiVersion || !obj.kind) continue;
        if (obj.kind === "Secret") {
            const keys = [...Object.keys(obj.stringData ?? {}), ...Object.keys(obj.data ?? {})];
            delete obj.stringData;
            delete obj.data;
            obj.metadata = {
                ...obj.metadata,
                annotations: {
                    ...(obj.metadata?.annotations ?? {}),
                    "ragstack.io/secret-data": `not rendered: keys ${keys.join(", ")} are generated and applied by Pulumi`,
                },
            };
        }
        const parent = records.find((p) => p.urn === r.parent);
        const component = (parent?.type.split(":").pop() ?? "stack").toLowerCase();
        const ns = obj.metadata?.namespace ? `${obj.metadata.namespace}-` : "";
        out.push({ file: path.join(component, `${obj.kind.toLowerCase()}-${ns}${obj.metadata?.name ?? r.name}.yaml`), object: obj });
    }
    return out;
}
