/**
 * Mocha's spec reporter plus one plain closing line, `tests: N passed, N failed[, N skipped]`,
 * that CI systems read whatever the runner.
 */
import * as Mocha from "mocha";

class SpecWithSummary extends Mocha.reporters.Spec {
    constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
        super(runner, options);
        runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
            const s = runner.stats ?? { passes: 0, failures: 0, pending: 0 };
            // Printed after the spec reporter's own epilogue.
            process.on("exit", () => {
                process.stdout.write(`tests: ${s.passes} passed, ${s.failures} failed${s.pending ? `, ${s.pending} skipped` : ""}\n`);
            });
        });
    }
}

export = SpecWithSummary;
