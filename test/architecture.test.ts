/**
 * Dependencies only point down: the library (components/, environments/) never imports the
 * policy pack, the tools or the testing kit; the pack may use the library's shared facts
 * (components/core) but no component; the testing kit never imports the tools. A consumer of the
 * components therefore never compiles against @pulumi/policy.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { repoRoot } from "../testing/paths";

const root = repoRoot();

function sources(dir: string): string[] {
    const out: string[] = [];
    for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
        const rel = path.join(dir, e.name);
        if (e.isDirectory() && e.name !== "node_modules") out.push(...sources(rel));
        else if (/\.ts$/.test(e.name) && !e.name.endsWith(".d.ts")) out.push(rel);
    }
    return out;
}

/** Relative imports of a file, resolved to repository paths (`import`, `export ... from`, `require`, `import()`). */
function importsOf(file: string): string[] {
    const text = fs.readFileSync(path.join(root, file), "utf8");
    const specs = [...text.matchAll(/(?:from\s+|require\(\s*|import\(\s*)["'](\.[^"']+)["']/g)].map((m) => m[1]);
    return specs.map((s) => path.normalize(path.join(path.dirname(file), s)));
}

const RULES: { from: string[]; forbidden: string[]; why: string }[] = [
    {
        from: ["components", "environments"],
        forbidden: ["policies", "tools", "testing", "test"],
        why: "the library must not depend on the pack, the tools or the tests",
    },
    {
        from: ["policies"],
        forbidden: ["components/aws", "components/kubernetes", "components/stack", "environments", "tools", "testing", "test"],
        why: "the pack uses only the library's shared facts (components/core)",
    },
    { from: ["testing"], forbidden: ["tools", "test"], why: "the testing kit is shipped; the tools and tests are not" },
];

describe("architecture: dependencies only downward", () => {
    for (const rule of RULES) {
        it(`${rule.from.join(", ")} never import ${rule.forbidden.join(", ")} (${rule.why})`, () => {
            const offenders: string[] = [];
            for (const dir of rule.from)
                for (const file of sources(dir))
                    for (const target of importsOf(file))
                        if (rule.forbidden.some((f) => target === f || target.startsWith(`${f}${path.sep}`))) offenders.push(`${file} -> ${target}`);
            assert.deepStrictEqual(offenders, []);
        });
    }

    it("the check finds a forbidden import (it can fail)", () => {
        const probe = path.join(root, "components", "core", "__probe__.ts");
        fs.writeFileSync(probe, 'import { allRules } from "../../policies/lib";\nexport const n = allRules.length;\n');
        try {
            const found = importsOf(path.relative(root, probe));
            assert.deepStrictEqual(found, [path.join("policies", "lib")]);
        } finally {
            fs.unlinkSync(probe);
        }
    });

    it("each rule lives in a file of its service, and the index lists every rule once", () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { allRules } = require("../policies/lib/rules") as typeof import("../policies/lib/rules");
        assert.strictEqual(new Set(allRules.map((r) => r.name)).size, allRules.length);
        for (const target of ["aws", "kubernetes"]) {
            const files = fs.readdirSync(path.join(root, "policies", "lib", target)).filter((f) => f.endsWith(".ts") && !["index.ts", "common.ts"].includes(f));
            assert.ok(files.length >= 8, `${target}: ${files.length} files`);
            for (const f of files) assert.ok(fs.readFileSync(path.join(root, "policies", "lib", target, f), "utf8").split("\n").length < 400, `${f} is small`);
        }
    });
});
