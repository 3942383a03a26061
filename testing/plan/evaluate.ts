/**
 * Stage 3 of the plan: the policy pack over the recorded resources, in-process, with the
 * engine's semantics (policies/lib/evaluate.ts) and the stack's policy config.
 */
import type { PolicyPackConfig } from "@pulumi/policy";
import { buildPolicies, exceptionLedger } from "../../policies/lib";
import { evaluate, EvaluationResult } from "../../policies/lib/evaluate";
import { RecordedResource } from "../mocks";
import { toAnalyzed } from "../policy";

/** Stage 3: evaluates the pack over the recorded resources. */
export async function evaluatePolicies(records: RecordedResource[], config: PolicyPackConfig | undefined): Promise<EvaluationResult> {
    exceptionLedger.length = 0;
    return evaluate(buildPolicies(), toAnalyzed(records), config);
}
