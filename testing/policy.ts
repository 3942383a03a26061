/** Glue between the mocks harness and the in-process policy evaluation. */
import type { PolicyPackConfig } from "@pulumi/policy";
import { AnalyzedResource, evaluate, EvaluationResult } from "../policies/lib/evaluate";
import { buildPolicies, exceptionLedger, PackOptions } from "../policies/lib";
import { RecordedResource } from "./mocks";

/** The engine's view of recorded resources (inputs as props). */
export function toAnalyzed(resources: RecordedResource[]): AnalyzedResource[] {
    return resources.map((r) => ({
        urn: r.urn,
        type: r.type,
        name: r.name,
        props: r.inputs,
        parent: r.parent,
        dependencies: r.dependencies,
        propertyDependencies: r.propertyDependencies,
        protect: r.protect,
    }));
}

/** Evaluates the pack over recorded resources. */
export async function evaluatePack(resources: RecordedResource[], config?: PolicyPackConfig, options: PackOptions = {}): Promise<EvaluationResult> {
    exceptionLedger.length = 0;
    return evaluate(buildPolicies(options), toAnalyzed(resources), config);
}
