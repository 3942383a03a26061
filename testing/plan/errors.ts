/**
 * The outcomes of a plan and their exit codes. Stable: CI scripts branch on them
 * (docs/offline-plan.md, "Exit codes").
 */
import { ValidationError, ValidationIssue } from "../../components/core/validation";

export const EXIT = {
    /** Plan made, no mandatory policy violated. */
    pass: 0,
    /** Plan made, at least one mandatory policy violated. */
    violation: 1,
    /** Bad input: flags, paths, stack files, config values, policy config, or a program the engine would refuse. */
    badInput: 2,
    /** A bug in this tool or library. */
    internal: 3,
} as const;

/** Where to report internal errors. */
export const REPORT_URL = "https://github.com/ragstack/pulumi-rag-platform/issues";

/** Bad input with a one-line (or few-line) message naming the flag or key, the value and what is allowed. */
export class PlanInputError extends Error {
    constructor(
        message: string,
        readonly issues: ValidationIssue[] = [],
    ) {
        super(message);
        this.name = "PlanInputError";
    }
}

/** What the CLI prints (and `--json` carries) for a failed plan. */
export interface PlanFailure {
    exitCode: 2 | 3;
    kind: "bad-input" | "internal";
    message: string;
    issues: ValidationIssue[];
}

/**
 * Classifies any error: input errors (ours, the settings' ValidationError, a program the engine
 * would refuse) are exit 2; anything else is an internal error, exit 3, with where to report it.
 */
export function classify(e: unknown): PlanFailure {
    if (e instanceof PlanInputError) return { exitCode: 2, kind: "bad-input", message: e.message, issues: e.issues };
    if (e instanceof ValidationError) return { exitCode: 2, kind: "bad-input", message: e.message, issues: e.issues };
    // By name: the mocks (and the SDK they load) are not imported before a plan runs.
    if (e instanceof Error && e.name === "EngineInvariantError") return { exitCode: 2, kind: "bad-input", message: e.message, issues: [] };
    const message = e instanceof Error ? e.message : String(e);
    return {
        exitCode: 3,
        kind: "internal",
        message: `internal error: ${message}\nThis is a bug: please report it at ${REPORT_URL} with the command line (set RAGSTACK_PLAN_DEBUG=1 for the stack trace).`,
        issues: [],
    };
}
