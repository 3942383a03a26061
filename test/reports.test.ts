/**
 * The reports CI systems read: SARIF 2.1.0 (validated against the OASIS JSON schema), JUnit XML
 * (parsed), Markdown; written by the real CLI for a passing and a failing plan.
 */
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { XMLParser } from "fast-xml-parser";
import { allRules } from "../policies/lib";
import { repoRoot } from "../testing/paths";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const Ajv = require("ajv");
const SCHEMA = path.join(repoRoot(), "node_modules", "@microsoft", "jest-sarif", "lib", "schemas", "sarif-2.1.0-rtm.5.json");

const PLAN = path.join(repoRoot(), "dist", "tools", "plan.js");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plan-reports-"));

function planWithReports(name: string, args: string[]) {
    const files = { sarif: path.join(tmp, `${name}.sarif`), junit: path.join(tmp, `${name}.xml`), summary: path.join(tmp, `${name}.md`) };
    const r = spawnSync(process.execPath, [PLAN, ...args, "--sarif", files.sarif, "--junit", files.junit, "--summary", files.summary], {
        cwd: repoRoot(),
        encoding: "utf8",
    });
    return {
        code: r.status,
        stderr: r.stderr,
        sarif: JSON.parse(fs.readFileSync(files.sarif, "utf8")),
        junitText: fs.readFileSync(files.junit, "utf8"),
        junit: new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", isArray: (n) => ["testsuite", "testcase"].includes(n) }).parse(
            fs.readFileSync(files.junit, "utf8"),
        ),
        summary: fs.readFileSync(files.summary, "utf8"),
        files,
    };
}

describe("plan reports: SARIF, JUnit, Markdown", function () {
    this.timeout(120000);
    let pass: ReturnType<typeof planWithReports>;
    let fail: ReturnType<typeof planWithReports>;
    before(() => {
        pass = planWithReports("pass", ["--stack", "staging"]);
        fail = planWithReports("fail", ["--stack", "production", "--set", "dbMultiAz=false", "--set", "dbDeletionProtection=false"]);
    });

    it("the CLI exits 0 / 1 and writes all three", () => {
        assert.strictEqual(pass.code, 0, pass.stderr);
        assert.strictEqual(fail.code, 1, fail.stderr);
        assert.match(fail.stderr, /wrote sarif report .*fail\.sarif/);
    });

    it("SARIF validates against the SARIF 2.1.0 JSON schema", () => {
        const ajv = new Ajv({ schemaId: "id", allErrors: true, logger: false });
        ajv.addMetaSchema(JSON.parse(fs.readFileSync(require.resolve("ajv/lib/refs/json-schema-draft-04.json"), "utf8")));
        const validate = ajv.compile(JSON.parse(fs.readFileSync(SCHEMA, "utf8")));
        for (const doc of [pass.sarif, fail.sarif]) assert.ok(validate(doc), JSON.stringify(validate.errors, null, 2));
        // The validator does reject a broken document (so the check can fail).
        assert.strictEqual(validate({ ...fail.sarif, runs: [{ results: [{ level: "fatal" }] }] }), false);
    });

    it("SARIF: each rule described once with its help text, one result per violation with level, URN and the component's source file", () => {
        const run = fail.sarif.runs[0];
        const ids = run.tool.driver.rules.map((r: any) => r.id);
        assert.strictEqual(new Set(ids).size, ids.length);
        for (const r of allRules) assert.ok(ids.includes(r.name), r.name);
        assert.strictEqual(ids.length, allRules.length + 1, "the rules and the exceptions report");
        const multiAz = run.tool.driver.rules.find((r: any) => r.id === "aws-rds-instance-require-multi-az");
        assert.match(multiAz.help.text, /Remediation: /);
        const results = run.results.filter((x: any) => x.ruleId === "aws-rds-instance-require-multi-az");
        assert.strictEqual(results.length, 1);
        const res = results[0];
        assert.strictEqual(res.level, "error", "mandatory in the production config");
        assert.strictEqual(run.tool.driver.rules[res.ruleIndex].id, res.ruleId);
        assert.match(res.locations[0].logicalLocations[0].fullyQualifiedName, /rag-aws-db-primary$/);
        assert.strictEqual(res.locations[0].physicalLocation.artifactLocation.uri, "components/aws/database.ts");
        const line = fs.readFileSync(path.join(repoRoot(), "components/aws/database.ts"), "utf8").split("\n")[
            res.locations[0].physicalLocation.region.startLine - 1
        ];
        assert.match(line, /typeToken\("aws", "Database"\)/);
        const all = run.results.filter((x: any) => x.level !== "note");
        const doc = JSON.parse(
            spawnSync(process.execPath, [PLAN, "--stack", "production", "--set", "dbMultiAz=false", "--set", "dbDeletionProtection=false", "--json"], {
                cwd: repoRoot(),
                encoding: "utf8",
            }).stdout,
        );
        assert.strictEqual(all.length, doc.policy.violations.length, "one result per violation");
        assert.deepStrictEqual(
            pass.sarif.runs[0].results.filter((x: any) => x.level === "error"),
            [],
        );
    });

    it("JUnit: a suite per rule, a case per rule x resource, failures for violations", () => {
        const suites = fail.junit.testsuites.testsuite as any[];
        assert.strictEqual(suites.length, allRules.length + 1, "every rule and the exceptions report");
        const rds = suites.find((s) => s.name === "aws-rds-instance-require-multi-az");
        const instances = JSON.parse(
            execFileSync(process.execPath, [PLAN, "--stack", "production", "--json"], { cwd: repoRoot(), stdio: ["ignore", "pipe", "ignore"] }).toString(),
        ).resources.filter((r: any) => r.type === "aws:rds/instance:Instance");
        assert.strictEqual(rds.testcase.length, instances.length, "one case per RDS instance");
        const failed = rds.testcase.filter((c: any) => c.failure);
        assert.strictEqual(failed.length, 1);
        assert.strictEqual(failed[0].failure.type, "mandatory");
        assert.strictEqual(
            Number(fail.junit.testsuites.failures),
            suites.reduce((n, s) => n + Number(s.failures), 0),
        );
        assert.ok(Number(fail.junit.testsuites.failures) >= 2);
        assert.ok(Number(pass.junit.testsuites.tests) > 100, `${pass.junit.testsuites.tests} cases`);
        assert.ok(!pass.junitText.includes('type="mandatory"'), "a passing plan has no mandatory failure");
    });

    it("Markdown: verdict, counts by level, findings table, resources by type", () => {
        assert.match(fail.summary, /^<!-- ragstack-plan summary -->\n## ❌ Offline plan: `production` on aws \(production\) — FAIL/);
        assert.match(fail.summary, /\| mandatory \| [1-9]\d* \|/);
        assert.match(fail.summary, /\| mandatory \| high \| `aws-rds-instance-require-multi-az` \| `rag-aws-db-primary` \|/);
        assert.match(fail.summary, /\| `aws:rds\/instance:Instance` \| 2 \|/);
        assert.match(pass.summary, /## ✅ Offline plan: `staging` on aws \(staging\) — PASS/);
    });

    it("a report the command wrote may be written again; another file may not", () => {
        const again = spawnSync(process.execPath, [PLAN, "--stack", "staging", "--sarif", pass.files.sarif, "--summary", pass.files.summary], {
            cwd: repoRoot(),
        });
        assert.strictEqual(again.status, 0, String(again.stderr));
        const other = path.join(tmp, "notes.md");
        fs.writeFileSync(other, "# my notes\n");
        const refused = spawnSync(process.execPath, [PLAN, "--stack", "staging", "--summary", other], { cwd: repoRoot(), encoding: "utf8" });
        assert.strictEqual(refused.status, 2);
        assert.match(refused.stderr, /--summary: .*notes\.md is an existing file that this command did not write/);
        assert.strictEqual(fs.readFileSync(other, "utf8"), "# my notes\n");
    });
});
