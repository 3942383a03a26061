import { deepMerge } from "../components/core/merge";
import { DeepPartial, ENVIRONMENTS, EnvironmentName, TARGETS, Target } from "../components/core/types";
import { ValidationError } from "../components/core/validation";
import { presetFor, StackSettings, unusedSettings, validateStackSettings } from "../components/settings";

/** What a user gives to get a stack: identity plus any overrides of the environment preset. */
export interface StackInput {
    /** `aws` or `kubernetes`. */
    target: Target;
    /** `staging` or `production`: selects the preset. */
    environment: EnvironmentName;
    /** Public host name of the API. */
    domain: string;
    /** Name prefix. @default "rag" */
    name?: string;
    /** Any preset value, overridden. */
    overrides?: DeepPartial<StackSettings>;
    /**
     * Other targets these overrides also carry settings for (one stack file for both targets): a
     * setting only they use is kept for them instead of refused. @default []
     */
    otherTargets?: Target[];
}

/**
 * Resolves the preset of `input.environment`, applies the overrides and validates the result:
 * every setting the target uses is checked, and a setting it does not use must keep its default
 * (unless it is for one of `otherTargets`). Throws a ValidationError naming every bad field;
 * registers nothing.
 */
export function resolveStackSettings(input: StackInput, context = "rag stack"): StackSettings {
    if (!ENVIRONMENTS.includes(input.environment)) {
        throw new ValidationError(context, [
            { field: "environment", value: input.environment, allowed: `one of ${ENVIRONMENTS.map((e) => `"${e}"`).join(", ")}` },
        ]);
    }
    if (!TARGETS.includes(input.target)) {
        throw new ValidationError(context, [{ field: "target", value: input.target, allowed: `one of ${TARGETS.map((e) => `"${e}"`).join(", ")}` }]);
    }
    const base: StackSettings = {
        name: input.name ?? "rag",
        target: input.target,
        environment: input.environment,
        domain: input.domain,
        ...presetFor(input.environment),
    };
    const settings = deepMerge(base, input.overrides ?? {});
    // identity fields win over overrides
    settings.target = input.target;
    settings.environment = input.environment;
    validateStackSettings(settings, context);
    unusedSettings(settings, input.otherTargets ?? [], context);
    return settings;
}
