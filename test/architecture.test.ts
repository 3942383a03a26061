/**
 * Dependencies only point down, through layers one can see in the folders, and no file takes part
 * in an import cycle. Every relative import is read — `import`, `export … from`, `require()`,
 * `import()` — of every .ts and .js source (the hand-written entry points are .js), so an upward
 * `require` in plain JavaScript is caught as surely as a TypeScript import.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { repoRoot } from "../testing/paths";

const root = repoRoot();

/**
 * The layers, lowest first. A file may import its own layer and the ones below. The library a
 * consumer installs is components/ + environments/ + facade/ (+ analysis/ for the pack); it never
 * compiles against the pack, the testing kit or the tools.
 */
export const LAYERS: { name: string; paths: string[] }[] = [
    { name: "bootstrap (plain-JS entry helper)", paths: ["bootstrap"] },
    { name: "core (vocabulary, validation toolkit, facts)", paths: ["components/core"] },
    { name: "settings (tiers)", paths: ["components/settings"] },
    { name: "analysis (cost, capacity, recovery, prices)", paths: ["analysis"] },
    { name: "target components", paths: ["components/aws", "components/kubernetes"] },
    { name: "components index", paths: ["components/index.ts"] },
    { name: "environments (presets, config)", paths: ["environments"] },
    { name: "facade (RagStack, package entry)", paths: ["facade"] },
    { name: "policy pack", paths: ["policies"] },
    { name: "component provider", paths: ["provider"] },
    { name: "program", paths: ["index.ts"] },
    { name: "testing kit", paths: ["testing"] },
    { name: "examples", paths: ["examples"] },
    { name: "tools", paths: ["tools"] },
    { name: "tests", paths: ["test"] },
];

/** The layer of a repository path (its most specific match), or -1 outside every layer. */
export function layerOf(file: string): number {
    let best = -1;
    let bestLength = -1;
    LAYERS.forEach((l, i) =>
        l.paths.forEach((p) => {
            const hit = file === p || file.startsWith(`${p}/`) || file.replace(/\.(ts|js)$/, "") === p.replace(/\.(ts|js)$/, "");
            if (hit && p.length > bestLength) [best, bestLength] = [i, p.length];
        }),
    );
    return best;
}

function sources(dir: string): string[] {
    const abs = path.join(root, dir);
    if (!fs.existsSync(abs)) return [];
    if (fs.statSync(abs).isFile()) return [dir];
    const out: string[] = [];
    for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
        if (["node_modules", "dist"].includes(e.name)) continue;
        const rel = path.posix.join(dir, e.name);
        if (e.isDirectory()) out.push(...sources(rel));
        else if (/\.(ts|js)$/.test(e.name) && !e.name.endsWith(".d.ts")) out.push(rel);
        // An executable Node.js script without an extension (policies/ragstack-policies) is JavaScript too.
        else if (!e.name.includes(".") && fs.readFileSync(path.join(abs, e.name), "utf8").startsWith("#!/usr/bin/env node")) out.push(rel);
    }
    return out;
}

const ALL = LAYERS.flatMap((l) => l.paths).flatMap(sources);
const KNOWN = new Set(ALL);

/** Relative imports of a file's text, resolved to repository files (`import`, `export … from`, `require`, `import()`). */
export function importsOf(file: string, text = fs.readFileSync(path.join(root, file), "utf8")): string[] {
    const specs = [...text.matchAll(/(?:from\s+|require\(\s*|import\(\s*)["'](\.[^"']+)["']/g)].map((m) => m[1]);
    return specs.map((s) => {
        const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), s));
        const hit = [base, `${base}.ts`, `${base}.js`, `${base}/index.ts`, `${base}/index.js`].find((c) => KNOWN.has(c));
        return hit ?? base;
    });
}

/** Imports that go up a layer: `file -> target (layer -> layer)`. */
export function upwardImports(files: readonly string[], read?: (f: string) => string): string[] {
    const out: string[] = [];
    for (const file of files) {
        const from = layerOf(file);
        for (const target of importsOf(file, read?.(file))) {
            const to = layerOf(target);
            if (to > from) out.push(`${file} -> ${target} (${LAYERS[from].name} -> ${LAYERS[to].name})`);
        }
    }
    return out;
}

/** Import cycles among files (strongly connected components of two or more files, or a file importing itself). */
export function cycles(files: readonly string[], read?: (f: string) => string): string[][] {
    const graph = new Map(files.map((f) => [f, importsOf(f, read?.(f)).filter((t) => files.includes(t))]));
    let index = 0;
    const idx = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const on = new Set<string>();
    const found: string[][] = [];
    const visit = (v: string) => {
        idx.set(v, index);
        low.set(v, index++);
        stack.push(v);
        on.add(v);
        for (const w of graph.get(v) ?? []) {
            if (!idx.has(w)) {
                visit(w);
                low.set(v, Math.min(low.get(v)!, low.get(w)!));
            } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
        }
        if (low.get(v) === idx.get(v)) {
            const scc: string[] = [];
            let w: string;
            do {
                w = stack.pop()!;
                on.delete(w);
                scc.push(w);
            } while (w !== v);
            if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(scc.sort());
        }
    };
    for (const f of files) if (!idx.has(f)) visit(f);
    return found;
}

describe("architecture: dependencies only downward, no cycles", () => {
    it("every source file, .ts and .js, belongs to a layer", () => {
        assert.ok(ALL.length > 150, `${ALL.length} files`);
        assert.ok(
            ALL.some((f) => f.endsWith(".js")),
            "the .js entry points are read",
        );
        assert.deepStrictEqual(
            ALL.filter((f) => layerOf(f) < 0),
            [],
        );
    });

    it("no file imports a layer above its own (import, export from, require, import())", () => {
        assert.deepStrictEqual(upwardImports(ALL), []);
    });

    it("no import cycle anywhere", () => {
        assert.deepStrictEqual(cycles(ALL), []);
    });

    it("the checks can fail: an upward require in a .js file and a two-file cycle are found", () => {
        const fake: Record<string, string> = {
            "policies/pack.js": 'const c = require("../tools/entry/plan");\n',
            "tools/entry/plan.js": "",
            "components/core/a.ts": 'import { b } from "./b";\n',
            "components/core/b.ts": 'export { a } from "./a";\n',
        };
        for (const f of Object.keys(fake)) KNOWN.add(f);
        try {
            const read = (f: string) => fake[f];
            assert.deepStrictEqual(upwardImports(["policies/pack.js"], read), ["policies/pack.js -> tools/entry/plan.js (policy pack -> tools)"]);
            assert.deepStrictEqual(cycles(["components/core/a.ts", "components/core/b.ts"], read), [["components/core/a.ts", "components/core/b.ts"]]);
        } finally {
            for (const f of Object.keys(fake)) if (!ALL.includes(f)) KNOWN.delete(f);
        }
    });

    it("the library a consumer installs never reaches the pack, the testing kit or the tools", () => {
        const library = ALL.filter((f) => layerOf(f) <= layerOf("facade/index.ts"));
        const beyond = library.flatMap((f) => importsOf(f).filter((t) => ["policies/", "testing/", "tools/", "test/"].some((p) => t.startsWith(p))));
        assert.deepStrictEqual(beyond, []);
    });

    it("no component carries a default of its own per environment (the tiers and postureFor state them once)", () => {
        const code = (f: string) =>
            fs
                .readFileSync(path.join(root, f), "utf8")
                .replace(/\/\*[\s\S]*?\*\//g, "")
                .replace(/\/\/.*$/gm, "");
        const offenders = ALL.filter((f) => /^components\/(aws|kubernetes)\//.test(f)).filter((f) =>
            /===?\s*"production"|"production"\s*===?|\bproduction\s*\?|\.production\b/.test(code(f)),
        );
        assert.deepStrictEqual(offenders, []);
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
