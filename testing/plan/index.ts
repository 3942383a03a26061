/**
 * The offline plan, in stages: (1) config — the stack file, `--set`, validation; (2) run — the
 * program under the SDK's mocks, every registration recorded; (3) evaluate — the policy pack
 * in-process with the engine's semantics; (4) estimate — the monthly cost on AWS, the capacity
 * on the Kubernetes node pools; (5) report — the JSON document, the terminal summary,
 * SARIF/JUnit/Markdown; (6) write — files. No cloud credentials, no Pulumi CLI.
 *
 * The same stages are the testing kit other teams import (`@ragstack/pulumi-rag-platform/testing`).
 */
import type { PolicyPackConfig } from "@pulumi/policy";
import * as YAML from "yaml";
import { StackSettings } from "../../components/settings";
import { runProgramWithConfig } from "../program";
import { ConfigStageOptions, loadStackConfig } from "./config";
import { mermaid } from "./diagram";
import { buildDocument } from "./document";
import { evaluatePolicies } from "./evaluate";
import { capacityOf, costOf, recoveryOf } from "./estimate";
import { loadPolicyConfig } from "./policy-config";
import { kubernetesObjects } from "./manifests";
import { preflightOf } from "./preflight";
import { PlanResult } from "./result";
import { OutFile } from "./write";

export { PLAN_FORMAT_VERSION, REDACTED, keySettings, planPassed } from "./document";
export { capacityOf, costOf, recoveryOf } from "./estimate";
export type { PlanDocument, PlanResource, PlanViolation } from "./document";
export { EXIT, PlanInputError, classify } from "./errors";
export { renderSummary } from "./summary";
export { kubernetesObjects } from "./manifests";
export type { K8sObject } from "./manifests";
export { mermaid } from "./diagram";
export { sarifReport, junitReport, markdownReport } from "./reports";
export type { PlanResult } from "./result";

export interface PlanOptions extends ConfigStageOptions {
    /** Policy config file; default `policies/config/<stack>.json` for this repository's program. */
    policyConfigFile?: string;
    /** Outputs of the stacks the program references (`--stack-reference`), by stack name. @default {} */
    stackReferences?: Record<string, Record<string, unknown>>;
}

/**
 * The budget policy prices with the stack's own region and usage assumptions (the pack alone sees
 * only resources); settings the policy config gives win.
 */
function withStackCostSettings(config: PolicyPackConfig | undefined, settings: StackSettings | undefined): PolicyPackConfig | undefined {
    if (!settings || settings.target !== "aws") return config;
    const name = "aws-billing-stack-restrict-monthly-cost";
    const given = config?.[name];
    const object = typeof given === "string" ? { enforcementLevel: given } : (given ?? {});
    return { ...(config ?? {}), [name]: { region: settings.aws.region, assumptions: settings.costAssumptions, ...object } as PolicyPackConfig[string] };
}

/** Runs the plan of one stack. Throws PlanInputError / ValidationError / EngineInvariantError for bad input. */
export async function plan(opts: PlanOptions): Promise<PlanResult> {
    const stack = loadStackConfig(opts);
    const policy = loadPolicyConfig(opts.policyConfigFile, opts.stack, stack.ownProgram);
    const run = await runProgramWithConfig(stack.root, stack.project, stack.stack, stack.config, opts.stackReferences);
    const records = run.resources.all;
    const evaluation = await evaluatePolicies(records, withStackCostSettings(policy.config, stack.settings));
    const document = buildDocument({
        stack: opts.stack,
        settings: stack.settings,
        warnings: stack.warnings,
        records,
        outputs: run.outputs,
        policyConfigFile: policy.file,
        evaluation,
        cost: costOf(records, stack.settings, stack.config),
        capacity: capacityOf(records, stack.settings),
        recovery: recoveryOf(records, stack.settings),
        preflight: preflightOf(records, stack.settings?.aws.region || stack.config["aws:region"] || "eu-west-1"),
    });
    return { document, settings: stack.settings, records, evaluation, root: stack.root, project: stack.project };
}

/** What `--out` writes: plan.json, one YAML file per Kubernetes object, architecture.mmd. */
export function planFiles(result: PlanResult): OutFile[] {
    const files: OutFile[] = [{ path: "plan.json", content: JSON.stringify(result.document, null, 2) }];
    if (result.document.target === "kubernetes") {
        for (const o of kubernetesObjects(result.records)) {
            // YAML 1.1 so that strings such as "yes" or "on" are quoted: kubectl and Go YAML parsers read 1.1.
            files.push({ path: `manifests/${o.file}`, content: YAML.stringify(o.object, { lineWidth: 0, version: "1.1" }) });
        }
    }
    files.push({ path: "architecture.mmd", content: mermaid(result) });
    return files;
}
