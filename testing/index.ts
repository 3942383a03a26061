/**
 * The testing kit (`@ragstack/pulumi-rag-platform/testing`): what this repository tests itself
 * with, for other teams' programs.
 *
 * - `installMocks` / `ResourceLog`: the Pulumi SDK's mocks with realistic provider outputs (ARNs in
 *   each service's format, endpoints, the functions the components call) and a recorder of every
 *   registration as the engine sees it (URN, parent, inputs with secrets marked, options); what the
 *   engine refuses (duplicate URNs, unregistered parents, one Kubernetes object managed twice) is
 *   refused here too (`EngineInvariantError`).
 * - `runProgramWithConfig`: a compiled Pulumi program folder under those mocks with a stack's config.
 * - `evaluatePack` / `toAnalyzed`: the policy pack in-process with the engine's semantics.
 * - `plan` / `planFiles` / `runCli`: the offline plan (the `ragstack-plan` command).
 */
export { EngineInvariantError, installMocks, MOCK_ACCOUNT_ID, ResourceLog, settle, valueOf } from "./mocks";
export type { MockOptions, RecordedInvoke, RecordedResource } from "./mocks";
export { externalEntry, projectName, readStackConfig, runProgramWithConfig } from "./program";
export type { ProgramRun } from "./program";
export { evaluatePack, toAnalyzed } from "./policy";
export { plan, planFiles, renderSummary, kubernetesObjects, sarifReport, junitReport, markdownReport, PLAN_FORMAT_VERSION, EXIT } from "./plan";
export type { PlanDocument, PlanOptions, PlanResult } from "./plan";
export { main as runPlanCli, runCli, USAGE } from "./plan/cli";
