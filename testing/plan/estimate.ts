/**
 * Stage 4 of the plan: what the stack costs on AWS (a monthly estimate per resource from the price
 * table and the usage assumptions) and whether it fits its Kubernetes cluster (requests and
 * limits per namespace, quotas, the scheduler's filters on the configured node pools).
 */
import { CapacityReport, K8sObject as CapacityObject, capacity } from "../../analysis/capacity";
import { CostEstimate, estimateCost } from "../../analysis/cost";
import { COST_ASSUMPTIONS, StackSettings } from "../../components/settings";
import { recoveryReport, RecoveryReport } from "../../analysis/recovery";
import type { RecordedResource } from "../mocks";
import { kubernetesObjects } from "./manifests";

/** The region when neither the settings nor `aws:region` name one. */
const FALLBACK_REGION = "us-east-1";

/**
 * The cost of the AWS resources of a plan; null when it has none. This repository's program uses
 * its settings (region, assumptions); another program uses `aws:region` and the staging preset's
 * assumptions.
 */
export function costOf(records: RecordedResource[], settings: StackSettings | undefined, config: Record<string, string>): CostEstimate | null {
    if (!records.some((r) => r.custom && r.type.startsWith("aws:"))) return null;
    const region = settings?.aws.region || config["aws:region"] || FALLBACK_REGION;
    return estimateCost(records, region, settings?.costAssumptions ?? COST_ASSUMPTIONS.staging);
}

/** The capacity of the Kubernetes objects of a plan on the configured node pools; null without Kubernetes objects or node pools. */
export function capacityOf(records: RecordedResource[], settings: StackSettings | undefined): CapacityReport | null {
    // Rendered objects, read through the capacity model's view of their specs.
    const objects = kubernetesObjects(records).map((o) => o.object as CapacityObject);
    if (objects.length === 0) return null;
    const pools = settings?.kubernetes.nodePools;
    if (!pools || pools.length === 0) return null;
    return capacity(objects, pools);
}

/**
 * What the database resources of a plan recover per failure scenario, against the environment's
 * objectives (this repository's program; another program gets the figures without objectives).
 */
export function recoveryOf(records: RecordedResource[], settings: StackSettings | undefined): RecoveryReport | null {
    return recoveryReport(
        records.filter((r) => r.custom),
        settings?.recovery ?? null,
    );
}
