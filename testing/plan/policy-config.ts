/**
 * Part of stage 1 of the plan: the policy pack config, read and checked before anything runs
 * (unreadable file, malformed JSON, unknown policy or setting, wrong level or type: exit 2).
 */
import type { PolicyPackConfig } from "@pulumi/policy";
import * as fs from "fs";
import * as path from "path";
import { checkPolicyConfig } from "../../policies/lib/config";
import { policyDescriptors } from "../../policies/lib/rules";
import { repoRootOrNull } from "../paths";
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
    const home = repoRootOrNull();
    if (!chosen && ownProgram && home) {
        const candidate = path.join(home, "policies", "config", `${stack}.json`);
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
        const rel = home ? path.relative(home, path.resolve(chosen)) : "..";
        return { file: rel.startsWith("..") ? chosen : rel, config: checkPolicyConfig(policyDescriptors(), raw) };
    } catch (e) {
        throw new PlanInputError(`--policy-config: ${chosen}: ${(e as Error).message}`);
    }
}
