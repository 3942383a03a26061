/** Every rule of the pack, as data (no policy SDK loaded). */
import { awsRules } from "./aws";
import { configSchemaOf, EXCEPTIONS_REPORT_POLICY, Rule } from "./framework";
import { kubernetesRules } from "./kubernetes";
import { PolicyDescriptor } from "./config";

/** Every rule, AWS first. */
export const allRules: Rule[] = [...awsRules, ...kubernetesRules];

/** Name and config schema of every policy the pack registers (the rules and the exceptions report). */
export function policyDescriptors(): PolicyDescriptor[] {
    return [...allRules.map((r) => ({ name: r.name, configSchema: configSchemaOf(r) })), { name: EXCEPTIONS_REPORT_POLICY }];
}
