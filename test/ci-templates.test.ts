/**
 * The CI templates in examples/ci: the GitLab file is valid YAML with the keys GitLab requires,
 * both run the plan with flags the CLI accepts and keep its reports. (actionlint checks the GitHub
 * workflow in CI: tools/ci-templates-check.sh.)
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { repoRoot } from "../testing/paths";
import { parseArgs } from "../testing/plan/cli";

const dir = path.join(repoRoot(), "examples", "ci");
const read = (f: string) => fs.readFileSync(path.join(dir, f), "utf8");

/** The plan invocations of a script: the arguments after `npm run plan ... --`, variables filled in. */
function planCalls(text: string): string[][] {
    const calls: string[][] = [];
    const joined = text.replace(/\\\n\s*/g, " ");
    for (const m of joined.matchAll(/npm run plan(?: --silent)? -- ([^\n]+)/g)) {
        const args = m[1]
            .replace(/\$\{\{ matrix\.stack \}\}|"\$STACK"/g, "staging")
            .replace(/\$\{\{ matrix\.target \}\}|"\$TARGET"/g, "aws")
            .split(/\s+/)
            .map((a) => a.replace(/^"|"$/g, ""))
            .filter(Boolean);
        calls.push(args);
    }
    return calls;
}

describe("CI templates (examples/ci)", () => {
    it("GitLab: valid YAML, stages declared, every job has a stage of them and a script", () => {
        const doc = YAML.parse(read("gitlab-ci.yml"));
        assert.ok(Array.isArray(doc.stages) && doc.stages.length > 0);
        const jobs = Object.entries(doc).filter(([k]) => !["stages", "variables", "default", "include", "workflow"].includes(k) && !k.startsWith("."));
        assert.ok(jobs.length >= 2);
        for (const [name, job] of jobs as [string, any][]) {
            const merged = { ...(job.extends ? doc[job.extends] : {}), ...job };
            assert.ok(doc.stages.includes(merged.stage), `${name}: stage ${merged.stage}`);
            assert.ok(Array.isArray(merged.script) && merged.script.length > 0, `${name}: script`);
            if (merged.image) assert.match(merged.image, /^node:2[2-9]/, `${name}: a supported Node.js`);
        }
        assert.strictEqual(doc["offline-plan"].artifacts.reports.junit, "plan-junit.xml");
        assert.strictEqual(doc["offline-plan"].artifacts.when, "always");
    });

    it("GitHub: valid YAML with the plan job uploading SARIF and the summary", () => {
        const doc = YAML.parse(read("github-actions.yml"));
        const steps = doc.jobs["offline-plan"].steps as any[];
        assert.ok(steps.some((s) => String(s.uses).startsWith("github/codeql-action/upload-sarif@") && s.with.sarif_file === "plan.sarif"));
        assert.ok(steps.some((s) => String(s.run ?? "").includes("GITHUB_STEP_SUMMARY")));
        assert.strictEqual(doc.jobs["offline-plan"].permissions["security-events"], "write");
        assert.ok(doc.jobs.preview.if.includes("PULUMI_BACKEND_URL"), "preview only where credentials exist");
    });

    it("both run the plan with flags the CLI accepts, writing SARIF, JUnit and the summary", () => {
        for (const f of ["github-actions.yml", "gitlab-ci.yml"]) {
            const calls = planCalls(read(f));
            assert.ok(calls.length > 0, f);
            for (const argv of calls) {
                const args = parseArgs(argv);
                assert.deepStrictEqual([args.sarif, args.junit, args.summary], ["plan.sarif", "plan-junit.xml", "plan-summary.md"], f);
            }
        }
    });

    it("both deploy with the snapshot before pulumi up (tools/pre-deploy-snapshot.sh with the stack and the commit)", () => {
        const gh = YAML.parse(read("github-actions.yml"));
        const steps = gh.jobs.deploy.steps as any[];
        const snapshot = steps.findIndex((st) => /bash tools\/pre-deploy-snapshot\.sh --stack "\$STACK" --commit "\$GITHUB_SHA"/.test(String(st.run ?? "")));
        const up = steps.findIndex((st) => String(st.uses).startsWith("pulumi/actions@") && st.with?.command === "up");
        assert.ok(snapshot >= 0 && up > snapshot, `GitHub: snapshot step ${snapshot}, up step ${up}`);
        // The Pulumi CLI is on PATH before the script reads the stack's delivery output.
        assert.ok(steps.findIndex((st) => String(st.uses).startsWith("pulumi/actions@") && !st.with) < snapshot);
        assert.strictEqual(steps[up].with.policyPacks, "policies");
        const gl = YAML.parse(read("gitlab-ci.yml"));
        const script = gl.deploy.script as string[];
        const glSnapshot = script.findIndex((l) => l === 'bash tools/pre-deploy-snapshot.sh --stack "$STACK" --commit "$CI_COMMIT_SHA"');
        const glUp = script.findIndex((l) => l.startsWith("pulumi up "));
        assert.ok(glSnapshot >= 0 && glUp > glSnapshot, `GitLab: snapshot line ${glSnapshot}, up line ${glUp}`);
        assert.ok(script[glUp].includes("--policy-pack policies"));
        assert.ok(fs.existsSync(path.join(repoRoot(), "tools", "pre-deploy-snapshot.sh")));
    });
});
