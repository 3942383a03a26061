/**
 * Stage 3 of the plan: the policy pack over the recorded resources, in-process, with the
 * engine's semantics (policies/lib/evaluate.ts) and the stack's policy config.
 */
import type { PolicyPackConfig } from "@pulumi/policy";
import * as fs from "fs";
import * as path from "path";
import { buildPolicies, exceptionLedger } from "../../policies/lib";
import { checkPolicyConfig, evaluate, EvaluationResult } from "../../policies/lib/evaluate";
import { RecordedResource } from "../mocks";
import { toAnalyzed } from "../policy";
import { repoRoot } from "../program";
import { PlanInputError } from "./errors";

export interface LoadedPolicyConfig {
    /** The file, relative to the repository when inside it; null for the pack defaults. */
    file: string | null;
    config: PolicyPackConfig | undefined;
}

/**
 * The policy config of a plan: `file` when given, else `policies/config/<stack>.json` of this
 * repository for its own program, else the pack's defaults. Unreadable files, malformed JSON,
 * unknown policy names and bad levels are PlanInputErrors naming the file.
 */
export function loadPolicyConfig(file: string | undefined, stack: string, ownProgram: boolean): LoadedPolicyConfig {
    let chosen = file ?? null;
    if (!chosen && ownProgram) {
        const candidate = path.join(repoRoot(), "policies", "config", `${stack}.json`);
        chosen = fs.existsSync(candidate) ? candidate : null;
    }
    if (!chosen) return { file: null, config: undefined };
    let text: string;
    try {
        if (fs.statSync(chosen).isDirectory()) throw new Error("it is a folder");
        text = fs.readFileSync(chosen, "utf8");
    } catch (e) {
        throw new PlanInputError(`--policy-config: cannot read the policy config ${chosen}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    let raw: unknown;
    try {
        raw = JSON.parse(text);
    } catch (e) {
        throw new PlanInputError(`--policy-config: ${chosen} is not valid JSON: ${(e as Error).message}`);
    }
    try {
        const rel = path.relative(repoRoot(), path.resolve(chosen));
        return { file: rel.startsWith("..") ? chosen : rel, config: checkPolicyConfig(buildPolicies(), raw) };
    } catch (e) {
        throw new PlanInputError(`--policy-config: ${chosen}: ${(e as Error).message}`);
    }
}

/** Stage 3: evaluates the pack over the recorded resources. */
export async function evaluatePolicies(records: RecordedResource[], config: PolicyPackConfig | undefined): Promise<EvaluationResult> {
    exceptionLedger.length = 0;
    return evaluate(buildPolicies(), toAnalyzed(records), config);
}
