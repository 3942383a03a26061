/**
 * examples/seeds: one stack file per seed deployment guide (/work/shared/seeds in the design
 * notes), each with a README table mapping every requirement of the seed to a config key and to
 * where the plan shows it. This test reads every table and holds each row to the plan:
 *
 * - a row with a key names a key of docs/settings.md (CONFIG_KEYS, or a provider key such as
 *   `aws:region`) that the planned target uses, and the stack file sets it to the row's value;
 * - the stack plans (with the policy config of its environment: policies/config/<stack>.json) and
 *   passes, so no key was refused (nothing silently ignored: a key the target does not use fails
 *   the plan, see docs/settings.md);
 * - where the row names a resource type and an input path (or `plan` and a path in the plan
 *   document), the plan has it, equal to the row's value or to the `= value` the row gives when
 *   the input is derived (minutes to seconds, a count...);
 * - the status is `met`, `partial: <reason>`, `n/a: <reason>` or `missing: <reason>`; a `missing`
 *   row names a capability, never a key (the key does not exist yet).
 *
 * Each stack is planned once; the mutations below prove the checks fail on a row the plan does
 * not honour.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { CONFIG_KEYS, SETTINGS } from "../components/settings";
import { plan, PlanResult } from "../testing/plan";
import { runCli } from "../testing/plan/cli";
import { repoRoot } from "../testing/program";

const PROJECT = "rag-platform";
const SEEDS = path.join(repoRoot(), "examples", "seeds");

interface Row {
    /** README file and line, for messages. */
    where: string;
    requirement: string;
    key?: string;
    value?: unknown;
    shown: string;
    status: string;
}

interface Table {
    readme: string;
    /** The stack file the table's keys are set in (named in the heading above the table). */
    stackFile: string;
    rows: Row[];
}

const code = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);

/** A value as written in a README cell or a stack file: JSON when it parses, else the text. */
function parseValue(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

/** Numbers and booleans given as strings (Pulumi config values are strings) compare as such. */
function norm(v: unknown): unknown {
    if (typeof v === "string") {
        if (v === "true" || v === "false") return v === "true";
        if (v.trim() !== "" && !Number.isNaN(Number(v))) return Number(v);
    }
    return v;
}

/** Equal after norm; an expected object matches an object holding at least its entries. */
function same(found: unknown, expected: unknown): boolean {
    const f = norm(found);
    const e = norm(expected);
    if (Array.isArray(e)) return Array.isArray(f) && f.length === e.length && e.every((x, i) => same(f[i], x));
    if (e !== null && typeof e === "object")
        return f !== null && typeof f === "object" && !Array.isArray(f) && Object.entries(e).every(([k, v]) => same((f as Record<string, unknown>)[k], v));
    return f === e;
}

/** Reads every requirement table of one README. */
export function parseReadme(file: string): Table[] {
    const lines = fs.readFileSync(file, "utf8").split("\n");
    const tables: Table[] = [];
    let stackFile: string | undefined;
    let current: Table | undefined;
    lines.forEach((line, i) => {
        const heading = /^#+ .*`(Pulumi\.[\w.-]+\.yaml)`/.exec(line);
        if (heading) {
            stackFile = heading[1];
            current = undefined;
            return;
        }
        if (!line.startsWith("|")) {
            current = undefined;
            return;
        }
        const cells = line
            .slice(1, line.lastIndexOf("|"))
            .split(/(?<!\\)\|/)
            .map((c) => c.trim());
        if (cells[0] === "Requirement") {
            assert.deepStrictEqual(cells, ["Requirement", "Key = value", "Shown in the plan", "Status"], `${file}:${i + 1}: the table's columns`);
            assert.ok(stackFile, `${file}:${i + 1}: a requirement table under a heading naming its stack file (\`Pulumi.<stack>.yaml\`)`);
            current = { readme: file, stackFile: stackFile!, rows: [] };
            tables.push(current);
            return;
        }
        if (!current || /^[-: |]+$/.test(line)) return;
        assert.strictEqual(cells.length, 4, `${file}:${i + 1}: 4 cells`);
        const [requirement, keyCell, shown, status] = cells;
        const row: Row = { where: `${path.relative(repoRoot(), file)}:${i + 1}`, requirement, shown, status };
        if (keyCell !== "—") {
            const spans = code(keyCell);
            const m = spans.length === 1 ? /^([\w:]+) = (.+)$/.exec(spans[0]) : null;
            assert.ok(m, `${row.where}: the key cell is \`key = value\` or —; got ${keyCell}`);
            row.key = m![1];
            row.value = parseValue(m![2]);
        }
        current.rows.push(row);
    });
    return tables;
}

/** The values at a path of an object: `a.b.*.c`, `x["nvidia.com/gpu"]`; JSON strings are entered. */
export function valuesAt(root: unknown, pathText: string): unknown[] {
    const segments = [...pathText.matchAll(/\["([^"]+)"\]|\[(\d+|\*)\]|([^.[\]]+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
    let values: unknown[] = [root];
    for (const seg of segments) {
        const next: unknown[] = [];
        for (let v of values) {
            if (typeof v === "string" && /^[[{]/.test(v.trim())) {
                try {
                    v = JSON.parse(v);
                } catch {
                    /* not JSON: no children */
                }
            }
            if (v === null || typeof v !== "object") continue;
            if (seg === "*") next.push(...(Array.isArray(v) ? v : Object.values(v as object)));
            else if (seg in (v as object)) next.push((v as Record<string, unknown>)[seg]);
        }
        values = next;
    }
    return values;
}

/** One check of a "Shown in the plan" cell: a resource type (or `plan`), a path, an optional `= value`. */
interface ShownCheck {
    subject: string;
    path: string;
    /** `= value`: the input's value when it is derived from the key's (or there is no key). */
    expected?: unknown;
    /** `~ text`: a text input (a command, a header snippet) that contains the text. */
    contains?: string;
}

export function shownChecks(cell: string): ShownCheck[] {
    const spans = code(cell);
    const checks: ShownCheck[] = [];
    for (let i = 0; i < spans.length; i++) {
        const s = spans[i];
        if (s !== "plan" && !/^[a-z0-9-]+:[\w/.-]+:\w+$/i.test(s)) continue;
        const p = spans[i + 1];
        if (p === undefined || /^[=~] /.test(p)) continue;
        const check: ShownCheck = { subject: s, path: p };
        const operand = spans[i + 2];
        if (operand?.startsWith("= ")) check.expected = parseValue(operand.slice(2));
        else if (operand?.startsWith("~ ")) check.contains = operand.slice(2);
        checks.push(check);
        i += check.expected === undefined && check.contains === undefined ? 1 : 2;
    }
    return checks;
}

const STATUS = /^(met|partial: \S.*|n\/a: \S.*|missing: \S.*)$/;

/** Everything wrong with one row against its stack file's config and plan (empty: the row holds). */
export function rowProblems(row: Row, stackConfig: Record<string, unknown>, result: PlanResult): string[] {
    const problems: string[] = [];
    const at = `${row.where} (${row.requirement.slice(0, 60)})`;
    if (!STATUS.test(row.status))
        problems.push(`${at}: status ${JSON.stringify(row.status)}; allowed: met, partial: <reason>, n/a: <reason>, missing: <reason>`);
    if (row.key !== undefined) {
        if (/^(missing|n\/a)/.test(row.status)) problems.push(`${at}: a ${row.status.split(":")[0]} row names no key (a capability to add, or the reason)`);
        const provider = row.key.includes(":");
        const entry = provider ? SETTINGS.find((e) => e.provider && e.key === row.key) : CONFIG_KEYS.find((k) => k.key === row.key);
        if (!entry) problems.push(`${at}: ${row.key} is not a key of docs/settings.md`);
        else if (!entry.targets.includes(result.document.target as never))
            problems.push(`${at}: ${row.key} is not used on the ${result.document.target} target (${entry.targets.join(", ")})`);
        const full = provider ? row.key : `${PROJECT}:${row.key}`;
        if (!(full in stackConfig)) problems.push(`${at}: the stack file does not set ${full}`);
        else if (!same(stackConfig[full], row.value))
            problems.push(`${at}: the stack file sets ${full} to ${JSON.stringify(stackConfig[full])}, the row says ${JSON.stringify(row.value)}`);
    }
    // A key named in the status (`key` or `key = value`) is one of docs/settings.md: a capability still
    // to come is named in words, never as a key that does not exist.
    for (const span of code(row.status)) {
        const named = /^([a-z][A-Za-z0-9]*)(?: = .*)?$/.exec(span)?.[1];
        if (named && !CONFIG_KEYS.some((k) => k.key === named))
            problems.push(`${at}: \`${named}\` is not a key of docs/settings.md (name a missing capability in words)`);
    }
    const checks = shownChecks(row.shown);
    if (row.status === "met" && row.key === undefined && checks.length === 0) problems.push(`${at}: a met row with neither a key nor a place in the plan`);
    for (const c of checks) {
        const expected = c.expected !== undefined ? c.expected : row.value;
        if (expected === undefined && c.contains === undefined) {
            problems.push(`${at}: ${c.subject} ${c.path}: no value to compare (no key, no \`= value\`)`);
            continue;
        }
        let found: unknown[];
        if (c.subject === "plan") found = valuesAt(result.document, c.path);
        else {
            const records = result.records.filter((r) => r.type === c.subject);
            if (records.length === 0) {
                problems.push(`${at}: the plan has no ${c.subject}`);
                continue;
            }
            // `#count`: how many; `@option`: a resource option the engine sees (ignoreChanges, protect...).
            found =
                c.path === "#count"
                    ? [records.length]
                    : c.path.startsWith("@")
                      ? records.flatMap((r) => valuesAt(r, c.path.slice(1)))
                      : records.flatMap((r) => valuesAt(r.inputs, c.path));
        }
        if (c.contains !== undefined) {
            const texts = found.flatMap((f) => (Array.isArray(f) ? f : [f]));
            if (!texts.some((f) => typeof f === "string" && f.includes(c.contains!)))
                problems.push(
                    `${at}: no ${c.subject} ${c.path} in the plan contains ${JSON.stringify(c.contains)} (found ${JSON.stringify(found.slice(0, 3))})`,
                );
            continue;
        }
        const ok =
            found.some((f) => same(f, expected)) ||
            (Array.isArray(expected) &&
                expected.length > 0 &&
                expected.every((e) => found.some((f) => same(f, e) || (Array.isArray(f) && f.some((x) => same(x, e))))));
        if (!ok)
            problems.push(
                `${at}: ${c.subject} ${c.path} is ${found.length === 0 ? "absent" : JSON.stringify(found.slice(0, 5))} in the plan; the row says ${JSON.stringify(expected)}`,
            );
    }
    return problems;
}

/** A stack file's config as the plan reads it (values as written). */
function stackConfigOf(file: string): Record<string, unknown> {
    return ((YAML.parse(fs.readFileSync(file, "utf8")) ?? {}).config ?? {}) as Record<string, unknown>;
}

const folders = fs
    .readdirSync(SEEDS)
    .filter((d) => /^\d{3}-/.test(d))
    .sort();

describe("examples/seeds: every requirement row is honoured by its stack's plan", () => {
    const plans = new Map<string, Promise<PlanResult>>();
    const planOf = (folder: string, stackFile: string): Promise<PlanResult> => {
        const file = path.join(SEEDS, folder, stackFile);
        if (!plans.has(file)) {
            const stack = /^Pulumi\.([\w.-]+)\.yaml$/.exec(stackFile)![1];
            plans.set(file, plan({ stack, configFile: file }));
        }
        return plans.get(file)!;
    };

    it("there is one folder per seed (000..004), each with a README table per stack file", () => {
        assert.deepStrictEqual(
            folders.map((f) => f.slice(0, 3)),
            ["000", "001", "002", "003", "004"],
        );
        for (const folder of folders) {
            const stackFiles = fs.readdirSync(path.join(SEEDS, folder)).filter((f) => /^Pulumi\.[\w.-]+\.yaml$/.test(f));
            const tables = parseReadme(path.join(SEEDS, folder, "README.md"));
            assert.deepStrictEqual(tables.map((t) => t.stackFile).sort(), stackFiles.sort(), `${folder}: one table per stack file`);
            for (const t of tables) assert.ok(t.rows.length > 0, `${folder}/${t.stackFile}: rows`);
        }
    });

    for (const folder of folders) {
        it(`${folder}: plans with its environment's policy config and every row holds`, async () => {
            const problems: string[] = [];
            for (const table of parseReadme(path.join(SEEDS, folder, "README.md"))) {
                const result = await planOf(folder, table.stackFile);
                const stack = /^Pulumi\.([\w.-]+)\.yaml$/.exec(table.stackFile)![1];
                assert.strictEqual(result.document.environment, stack, `${folder}/${table.stackFile}: the stack is named by its environment`);
                assert.strictEqual(
                    result.document.policy.configFile,
                    `policies/config/${stack}.json`,
                    `${folder}/${table.stackFile}: its environment's policy config`,
                );
                assert.strictEqual(result.document.policy.passed, true, `${folder}/${table.stackFile}: ${JSON.stringify(result.document.policy.violations)}`);
                const config = stackConfigOf(path.join(SEEDS, folder, table.stackFile));
                for (const row of table.rows) problems.push(...rowProblems(row, config, result));
            }
            assert.deepStrictEqual(problems, []);
        });
    }

    it("the CLI plans a seed's stack file as CI does (--config-file), with the same resources as the test's plan", async () => {
        const file = path.join("examples", "seeds", folders[0], "Pulumi.staging.yaml");
        const out = await runCli(["--stack", "staging", "--config-file", file, "--json"]);
        assert.strictEqual(out.code, 0, out.stderr);
        const doc = JSON.parse(out.stdout);
        const r = await planOf(folders[0], "Pulumi.staging.yaml");
        assert.deepStrictEqual([doc.environment, doc.resources.length], [r.document.environment, r.document.resources.length]);
        assert.strictEqual(doc.policy.passed, true);
    });

    describe("mutations: a row the plan does not honour fails", () => {
        // The AWS production seed's plan, shared with the test above.
        const folder = folders[0];
        const stackFile = "Pulumi.production.yaml";
        const config = () => stackConfigOf(path.join(SEEDS, folder, stackFile));
        const base: Row = { where: "fabricated", requirement: "fabricated", shown: "—", status: "met" };

        it("the real row holds, the same row with another value does not", async () => {
            const r = await planOf(folder, stackFile);
            const row = { ...base, key: "dbBackupRetentionDays", value: 30, shown: "`aws:rds/instance:Instance` `backupRetentionPeriod`" };
            assert.deepStrictEqual(rowProblems(row, config(), r), []);
            const problems = rowProblems({ ...row, value: 35 }, config(), r);
            assert.match(problems.join("\n"), /the stack file sets rag-platform:dbBackupRetentionDays to "30", the row says 35/);
            assert.match(problems.join("\n"), /backupRetentionPeriod is \[30\] in the plan; the row says 35/);
        });

        it("a key the stack file does not set, a key that does not exist, a key of the other target", async () => {
            const r = await planOf(folder, stackFile);
            assert.match(rowProblems({ ...base, key: "llmSpot", value: true }, config(), r).join(), /the stack file does not set rag-platform:llmSpot/);
            assert.match(rowProblems({ ...base, key: "egressAllowList", value: [] }, config(), r).join(), /egressAllowList is not a key of docs\/settings.md/);
            assert.match(rowProblems({ ...base, key: "k8sCacheTls", value: true }, config(), r).join(), /k8sCacheTls is not used on the aws target/);
        });

        it("an input the plan does not have, or has with another value, or a resource it does not plan", async () => {
            const r = await planOf(folder, stackFile);
            const row = { ...base, key: "dbMultiAz", value: true };
            assert.match(rowProblems({ ...row, shown: "`aws:rds/instance:Instance` `multiAzz`" }, config(), r).join(), /multiAzz is absent in the plan/);
            assert.match(
                rowProblems({ ...row, shown: "`aws:rds/instance:Instance` `multiAz` `= false`" }, config(), r).join(),
                /multiAz is \[true\] in the plan; the row says false/,
            );
            assert.match(rowProblems({ ...row, shown: "`aws:rds/cluster:Cluster` `multiAz`" }, config(), r).join(), /the plan has no aws:rds\/cluster:Cluster/);
            assert.match(rowProblems({ ...row, shown: "`plan` `recovery.provides.pointInTimeDays` `= 7`" }, config(), r).join(), /pointInTimeDays is \[30\]/);
            const option = { ...row, key: "apiImageManagedByCi", value: true, shown: '`aws:ecs/service:Service` `@ignoreChanges.*` `= "taskDefinition"`' };
            assert.deepStrictEqual(rowProblems(option, config(), r), []);
            assert.match(
                rowProblems({ ...option, shown: '`aws:ecs/service:Service` `@ignoreChanges.*` `= "cluster"`' }, config(), r).join(),
                /@ignoreChanges.\* is \["desiredCount","taskDefinition"\]/,
            );
            const text = { ...row, shown: "`aws:lb/listener:Listener` `sslPolicy` `~ TLS13-1-2`" };
            assert.deepStrictEqual(rowProblems(text, config(), r), []);
            assert.match(
                rowProblems({ ...text, shown: "`aws:lb/listener:Listener` `sslPolicy` `~ TLS-1-0`" }, config(), r).join(),
                /no aws:lb\/listener:Listener sslPolicy in the plan contains "TLS-1-0"/,
            );
        });

        it("a status without its reason, a missing row that names a key, a met row that shows nothing", async () => {
            const r = await planOf(folder, stackFile);
            assert.match(rowProblems({ ...base, status: "partial" }, config(), r).join(), /status "partial"; allowed/);
            assert.match(rowProblems({ ...base, key: "dbMultiAz", value: true, status: "missing: x" }, config(), r).join(), /a missing row names no key/);
            assert.match(rowProblems(base, config(), r).join(), /a met row with neither a key nor a place in the plan/);
            assert.match(
                rowProblems({ ...base, status: "missing: `egressAllowList = [api.openai.com]`" }, config(), r).join(),
                /`egressAllowList` is not a key of docs\/settings.md \(name a missing capability in words\)/,
            );
        });
    });
});
