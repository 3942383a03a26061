/** Named, timed check steps for the engine and cluster checks: one line each, failures collected. */

export interface StepResult {
    name: string;
    ok: boolean;
    ms: number;
    detail: string;
}

export class Steps {
    readonly results: StepResult[] = [];

    /** Runs one step; a thrown error fails it (with the message) without stopping the others. */
    async run(name: string, f: () => Promise<string | void> | string | void): Promise<boolean> {
        const t0 = Date.now();
        try {
            const detail = (await f()) ?? "";
            this.results.push({ name, ok: true, ms: Date.now() - t0, detail });
            process.stdout.write(`ok    ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)${detail ? `: ${detail}` : ""}\n`);
            return true;
        } catch (e) {
            const detail = (e as Error).message;
            this.results.push({ name, ok: false, ms: Date.now() - t0, detail });
            process.stdout.write(`FAIL  ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n${detail.replace(/^/gm, "      ")}\n`);
            return false;
        }
    }

    get failed(): StepResult[] {
        return this.results.filter((r) => !r.ok);
    }

    /** The closing line; sets the exit code. */
    finish(what: string, startedAt: number): void {
        const failed = this.failed.length;
        process.stdout.write(`${what}: ${this.results.length - failed} passed, ${failed} failed in ${((Date.now() - startedAt) / 1000).toFixed(0)} s\n`);
        process.exitCode = failed > 0 ? 1 : 0;
    }
}
